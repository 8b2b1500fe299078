// The promises that matter most, proven on the real binary: kill -9 in the middle of a burst
// loses nothing and answers nothing twice; two replicas behind one webhook give the same result.
import { createServer, request, type Server } from "node:http";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FakeTelegram } from "../fakes/telegram/index.ts";
import { type BotProcess, spawnBot } from "../support/bot-process.ts";
import { answered, languageBurst, withoutOneRepeat } from "../support/language-burst.ts";
import { connectTestRedis, dropPrefix, testPrefix } from "../support/redis.ts";
import { freePort } from "../support/telegram-bot.ts";

let redis: Redis;
let fake: FakeTelegram;
const children: BotProcess[] = [];
const prefixes: string[] = [];
let servers: Server[] = [];

beforeAll(() => {
  redis = connectTestRedis();
});
afterEach(async () => {
  for (const c of children.splice(0)) {
    c.child.kill("SIGKILL");
    await c.exited;
  }
  for (const s of servers) s.close();
  servers = [];
  await fake?.close();
});
afterAll(async () => {
  for (const p of prefixes) await dropPrefix(redis, p);
  await redis.quit();
});

/** `customers` × `perCustomer` messages, all sent at once. */
function burst(f: FakeTelegram, customers: number, perCustomer: number) {
  const traffic = languageBurst(f, customers);
  traffic.send(0, perCustomer);
  return traffic;
}

async function until(
  check: () => boolean,
  ms: number,
  what: string,
  diagnostics: () => string = () => "",
) {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms)
      throw new Error(`timed out waiting for ${what}\n${diagnostics()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function env(prefix: string, extra: Record<string, string> = {}) {
  return {
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: fake.apiRoot,
    REDIS_PREFIX: prefix,
    ...extra,
  };
}

describe("crash safety on the real binary", () => {
  it("kill -9 in the middle of 500 messages from 50 customers: each answered exactly once, in order", async () => {
    fake = await FakeTelegram.start();
    const prefix = testPrefix("crash");
    prefixes.push(prefix);
    const first = spawnBot(env(prefix));
    children.push(first);
    const { users, expected } = burst(fake, 50, 10);
    const sends = () => fake.calls.filter((c) => c.method === "sendMessage" && c.ok).length;
    await until(() => sends() >= 120, 60_000, "the first replies", first.output);
    first.child.kill("SIGKILL");
    await first.exited;
    const atKill = sends();
    expect(atKill).toBeLessThan(500); // the kill really happened mid-burst

    const second = spawnBot(env(prefix));
    children.push(second);
    await until(
      // Ten answers each, not counting the one resend a kill may cause.
      () => users.every((u) => withoutOneRepeat(answered(fake, u.id)).seq.length >= 10),
      90_000,
      "every answer after restart",
      second.output,
    );
    await new Promise((r) => setTimeout(r, 1_000)); // anything extra would show up now

    let repeats = 0;
    for (const u of users) {
      const got = withoutOneRepeat(answered(fake, u.id));
      repeats += got.repeats;
      expect(got.seq, `chat ${u.id}`).toEqual(expected.get(u.id));
    }
    // Only a send in flight at the instant of the kill may repeat: at most one per chat.
    expect(repeats).toBeLessThanOrEqual(users.length);
  }, 180_000);

  it("two replicas behind one webhook address process one stream like one bot", async () => {
    fake = await FakeTelegram.start();
    const prefix = testPrefix("replicas");
    prefixes.push(prefix);
    const [portA, portB, portLb] = [await freePort(), await freePort(), await freePort()];
    servers.push(await roundRobin(portLb, [portA, portB]));
    const url = `http://127.0.0.1:${portLb}/telegram/hook`;
    for (const port of [portA, portB]) {
      children.push(
        spawnBot(
          env(prefix, {
            TELEGRAM_MODE: "webhook",
            TELEGRAM_WEBHOOK_URL: url,
            TELEGRAM_WEBHOOK_HOST: "127.0.0.1",
            TELEGRAM_WEBHOOK_PORT: String(port),
          }),
        ),
      );
    }
    await until(
      () => fake.webhookInfo().url === url,
      30_000,
      "the webhook",
      () => children.map((c) => c.output()).join("\n"),
    );
    await new Promise((r) => setTimeout(r, 1_500)); // both replicas up before the burst
    const { users, expected } = burst(fake, 20, 10);
    await until(
      // Ten answers each, not counting the one resend a kill may cause.
      () => users.every((u) => withoutOneRepeat(answered(fake, u.id)).seq.length >= 10),
      90_000,
      "every answer",
      () => children.map((c) => c.output()).join("\n"),
    );
    await new Promise((r) => setTimeout(r, 1_000));
    for (const u of users) expect(answered(fake, u.id), `chat ${u.id}`).toEqual(expected.get(u.id));
  }, 180_000);

  it("a replica paused past its leases (SIGSTOP): the other takes its chats over within seconds, and the resumed one repeats nothing", async () => {
    fake = await FakeTelegram.start();
    const prefix = testPrefix("paused");
    prefixes.push(prefix);
    const recovery = { RECOVERY_MS: "3000" };
    const poller = spawnBot(env(prefix, recovery));
    const worker = spawnBot(env(prefix, { ...recovery, TELEGRAM_MODE: "worker" }));
    children.push(poller, worker);
    const { users, expected } = burst(fake, 20, 10);
    const sends = () => fake.calls.filter((c) => c.method === "sendMessage" && c.ok).length;
    await until(() => sends() >= 40, 60_000, "the first replies", poller.output);
    poller.child.kill("SIGSTOP");
    const pausedAt = sends();
    // Longer than the lease (3 s): the worker takes the paused replica's chats over meanwhile.
    await until(
      () => sends() >= pausedAt + 20,
      15_000,
      "the other replica taking over",
      worker.output,
    );
    await new Promise((r) => setTimeout(r, 2_000));
    poller.child.kill("SIGCONT");
    await until(
      () => users.every((u) => withoutOneRepeat(answered(fake, u.id)).seq.length >= 10),
      90_000,
      "every answer",
      () => poller.output() + worker.output(),
    );
    await new Promise((r) => setTimeout(r, 1_500)); // the resumed replica's late sends, if any
    let repeats = 0;
    for (const u of users) {
      const got = withoutOneRepeat(answered(fake, u.id));
      repeats += got.repeats;
      expect(got.seq, `chat ${u.id}`).toEqual(expected.get(u.id));
    }
    // At most the sends already on the wire when it was paused: the rest it would have sent
    // on waking are refused by its lost lease.
    expect(repeats).toBeLessThanOrEqual(3);
  }, 180_000);
});

/** A minimal load balancer: alternates webhook calls between the replicas. */
async function roundRobin(port: number, targets: number[]): Promise<Server> {
  let next = 0;
  const server = createServer((req, res) => {
    const target = targets[next++ % targets.length]!;
    const forward = request(
      { host: "127.0.0.1", port: target, path: req.url, method: req.method, headers: req.headers },
      (upstream) => {
        res.writeHead(upstream.statusCode ?? 502, upstream.headers);
        upstream.pipe(res);
      },
    );
    forward.on("error", () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return server;
}

describe("graceful shutdown", () => {
  it("SIGTERM stops taking updates, finishes in-flight work and exits within a few seconds", async () => {
    fake = await FakeTelegram.start();
    const prefix = testPrefix("shutdown");
    prefixes.push(prefix);
    const bot = spawnBot(env(prefix));
    children.push(bot);
    const user = { id: 60_001, first_name: "S", language_code: "en" };
    fake.addUser(user);
    fake.sendUserMessage(user, "/help");
    await until(
      () => fake.sentMessages(user.id).length === 1,
      30_000,
      "the first answer",
      bot.output,
    );
    const started = Date.now();
    bot.child.kill("SIGTERM");
    const code = await bot.exited;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(bot.output()).not.toMatch(/"level":(50|60)/); // no error or fatal logs
  }, 60_000);

  it("SIGTERM mid-burst, then a new process (a deploy): every message answered exactly once, in order", async () => {
    fake = await FakeTelegram.start();
    const f = fake;
    const prefix = testPrefix("deploy");
    prefixes.push(prefix);
    const first = spawnBot(env(prefix));
    children.push(first);
    const traffic = languageBurst(f, 10, 61_000);
    traffic.send(0, 4);
    await until(
      () => traffic.users.some((u) => f.sentMessages(u.id).length > 0),
      30_000,
      "the first answers",
      first.output,
    );
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(first.output()).not.toMatch(/"level":(50|60)/);
    const answeredBeforeExit = traffic.users.reduce((n, u) => n + answered(f, u.id).length, 0);
    // Whatever turn it finished, it also sent: no reply was left behind in the outbox.
    expect(await redis.zcard(`${prefix}outbox:active`)).toBe(0);
    const second = spawnBot(env(prefix));
    children.push(second);
    await until(
      () => traffic.users.every((u) => answered(f, u.id).length >= 4),
      30_000,
      "every answer after the restart",
      second.output,
    );
    await new Promise((r) => setTimeout(r, 1_000)); // a repeat would arrive by now
    for (const u of traffic.users)
      expect(answered(f, u.id), `chat ${u.id}`).toEqual(traffic.expected.get(u.id));
    // The stop let the turns under way finish and their replies go out (not all 40 were left).
    expect(answeredBeforeExit).toBeGreaterThan(10);
  }, 90_000);
});
