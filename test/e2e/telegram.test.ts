// Customers talk to the real product over the real grammY client, through the fake Bot API,
// with real Redis: every shipped flow's entry, buttons, languages, both update modes, a 429 storm.
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { IntentRouter } from "../../src/engine/router.ts";
import type { FlowSet } from "../../src/flows/flowset.ts";
import { loadFlows } from "../../src/flows/load.ts";
import { FakeTelegram, type SentMessage } from "../fakes/telegram/index.ts";
import { connectTestRedis, dropPrefix, testPrefix } from "../support/redis.ts";
import { startTelegramBot } from "../support/telegram-bot.ts";

let redis: Redis;
let flows: FlowSet;
let router: IntentRouter;
const prefixes: string[] = [];
let cleanup: (() => Promise<void>)[] = [];

beforeAll(() => {
  redis = connectTestRedis();
  const loaded = loadFlows("flows");
  if (!loaded.ok) throw new Error("shipped flows invalid");
  flows = loaded.flowSet;
  router = new IntentRouter(flows);
});
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});
afterAll(async () => {
  for (const p of prefixes) await dropPrefix(redis, p);
  await redis.quit();
});

async function setup(mode: "polling" | "webhook" = "polling") {
  const fake = await FakeTelegram.start();
  const prefix = testPrefix("e2e-tg");
  prefixes.push(prefix);
  const bot = await startTelegramBot({ fake, redis, prefix, flows, router, mode });
  cleanup.push(async () => {
    await bot.stop();
    await fake.close();
  });
  return { fake, bot };
}

let nextUserId = 1000;
function person(language_code: string, first_name = "Alex") {
  return { id: nextUserId++, first_name, language_code };
}

/** Waits for the bot's next message to this chat and returns it. */
function replyTo(
  fake: FakeTelegram,
  chatId: number,
  predicate: (m: SentMessage) => boolean = () => true,
  timeoutMs = 8_000,
) {
  return fake.waitForMessage((m) => m.chat.id === chatId && predicate(m), timeoutMs);
}

async function eventually(check: () => boolean, ms: number) {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

function buttonsOf(m: SentMessage): { text: string; callback_data: string }[] {
  const markup = m.sent_reply_markup as
    | { inline_keyboard?: { text: string; callback_data: string }[][] }
    | undefined;
  return markup?.inline_keyboard?.flat() ?? [];
}

describe("Telegram: customers get answers from the shipped flows", () => {
  it("greets on /start with the main menu, and a button press leads into a flow", async () => {
    const { fake } = await setup();
    const alex = person("en");
    fake.addUser(alex);
    const menuSeen = replyTo(fake, alex.id, (m) => buttonsOf(m).length > 0);
    fake.sendUserMessage(alex, "/start");
    const menu = await menuSeen;
    const hours = buttonsOf(menu).find((b) => /hours/i.test(b.text));
    expect(
      hours,
      `menu buttons: ${buttonsOf(menu)
        .map((b) => b.text)
        .join(", ")}`,
    ).toBeDefined();

    const answer = replyTo(fake, alex.id, (m) => /9:00|09:00/.test(m.text ?? ""));
    const since = fake.cursor();
    const queryId = fake.pressButton(alex, menu, hours!.callback_data);
    await answer;
    await fake.waitForCall(
      "answerCallbackQuery",
      (c) => c.params.callback_query_id === queryId,
      5_000,
      { since },
    );
  });

  it.each([
    ["en", "I forgot my password"],
    ["ru", "я забыл пароль от аккаунта"],
    ["pl", "zapomniałem hasła do konta"],
    ["el", "ξέχασα τον κωδικό μου"],
  ])(
    "answers a password question in %s from the login flow, in that language",
    async (lang, text) => {
      const { fake } = await setup();
      const user = person(lang === "en" ? "en" : "en"); // platform says English: the text decides
      fake.addUser(user);
      const reply = replyTo(fake, user.id, (m) => buttonsOf(m).length > 0);
      fake.sendUserMessage(user, text);
      const m = await reply;
      const script = { en: /[a-z]/i, ru: /[а-я]/i, pl: /[a-ząćęłńóśźż]/i, el: /[α-ω]/i }[lang]!;
      expect(m.text).toMatch(script);
      expect(m.parse_mode).toBe("HTML");
    },
  );

  it("answers a stale button politely and answers the callback", async () => {
    const { fake } = await setup();
    const alex = person("en");
    fake.addUser(alex);
    const menuSeen = replyTo(fake, alex.id, (m) => buttonsOf(m).length > 0);
    fake.sendUserMessage(alex, "/start");
    const menu = await menuSeen;
    const polite = replyTo(fake, alex.id, (m) => /older message|no longer/i.test(m.text ?? ""));
    const since = fake.cursor();
    // A button from a flow that has since been removed (the fake would refuse an unknown one).
    const queryId = fake.pressButton(alex, menu, "removed_flow:gone:3", { force: true });
    await polite;
    await fake.waitForCall(
      "answerCallbackQuery",
      (c) => c.params.callback_query_id === queryId,
      5_000,
      { since },
    );
  });

  it("switches language with /language and the chooser buttons", async () => {
    const { fake } = await setup();
    const alex = person("en");
    fake.addUser(alex);
    const chooser = replyTo(fake, alex.id, (m) =>
      buttonsOf(m).some((b) => b.callback_data === "lang:el"),
    );
    fake.sendUserMessage(alex, "/language");
    const m = await chooser;
    const greek = replyTo(fake, alex.id, (x) => /[α-ω]/i.test(x.text ?? ""));
    fake.pressButton(alex, m, "lang:el");
    await greek;
  });

  it("escapes customer-influenced text for HTML: no markup injection", async () => {
    const { fake } = await setup();
    const alex = person("en", "<b>Alex & co");
    fake.addUser(alex);
    const reply = replyTo(fake, alex.id);
    fake.sendUserMessage(alex, "<i>hello</i> <a href='x'>there</a> & <b>");
    const m = await reply;
    expect(m.parse_mode).toBe("HTML");
    expect(fake.calls.filter((c) => !c.ok && c.method === "sendMessage")).toEqual([]);
  });

  it("tells the customer honestly it cannot use a photo", async () => {
    const { fake } = await setup();
    const alex = person("en");
    fake.addUser(alex);
    const reply = replyTo(fake, alex.id);
    fake.sendUserMedia(alex, "photo");
    expect((await reply).text).toMatch(/can't look at files|pictures/i);
  });

  it("works in webhook mode, and refuses calls without the secret", async () => {
    const { fake, bot } = await setup("webhook");
    expect(fake.webhookInfo().url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/telegram\/hook$/);
    const alex = person("en");
    fake.addUser(alex);
    const reply = replyTo(fake, alex.id, (m) => buttonsOf(m).length > 0);
    fake.sendUserMessage(alex, "/start");
    await reply;
    const forged = await fetch(String(fake.webhookInfo().url), {
      method: "POST",
      body: JSON.stringify({ update_id: 1 }),
      headers: { "x-telegram-bot-api-secret-token": "wrong" },
    });
    expect(forged.status).toBe(401);
    expect(bot.adapter.port).toBeGreaterThan(0);
  });

  it("rides out a 429 storm: every reply arrives, in order per chat", async () => {
    const { fake } = await setup();
    fake.failNext("sendMessage", { error_code: 429, retry_after: 1, times: 6 });
    const users = [person("en"), person("en"), person("en")];
    for (const u of users) fake.addUser(u);
    for (const u of users) {
      fake.sendUserMessage(u, "/help");
      fake.sendUserMessage(u, "/language en");
    }
    for (const u of users) {
      await eventually(() => fake.sentMessages(u.id).length >= 2, 20_000);
      const texts = fake.sentMessages(u.id).map((m) => m.text ?? "");
      expect(texts[0]).toMatch(/\/menu/); // help first, then the language confirmation
      expect(texts[1]).toMatch(/English/);
    }
  });
});
