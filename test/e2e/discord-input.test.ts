// Bad input on Discord gets a sensible outcome and loses nothing: an interaction answered past
// Discord's 3 s, embed-only messages, system messages in threads, a long agent text from
// another platform, the bot removed from a server, a support thread deleted by hand.
import { describe, expect, it } from "vitest";
import { loadFlows } from "../../src/flows/load.ts";
import { FakeDiscord } from "../fakes/discord/index.ts";
import { FakeTelegram } from "../fakes/telegram/index.ts";
import { ALL_WEEK, deskFlows } from "../support/desk-flows.ts";
import { startDiscordBot } from "../support/discord-bot.ts";
import { bodyText, discordStories, until, visible } from "../support/discord-story.ts";

const { redis, prefix: newPrefix, onCleanup } = discordStories("dc-input");

async function world(opts: { deadlineMs?: number } = {}) {
  const fake = await FakeDiscord.start({
    ...(opts.deadlineMs !== undefined ? { interactionDeadlineMs: opts.deadlineMs } : {}),
  });
  const guild = fake.addGuild({ name: "Shop" });
  const help = fake.addChannel(guild.id, { name: "help" });
  const loaded = loadFlows("flows");
  if (!loaded.ok) throw new Error("shipped flows invalid");
  const prefix = newPrefix();
  const bot = await startDiscordBot({ discord: fake, redis, prefix, flows: loaded.flowSet });
  onCleanup(async () => {
    await bot.stop();
    await fake.close();
  });
  const maria = fake.addUser({ username: "maria" });
  fake.addMember(guild.id, maria.id);
  await until(() => fake.commands(guild.id).length > 0, "the slash commands");
  return { fake, guild, help, bot, maria, dm: fake.ensureDM(maria.id) };
}

describe("bad input on Discord", () => {
  it("registers the slash commands per server and for DMs, described in every shipped language", async () => {
    const { fake, guild } = await world();
    const inGuild = fake.commands(guild.id);
    const human = inGuild.find((c) => c.name === "human")!;
    expect(human).toBeDefined();
    const localized = (human as { description_localizations?: Record<string, string> })
      .description_localizations;
    expect(Object.keys(localized ?? {})).toEqual(expect.arrayContaining(["ru", "pl", "el"]));
    expect(inGuild.some((c) => c.name === "support")).toBe(true);
    expect(fake.commands().some((c) => c.name === "human")).toBe(true); // DMs: global
    // Agent commands only where there is a desk (none in this server).
    expect(inGuild.some((c) => c.name === "close")).toBe(false);
  });

  it("a button pressed when the bot answers Discord too late still gets its answer", async () => {
    const { fake, maria, dm } = await world({ deadlineMs: 0 });
    fake.userSendsDM(maria.id, "hello");
    const menu = await until(
      () => visible(fake, dm).find((m) => m.components.length > 0),
      "the greeting's buttons",
    );
    const before = visible(fake, dm).length;
    const button = (menu.components[0] as { components: { custom_id: string }[] }).components[0]!;
    const pressed = fake.clickButton(maria.id, dm, menu.id, button.custom_id);
    await until(() => visible(fake, dm).length > before, "the answer to the late press");
    expect(fake.interaction(pressed.id).ackedWithinDeadline).toBe(false);
  });

  it("an embed-only message is answered, never ignored; system messages in a thread are not relayed", async () => {
    const { fake, maria, dm, help } = await world();
    fake.userSendsDM(maria.id, "", {
      embeds: [{ title: "A link preview", url: "https://example.com" }],
    });
    await until(() => visible(fake, dm).length > 0, "an answer to the embed");
    fake.slashCommand(maria.id, help.id, "support");
    const thread = await until(
      () => fake.threadsIn(help.id).find((t) => t.memberIds.has(maria.id)),
      "her support thread",
    );
    await until(() => visible(fake, thread.id).length > 0, "the greeting in the thread");
    await new Promise((r) => setTimeout(r, 300));
    const before = visible(fake, thread.id).length;
    fake.userSends(thread.id, maria.id, "", { type: 7 }); // "Maria joined the thread"
    await new Promise((r) => setTimeout(r, 600));
    expect(visible(fake, thread.id).length).toBe(before);
  });

  it("a support thread deleted by hand: the next /support makes a new one; the bot removed from the server stays up", async () => {
    const { fake, maria, help, guild, bot } = await world();
    fake.slashCommand(maria.id, help.id, "support");
    const first = await until(() => fake.threadsIn(help.id)[0], "the support thread");
    await until(() => visible(fake, first.id).length > 0, "the greeting");
    fake.deleteThreadByHand(first.id);
    await new Promise((r) => setTimeout(r, 300));
    fake.slashCommand(maria.id, help.id, "support");
    const second = await until(
      () => fake.threadsIn(help.id).find((t) => t.id !== first.id && !t.deleted),
      "a new support thread",
    );
    await until(() => visible(fake, second.id).length > 0, "the greeting in the new thread");
    fake.removeBotFromGuild(guild.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(bot.discord.health().ok).toBe(true);
    fake.userSendsDM(maria.id, "/help");
    await until(() => visible(fake, fake.dmChannelOf(maria.id)!).length > 0, "DMs still answered");
  });

  it("a 3,500-character text from an agent on Telegram reaches a Discord customer in parts of at most 2,000, escaped", async () => {
    const fake = await FakeDiscord.start();
    const tg = await FakeTelegram.start();
    const guild = fake.addGuild({ name: "Shop" });
    const anna = { id: 9201, first_name: "Anna", language_code: "en" };
    const group = tg.createForumGroup({
      title: "Desk",
      members: [{ user: anna, status: "member" }],
    });
    const { flows } = deskFlows({
      hours: ALL_WEEK,
      agents: [
        {
          id: `telegram:${anna.id}`,
          alias: "Anna",
          skills: ["general", "billing", "accounts"],
          languages: ["en"],
          capacity: 5,
        },
      ],
    });
    const prefix = newPrefix();
    const bot = await startDiscordBot({
      discord: fake,
      redis,
      prefix,
      flows,
      telegram: { fake: tg, agentChatId: String(group.id) },
      deskWorkspace: "telegram",
    });
    onCleanup(async () => {
      await bot.stop();
      await fake.close();
      await tg.close();
    });
    const maria = fake.addUser({ username: "maria" });
    fake.addMember(guild.id, maria.id);
    const dm = fake.ensureDM(maria.id);
    fake.userSendsDM(maria.id, "/human");
    const topic = await until(() => tg.topics(group.id)[0], "the topic");
    const long = Array.from(
      { length: 105 },
      (_, i) => `Step ${i + 1}: **check** the *setting*.`,
    ).join("\n");
    expect(long.length).toBeGreaterThan(3_500);
    tg.sendGroupMessage(group.id, anna, long, { message_thread_id: topic.message_thread_id });
    await until(
      () => visible(fake, dm).some((m) => bodyText(m).includes("Step 105")),
      "the end of the long text",
    );
    const parts = visible(fake, dm).filter((m) => /Step \d+/.test(bodyText(m)));
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.content.length).toBeLessThanOrEqual(2_000);
    const joined = parts.map(bodyText).join("\n");
    expect(joined).toContain("Anna: Step 1: **check** the *setting*.");
    expect(joined).toContain("Step 105: **check** the *setting*.");
    expect(parts[0]!.content).toContain("\\*\\*check\\*\\*");
  });
});
