// Every shipped conversation test (flows/tests/*.test.yaml), replayed over Discord twice: in a
// DM, and in the private thread a customer gets with /support in a server. Real @discordjs/ws
// and @discordjs/rest, the fake Discord, real Redis. Commands are slash commands (they carry
// the customer's locale), buttons are components; what customers see must match each turn.
import { readFileSync } from "node:fs";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { FlowTestFile, findTestFiles } from "../../src/cli/test-flows.ts";
import { loadFlows } from "../../src/flows/load.ts";
import { FakeDiscord } from "../fakes/discord/index.ts";
import { startDiscordBot } from "../support/discord-bot.ts";
import {
  bodyText,
  buttonsOf,
  discordLocale,
  quietReplies,
  visible,
} from "../support/discord-story.ts";
import { connectTestRedis, dropPrefix, testPrefix } from "../support/redis.ts";

let redis: Redis;
let fake: FakeDiscord;
let stop: () => Promise<void>;
let guildId: string;
let supportChannelId: string;
const prefix = testPrefix("dc-flows");

beforeAll(async () => {
  redis = connectTestRedis();
  const loaded = loadFlows("flows");
  if (!loaded.ok) throw new Error("shipped flows invalid");
  fake = await FakeDiscord.start();
  const guild = fake.addGuild({ name: "Shop" });
  guildId = guild.id;
  supportChannelId = fake.addChannel(guild.id, { name: "help" }).id;
  // As in production: a desk takes the hand-overs (without one, flows never promise a person).
  const desk = fake.addChannel(guild.id, { name: "desk", private: true });
  const bot = await startDiscordBot({
    discord: fake,
    redis,
    prefix,
    flows: loaded.flowSet,
    agentChannelId: desk.id,
  });
  stop = bot.stop;
  await fake.waitFor(() => fake.commands(guildId).some((c) => c.name === "support"));
});
afterAll(async () => {
  await stop();
  await fake.close();
  await dropPrefix(redis, prefix);
  await redis.quit();
});

const cases = findTestFiles("flows").flatMap((file) =>
  FlowTestFile.parse(parse(readFileSync(file, "utf8"))).cases.map((c) => ({ file, ...c })),
);
type Case = (typeof cases)[number];

/** A command the bot registered as a slash command (else a customer types it as text). */
function registered(name: string, place: "dm" | "thread"): boolean {
  return fake.commands(place === "dm" ? undefined : guildId).some((c) => c.name === name);
}

async function play(testCase: Case, place: "dm" | "thread") {
  const locale = discordLocale(testCase.locale ?? "en");
  const user = fake.addUser({ username: `alex${Math.random().toString(36).slice(2, 8)}`, locale });
  fake.addMember(guildId, user.id);
  // In a server the conversation starts in public (the bot mentioned, or a slash command) and
  // moves at once into the customer's private thread, where everything after it happens.
  let channelId = place === "dm" ? fake.ensureDM(user.id) : "";
  const where = () => channelId || supportChannelId;
  let last: ReturnType<typeof visible> = [];
  for (const [i, turn] of testCase.turns.entries()) {
    const before = channelId ? visible(fake, channelId).length : 0;
    if ("user" in turn) {
      if (place === "dm") fake.userSendsDM(user.id, turn.user);
      else if (channelId) fake.userSends(channelId, user.id, turn.user);
      else
        fake.userSends(supportChannelId, user.id, `<@${fake.botUser.id}> ${turn.user}`, {
          mentionBot: true,
        });
    } else if ("command" in turn) {
      const [name, ...args] = turn.command.slice(1).split(/\s+/);
      if (registered(name!, place))
        fake.slashCommand(user.id, where(), name!, args.length ? { text: args.join(" ") } : {}, {
          locale,
        });
      else if (place === "dm") fake.userSendsDM(user.id, turn.command);
      else if (channelId) fake.userSends(channelId, user.id, turn.command);
      else
        fake.userSends(supportChannelId, user.id, `<@${fake.botUser.id}> ${turn.command}`, {
          mentionBot: true,
        });
    } else {
      const shown = last.flatMap((m) => buttonsOf(m).map((b) => ({ ...b, message: m })));
      const wanted = turn.press.toLowerCase();
      const button = /^\d+$/.test(wanted)
        ? shown[Number(wanted) - 1]
        : shown.find((b) => b.label.toLowerCase() === wanted);
      expect(
        button,
        `turn ${i + 1}: a button "${turn.press}" among ${shown.map((b) => b.label).join(", ")}`,
      ).toBeDefined();
      fake.clickButton(user.id, channelId, button!.message.id, button!.customId, { locale });
    }
    if (!channelId) {
      const thread = await fake.waitFor(() =>
        fake.threadsIn(supportChannelId).find((t) => t.memberIds.has(user.id)),
      );
      channelId = thread.id;
    }
    last = await quietReplies(fake, channelId, before);
    const text = last.map(bodyText).join("\n").toLowerCase();
    const labels = last.flatMap((m) => buttonsOf(m).map((b) => b.label.toLowerCase()));
    for (const s of turn.expect?.says ?? [])
      expect(text, `turn ${i + 1} says "${s}"`).toContain(s.toLowerCase());
    for (const s of turn.expect?.notSays ?? [])
      expect(text, `turn ${i + 1} must not say "${s}"`).not.toContain(s.toLowerCase());
    for (const b of turn.expect?.buttons ?? [])
      expect(labels, `turn ${i + 1} shows "${b}"`).toContain(b.toLowerCase());
    // Nothing the bot sends may ping anyone.
    for (const m of last)
      expect((m.allowedMentions as { parse?: string[] } | null)?.parse).toEqual([]);
  }
}

describe("shipped conversation tests over Discord DMs", () => {
  it.concurrent.each(cases.map((c) => [c.name, c] as const))("%s", (_n, c) => play(c, "dm"));
});

describe("shipped conversation tests in a private /support thread", () => {
  it.concurrent.each(cases.map((c) => [c.name, c] as const))("%s", (_n, c) => play(c, "thread"));
});
