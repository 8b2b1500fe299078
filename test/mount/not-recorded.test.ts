// An update the mount could not record must not be acknowledged, whatever the host's error
// handler does: Telegraf's polling and grammY's bot.start() stop without confirming it (a
// restart gets it again), Frontline's runner fetches it again once Redis answers. Redis
// refuses writes as a full one does (maxmemory reached with noeviction: every write fails
// with OOM, nothing lands later) on a private server; the host's bot.catch only logs, as
// many hosts' do.
import { Bot } from "grammy";
import { Redis } from "ioredis";
import { Telegraf } from "telegraf";
import { afterEach, describe, expect, it } from "vitest";
import { frontline as grammyMount, run } from "../../adapters/grammy/index.ts";
import { frontline as telegrafMount } from "../../adapters/telegraf/index.ts";
import { createFrontline, type Frontline } from "../../src/index.ts";
import { FakeTelegram } from "../fakes/telegram/index.ts";
import { answered, SWITCHED } from "../support/language-burst.ts";
import { startPrivateRedis } from "../support/redis.ts";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setting() {
  const fake = await FakeTelegram.start();
  const server = await startPrivateRedis();
  const redis = new Redis(server.url, { maxRetriesPerRequest: null });
  const control = new Redis(server.url);
  cleanups.push(
    () => server.stop(),
    () => redis.disconnect(),
    () => control.disconnect(),
    () => fake.close(),
  );
  const customer = fake.addUser({ id: 9100, first_name: "Maria", language_code: "en" });
  const refuseWrites = () => control.config("SET", "maxmemory", "1");
  const allowWrites = () => control.config("SET", "maxmemory", "0");
  const answers = (lang: string) =>
    fake.sentMessages(customer.id).filter((m) => SWITCHED[lang]!.test(m.text ?? "")).length;
  return { fake, redis, customer, refuseWrites, allowWrites, answers };
}

async function support(
  redis: Redis,
  adapter: Parameters<typeof createFrontline>[0]["adapters"][0],
) {
  const app: Frontline = await createFrontline({
    flowsDir: "flows",
    redis,
    prefix: "fltest:not-recorded:",
    adapters: [adapter],
    recoveryMs: 2_000,
  });
  await app.start();
  cleanups.push(() => app.stop(500));
  return app;
}

async function until(check: () => boolean, ms: number, what: string) {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("an update that could not be recorded is never acknowledged", () => {
  it("Telegraf: a handlerTimeout shorter than the record budget is refused when mounting", () => {
    const bot = new Telegraf("123:abc", { handlerTimeout: 30_000 });
    expect(() => telegrafMount(bot)).toThrow(/handlerTimeout \(30000 ms\).*record budget/);
    expect(() => telegrafMount(bot, { recordBudgetMs: 20_000 })).not.toThrow();
  });

  it("Telegraf polling: stops without confirming it, past a bot.catch that only logs; a restart answers it once", async () => {
    const { fake, redis, customer, refuseWrites, allowWrites, answers } = await setting();
    const bot = new Telegraf(fake.token, {
      handlerTimeout: 10_000,
      telegram: { apiRoot: fake.apiRoot },
    });
    const hostSaw: unknown[] = [];
    bot.catch((err) => {
      hostSaw.push(err);
    });
    const mount = telegrafMount(bot, { recordBudgetMs: 1_000 });
    bot.use(mount);
    await support(redis, mount);
    const launched = bot.launch();
    launched.catch(() => {});

    await refuseWrites();
    fake.sendUserMessage(customer, "/language ru");
    await expect(launched).rejects.toMatchObject({ code: "FL_ERR_NOT_RECORDED" });
    expect(hostSaw).toEqual([]);
    expect(fake.pendingUpdates()).toBe(1); // Telegram still holds it
    await allowWrites();

    // The host restarts (a new process would do the same): the update comes again.
    const again = new Telegraf(fake.token, { telegram: { apiRoot: fake.apiRoot } });
    const mountAgain = telegrafMount(again);
    again.use(mountAgain);
    await support(redis, mountAgain);
    void again.launch();
    cleanups.push(() => again.stop());
    await until(() => answers("ru") >= 1, 10_000, "the answer after the restart");
    await new Promise((r) => setTimeout(r, 500));
    expect(answers("ru")).toBe(1);
  }, 60_000);

  it("grammY bot.start(): stops without confirming it, past a bot.catch that only logs", async () => {
    const { fake, redis, customer, refuseWrites, allowWrites } = await setting();
    const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
    const hostSaw: unknown[] = [];
    bot.catch((err) => {
      hostSaw.push(err);
    });
    const mount = grammyMount(bot, { recordBudgetMs: 1_000 });
    bot.use(mount);
    await support(redis, mount);
    const started = bot.start();
    started.catch(() => {});

    await refuseWrites();
    fake.sendUserMessage(customer, "/language ru");
    await expect(started).rejects.toMatchObject({ error: { code: "FL_ERR_NOT_RECORDED" } });
    expect(hostSaw).toEqual([]);
    expect(fake.pendingUpdates()).toBe(1);
    await allowWrites();
  }, 60_000);

  it("Frontline's runner: fetches it again until Redis answers, and the chat's later updates wait for it", async () => {
    const { fake, redis, customer, refuseWrites, allowWrites } = await setting();
    const bot = new Bot(fake.token, { client: { apiRoot: fake.apiRoot } });
    bot.catch(() => {});
    const handled = new Map<number, number>();
    bot.use((ctx, next) => {
      handled.set(ctx.update.update_id, (handled.get(ctx.update.update_id) ?? 0) + 1);
      return next();
    });
    const mount = grammyMount(bot, { recordBudgetMs: 1_000 });
    bot.use(mount);
    await support(redis, mount);
    const runner = run(bot);
    cleanups.push(() => runner.isRunning() && runner.stop());

    await refuseWrites();
    const first = fake.updateIdCounter + 1;
    fake.sendUserMessage(customer, "/language ru");
    await new Promise((r) => setTimeout(r, 1_300)); // refused after the 1 s budget
    await allowWrites();
    // Sent now, before the refused one comes again: they must still be answered after it.
    fake.sendUserMessage(customer, "/language pl");
    fake.sendUserMessage(customer, "/language el");
    await until(
      () => fake.sentMessages(customer.id).length >= 3,
      20_000,
      "the answers once Redis is back",
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(answered(fake, customer.id)).toEqual(["ru", "pl", "el"]);
    // It really was refused and handled again (not merely slow).
    expect(handled.get(first)).toBeGreaterThan(1);
  }, 60_000);
});
