// The Discord crash stories' traffic, as language-burst.ts is for Telegram: each customer asks
// for a language by typing "/language <code>", cycling through the four, so every answer says
// which message it answers, and a conversation's answers show loss, repeats and order. Half
// the customers write in DMs, half in their private support thread in a server.
import type { FakeDiscord } from "../fakes/discord/index.ts";
import { visible } from "./discord-story.ts";
import { LANGS, SWITCHED } from "./language-burst.ts";

export interface DiscordBurst {
  /** Per customer: where they write (a DM channel or their support thread) and who they are. */
  customers: { userId: string; channelId: string; inThread: boolean }[];
  expected: Map<string, string[]>;
  /** Sends rounds [from, to): one message from every customer per round. */
  send(from: number, to: number): void;
}

/**
 * `count` customers; `threads` of them get a support thread first (by /support, answered by
 * the running bot before the burst starts: call `ready()` and wait for it).
 */
export function discordBurst(
  fake: FakeDiscord,
  opts: { count: number; guildId: string; supportChannelId: string },
) {
  const customers: DiscordBurst["customers"] = [];
  const expected = new Map<string, string[]>();
  /** Per channel: how many bot messages came before the burst (the greeting). */
  const skip = new Map<string, number>();
  for (let i = 0; i < opts.count; i++) {
    const user = fake.addUser({ username: `c${i}x${Date.now() % 1000}` });
    fake.addMember(opts.guildId, user.id);
    customers.push({ userId: user.id, channelId: "", inThread: i % 2 === 1 });
  }
  /** DMs exist at once; support threads are opened by the bot (it must be running). */
  const ready = async () => {
    for (const c of customers) {
      if (!c.inThread) {
        c.channelId = fake.ensureDM(c.userId);
        continue;
      }
      fake.slashCommand(c.userId, opts.supportChannelId, "support", {});
    }
    for (const c of customers.filter((c) => c.inThread)) {
      const thread = await fake.waitFor(
        () => fake.threadsIn(opts.supportChannelId).find((t) => t.memberIds.has(c.userId)),
        { timeoutMs: 20_000 },
      );
      c.channelId = thread.id;
      // The greeting /support starts with: the burst's answers come after it.
      await fake.waitFor(() => visible(fake, thread.id).length > 0, { timeoutMs: 20_000 });
      await new Promise((r) => setTimeout(r, 300));
    }
    for (const c of customers) skip.set(c.channelId, visible(fake, c.channelId).length);
  };
  const send = (from: number, to: number) => {
    for (let n = from; n < to; n++)
      customers.forEach((c, i) => {
        const lang = LANGS[(n + i) % LANGS.length]!;
        if (c.inThread) fake.userSends(c.channelId, c.userId, `/language ${lang}`);
        else fake.userSendsDM(c.userId, `/language ${lang}`);
        expected.set(c.channelId, [...(expected.get(c.channelId) ?? []), lang]);
      });
  };
  /**
   * Which language each confirmation in a channel names, in the order they arrived. In a
   * support thread the greeting (the flow /support started) is shown again in the new
   * language after each confirmation; only the confirmations count.
   */
  const answered = (channelId: string): string[] =>
    visible(fake, channelId)
      .slice(skip.get(channelId) ?? 0)
      .map((m) => LANGS.find((l) => SWITCHED[l]!.test(m.content)))
      .filter((l): l is (typeof LANGS)[number] => l !== undefined);
  return { customers, expected, send, ready, answered };
}
