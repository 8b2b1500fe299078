// When Discord refuses to RESUME (the bot was down longer than the resume window, or the
// session was invalidated), whatever people wrote meanwhile exists only in the channels'
// history. For every conversation channel active recently, read the messages after the last
// one recorded, oldest first, and hand them in as if they had just arrived; their ids are the
// idempotency keys, so what had been recorded already is dropped as a duplicate.
import type { REST } from "@discordjs/rest";
import { type APIMessage, Routes } from "discord-api-types/v10";
import type { Logger } from "pino";
import { DiscordCode, discordCode } from "./errors.ts";
import { type ChannelRegistry, type KnownChannel, snowflakeAfter } from "./registry.ts";
import { untilDone } from "./serial.ts";

const PAGE = 100;

export interface BackfillOptions {
  rest: REST;
  registry: ChannelRegistry;
  /** Channels quiet for longer are not read (and are forgotten). */
  horizonMs: number;
  /** At most this many messages per channel (a flood while down is capped, and logged). */
  maxPerChannel: number;
  concurrency: number;
  logger?: Logger;
  /** Records one message (and must keep retrying itself until it is recorded). */
  handle(channel: KnownChannel, message: APIMessage): Promise<void>;
  /** Stop retrying (the process is stopping; the next holder backfills again). */
  stopped(): boolean;
}

export async function backfill(
  o: BackfillOptions,
): Promise<{ channels: number; messages: number }> {
  const since = Date.now() - o.horizonMs;
  await o.registry.trim(since);
  const channels = await o.registry.active(since);
  let messages = 0;
  let next = 0;
  const worker = async () => {
    while (next < channels.length) {
      const channel = channels[next++]!;
      // A channel that fails for a moment (a 5xx, Redis away) is read again, never skipped.
      messages += await untilDone(
        () => backfillChannel(o, channel),
        o.stopped,
        (err, attempt) =>
          o.logger?.warn({ err: String(err), attempt }, "backfill of a channel failed; retrying"),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, channels.length) }, worker));
  o.logger?.info(
    { channels: channels.length, messages },
    "Discord backfill after a new session done",
  );
  return { channels: channels.length, messages };
}

async function backfillChannel(o: BackfillOptions, channel: KnownChannel): Promise<number> {
  let after = channel.lastMessageId;
  let count = 0;
  while (count < o.maxPerChannel) {
    let page: APIMessage[];
    try {
      page = (await o.rest.get(Routes.channelMessages(channel.channelId), {
        query: new URLSearchParams({ after, limit: String(PAGE) }),
      })) as APIMessage[];
    } catch (err) {
      const code = discordCode(err);
      if (code === DiscordCode.UnknownChannel || code === DiscordCode.MissingAccess) {
        await o.registry.forget(channel.channelId);
        return count;
      }
      throw err;
    }
    // Discord returns a page newest first; hand them in oldest first.
    const ordered = page
      .filter((m) => snowflakeAfter(m.id, after))
      .sort((a, b) => (snowflakeAfter(a.id, b.id) ? 1 : -1));
    for (const message of ordered) {
      await o.handle(channel, message);
      after = message.id;
      count += 1;
    }
    if (page.length < PAGE) break;
  }
  if (count >= o.maxPerChannel)
    o.logger?.warn(
      { channel: channel.channelId, max: o.maxPerChannel },
      "backfill stopped at its cap for one channel; its newest messages were not read (raise maxPerChannel)",
    );
  return count;
}
