// An honest hand-over, on the real product: a person is promised only when a desk runs; a
// waiting customer can always see where they stand and leave the queue; bot flows do not
// interleave with a person's conversation; estimates rest on real waits or are not given.
import { describe, expect, it } from "vitest";
import { loadFlows } from "../../src/flows/load.ts";
import { FakeTelegram } from "../fakes/telegram/index.ts";
import { deskStories } from "../support/desk-story.ts";
import { testPrefix } from "../support/redis.ts";
import { startTelegramBot } from "../support/telegram-bot.ts";

const { desk, until, eventually, buttons, texts, has, anna, redis, newCustomer, fast } =
  deskStories();

async function waiting(fake: FakeTelegram, customer: { id: number; first_name: string }) {
  fake.sendUserMessage(customer, "/human");
  return until(
    () => fake.sentMessages(customer.id).find((m) => /ticket #\d+/i.test(m.text ?? "")),
    10_000,
    "the ticket notice",
  );
}

/** Anna claims ticket #1 from its card, and the customer hears that she joined. */
async function annaClaims(fake: FakeTelegram, groupId: number, thread: number, customerId: number) {
  const card = fake.sentMessages(groupId, thread).find((m) => /Ticket #1/.test(m.text ?? ""))!;
  fake.pressButton(anna, card, "desk:claim:1");
  await until(
    () => has(fake, customerId, /Anna from our support team has joined/),
    5_000,
    "joined",
  );
}

describe("a waiting customer is never stuck", () => {
  it("/cancel leaves the queue: the ticket is withdrawn, agents are told, the bot answers again", async () => {
    const { fake, group, customer, store } = await desk();
    await waiting(fake, customer);
    const topic = await until(() => fake.topics(group.id)[0], 10_000, "the topic");
    fake.sendUserMessage(customer, "/cancel");
    await until(
      () => has(fake, customer.id, /You've left the queue and ticket #1 is withdrawn/),
      5_000,
      "the notice",
    );
    await until(
      () => has(fake, group.id, /The customer left the queue/, topic.message_thread_id),
      5_000,
      "the agents' note",
    );
    await eventually(async () => (await store.get(1))?.status === "closed", "the ticket closed");
    expect((await store.get(1))!.closedBy).toBe("customer");
    expect(has(fake, customer.id, /rate the help/)).toBe(false);
    fake.sendUserMessage(customer, "/menu");
    await until(
      () => fake.sentMessages(customer.id).at(-1)?.sent_reply_markup !== undefined,
      5_000,
      "the bot's menu",
    );
    expect(has(fake, group.id, /👤 Maria: \/menu/)).toBe(false);
  });

  it("after leaving the queue the customer stays with the bot, even when an agent closes the ticket later", async () => {
    const { fake, group, customer, store } = await desk();
    await waiting(fake, customer);
    const topic = await until(() => fake.topics(group.id)[0], 10_000, "the topic");
    fake.sendUserMessage(customer, "/human");
    await until(
      () => has(fake, customer.id, /Ticket #1 is in the queue/),
      5_000,
      "the status, not a false 'passed'",
    );
    fake.sendUserMessage(customer, "/cancel");
    await until(() => has(fake, customer.id, /left the queue/), 5_000, "the notice");
    fake.sendUserMessage(customer, "/login");
    await until(
      () => has(fake, customer.id, /What exactly is happening/),
      5_000,
      "the bot's question",
    );
    const card = fake
      .sentMessages(group.id, topic.message_thread_id)
      .find((m) => /Ticket #1/.test(m.text ?? ""))!;
    fake.pressButton(anna, card, "desk:close:1"); // an agent closes it too, late
    await eventually(async () => (await store.get(1))?.closeAnnounced, "the close done");
    expect(has(fake, customer.id, /rate the help/)).toBe(false);
    fake.sendUserMessage(customer, "the email with the link never arrived");
    await until(() => has(fake, customer.id, /Spam/), 5_000, "the bot still answers the question");
  });

  it("the ticket notice has a 'Back to the bot' button that does the same", async () => {
    const { fake, customer, store } = await desk();
    const notice = await waiting(fake, customer);
    const back = buttons(notice).find((b) => b.callback_data === "desk:leave");
    expect(back?.text).toMatch(/Back to the bot/);
    fake.pressButton(customer, notice, "desk:leave");
    await until(() => has(fake, customer.id, /left the queue/), 5_000, "the notice");
    await eventually(async () => (await store.get(1))?.closedBy === "customer", "withdrawn");
  });

  it("while waiting, a bot command asks first; Stay keeps the ticket, and typed text goes to the person", async () => {
    const { fake, group, customer, store } = await desk();
    await waiting(fake, customer);
    const topic = await until(() => fake.topics(group.id)[0], 10_000, "the topic");
    fake.sendUserMessage(customer, "/start");
    const question = await until(
      () =>
        fake
          .sentMessages(customer.id)
          .find((m) => /leave the queue and go back to the bot\?/.test(m.text ?? "")),
      5_000,
      "the question",
    );
    expect(buttons(question).map((b) => b.callback_data)).toEqual(["desk:leave", "desk:stay"]);
    fake.pressButton(customer, question, "desk:stay");
    await until(() => has(fake, customer.id, /you stay in the queue for ticket #1/), 5_000, "stay");
    fake.sendUserMessage(customer, "my card was charged twice");
    await until(
      () => has(fake, group.id, /👤 Maria: my card was charged twice/, topic.message_thread_id),
      5_000,
      "the relay",
    );
    expect((await store.get(1))!.status).toBe("queued");
    // Nobody has the request yet: the customer is not told a person is handling it.
    await until(
      () => has(fake, customer.id, /your message is added to request #1/),
      5_000,
      "the honest acknowledgement",
    );
    expect(has(fake, customer.id, /passed to the person handling your request/)).toBe(false);
  });

  it("once an agent has the request, the first message is acknowledged with the agent's name", async () => {
    const { fake, group, customer } = await desk();
    await waiting(fake, customer);
    const topic = await until(() => fake.topics(group.id)[0], 10_000, "the topic");
    await annaClaims(fake, group.id, topic.message_thread_id, customer.id);
    fake.sendUserMessage(customer, "here is my order number 4411");
    await until(() => has(fake, customer.id, /Got it — Anna will see your message/), 5_000, "ack");
    expect(has(fake, customer.id, /added to request/)).toBe(false);
    // With Anna the customer is in a conversation, not a queue, and is told so.
    fake.sendUserMessage(customer, "/start");
    const question = await until(
      () =>
        fake
          .sentMessages(customer.id)
          .find((m) => /You're talking with Anna \(ticket #1\)/.test(m.text ?? "")),
      5_000,
      "the question",
    );
    expect(buttons(question).map((b) => b.text)).toEqual(["↩ Back to the bot", "Stay"]);
    expect(buttons(question).map((b) => b.callback_data)).toEqual(["desk:end", "desk:stay"]);
    fake.pressButton(customer, question, "desk:stay");
    await until(
      () => has(fake, customer.id, /OK, Anna stays with you on ticket #1/),
      5_000,
      "stay",
    );
    // The ticket notice's old "Back to the bot" asks first now that Anna is there.
    const notice = fake.sentMessages(customer.id).find((m) => /ticket #1/i.test(m.text ?? ""))!;
    fake.pressButton(customer, notice, "desk:leave");
    const again = await until(
      () =>
        fake
          .sentMessages(customer.id)
          .filter((m) => /You're talking with Anna/.test(m.text ?? ""))[1],
      5_000,
      "the question again",
    );
    expect(has(fake, customer.id, /ended the conversation/)).toBe(false);
    fake.pressButton(customer, again, "desk:end");
    await until(
      () => has(fake, customer.id, /You've ended the conversation with Anna; ticket #1 is closed/),
      5_000,
      "the end",
    );
    await until(
      () => has(fake, group.id, /The customer ended the conversation/, topic.message_thread_id),
      5_000,
      "the agents' note",
    );
    expect(texts(fake, customer.id).some((t) => /queue/.test(t) && /Anna/.test(t))).toBe(false);
  });

  it("a language chosen while waiting is the one the desk speaks from then on", async () => {
    const { fake, group } = await desk();
    const customer = newCustomer(fake, "Olga", "ru");
    fake.sendUserMessage(customer, "/human");
    await until(() => has(fake, customer.id, /№1/), 10_000, "the notice");
    const topic = await until(() => fake.topics(group.id)[0], 10_000, "the topic");
    fake.sendUserMessage(customer, "/language en");
    await until(() => has(fake, customer.id, /English from now on/), 5_000, "the switch");
    fake.sendUserMessage(customer, "/status");
    await until(() => has(fake, customer.id, /Ticket #1 is in the queue/), 5_000, "the status");
    expect(fake.sentMessages(customer.id).at(-1)?.text).toMatch(/expected wait: hard to say/);
    await annaClaims(fake, group.id, topic.message_thread_id, customer.id);
  });

  it("/status any time, and an estimate only once real waits exist", async () => {
    const { fake, group, customer } = await desk();
    const first = await waiting(fake, customer);
    expect(first.text).toMatch(/expected wait: hard to say right now/);
    const topic = await until(() => fake.topics(group.id)[0], 10_000, "the topic");
    fake.sendGroupMessage(group.id, anna, "Hello, on it.", {
      message_thread_id: topic.message_thread_id,
    });
    await until(() => has(fake, customer.id, /^Anna: Hello, on it\.$/), 5_000, "the reply");
    fake.sendUserMessage(customer, "/status");
    await until(() => has(fake, customer.id, /Ticket #1 is with Anna/), 5_000, "the status");
    const next = newCustomer(fake, "Olek");
    const second = await waiting(fake, next);
    expect(second.text).toMatch(/expected wait: about \d+ min/);
  });
});

describe("without a desk nobody is promised a person, in every language", () => {
  it("/human says honestly that no person can be reached here and where to find one; the bot keeps answering", async () => {
    const fake = await FakeTelegram.start();
    const loaded = loadFlows("flows");
    if (!loaded.ok) throw new Error("shipped flows invalid");
    const bot = await startTelegramBot({
      fake,
      redis,
      prefix: testPrefix("no-desk"),
      flows: loaded.flowSet,
      channelLimits: fast,
    });
    try {
      const honest: Record<string, RegExp> = {
        en: /Nobody from our team can be reached in this chat/,
        ru: /нельзя связаться с сотрудником/,
        pl: /nie można połączyć się z konsultantem/,
        el: /Κανείς από την ομάδα μας δεν είναι διαθέσιμος/,
      };
      const offTopic: Record<string, string> = {
        en: "what's the weather like on Mars",
        ru: "какая погода на марсе",
        pl: "jaka jest pogoda na marsie",
        el: "τι καιρό κάνει στον άρη",
      };
      const unsure: Record<string, RegExp> = {
        en: /not sure I understood/,
        ru: /не совсем понимаю/,
        pl: /nie mam pewności/,
        el: /δεν κατάλαβα/,
      };
      const offersPerson: Record<string, RegExp> = {
        en: /talk to a person/,
        ru: /свяжитесь с сотрудником/,
        pl: /porozmawiaj z konsultantem/,
        el: /μιλήστε με/,
      };
      const noRequest: Record<string, RegExp> = {
        en: /You have no open request: I'm answering you myself/,
        ru: /У Вас нет открытых обращений/,
        pl: /Nie masz otwartych zgłoszeń/,
        el: /Δεν έχετε ανοιχτό αίτημα/,
      };
      for (const [locale, words] of Object.entries(honest)) {
        const c = { ...newCustomer(fake, "Nina", locale) };
        fake.sendUserMessage(c, "/human");
        await until(() => has(fake, c.id, words), 5_000, `the honest answer in ${locale}`);
        expect(has(fake, c.id, /support@example\.com/)).toBe(true);
        fake.sendUserMessage(c, "/menu");
        await until(
          () => fake.sentMessages(c.id).at(-1)?.sent_reply_markup !== undefined,
          5_000,
          `the menu in ${locale}`,
        );
        expect(
          texts(fake, c.id).some((t) => /passed to the person|передано сотруднику/i.test(t)),
        ).toBe(false);
        // Nothing offers the person who is not there: not the menu, not the fallback.
        const labels = () =>
          fake.sentMessages(c.id).flatMap((m) => buttons(m).map((b) => b.callback_data ?? ""));
        fake.sendUserMessage(c, offTopic[locale]!);
        await until(() => has(fake, c.id, unsure[locale]!), 5_000, `the fallback in ${locale}`);
        const fallback = fake.sentMessages(c.id).at(-1)!;
        expect(buttons(fallback).length).toBeGreaterThan(3);
        expect(fallback.text).not.toMatch(offersPerson[locale]!);
        expect(labels().some((payload) => payload.endsWith(":5"))).toBe(false); // the 6th button
        fake.sendUserMessage(c, "/status");
        await until(() => has(fake, c.id, noRequest[locale]!), 5_000, `the status in ${locale}`);
      }
      // Opening hours without a desk: not the team's hours "in this chat", where nobody answers.
      const asker = newCustomer(fake, "Hugo", "en");
      fake.sendUserMessage(asker, "when are you open?");
      await until(
        () => has(fake, asker.id, /nobody from the team can be reached in this chat: I'm a bot/),
        5_000,
        "the hours",
      );
      expect(has(fake, asker.id, /Our support team answers in this chat/)).toBe(false);
      expect(has(fake, asker.id, /I need a person/)).toBe(false);
    } finally {
      await bot.stop();
      await fake.close();
    }
  });
});
