// The agent desk on Discord, and one desk across Telegram and Discord: real @discordjs/ws and
// @discordjs/rest against the fake Discord, real grammY against the fake Bot API, real Redis.
import { describe, expect, it } from "vitest";
import { TicketStore } from "../../src/desk/store.ts";
import { FakeDiscord } from "../fakes/discord/index.ts";
import { FakeTelegram } from "../fakes/telegram/index.ts";
import { ALL_WEEK, deskFlows } from "../support/desk-flows.ts";
import { startDiscordBot } from "../support/discord-bot.ts";
import { bodyText, buttonsOf, discordStories, until, visible } from "../support/discord-story.ts";

const { redis, prefix: newPrefix, onCleanup } = discordStories("dc-desk");

const SKILLS = ["billing", "general", "accounts", "windows", "linux", "macos", "mobile"];
const PHOTO = Buffer.from("\x89PNG fake receipt bytes", "binary");

/** A server with a public help channel, a private desk channel, an agent role and Anna. */
async function world(opts: { telegram?: boolean; desk?: "discord" | "telegram" } = {}) {
  const fake = await FakeDiscord.start();
  const guild = fake.addGuild({ name: "Shop" });
  const help = fake.addChannel(guild.id, { name: "help" });
  const agents = fake.addRole(guild.id, { name: "Agents" });
  const desk = fake.addChannel(guild.id, { name: "desk", private: true, allowRoles: [agents.id] });
  const anna = fake.addUser({ username: "anna", globalName: "Anna K" });
  fake.addMember(guild.id, anna.id, { roles: [agents.id] });
  const tg = opts.telegram ? await FakeTelegram.start() : undefined;
  const tgAnna = { id: 9101, first_name: "Anna", language_code: "en" };
  const group = tg?.createForumGroup({
    title: "Desk",
    members: [{ user: tgAnna, status: "member" }],
  });
  const agent = (id: string) => ({
    id,
    alias: "Anna",
    skills: SKILLS,
    languages: ["en", "ru", "pl", "el"],
    capacity: 5,
  });
  const { flows } = deskFlows({
    hours: ALL_WEEK,
    agents: [agent(`discord:${anna.id}`), agent(`telegram:${tgAnna.id}`)],
  });
  const prefix = newPrefix();
  const bot = await startDiscordBot({
    discord: fake,
    redis,
    prefix,
    flows,
    agentChannelId: desk.id,
    agentRoleId: agents.id,
    ...(tg ? { telegram: { fake: tg, agentChatId: String(group!.id) } } : {}),
    ...(opts.desk ? { deskWorkspace: opts.desk } : {}),
  });
  onCleanup(async () => {
    await bot.stop();
    await fake.close();
    await tg?.close();
  });
  await until(
    () => fake.commands(guild.id).some((c) => c.name === "support"),
    "the slash commands",
  );
  const maria = fake.addUser({ username: "maria", globalName: "Maria" });
  fake.addMember(guild.id, maria.id);
  const dm = fake.ensureDM(maria.id);
  const says = (channelId: string, re: RegExp) =>
    visible(fake, channelId).some((m) => re.test(bodyText(m)));
  const ticketThread = () => until(() => fake.threadsIn(desk.id)[0], "the ticket thread");
  return {
    fake,
    guild,
    help,
    desk,
    agents,
    anna,
    maria,
    dm,
    tg,
    tgAnna,
    group,
    says,
    ticketThread,
    store: new TicketStore(redis, prefix),
  };
}

describe("the agent desk in Discord threads", () => {
  it("refund the bot cannot give → ticket card in a private thread → the agent claims with a button, replies with text and a photo → the customer answers → /close → the customer rates 5", async () => {
    const w = await world();
    const { fake, maria, anna, dm, says } = w;
    fake.userSendsDM(maria.id, "I want a refund for my order");
    await until(() => says(dm, /FL-123456/), "the order number question");
    fake.userSendsDM(maria.id, "FL-654321");
    await until(() => says(dm, /#1\b/), "the ticket number");

    const thread = await w.ticketThread();
    expect(thread.type).toBe(12); // a private thread
    expect(thread.name).toMatch(/^#1 Maria · billing · en$/);
    const card = await until(
      () => fake.botMessages(thread.id).find((m) => /Ticket #1/.test(bodyText(m))),
      "the card",
    );
    expect(bodyText(card)).toMatch(/Reason: Refund request for order FL-?654321/);
    expect(card.content).toBe(`<@&${w.agents.id}>`); // the agent role is called in
    expect(buttonsOf(card).map((b) => b.customId)).toEqual([
      "desk:claim:1",
      "desk:close:1",
      "desk:transfer:1",
    ]);

    fake.clickButton(anna.id, thread.id, card.id, "desk:claim:1");
    await until(() => says(dm, /Anna from our support team has joined/), "the agent joined");
    // The status is on the card, never in a rename (Discord allows two per ten minutes).
    await until(
      () => /💬.*Anna/.test(bodyText(fake.messages(thread.id).find((m) => m.id === card.id)!)),
      "the card showing the claim",
    );
    expect(fake.channel(thread.id).renames).toBe(0);

    fake.userSends(thread.id, anna.id, "Hello Maria, I'm checking order FL-654321 now.");
    await until(
      () => says(dm, /^Anna: Hello Maria, I'm checking order FL-654321 now\.$/),
      "the agent's reply",
    );
    fake.userSends(thread.id, anna.id, "Here is the receipt", {
      attachments: [{ filename: "receipt.png", data: PHOTO, contentType: "image/png" }],
    });
    const photo = await until(
      () => visible(fake, dm).find((m) => m.attachments.length > 0),
      "the photo in the customer's DM",
    );
    expect(photo.attachments[0]!.data.equals(PHOTO)).toBe(true);
    expect(bodyText(photo)).toMatch(/Here is the receipt/);

    fake.userSendsDM(maria.id, "Thanks, I see it. When will the money arrive?");
    await until(() => says(thread.id, /👤 Maria: Thanks, I see it/), "the answer in the thread");

    fake.userSends(thread.id, anna.id, "// customer seems happy, closing");
    fake.slashCommand(anna.id, thread.id, "close");
    const closed = await until(
      () => visible(fake, dm).find((m) => /Ticket #1 is closed/.test(bodyText(m))),
      "the close notice",
    );
    expect(buttonsOf(closed).map((b) => b.customId)).toEqual([
      "csat:1:1",
      "csat:1:2",
      "csat:1:3",
      "csat:1:4",
      "csat:1:5",
    ]);
    expect(says(dm, /customer seems happy/)).toBe(false); // internal notes stay internal
    await until(
      () => fake.channel(thread.id).archived && fake.channel(thread.id).locked,
      "archived",
    );

    fake.clickButton(maria.id, dm, closed.id, "csat:1:5");
    await until(() => says(dm, /what went well/), "the comment question");
    fake.userSendsDM(maria.id, "Quick and kind, thank you!");
    await until(() => says(dm, /Thank you for the feedback/), "thanks");
    const started = Date.now();
    while (!(await w.store.get(1))?.csat?.comment && Date.now() - started < 5_000)
      await new Promise((r) => setTimeout(r, 20));
    expect(await w.store.get(1)).toMatchObject({
      status: "closed",
      agent: { alias: "Anna" },
      csat: { score: 5, comment: "Quick and kind, thank you!" },
    });
  });

  it('a customer\'s "@everyone", role pings and markdown arrive inert in the staff thread', async () => {
    const { fake, maria, dm, says, ticketThread } = await world();
    fake.userSendsDM(maria.id, "/human");
    const thread = await ticketThread();
    await until(() => says(dm, /#1\b/), "the ticket notice");
    const hostile = "@everyone @here <@&123456> **URGENT** [click](https://evil.example) `x`";
    fake.userSendsDM(maria.id, hostile);
    const relayed = await until(
      () => fake.botMessages(thread.id).find((m) => m.content.includes("URGENT")),
      "the relayed message",
    );
    // Nobody is pinged, and what the customer wrote shows as they wrote it, unformatted.
    expect(relayed.mentionEveryone).toBe(false);
    expect(relayed.mentionRoleIds).toEqual([]);
    expect((relayed.allowedMentions as { parse: string[] }).parse).toEqual([]);
    expect(relayed.content).not.toMatch(/(?<!\\)\*\*URGENT/);
    expect(relayed.content).toMatch(/\\\*\\\*URGENT\\\*\\\*/);
    expect(bodyText(relayed)).toContain(hostile);
  });

  it("a customer can never act as an agent: agent commands in a DM or a support thread do nothing, nor does a moderator without the agent role", async () => {
    const w = await world();
    const { fake, maria, dm, ticketThread } = w;
    fake.userSendsDM(maria.id, "/human");
    const thread = await ticketThread();
    await until(() => w.says(dm, /#1\b/), "the ticket notice");
    // (A forged custom_id cannot even be sent: Discord only takes clicks on components the
    // message has. What a customer can send are commands.)
    fake.userSendsDM(maria.id, "/close");
    // In the server, too: her private support thread is a customer's place.
    fake.slashCommand(maria.id, w.help.id, "support");
    const own = await until(
      () => fake.threadsIn(w.help.id).find((t) => t.memberIds.has(maria.id)),
      "her support thread",
    );
    fake.userSends(own.id, maria.id, "/claim");
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await w.store.get(1))?.status).toBe("queued");
    expect(fake.channel(thread.id).archived).toBe(false);
    // A moderator who can see every thread (Manage Threads) but has no agent role is no agent.
    const mods = fake.addRole(w.guild.id, { name: "Mods", permissions: 1n << 34n });
    const sam = fake.addUser({ username: "sam" });
    fake.addMember(w.guild.id, sam.id, { roles: [mods.id] });
    const card = fake.botMessages(thread.id)[0]!;
    fake.clickButton(sam.id, thread.id, card.id, "desk:claim:1");
    await new Promise((r) => setTimeout(r, 800));
    expect((await w.store.get(1))?.agent).toBeUndefined();
  });

  it("a customer's support thread closed by hand (archived and locked) is reopened by the agent's next reply", async () => {
    const w = await world();
    const { fake, maria, anna } = w;
    fake.slashCommand(maria.id, w.help.id, "support");
    const own = await until(
      () => fake.threadsIn(w.help.id).find((t) => t.memberIds.has(maria.id)),
      "her support thread",
    );
    await until(() => visible(fake, own.id).length > 0, "the greeting");
    fake.userSends(own.id, maria.id, "/human");
    const ticket = await w.ticketThread();
    await until(() => w.says(own.id, /#1\b/), "the ticket notice");
    fake.archiveThreadByHand(own.id, { locked: true });
    fake.userSends(ticket.id, anna.id, "I'm here, Maria.");
    await until(() => w.says(own.id, /^Anna: I'm here, Maria\.$/), "the reply in her thread");
    expect(fake.channel(own.id).archived).toBe(false);
    expect(fake.channel(own.id).locked).toBe(false);
  });

  it("a customer who closed their DMs is shown to agents as unreachable", async () => {
    const { fake, maria, anna, dm, says, ticketThread } = await world();
    fake.userSendsDM(maria.id, "/human");
    const thread = await ticketThread();
    await until(() => says(dm, /#1\b/), "the ticket notice");
    fake.closeDMs(maria.id);
    fake.userSends(thread.id, anna.id, "Are you still there?");
    await until(
      () => says(thread.id, /⚠️ The customer cannot be reached/),
      "the warning in the thread",
    );
  });
});

describe("one desk across Telegram and Discord", () => {
  it("a Telegram customer is served from a Discord thread, with a photo each way", async () => {
    const w = await world({ telegram: true, desk: "discord" });
    const tg = w.tg!;
    const customer = { id: 77_001, first_name: "Olga", language_code: "en" };
    tg.addUser(customer);
    tg.sendUserMessage(customer, "/human");
    const thread = await w.ticketThread();
    const card = await until(
      () => w.fake.botMessages(thread.id).find((m) => /Ticket #1/.test(bodyText(m))),
      "the card in Discord",
    );
    expect(bodyText(card)).toMatch(/telegram id 77001/);
    tg.sendUserMedia(customer, "photo", { bytes: new Uint8Array(PHOTO), caption: "my receipt" });
    const relayed = await until(
      () => w.fake.botMessages(thread.id).find((m) => m.attachments.length > 0),
      "the Telegram photo in the Discord thread",
    );
    expect(relayed.attachments[0]!.data.equals(PHOTO)).toBe(true);

    w.fake.clickButton(w.anna.id, thread.id, card.id, "desk:claim:1");
    w.fake.userSends(thread.id, w.anna.id, "Thanks, here is ours", {
      attachments: [{ filename: "answer.png", data: PHOTO, contentType: "image/png" }],
    });
    const back = await until(
      () => tg.sentMessages(customer.id).find((m) => m.via === "sendPhoto"),
      "the Discord photo in the Telegram chat",
    );
    expect(back.caption).toMatch(/Thanks, here is ours/);
    const fileId = back.photo!.at(-1)!.file_id;
    const file = (await (
      await fetch(`${tg.apiRoot}/bot${tg.token}/getFile?file_id=${fileId}`)
    ).json()) as {
      result: { file_path: string };
    };
    const bytes = Buffer.from(
      await (
        await fetch(`${tg.apiRoot}/file/bot${tg.token}/${file.result.file_path}`)
      ).arrayBuffer(),
    );
    expect(bytes.equals(PHOTO)).toBe(true);
  });

  it("what cannot be carried across is said in words: a file over Discord's upload limit", async () => {
    const w = await world({ telegram: true, desk: "discord" });
    const tg = w.tg!;
    const customer = { id: 77_002, first_name: "Piotr", language_code: "en" };
    tg.addUser(customer);
    tg.sendUserMessage(customer, "/human");
    const thread = await w.ticketThread();
    tg.sendUserMedia(customer, "document", {
      bytes: new Uint8Array(11 * 1024 * 1024),
      file_name: "logs.zip",
    });
    await until(
      () =>
        w.says(
          thread.id,
          /\[document: logs\.zip: 11\.0 MB is over Discord's 10\.0 MB limit, not carried\]/,
        ),
      "the words in place of the file",
    );
    expect(w.fake.botMessages(thread.id).some((m) => m.attachments.length > 0)).toBe(false);
  });

  it("a Discord customer is served from a Telegram forum topic, with a photo each way", async () => {
    const w = await world({ telegram: true, desk: "telegram" });
    const tg = w.tg!;
    w.fake.userSendsDM(w.maria.id, "/human");
    const topic = await until(() => tg.topics(w.group!.id)[0], "the Telegram topic");
    await until(
      () =>
        tg
          .sentMessages(w.group!.id, topic.message_thread_id)
          .some((m) => /Ticket #1/.test(m.text ?? "")),
      "the card in Telegram",
    );
    w.fake.userSendsDM(w.maria.id, "here it is", {
      attachments: [{ filename: "receipt.png", data: PHOTO, contentType: "image/png" }],
    });
    const relayed = await until(
      () =>
        tg.sentMessages(w.group!.id, topic.message_thread_id).find((m) => m.via === "sendPhoto"),
      "the Discord photo in the topic",
    );
    await until(
      () =>
        tg
          .sentMessages(w.group!.id, topic.message_thread_id)
          .some((m) => /👤 Maria: here it is/.test(m.text ?? "")),
      "who sent it, after the photo",
    );
    void relayed;
    tg.sendGroupMessage(w.group!.id, w.tgAnna, "Got it, thank you", {
      message_thread_id: topic.message_thread_id,
    });
    await until(() => w.says(w.dm, /^Anna: Got it, thank you$/), "the agent's reply on Discord");
    tg.sendGroupMedia(w.group!.id, w.tgAnna, "photo", {
      message_thread_id: topic.message_thread_id,
      caption: "the refund slip",
      bytes: new Uint8Array(PHOTO),
    });
    const back = await until(
      () => visible(w.fake, w.dm).find((m) => m.attachments.length > 0),
      "the Telegram photo in the Discord DM",
    );
    expect(back.attachments[0]!.data.equals(PHOTO)).toBe(true);
    expect(bodyText(back)).toMatch(/the refund slip/);
  });
});
