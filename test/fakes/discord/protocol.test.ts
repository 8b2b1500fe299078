// The fake against real clients: discord.js's Client, and a bare @discordjs/ws WebSocketManager
// with @discordjs/rest's REST, over real HTTP and WebSocket on one loopback port.
import { REST } from "@discordjs/rest";
import {
  CloseCodes,
  type SessionInfo,
  WebSocketManager,
  WebSocketShardEvents,
} from "@discordjs/ws";
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  Client,
  DiscordAPIError,
  type ForumChannel,
  GatewayIntentBits,
  type Interaction,
  MessageFlags,
  Partials,
  RESTEvents,
  Routes,
  type TextChannel,
  type ThreadChannel,
} from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import { FakeDiscord, type StartOptions } from "./index.ts";

const { Guilds, GuildMessages, DirectMessages, MessageContent } = GatewayIntentBits;
const ALL = [Guilds, GuildMessages, DirectMessages, MessageContent];

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startFake(o: StartOptions = {}): Promise<FakeDiscord> {
  const fake = await FakeDiscord.start({ heartbeatIntervalMs: 250, ...o });
  cleanups.push(() => fake.close());
  return fake;
}

/** A guild with a text channel and a member, alice. */
function world(fake: FakeDiscord) {
  const guild = fake.addGuild({ name: "Support" });
  const channel = fake.addChannel(guild.id, { name: "help" });
  const alice = fake.addUser({ username: "alice", globalName: "Alice", locale: "pl" });
  fake.addMember(guild.id, alice.id);
  return { guild, channel, alice };
}

async function login(fake: FakeDiscord, intents = ALL): Promise<Client> {
  const client = new Client({
    intents,
    partials: [Partials.Channel],
    rest: { api: fake.apiBase },
  });
  cleanups.push(() => client.destroy());
  const ready = new Promise<void>((resolve) => client.once("clientReady", () => resolve()));
  await client.login(fake.token);
  await ready;
  return client;
}

function nextInteraction(client: Client): Promise<Interaction> {
  return new Promise((resolve) => client.once("interactionCreate", resolve));
}

async function rejection(p: Promise<unknown>): Promise<DiscordAPIError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DiscordAPIError);
  return err as DiscordAPIError;
}

function buttonRow(...ids: string[]) {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    ids.map((id) => new ButtonBuilder().setCustomId(id).setLabel(id).setStyle(ButtonStyle.Primary)),
  );
}

describe("FakeDiscord with discord.js Client", () => {
  it("logs in: /gateway/bot, IDENTIFY, READY and GUILD_CREATE fill the caches; heartbeats are acked", async () => {
    const fake = await startFake();
    const { guild, channel } = world(fake);
    const client = await login(fake);
    expect(client.user?.id).toBe(fake.botUser.id);
    expect(client.application?.id).toBe(fake.applicationId);
    const g = client.guilds.cache.get(guild.id);
    expect(g?.name).toBe("Support");
    expect(g?.channels.cache.get(channel.id)?.name).toBe("help");
    expect(g?.roles.everyone.id).toBe(guild.id);
    expect(g?.members.me?.roles.cache.has(guild.botRoleId)).toBe(true);
    expect(fake.gateway.identifies).toBe(1);
    expect(fake.gateway.connections).toBe(1);
    expect(fake.calls[0]).toMatchObject({ method: "GET", route: "/gateway/bot", status: 200 });
    await fake.waitFor(() => client.ws.ping >= 0, { timeoutMs: 2_000 });
  });

  it("delivers a DM as messageCreate (partial DM channel) and stores the bot's reply", async () => {
    const fake = await startFake();
    const { alice } = world(fake);
    const client = await login(fake);
    const seen: string[] = [];
    client.on("messageCreate", async (m) => {
      seen.push(`${m.author.bot ? "bot" : m.author.username}:${m.content}`);
      if (!m.author.bot) await m.reply(`hi ${m.author.globalName}`);
    });
    const sent = fake.userSendsDM(alice.id, "I need help");
    const dm = fake.dmChannelOf(alice.id) as string;
    const reply = await fake.waitForMessage(dm, (m) => m.byBot);
    expect(reply.content).toBe("hi Alice");
    expect(reply.messageReference?.message_id).toBe(sent.id);
    expect(BigInt(reply.id) > BigInt(sent.id)).toBe(true);
    // The bot's own message comes back over the gateway too, as on Discord.
    await fake.waitFor(() => seen.includes("bot:hi Alice"));
    expect(seen).toEqual(["alice:I need help", "bot:hi Alice"]);
  });

  it("delivers a guild message with its member and channel", async () => {
    const fake = await startFake();
    const { guild, channel, alice } = world(fake);
    const client = await login(fake);
    const got = new Promise<{
      guildId: string | null;
      channelId: string;
      member: string | undefined;
    }>((resolve) =>
      client.on("messageCreate", (m) => {
        if (m.author.bot) return;
        resolve({ guildId: m.guildId, channelId: m.channelId, member: m.member?.id });
        void (m.channel as TextChannel).send("on it");
      }),
    );
    fake.userSends(channel.id, alice.id, "printer on fire");
    expect(await got).toEqual({ guildId: guild.id, channelId: channel.id, member: alice.id });
    const reply = await fake.waitForMessage(channel.id, (m) => m.byBot);
    expect(reply).toMatchObject({
      content: "on it",
      guildId: guild.id,
      author: { id: fake.botUser.id },
    });
  });

  it("sends MESSAGE_UPDATE, GUILD_MEMBER_REMOVE, THREAD_UPDATE/DELETE and GUILD_DELETE as Discord does", async () => {
    const fake = await startFake();
    const { guild, channel, alice } = world(fake);
    const client = await login(fake, [...ALL, GatewayIntentBits.GuildMembers]);
    const seen: string[] = [];
    client.on("messageUpdate", (_old, m) =>
      seen.push(`edit:${m.content}:${m.editedTimestamp !== null}`),
    );
    client.on("guildMemberRemove", (m) => seen.push(`left:${m.id}`));
    client.on("threadUpdate", (_old, t) => seen.push(`thread:${t.archived}:${t.locked}`));
    client.on("threadDelete", (t) => seen.push(`gone:${t.id}`));
    client.on("guildDelete", (g) => seen.push(`kicked:${g.id}`));
    const m = fake.userSends(channel.id, alice.id, "typo");
    fake.userEdits(channel.id, m.id, "fixed");
    const text = client.channels.cache.get(channel.id) as TextChannel;
    const thread = await text.threads.create({ name: "t", type: ChannelType.PublicThread });
    fake.archiveThreadByHand(thread.id, { locked: true });
    fake.deleteThreadByHand(thread.id);
    fake.removeMember(guild.id, alice.id);
    fake.removeBotFromGuild(guild.id);
    await fake.waitFor(() => seen.length === 5);
    expect(seen).toEqual([
      "edit:fixed:true",
      "thread:true:true",
      `gone:${thread.id}`,
      `left:${alice.id}`,
      `kicked:${guild.id}`,
    ]);
    expect((await rejection(text.send("still here?"))).code).toBe(50001);
  });

  it("delivers a select choice, opens a modal and receives its submission", async () => {
    const fake = await startFake();
    const { channel, alice } = world(fake);
    const client = await login(fake);
    const text = client.channels.cache.get(channel.id) as TextChannel;
    const msg = await text.send({
      content: "What is it about?",
      components: [
        {
          type: 1,
          components: [
            {
              type: 3,
              custom_id: "topic",
              options: [
                { label: "Billing", value: "billing" },
                { label: "Other", value: "other" },
              ],
            },
          ],
        },
      ],
    });
    expect(() => fake.selectOption(alice.id, channel.id, msg.id, "topic", ["nope"])).toThrow(
      /no option/,
    );
    const picked = nextInteraction(client);
    const select = fake.selectOption(alice.id, channel.id, msg.id, "topic", ["other"]);
    const i = await picked;
    if (!i.isStringSelectMenu()) throw new Error("not a select");
    expect(i.values).toEqual(["other"]);
    await i.showModal({
      custom_id: "details",
      title: "Tell us more",
      components: [
        { type: 1, components: [{ type: 4, custom_id: "reason", style: 2, label: "Reason" }] },
      ],
    });
    const submitted = nextInteraction(client);
    fake.submitModal(select.id, { reason: "It is complicated" });
    const j = await submitted;
    if (!j.isModalSubmit()) throw new Error("not a modal submit");
    expect(j.fields.getTextInputValue("reason")).toBe("It is complicated");
    const res = await j.reply({ content: "Got it", withResponse: true });
    expect(res.resource?.message?.content).toBe("Got it");
    expect(
      fake.botMessages(channel.id).map((m) => [m.content, m.messageReference?.message_id]),
    ).toEqual([
      ["What is it about?", undefined],
      ["Got it", msg.id],
    ]);
  });

  it("creates a private thread, adds a member, archives and locks it in one edit", async () => {
    const fake = await startFake();
    const { channel, alice } = world(fake);
    const client = await login(fake);
    const text = client.channels.cache.get(channel.id) as TextChannel;
    const thread = await text.threads.create({
      name: "ticket-42",
      type: ChannelType.PrivateThread,
      invitable: false,
    });
    await thread.members.add(alice.id);
    let rec = fake.channel(thread.id);
    expect(rec).toMatchObject({
      type: 12,
      parentId: channel.id,
      invitable: false,
      name: "ticket-42",
    });
    expect([...rec.memberIds].sort()).toEqual([alice.id, fake.botUser.id].sort());
    expect(fake.calls.find((c) => c.route === "/channels/:id/thread-members/:userId")?.status).toBe(
      204,
    );

    await thread.send("welcome");
    fake.userSends(thread.id, alice.id, "thanks");
    await thread.edit({ archived: true, locked: true });
    rec = fake.channel(thread.id);
    expect([rec.archived, rec.locked]).toEqual([true, true]);
    await fake.waitFor(() => thread.archived && thread.locked); // THREAD_UPDATE reached the cache
    const locked = await rejection(thread.send("too late"));
    expect(locked.code).toBe(50083);

    // Archive then lock as two edits is what fails on Discord.
    const other = await text.threads.create({ name: "ticket-43", type: ChannelType.PrivateThread });
    await other.setArchived(true);
    expect((await rejection(other.setLocked(true))).code).toBe(50083);
    // Posting into an archived, unlocked thread unarchives it.
    await other.send("back");
    expect(fake.channel(other.id).archived).toBe(false);
  });

  it("acknowledges a button click within the deadline; a late one gets 10062", async () => {
    const fake = await startFake({ interactionDeadlineMs: 300 });
    const { channel, alice } = world(fake);
    const client = await login(fake);
    const text = client.channels.cache.get(channel.id) as TextChannel;
    const msg = await text.send({
      content: "Close the ticket?",
      components: [buttonRow("close", "keep")],
    });

    const first = nextInteraction(client);
    const click = fake.clickButton(alice.id, channel.id, msg.id, "close");
    const i = await first;
    expect(i.isButton() && i.customId).toBe("close");
    expect(i.locale).toBe("pl");
    if (!i.isButton()) throw new Error("not a button");
    expect(i.message.id).toBe(msg.id);
    await i.deferUpdate();
    expect(fake.interaction(click.id)).toMatchObject({
      ackedWithinDeadline: true,
      callbacks: [{ type: 6 }],
    });
    expect(fake.calls.at(-1)).toMatchObject({
      route: "/interactions/:id/:token/callback",
      status: 204,
    });

    const second = nextInteraction(client);
    const late = fake.clickButton(alice.id, channel.id, msg.id, "keep");
    const j = await second;
    if (!j.isButton()) throw new Error("not a button");
    await new Promise((r) => setTimeout(r, 400));
    expect((await rejection(j.deferUpdate())).code).toBe(10062);
    expect(fake.interaction(late.id).ackedWithinDeadline).toBe(false);
    expect(fake.interaction(late.id).callbacks).toEqual([]);
  });

  it("refuses a second callback with 40060 and keeps the first", async () => {
    const fake = await startFake();
    const { channel, alice } = world(fake);
    const client = await login(fake);
    const text = client.channels.cache.get(channel.id) as TextChannel;
    const msg = await text.send({ content: "Rate us", components: [buttonRow("good")] });
    const next = nextInteraction(client);
    const click = fake.clickButton(alice.id, channel.id, msg.id, "good");
    const i = await next;
    if (!i.isButton()) throw new Error("not a button");
    await i.update({ content: "Thanks!", components: [] });
    // discord.js refuses a second reply locally, so send it over raw REST as a retry would.
    const again = client.rest.post(Routes.interactionCallback(i.id, i.token), {
      body: { type: 4, data: { content: "again" } },
      auth: false,
    });
    expect((await rejection(again)).code).toBe(40060);
    const rec = fake.interaction(click.id);
    expect(rec.callbacks.map((c) => c.type)).toEqual([7]);
    expect(rec.refusedCallbacks).toMatchObject([{ type: 4, code: 40060 }]);
    const edited = fake.messages(channel.id).find((m) => m.id === msg.id);
    expect(edited).toMatchObject({ content: "Thanks!", components: [] });
    expect(edited?.editedAt).not.toBeNull();
  });

  it("registers guild commands and delivers a slash command; replies go to the channel", async () => {
    const fake = await startFake();
    const { guild, channel, alice } = world(fake);
    const client = await login(fake);
    await client.application?.commands.set(
      [
        {
          name: "ticket",
          description: "Open a ticket",
          descriptionLocalizations: { pl: "Otwórz zgłoszenie" },
          contexts: [0],
          options: [{ name: "topic", description: "What about", type: 3, required: true }],
        },
      ],
      guild.id,
    );
    expect(fake.commands(guild.id)).toMatchObject([
      {
        name: "ticket",
        description_localizations: { pl: "Otwórz zgłoszenie" },
        contexts: [0],
        guild_id: guild.id,
      },
    ]);
    expect(fake.commands()).toEqual([]);
    expect(() => fake.slashCommand(alice.id, channel.id, "nope")).toThrow(/no command/);

    const next = nextInteraction(client);
    const ix = fake.slashCommand(alice.id, channel.id, "ticket", { topic: "billing" });
    const i = await next;
    if (!i.isChatInputCommand()) throw new Error("not a command");
    expect([i.commandName, i.options.getString("topic"), i.guildId]).toEqual([
      "ticket",
      "billing",
      guild.id,
    ]);
    await i.reply({ content: "Opened", flags: MessageFlags.Ephemeral });
    await i.followUp("Everyone sees this");
    const stored = fake.messages(channel.id);
    expect(stored.map((m) => [m.content, m.ephemeral])).toEqual([
      ["Opened", true],
      ["Everyone sees this", false],
    ]);
    expect(stored[0]?.interactionMetadata).toMatchObject({
      id: ix.id,
      name: "ticket",
      user: { id: alice.id },
    });
    expect(fake.interaction(ix.id).followUps.map((m) => m.content)).toEqual(["Everyone sees this"]);
    // Ephemeral messages are not part of the channel's history.
    const history = (await client.rest.get(Routes.channelMessages(channel.id))) as Array<{
      content: string;
    }>;
    expect(history.map((m) => m.content)).toEqual(["Everyone sees this"]);
  });

  it("runs a global command in a DM and edits the deferred reply", async () => {
    const fake = await startFake();
    const { alice } = world(fake);
    const client = await login(fake);
    await client.application?.commands.set([
      { name: "status", description: "Ticket status", contexts: [0, 1] },
    ]);
    const dm = fake.ensureDM(alice.id);
    const next = nextInteraction(client);
    fake.slashCommand(alice.id, dm, "status");
    const i = await next;
    if (!i.isChatInputCommand()) throw new Error("not a command");
    expect([i.guildId, i.context, i.user.id]).toEqual([null, 1, alice.id]);
    await i.deferReply();
    expect(fake.messages(dm)[0]?.flags).toBe(MessageFlags.Loading);
    await i.editReply("All good");
    expect(fake.messages(dm).map((m) => [m.content, m.flags])).toEqual([["All good", 0]]);
  });

  it("stores a multipart upload and serves it at the attachment url", async () => {
    const fake = await startFake();
    const { channel } = world(fake);
    const client = await login(fake);
    const text = client.channels.cache.get(channel.id) as TextChannel;
    const bytes = Buffer.from("line 1\nline 2\n");
    const sent = await text.send({
      content: "the log",
      files: [{ attachment: bytes, name: "log.txt" }],
    });
    const [att] = fake.botMessages(channel.id)[0]?.attachments ?? [];
    expect(att).toMatchObject({ filename: "log.txt", size: bytes.length });
    expect(att?.data.equals(bytes)).toBe(true);
    expect(sent.attachments.first()?.url).toBe(att?.url);
    const res = await fetch(att?.url as string);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect(fake.calls.at(-1)?.files).toMatchObject([{ field: "files[0]", filename: "log.txt" }]);
  });

  it("returns the same message for a repeated nonce with enforce_nonce", async () => {
    const fake = await startFake();
    const { channel } = world(fake);
    const client = await login(fake);
    const text = client.channels.cache.get(channel.id) as TextChannel;
    const a = await text.send({ content: "once", nonce: "outbox-17", enforceNonce: true });
    const b = await text.send({ content: "once", nonce: "outbox-17", enforceNonce: true });
    const c = await text.send({ content: "twice", nonce: "outbox-17" }); // not enforced: new message
    expect(b.id).toBe(a.id);
    expect(c.id).not.toBe(a.id);
    expect(fake.botMessages(channel.id).map((m) => m.content)).toEqual(["once", "twice"]);
  });

  it("injects 429s that discord.js waits out and retries", async () => {
    const fake = await startFake();
    const { channel } = world(fake);
    const client = await login(fake);
    const text = client.channels.cache.get(channel.id) as TextChannel;
    const limited: number[] = [];
    client.rest.on(RESTEvents.RateLimited, (info) => limited.push(info.retryAfter));
    const stop = fake.failRate({
      rate: 0.4,
      seed: 3,
      retryAfterSeconds: 0.05,
      routes: /^POST \/channels\/:id\/messages$/,
    });
    for (let n = 1; n <= 6; n++) await text.send(`update ${n}`);
    stop();
    expect(fake.botMessages(channel.id).map((m) => m.content)).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => `update ${n}`),
    );
    const injected = fake.calls.filter((c) => c.injected);
    expect(injected.length).toBeGreaterThan(0);
    expect(injected.every((c) => c.status === 429)).toBe(true);
    expect(limited.length).toBeGreaterThan(0);
  });

  it("answers 403 50007 to a DM after the user closed DMs", async () => {
    const fake = await startFake();
    const { alice } = world(fake);
    const client = await login(fake);
    const user = await client.users.fetch(alice.id);
    await user.send("first");
    fake.closeDMs(alice.id);
    const err = await rejection(user.send("second"));
    expect([err.status, err.code, err.message]).toEqual([
      403,
      50007,
      "Cannot send messages to this user",
    ]);
  });

  it("blanks content without MessageContent unless the bot is mentioned", async () => {
    const fake = await startFake();
    const { channel, alice } = world(fake);
    const client = await login(fake, [Guilds, GuildMessages]);
    const contents: string[] = [];
    client.on("messageCreate", (m) => contents.push(m.content));
    fake.userSendsDM(alice.id, "a DM (no DirectMessages intent)");
    fake.userSends(channel.id, alice.id, "secret");
    fake.userSends(channel.id, alice.id, "help me", { mentionBot: true });
    await fake.waitFor(() => contents.length === 2);
    expect(contents).toEqual(["", `<@${fake.botUser.id}> help me`]);
    expect(fake.messages(channel.id)[0]?.content).toBe("secret");
  });

  it("resumes by itself after the fake drops the socket, missing nothing", async () => {
    const fake = await startFake();
    const { channel, alice } = world(fake);
    const client = await login(fake);
    const contents: string[] = [];
    client.on("messageCreate", (m) => contents.push(m.content));
    fake.dropConnections();
    fake.userSends(channel.id, alice.id, "while you were away");
    await fake.waitFor(() => contents.includes("while you were away"));
    expect(fake.gateway.resumes.accepted).toBe(1);
    expect(fake.gateway.identifies).toBe(1);
  });

  it("creates a forum post with tags; the starter message has the thread's id", async () => {
    const fake = await startFake();
    const { guild } = world(fake);
    const forum = fake.addChannel(guild.id, {
      name: "tickets",
      type: 15,
      tags: [{ name: "open" }],
    });
    const client = await login(fake);
    const channel = client.channels.cache.get(forum.id) as ForumChannel;
    const open = forum.availableTags[0]?.id as string;
    const post: ThreadChannel = await channel.threads.create({
      name: "Printer on fire",
      message: { content: "Details inside" },
      appliedTags: [open],
    });
    expect(fake.threadsIn(forum.id).map((t) => [t.id, t.appliedTags])).toEqual([[post.id, [open]]]);
    expect(fake.messages(post.id).map((m) => [m.id, m.content])).toEqual([
      [post.id, "Details inside"],
    ]);
  });
});

describe("FakeDiscord with @discordjs/ws and @discordjs/rest", () => {
  const intents = Guilds | GuildMessages | MessageContent;

  function manager(fake: FakeDiscord, start: SessionInfo | null = null) {
    const rest = new REST({ api: fake.apiBase }).setToken(fake.token);
    const store = new Map<number, SessionInfo>();
    if (start) store.set(0, start);
    const events: Array<{ t: string; s: number; d: Record<string, unknown> }> = [];
    const ws = new WebSocketManager({
      token: fake.token,
      intents,
      rest,
      retrieveSessionInfo: (id) => store.get(id) ?? null,
      updateSessionInfo: (id, info) => {
        if (info) store.set(id, info);
        else store.delete(id);
      },
    });
    ws.on(WebSocketShardEvents.Dispatch, ({ data }) => {
      events.push(data as unknown as { t: string; s: number; d: Record<string, unknown> });
    });
    cleanups.push(() => Promise.resolve(ws.destroy()).catch(() => {}));
    return { ws, rest, store, events };
  }

  it("replays the dispatches missed by a crashed process, in order, then RESUMED", async () => {
    const fake = await startFake();
    const { channel, alice } = world(fake);
    const first = manager(fake);
    await first.ws.connect();
    expect(first.events.map((e) => e.t)).toEqual(["READY", "GUILD_CREATE"]);
    fake.userSends(channel.id, alice.id, "seen before the crash");
    await fake.waitFor(() => first.events.length === 3);
    const saved = { ...(first.store.get(0) as SessionInfo) };
    expect(saved.sequence).toBe(3);
    // A crash: the socket goes away without a clean 1000 close, so the session stays.
    await first.ws.destroy({ code: CloseCodes.Resuming, reason: "crash" });
    await fake.waitFor(() => fake.gateway.connections === 0);

    for (let n = 1; n <= 5; n++) fake.userSends(channel.id, alice.id, `missed ${n}`);
    expect(fake.gateway.sessions).toMatchObject([
      { id: saved.sessionId, seq: 8, connected: false },
    ]);

    // The restarted process resumes from the sequence it had recorded (one event earlier).
    const second = manager(fake, { ...saved, sequence: saved.sequence - 1 });
    const resumed = new Promise((resolve) => second.ws.once(WebSocketShardEvents.Resumed, resolve));
    await second.ws.connect();
    await resumed;
    expect(second.events.map((e) => [e.t, e.s, e.d.content])).toEqual([
      ["MESSAGE_CREATE", 3, "seen before the crash"],
      ["MESSAGE_CREATE", 4, "missed 1"],
      ["MESSAGE_CREATE", 5, "missed 2"],
      ["MESSAGE_CREATE", 6, "missed 3"],
      ["MESSAGE_CREATE", 7, "missed 4"],
      ["MESSAGE_CREATE", 8, "missed 5"],
      ["RESUMED", 8, undefined],
    ]);
    expect(fake.gateway.resumes).toEqual({ accepted: 1, refused: 0 });
    expect(fake.gateway.identifies).toBe(1);
    // New events keep flowing on the same session.
    fake.userSends(channel.id, alice.id, "after");
    await fake.waitFor(() => second.events.at(-1)?.s === 9);
  });

  it("refuses RESUME with op 9 when told to: a fresh READY, and REST backfills the gap", async () => {
    const fake = await startFake();
    const { channel, alice } = world(fake);
    const first = manager(fake);
    await first.ws.connect();
    const saved = { ...(first.store.get(0) as SessionInfo) };
    await first.ws.destroy({ code: CloseCodes.Resuming, reason: "crash" });
    const seen = fake.userSends(channel.id, alice.id, "last seen");
    fake.userSends(channel.id, alice.id, "gap 1");
    fake.userSends(channel.id, alice.id, "gap 2");
    fake.refuseResume();

    const second = manager(fake, saved);
    const ready = new Promise<{ session_id: string }>((resolve) =>
      second.ws.once(WebSocketShardEvents.Ready, ({ data }) => resolve(data)),
    );
    await second.ws.connect();
    const data = await ready;
    expect(data.session_id).not.toBe(saved.sessionId);
    expect(fake.gateway.resumes).toEqual({ accepted: 0, refused: 1 });
    expect(fake.gateway.identifies).toBe(2);
    expect(second.events.some((e) => e.t === "MESSAGE_CREATE")).toBe(false);
    const backfill = (await second.rest.get(Routes.channelMessages(channel.id), {
      query: new URLSearchParams({ after: seen.id }),
    })) as Array<{ content: string }>;
    expect(backfill.map((m) => m.content)).toEqual(["gap 2", "gap 1"]); // newest first
  });

  it("ends the session on a clean close (1000): a later RESUME is refused", async () => {
    const fake = await startFake();
    world(fake);
    const first = manager(fake);
    await first.ws.connect();
    const saved = { ...(first.store.get(0) as SessionInfo) };
    await first.ws.destroy(); // code 1000
    await fake.waitFor(() => fake.gateway.sessions.length === 0);
    const second = manager(fake, saved);
    await second.ws.connect();
    expect(fake.gateway.resumes.refused).toBe(1);
    expect(fake.gateway.sessions).toHaveLength(1);
  });
});

describe("FakeDiscord REST surface", () => {
  async function api(fake: FakeDiscord, method: string, path: string, body?: unknown, auth = true) {
    const headers: Record<string, string> = {};
    if (auth) headers.authorization = `Bot ${fake.token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${fake.apiBase}/v10${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
  }

  it("checks the token, answers unknown routes in Discord's shape, decodes path segments", async () => {
    const fake = await startFake();
    const { guild, channel, alice } = world(fake);
    expect((await api(fake, "GET", "/users/@me", undefined, false)).json).toEqual({
      message: "401: Unauthorized",
      code: 0,
    });
    expect(await api(fake, "GET", "/no/such/route")).toMatchObject({
      status: 404,
      json: { message: "404: Not Found", code: 0 },
    });
    expect((await api(fake, "GET", `/channels/${channel.id.slice(0, 5)}%3A`)).json.code).toBe(
      10003,
    );
    expect((await api(fake, "GET", `/guilds/${guild.id}/members/${alice.id}`)).json.user.id).toBe(
      alice.id,
    );
    const stranger = fake.addUser({ username: "bob" });
    expect((await api(fake, "GET", `/guilds/${guild.id}/members/${stranger.id}`)).json.code).toBe(
      10007,
    );
    expect(fake.calls.at(-1)?.route).toBe("/guilds/:id/members/:userId");
  });

  it("answers 204 without content-type, and a third rename within 10 minutes with a long 429", async () => {
    const fake = await startFake();
    const { channel, alice } = world(fake);
    const th = await api(fake, "POST", `/channels/${channel.id}/threads`, {
      name: "t-1",
      type: 12,
    });
    expect(th.status).toBe(201);
    const put = await api(fake, "PUT", `/channels/${th.json.id}/thread-members/${alice.id}`);
    expect(put.status).toBe(204);
    expect(put.headers.get("content-type")).toBeNull();
    for (const name of ["t-2", "t-3"]) {
      expect((await api(fake, "PATCH", `/channels/${th.json.id}`, { name })).status).toBe(200);
    }
    const third = await api(fake, "PATCH", `/channels/${th.json.id}`, { name: "t-4" });
    expect(third.status).toBe(429);
    expect(third.json.retry_after).toBeGreaterThan(500);
    expect(fake.channel(th.json.id)).toMatchObject({ name: "t-3", renames: 2 });
  });

  it("validates message limits and marks injected 429s global only when asked", async () => {
    const fake = await startFake();
    const { channel } = world(fake);
    const long = await api(fake, "POST", `/channels/${channel.id}/messages`, {
      content: "x".repeat(2001),
    });
    expect(long.json).toMatchObject({
      code: 50035,
      errors: { content: { _errors: [{ code: "BASE_TYPE_MAX_LENGTH" }] } },
    });
    const row = {
      type: 1,
      components: [{ type: 2, style: 1, label: "x".repeat(81), custom_id: "a" }],
    };
    const label = await api(fake, "POST", `/channels/${channel.id}/messages`, {
      components: [row],
    });
    expect(Object.keys(label.json.errors.components["0"].components["0"])).toEqual(["label"]);

    fake.failNext(/messages/, { status: 429, retryAfterSeconds: 0.2 });
    const local = await api(fake, "POST", `/channels/${channel.id}/messages`, { content: "a" });
    expect(local.status).toBe(429);
    expect(local.json).toEqual({
      message: "You are being rate limited.",
      retry_after: 0.2,
      global: false,
    });
    expect(local.headers.get("retry-after")).toBe("0.2");
    expect(local.headers.get("x-ratelimit-scope")).toBe("user");
    expect(local.headers.has("x-ratelimit-global")).toBe(false);
    const stop = fake.failRate({ rate: 1, global: true });
    const global = await api(fake, "POST", `/channels/${channel.id}/messages`, { content: "a" });
    stop();
    expect(global.headers.get("x-ratelimit-global")).toBe("true");
    expect(
      (await api(fake, "POST", `/channels/${channel.id}/messages`, { content: "a" })).status,
    ).toBe(200);
  });
});
