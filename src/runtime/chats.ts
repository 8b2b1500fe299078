// Groups and channels the bot has seen that are neither customer chats nor the agent chat
// (`frontline chats`): the operator's way to find the agent chat's id. Bounded: the newest 200.
import type { Redis } from "ioredis";
import type { SeenChat } from "../core/adapter.ts";

const KEPT = 200;
const key = (prefix: string) => `${prefix}chats:seen`;

export async function rememberChat(redis: Redis, prefix: string, chat: SeenChat): Promise<void> {
  const id = `${chat.channel}:${chat.id}`;
  const previous = await redis.hget(`${key(prefix)}:info`, id);
  const merged = { ...(previous ? (JSON.parse(previous) as SeenChat) : {}), ...chat };
  await redis
    .multi()
    .hset(`${key(prefix)}:info`, id, JSON.stringify(merged))
    .zadd(key(prefix), String(Date.now()), id)
    .exec();
  const extra = (await redis.zcard(key(prefix))) - KEPT;
  if (extra > 0) {
    const old = await redis.zrange(key(prefix), "0", String(extra - 1));
    await redis
      .multi()
      .zrem(key(prefix), ...old)
      .hdel(`${key(prefix)}:info`, ...old)
      .exec();
  }
}

export async function seenChats(
  redis: Redis,
  prefix: string,
): Promise<(SeenChat & { lastSeen: number })[]> {
  const ids = await redis.zrevrange(key(prefix), 0, -1, "WITHSCORES");
  const out: (SeenChat & { lastSeen: number })[] = [];
  for (let i = 0; i < ids.length; i += 2) {
    const info = await redis.hget(`${key(prefix)}:info`, ids[i]!);
    if (info) out.push({ ...(JSON.parse(info) as SeenChat), lastSeen: Number(ids[i + 1]) });
  }
  return out;
}
