// Reading what Discord shows in the fake: a message's text as a person reads it (markdown
// escapes undone, embeds included), its buttons, and the bot's replies once it has gone quiet.
import { afterAll, afterEach } from "vitest";
import type { FakeDiscord } from "../fakes/discord/index.ts";
import { connectTestRedis, dropPrefix, testPrefix } from "./redis.ts";

type Shown = ReturnType<FakeDiscord["messages"]>[number];

/** The text a person reads: Discord renders "\\*" as "*". */
export function asRendered(text: string): string {
  return text.replace(/\\([^a-zA-Z0-9\s])/g, "$1");
}

export function bodyText(m: Shown): string {
  const embeds = m.embeds as { title?: string; description?: string }[];
  return [m.content, ...embeds.flatMap((e) => [e.title ?? "", e.description ?? ""])]
    .filter(Boolean)
    .map(asRendered)
    .join("\n");
}

export function buttonsOf(m: Shown): { label: string; customId: string }[] {
  const rows = m.components as { components?: { label?: string; custom_id?: string }[] }[];
  return rows.flatMap((r) =>
    (r.components ?? [])
      .filter((c) => c.custom_id)
      .map((c) => ({ label: c.label ?? "", customId: c.custom_id! })),
  );
}

/** Frontline's language → the locale a Discord client of that language reports. */
export function discordLocale(language: string): string {
  return language === "en" ? "en-US" : language;
}

/** The bot's visible (not ephemeral) messages in a channel. */
export function visible(fake: FakeDiscord, channelId: string): Shown[] {
  return fake.botMessages(channelId).filter((m) => !m.ephemeral);
}

/** The bot's reply to one action: every visible message after the first `before` ones, once
 * it has been quiet a moment (ephemeral acknowledgements do not count). */
export async function quietReplies(
  fake: FakeDiscord,
  channelId: string,
  before: number,
  timeoutMs = 10_000,
): Promise<Shown[]> {
  const started = Date.now();
  let seen = visible(fake, channelId).length;
  let quietSince = Date.now();
  for (;;) {
    const now = visible(fake, channelId).length;
    if (now !== seen) {
      seen = now;
      quietSince = Date.now();
    }
    if (seen > before && Date.now() - quietSince > 400)
      return visible(fake, channelId).slice(before);
    if (Date.now() - started > timeoutMs)
      throw new Error(`no reply in channel ${channelId} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves with the first truthy value `get` returns, polling every 20 ms. */
export async function until<T>(
  get: () => T | undefined | false | null,
  what: string,
  ms = 10_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A story file's Redis, its key prefixes (dropped after the file) and what each test started
 * (stopped after the test, last first). Call at the top of the file.
 */
export function discordStories(name: string) {
  const redis = connectTestRedis();
  const prefixes: string[] = [];
  let cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup = [];
  });
  afterAll(async () => {
    for (const p of prefixes) await dropPrefix(redis, p);
    await redis.quit();
  });
  return {
    redis,
    prefix: () => {
      const p = testPrefix(name);
      prefixes.push(p);
      return p;
    },
    onCleanup: (c: () => Promise<void>) => cleanup.push(c),
  };
}
