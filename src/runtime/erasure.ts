// Erasure requests: everything Frontline keeps about one customer — conversation state and
// turn records, tickets with their transcripts, blocks, dead letters — found by the customer's
// `channel:chat id` and deleted. Scans are fine here: erasure is rare and run by a person.
import type { Redis } from "ioredis";
import { TicketStore } from "../desk/store.ts";
import { parseState } from "../engine/state.ts";
import { DeadLetters } from "../intake/dead-letters.ts";
import { Partitions } from "../queue/partitions.ts";
import { keyServers } from "./redis.ts";

export interface ErasureReport {
  conversations: number;
  tickets: number[];
  keys: number;
}

async function scanKeys(redis: Redis, match: string): Promise<string[]> {
  const out: string[] = [];
  for (const server of keyServers(redis)) {
    let cursor = "0";
    do {
      const [next, keys] = await server.scan(cursor, "MATCH", match, "COUNT", 1000);
      cursor = next;
      out.push(...keys);
    } while (cursor !== "0");
  }
  return out;
}

/** Glob-escapes a literal for SCAN MATCH. */
const literal = (s: string) => s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

/** Conversation keys whose state says they belong to this customer (in every partition). */
async function conversationsOf(
  redis: Redis,
  partitions: Partitions,
  channel: string,
  chatId: string,
): Promise<Set<string>> {
  const found = new Set<string>();
  for (const prefix of partitions.prefixes()) {
    const stateKeys = await scanKeys(redis, `${literal(prefix)}{conv:*}:state`);
    for (const key of stateKeys) {
      const state = parseState(await redis.hget(key, "s"));
      if (state?.customer?.channel === channel && state.customer.chatId === chatId)
        found.add(key.slice(prefix.length + "{conv:".length, -"}:state".length));
    }
  }
  return found;
}

export async function eraseCustomer(
  redis: Redis,
  prefix: string,
  channel: string,
  chatId: string,
  partitions = new Partitions(prefix),
): Promise<ErasureReport> {
  const store = new TicketStore(redis, prefix);
  const conversations = await conversationsOf(redis, partitions, channel, chatId);
  for (const key of await store.conversationsAt(channel, chatId)) conversations.add(key);
  const tickets: number[] = [];
  let keys = 0;
  for (const conversation of conversations) {
    for (const n of await store.ticketsOf(conversation)) if (await store.delete(n)) tickets.push(n);
    await store.setBlocked(conversation, false);
    const own = await scanKeys(
      redis,
      `${literal(partitions.prefixOf(conversation))}{conv:${literal(conversation)}}:*`,
    );
    const desk = await scanKeys(redis, `${literal(prefix)}desk:conv:${literal(conversation)}:*`);
    for (const k of [...own, ...desk]) keys += await redis.del(k);
  }
  const dead = new DeadLetters(redis, prefix);
  for (const entry of await dead.list(10_000))
    if (conversations.has(entry.event.conversationKey)) await dead.take(entry.id);
  return { conversations: conversations.size, tickets, keys };
}
