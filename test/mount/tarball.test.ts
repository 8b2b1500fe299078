// Frontline as a library, the way a developer gets it: `npm pack`, a fresh project that
// installs the tarball (examples/telegraf-bot and examples/grammy-bot, copied), run with node
// against the fake Bot API and real Redis. The host bot keeps its own command; Frontline
// answers, hands over to the agents' forum, relays the agent's reply; kill -9 in the middle
// of a burst loses nothing and keeps each chat's order.
import { spawnSync } from "node:child_process";
import { statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FakeTelegram, type TestUser } from "../fakes/telegram/index.ts";
import { answered, languageBurst, withoutOneRepeat } from "../support/language-burst.ts";
import {
  type ExampleProcess,
  installExample,
  packFrontline,
  startExample,
} from "../support/packed.ts";
import { connectTestRedis, dropPrefix, startPrivateRedis, testPrefix } from "../support/redis.ts";

const EXAMPLES = ["telegraf-bot", "grammy-bot"] as const;
const root = resolve(import.meta.dirname, "../..");
const installed = new Map<string, string>();
let redis: Redis;
let fake: FakeTelegram | undefined;
const running: ExampleProcess[] = [];
const prefixes: string[] = [];

beforeAll(async () => {
  redis = connectTestRedis();
  const tarball = packFrontline();
  const dirs = await Promise.all(EXAMPLES.map((name) => installExample(name, tarball)));
  for (const [i, name] of EXAMPLES.entries()) installed.set(name, dirs[i]!);
}, 240_000);
afterEach(async () => {
  for (const p of running.splice(0)) {
    p.child.kill("SIGKILL");
    await p.exited;
  }
  await fake?.close();
  fake = undefined;
});
afterAll(async () => {
  for (const p of prefixes) await dropPrefix(redis, p);
  await redis.quit();
});

async function until<T>(
  check: () => T | undefined | false,
  ms: number,
  what: string,
  diagnostics: () => string = () => "",
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() - started > ms)
      throw new Error(`timed out waiting for ${what}\n${diagnostics()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const texts = (f: FakeTelegram, chatId: number) => f.sentMessages(chatId).map((m) => m.text ?? "");

async function boot(example: string, f: FakeTelegram, extra: Record<string, string> = {}) {
  const prefix = testPrefix(`mount-${example}`);
  prefixes.push(prefix);
  const env = {
    BOT_TOKEN: f.token,
    TELEGRAM_API_ROOT: f.apiRoot,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: "warn",
    ...extra,
  };
  const start = () => {
    const p = startExample(installed.get(example)!, env);
    running.push(p);
    return p;
  };
  const first = start();
  await until(
    () => /bot running/.test(first.output()),
    30_000,
    "the example to start",
    first.output,
  );
  return { first, start };
}

describe.each(EXAMPLES)("examples/%s installed from the packed tarball", (example) => {
  it("the host keeps /balance; Frontline answers a question, /human opens a ticket in the agents' forum, the agent's reply reaches the customer", async () => {
    fake = await FakeTelegram.start();
    const f = fake;
    const anna: TestUser = { id: 7001, first_name: "Anna" };
    const group = f.createForumGroup({ title: "Support agents", members: [{ user: anna }] });
    const maria = f.addUser({ id: 8001, first_name: "Maria", language_code: "en" });
    const { first } = await boot(example, f, { AGENT_CHAT_ID: String(group.id) });

    f.sendUserMessage(maria, "/balance");
    await until(
      () => texts(f, maria.id).includes("Your balance: 42 credits."),
      10_000,
      "the host's own answer",
      first.output,
    );
    f.sendUserMessage(maria, "I forgot my password");
    await until(
      () => texts(f, maria.id).some((t) => /Choose a new password/.test(t)),
      10_000,
      "Frontline's answer",
      first.output,
    );
    // The host's command was the host's alone: Frontline said nothing to it.
    expect(texts(f, maria.id)[0]).toBe("Your balance: 42 credits.");
    expect(texts(f, maria.id)[1]).not.toMatch(/not sure I understood/);

    f.sendUserMessage(maria, "/human");
    const topic = await until(
      () => f.topics(group.id)[0],
      10_000,
      "the ticket topic",
      first.output,
    );
    await until(
      () => texts(f, maria.id).some((t) => /#1\b/.test(t)),
      10_000,
      "the ticket number for the customer",
    );
    await until(
      () =>
        f
          .sentMessages(group.id, topic.message_thread_id)
          .some((m) => /Ticket #1/.test(m.text ?? "")),
      10_000,
      "the ticket card",
    );
    f.sendGroupMessage(group.id, anna, "Hi Maria, let me reset that for you.", {
      message_thread_id: topic.message_thread_id,
    });
    await until(
      () => texts(f, maria.id).includes("Anna: Hi Maria, let me reset that for you."),
      10_000,
      "the agent's reply under her name",
      first.output,
    );
  }, 60_000);

  it("kill -9 while 100 of 200 messages from 20 customers are being recorded: nothing lost, each chat in order", async () => {
    fake = await FakeTelegram.start();
    const f = fake;
    // A Redis of the test's own, so that its writes can be held while updates arrive: that
    // opens the window in which an update is fetched but not yet recorded.
    const privateRedis = await startPrivateRedis();
    const control = new Redis(privateRedis.url);
    try {
      const { first, start } = await boot(example, f, { REDIS_URL: privateRedis.url });
      const { users, expected, send: burst } = languageBurst(f, 20, 60_000);
      const answers = (chatId: number) => withoutOneRepeat(answered(f, chatId)).seq;
      const sent = () => f.calls.filter((c) => c.method === "sendMessage" && c.ok).length;

      burst(0, 5);
      await until(() => sent() >= 20, 60_000, "the first replies", first.output);
      await control.call("CLIENT", "PAUSE", "5000", "WRITE");
      burst(5, 10);
      // The bot has fetched the second half while nothing can be written (and a bot that
      // confirms what it fetched has had time to poll again).
      const last = f.updateIdCounter;
      await until(
        () =>
          f.calls.some(
            (c) =>
              c.method === "getUpdates" &&
              (c.result as { update_id: number }[] | undefined)?.some((u) => u.update_id === last),
          ),
        10_000,
        "the second half to be fetched",
      );
      await new Promise((r) => setTimeout(r, 500));
      first.child.kill("SIGKILL");
      await first.exited;
      await control.call("CLIENT", "UNPAUSE");
      expect(sent()).toBeLessThan(200); // the kill really happened mid-burst

      const second = start();
      await until(
        () => users.every((u) => answers(u.id).length >= 10),
        90_000,
        "every answer after the restart",
        () =>
          `${second.output()}\n${users.map((u) => `${u.id}: ${answered(f, u.id).join(",")}`).join("\n")}`,
      );
      await new Promise((r) => setTimeout(r, 1_000)); // anything extra would show up now
      for (const u of users) expect(answers(u.id), `chat ${u.id}`).toEqual(expected.get(u.id));
    } finally {
      control.disconnect();
      for (const p of running.splice(0)) {
        p.child.kill("SIGKILL");
        await p.exited;
      }
      await privateRedis.stop();
    }
  }, 150_000);
});

describe("the package's contents", () => {
  it("carry the matcher's word vectors (the matcher would silently fall back without them)", () => {
    const shipped = join(installed.get("grammy-bot")!, "node_modules/frontline/dist/src/nlu/data");
    expect(statSync(join(shipped, "en-words.bin")).size).toBeGreaterThan(1_000_000);
  });
});

describe("the package's type declarations", () => {
  it("type-check a host bot written in TypeScript, and catch its mistakes", () => {
    const dir = installed.get("telegraf-bot")!;
    const host = (body: string) => {
      writeFileSync(
        join(dir, "host.ts"),
        `import { createFrontline, isFrontlineError } from "frontline";
import { frontline } from "frontline/telegraf";
import { frontline as grammyMount, run } from "frontline/grammy";
import { Telegraf } from "telegraf";
const bot = new Telegraf("123:abc");
const support = frontline(bot, { agentChatId: "-1001", recordBudgetMs: 30_000 });
const app = await createFrontline({ flowsDir: "flows", redisUrl: "redis://127.0.0.1:6379", adapters: [support] });
bot.use(support);
void [grammyMount, run, isFrontlineError];
${body}
`,
      );
      writeFileSync(
        join(dir, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: {
            module: "nodenext",
            moduleResolution: "nodenext",
            target: "es2022",
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            types: ["node"],
            typeRoots: [join(root, "node_modules/@types")],
          },
          files: ["host.ts"],
        }),
      );
      return spawnSync(
        process.execPath,
        [join(root, "node_modules/typescript/bin/tsc"), "-p", dir],
        {
          encoding: "utf8",
        },
      );
    };
    const good = host("const started: Promise<void> = app.start();\nvoid started;");
    expect(good.stdout + good.stderr).toBe("");
    expect(good.status).toBe(0);
    const wrong = host("const prefix: number = app.prefix;\nvoid prefix;");
    expect(wrong.stdout).toMatch(/host\.ts.*Type 'string' is not assignable to type 'number'/);
  }, 60_000);
});
