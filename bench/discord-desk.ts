// The desk scenarios of `npm run bench:discord`: one product with both platforms (the real
// service, Discord and Telegram adapters, the desk, real Redis) against a fake Discord and a
// fake Telegram Bot API in this process. A watch on both fakes' call hooks timestamps ticket
// cards and relayed agent replies as the fakes receive them.
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import type { Redis } from "ioredis";
import type {
  CallRecord as DiscordCall,
  FakeDiscord as FakeDiscordT,
} from "../test/fakes/discord/index.ts";
import { FakeDiscord } from "../test/fakes/discord/index.ts";
import type { CallRecord as TelegramCall, TestUser } from "../test/fakes/telegram/index.ts";
import { FakeTelegram } from "../test/fakes/telegram/index.ts";
import { ALL_WEEK, deskFlows } from "../test/support/desk-flows.ts";
import { startDiscordBot } from "../test/support/discord-bot.ts";
import { dropPrefix } from "../test/support/redis.ts";
import { once } from "./common.ts";
import { LoadMeter, type PhaseLoad, paced, type Stats, stats, until } from "./desk-measure.ts";
import { RAISED, RAISED_TELEGRAM, REST_PER_SECOND } from "./discord-bots.ts";
import { serviceQueues } from "./queues.ts";

const CARD_PREFIX = "🎫 Ticket #";
/** Cards have a line "Customer: D0042 · …" (src/desk/card.ts), on both platforms. */
const CARD_CUSTOMER = /\nCustomer: (\S+) ·/;
/** Relayed agent replies reach customers as "<alias>: <text>". */
const RELAYED = /^(?:Anna|Ben): (.*)$/s;
const POST_MESSAGE = /^\/channels\/(\d+)\/messages$/;
const SKILLS = ["billing", "general", "accounts", "windows", "linux", "macos", "mobile"];

export type DeskWorkspaceName = "discord" | "telegram";

export interface DeskWorld {
  discord: FakeDiscordT;
  telegram: FakeTelegram;
  guildId: string;
  /** Discord agents: Anna answers Discord customers, Ben Telegram customers (50 tickets each). */
  anna: string;
  ben: string;
  tgAgent: TestUser;
  groupId: number;
  quiesce(timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
}

/** Both platforms configured; `workspace` is DESK_WORKSPACE. Send pacing raised on both. */
export async function startDeskWorld(
  redis: Redis,
  workspace: DeskWorkspaceName,
): Promise<DeskWorld> {
  const discord = await FakeDiscord.start();
  const telegram = await FakeTelegram.start({ recordCalls: false });
  const guild = discord.addGuild({ name: "Shop" });
  const role = discord.addRole(guild.id, { name: "Agents" });
  const desk = discord.addChannel(guild.id, { name: "desk", private: true, allowRoles: [role.id] });
  const person = (name: string) => {
    const u = discord.addUser({ username: name.toLowerCase(), globalName: name });
    discord.addMember(guild.id, u.id, { roles: [role.id] });
    return u.id;
  };
  const anna = person("Anna K");
  const ben = person("Ben L");
  const tgAgent: TestUser = { id: 9101, first_name: "Anna", language_code: "en" };
  const group = telegram.createForumGroup({
    title: "Support desk",
    members: [{ user: tgAgent, status: "member" }],
  });
  const agent = (id: string, alias: string) => ({
    id,
    alias,
    skills: SKILLS,
    languages: ["en", "ru", "pl", "el"],
    capacity: 50,
  });
  const { dir, flows } = deskFlows({
    hours: ALL_WEEK,
    agents: [
      agent(`discord:${anna}`, "Anna"),
      agent(`discord:${ben}`, "Ben"),
      agent(`telegram:${tgAgent.id}`, "Anna"),
    ],
  });
  const prefix = `flbench:${randomUUID().slice(0, 8)}:`;
  const queues = serviceQueues(redis, prefix, ["intake", "outbox", "desk"]);
  let bot: Awaited<ReturnType<typeof startDiscordBot>> | undefined;
  const stop = once(async () => {
    try {
      await bot?.stop();
    } finally {
      await queues.close();
      await discord.close();
      await telegram.close();
      await dropPrefix(redis, prefix);
      rmSync(dir, { recursive: true, force: true });
    }
  });
  try {
    bot = await startDiscordBot({
      discord,
      redis,
      prefix,
      flows,
      agentChannelId: desk.id,
      agentRoleId: role.id,
      pacing: RAISED,
      globalRequestsPerSecond: REST_PER_SECOND,
      telegram: { fake: telegram, agentChatId: String(group.id) },
      telegramLimits: RAISED_TELEGRAM,
      deskWorkspace: workspace,
    });
    await until(() => discord.commands(guild.id).some((c) => c.name === "close"), 10_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    discord,
    telegram,
    guildId: guild.id,
    anna,
    ben,
    tgAgent,
    groupId: group.id,
    quiesce: queues.quiesce,
    stop,
  };
}

interface Escalation {
  pushedAt: number;
  cardAt?: number;
  /** Where agents answer: the Discord thread's id, or the Telegram topic's thread id. */
  place?: string;
}

/** Watches what the bot sends on both fakes. */
export class DeskWatch {
  readonly escalations = new Map<string, Escalation>();
  private readonly relays = new Map<string, { pushedAt: number; deliveredAt?: number }>();
  cards = 0;
  delivered = 0;
  failures: string[] = [];
  private readonly offs: (() => void)[];

  constructor(w: DeskWorld) {
    this.offs = [
      w.discord.onCall((c) => this.onDiscord(c)),
      w.telegram.onCall((c) => this.onTelegram(c)),
    ];
  }

  expectEscalation(name: string): void {
    this.escalations.set(name, { pushedAt: performance.now() });
  }

  expectRelay(token: string): void {
    this.relays.set(token, { pushedAt: performance.now() });
  }

  cardLatencies(): number[] {
    return [...this.escalations.values()].flatMap((e) => (e.cardAt ? [e.cardAt - e.pushedAt] : []));
  }

  /** Latencies of the relays whose token starts with `kind`. */
  relayLatencies(kind: string): number[] {
    return [...this.relays.entries()].flatMap(([token, r]) =>
      token.startsWith(kind) && r.deliveredAt ? [r.deliveredAt - r.pushedAt] : [],
    );
  }

  stop(): void {
    for (const off of this.offs) off();
  }

  private onDiscord(c: DiscordCall): void {
    if (c.method !== "POST" || !POST_MESSAGE.test(c.path)) return;
    if (c.status >= 300) {
      this.fail(`discord ${c.path} → ${c.status}`);
      return;
    }
    const body = (c.body ?? {}) as { content?: string; embeds?: { description?: string }[] };
    const card = body.embeds?.[0]?.description;
    if (card?.startsWith(CARD_PREFIX)) this.card(card, POST_MESSAGE.exec(c.path)?.[1]);
    else if (body.content) this.relay(body.content);
  }

  private onTelegram(c: TelegramCall): void {
    if (c.method !== "sendMessage") return;
    if (!c.ok) {
      this.fail(`telegram ${c.method} → ${c.error?.error_code}`);
      return;
    }
    const text = String(c.params.text ?? "");
    if (text.startsWith(CARD_PREFIX)) this.card(text, String(c.params.message_thread_id));
    else this.relay(text);
  }

  private card(text: string, place: string | undefined): void {
    const rec = this.escalations.get(CARD_CUSTOMER.exec(text)?.[1] ?? "");
    if (!rec || rec.cardAt !== undefined) return;
    rec.cardAt = performance.now();
    rec.place = place;
    this.cards++;
  }

  private relay(text: string): void {
    const token = RELAYED.exec(text)?.[1];
    const rec = token === undefined ? undefined : this.relays.get(token);
    if (!rec || rec.deliveredAt !== undefined) return;
    rec.deliveredAt = performance.now();
    this.delivered++;
  }

  private fail(what: string): void {
    if (this.failures.length < 20) this.failures.push(what);
  }
}

export interface DeskScenario {
  name: string;
  workspace: DeskWorkspaceName;
  customers: "discord" | "telegram";
}

export interface DeskResult {
  scenario: DeskScenario;
  escalations: { n: number; cards: number; latency: Stats; load: PhaseLoad };
  firstReplies: { n: number; delivered: number; latency: Stats; load: PhaseLoad };
  replies: { n: number; delivered: number; latency: Stats; load: PhaseLoad };
  failures: string[];
}

export interface DeskKnobs {
  escalations: number;
  escalationRate: number;
  /** Tickets the agent answers (first reply claims; at most the agent's capacity, 50). */
  tickets: number;
  firstReplyRate: number;
  replies: number;
  replyRate: number;
}

/**
 * Escalations at a fixed rate (→ card), then the agent's first reply on `tickets` of them (it
 * also claims; → the customer's copy), then further replies round-robin over those tickets.
 */
export async function runDeskScenario(
  redis: Redis,
  w: DeskWorld,
  scenario: DeskScenario,
  k: DeskKnobs,
): Promise<DeskResult> {
  const watch = new DeskWatch(w);
  const meter = new LoadMeter(redis);
  const tag = scenario.customers === "discord" ? "D" : "T";
  const names = Array.from(
    { length: k.escalations },
    (_, i) => `${tag}${String(i).padStart(4, "0")}`,
  );
  const escalate = customerWriter(w, scenario.customers, names);

  await meter.start();
  await paced(k.escalations, k.escalationRate, (i) => {
    watch.expectEscalation(names[i] as string);
    escalate(i, "/human");
  });
  await until(() => watch.cards >= k.escalations, 30_000);
  const escLoad = await meter.stop();
  await w.quiesce();

  const answered = names.slice(0, Math.min(k.tickets, names.length));
  const agentWrites = agentWriter(w, scenario);
  const place = (name: string) => watch.escalations.get(name)?.place;
  const phase = async (kind: string, count: number, rate: number) => {
    const before = watch.delivered;
    await meter.start();
    await paced(count, rate, (i) => {
      const name = answered[i % answered.length] as string;
      const where = place(name);
      if (!where) return;
      const token = `${kind}${i}x`;
      watch.expectRelay(token);
      agentWrites(where, token);
    });
    await until(() => watch.delivered - before >= count, 30_000);
    const load = await meter.stop();
    await w.quiesce();
    return {
      n: count,
      delivered: watch.delivered - before,
      latency: stats(watch.relayLatencies(kind)),
      load,
    };
  };
  const firstReplies = await phase("first", answered.length, k.firstReplyRate);
  const replies = await phase("reply", k.replies, k.replyRate);
  watch.stop();
  return {
    scenario,
    escalations: {
      n: k.escalations,
      cards: watch.cards,
      latency: stats(watch.cardLatencies()),
      load: escLoad,
    },
    firstReplies,
    replies,
    failures: watch.failures,
  };
}

/** How customer i writes: a Discord DM or a Telegram private message. */
function customerWriter(w: DeskWorld, platform: "discord" | "telegram", names: string[]) {
  if (platform === "telegram") {
    const users = names.map(
      (name, i): TestUser => ({ id: 500_000 + i, first_name: name, language_code: "en" }),
    );
    return (i: number, text: string) => void w.telegram.sendUserMessage(users[i] as TestUser, text);
  }
  const ids = names.map((name) => {
    const u = w.discord.addUser({ username: name.toLowerCase(), globalName: name });
    w.discord.addMember(w.guildId, u.id);
    w.discord.ensureDM(u.id);
    return u.id;
  });
  return (i: number, text: string) => void w.discord.userSendsDM(ids[i] as string, text);
}

/** How the agent writes into a ticket: in its Discord thread, or in its Telegram topic. */
function agentWriter(w: DeskWorld, s: DeskScenario) {
  if (s.workspace === "telegram")
    return (topic: string, text: string) =>
      void w.telegram.sendGroupMessage(w.groupId, w.tgAgent, text, {
        message_thread_id: Number(topic),
      });
  const agent = s.customers === "discord" ? w.anna : w.ben;
  return (thread: string, text: string) => void w.discord.userSends(thread, agent, text);
}
