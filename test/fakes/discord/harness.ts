// FakeDiscord: starts the fake and is the test's hands (world, people, faults) and eyes (records).
import { clickable, commandData, findCommand, modalSubmitComponents } from "./clicks.ts";
import { Core } from "./core.ts";
import {
  channelEvent,
  guildCreateEvent,
  guildDelete,
  memberAdd,
  memberRemove,
  roleEvent,
} from "./events.ts";
import {
  archiveThreadByHand,
  deleteThreadByHand,
  type UserSendOptions,
  userDeletes,
  userEdits,
  userSends,
  userSendsDM,
} from "./people.ts";
import { buildRouter } from "./routes/index.ts";
import { FakeServer } from "./server.ts";
import type { AddChannelOptions, CommandRec } from "./state.ts";
import type {
  CallRecord,
  ChannelRec,
  FailRateOptions,
  FailSpec,
  InteractionRec,
  MessageRec,
  RoleRec,
  SessionInfo,
  Snowflake,
  StartOptions,
  UserRec,
  WaitOptions,
} from "./types.ts";

/** Read-only view of the gateway's counters. */
export interface GatewayView {
  /** Open sockets. */
  readonly connections: number;
  readonly identifies: number;
  readonly resumes: { accepted: number; refused: number };
  readonly sessions: SessionInfo[];
}

export interface InteractionOptions {
  locale?: string;
}

export class FakeDiscord {
  readonly apiBase: string;
  readonly gateway: GatewayView;
  private closed = false;

  private constructor(
    private readonly core: Core,
    private readonly server: FakeServer,
  ) {
    this.apiBase = `${core.origin}/api`;
    const gw = core.gateway;
    this.gateway = {
      get connections() {
        return gw.connections;
      },
      get identifies() {
        return gw.identifies;
      },
      get resumes() {
        return { ...gw.resumes };
      },
      get sessions() {
        return gw.sessions;
      },
    };
  }

  static async start(opts: StartOptions = {}): Promise<FakeDiscord> {
    const botId = opts.botId ?? "1300000000000000001";
    const core = new Core({
      // Shaped like Discord's (base64 of the bot id, a timestamp part, an HMAC part).
      token:
        opts.token ??
        `${Buffer.from(botId).toString("base64url")}.GfAkE1.fake-discord-bot-token-for-tests`,
      botId,
      botUsername: opts.botUsername ?? "supportbot",
      applicationId: opts.applicationId ?? botId,
      heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 45_000,
      resumeWindowMs: opts.resumeWindowMs ?? Number.POSITIVE_INFINITY,
      interactionDeadlineMs: opts.interactionDeadlineMs ?? 3_000,
    });
    const server = await FakeServer.listen(core, buildRouter(), opts.port ?? 0);
    core.port = server.port;
    return new FakeDiscord(core, server);
  }

  get token(): string {
    return this.core.config.token;
  }

  get applicationId(): Snowflake {
    return this.core.world.applicationId;
  }

  /** The bot user (what GET /users/@me and READY describe). */
  get botUser(): UserRec {
    return this.core.world.bot;
  }

  /** Closes every socket and the server. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.core.gateway.close();
    await this.server.close();
  }

  // ---- world --------------------------------------------------------------------------------

  /** A guild with @everyone (id = guild id), an owner, and the bot as a member with its role. */
  addGuild(o: { name: string; id?: Snowflake }): { id: Snowflake; botRoleId: Snowflake } {
    const g = this.core.world.addGuild(o);
    guildCreateEvent(this.core, g);
    return { id: g.id, botRoleId: g.botRoleId };
  }

  addRole(guildId: Snowflake, o: { name: string; permissions?: bigint | string }): RoleRec {
    const role = this.core.world.addRole(guildId, o);
    roleEvent(this.core, "CREATE", this.core.world.guild(guildId), role.id);
    return role;
  }

  /** Any role's permissions (the @everyone role's id is the guild id). */
  setRolePermissions(guildId: Snowflake, roleId: Snowflake, perms: bigint): void {
    const g = this.core.world.guild(guildId);
    const role = g.roles.get(roleId);
    if (!role) throw new Error(`unknown role ${roleId}`);
    role.permissions = perms;
    roleEvent(this.core, "UPDATE", g, roleId);
  }

  /** Text (0, default), forum (15) or category (4). `private`: @everyone may not view, the bot may. */
  addChannel(guildId: Snowflake, o: AddChannelOptions): ChannelRec {
    const ch = this.core.world.addChannel(guildId, o);
    channelEvent(this.core, "CREATE", ch);
    return ch;
  }

  addUser(o: { username: string; globalName?: string; locale?: string; id?: Snowflake }): UserRec {
    return this.core.world.addUser(o);
  }

  addMember(guildId: Snowflake, userId: Snowflake, o: { roles?: Snowflake[] } = {}): void {
    const g = this.core.world.guild(guildId);
    this.core.world.user(userId);
    g.members.set(userId, {
      userId,
      roles: o.roles ?? [],
      joinedAt: new Date().toISOString(),
      nick: null,
    });
    memberAdd(this.core, g, userId);
  }

  /** Sends GUILD_MEMBER_REMOVE (only to sessions with the GuildMembers intent, as Discord). */
  removeMember(guildId: Snowflake, userId: Snowflake): void {
    const g = this.core.world.guild(guildId);
    if (!g.members.delete(userId)) throw new Error(`user ${userId} is not in guild ${guildId}`);
    memberRemove(this.core, g, userId);
  }

  /** Permissions of the bot's own role in that guild. */
  setBotPermissions(guildId: Snowflake, perms: bigint): void {
    const g = this.core.world.guild(guildId);
    this.setRolePermissions(guildId, g.botRoleId, perms);
  }

  /** A member overwrite on the channel (a thread's parent for threads) denying the bot `perms`. */
  setChannelBotDenied(channelId: Snowflake, perms: bigint): void {
    const ch = this.requireChannel(channelId);
    const bot = this.core.world.bot.id;
    let o = ch.permissionOverwrites.find((x) => x.type === 1 && x.id === bot);
    if (!o) {
      o = { id: bot, type: 1, allow: 0n, deny: 0n };
      ch.permissionOverwrites.push(o);
    }
    o.deny |= perms;
    o.allow &= ~perms;
    channelEvent(this.core, "UPDATE", ch);
  }

  /** GET /applications/@me and READY's application.flags; decides privileged intents (4014). */
  setApplicationFlags(flags: number): void {
    this.core.world.applicationFlags = flags;
  }

  /** The bot is kicked: GUILD_DELETE, and its REST calls into the guild answer 50001. */
  removeBotFromGuild(guildId: Snowflake): void {
    const g = this.core.world.guild(guildId);
    guildDelete(this.core, g);
    g.botPresent = false;
    this.core.changed();
  }

  /** The bot is invited back: GUILD_CREATE. */
  addBotToGuild(guildId: Snowflake): void {
    const g = this.core.world.guild(guildId);
    g.botPresent = true;
    guildCreateEvent(this.core, g);
  }

  ensureDM(userId: Snowflake): Snowflake {
    return this.core.world.ensureDM(userId).id;
  }

  dmChannelOf(userId: Snowflake): Snowflake | undefined {
    return this.core.world.dmByUser.get(userId);
  }

  /** Later bot sends to this user's DM answer 403 50007. */
  closeDMs(userId: Snowflake): void {
    this.core.world.user(userId).dmsClosed = true;
  }

  openDMs(userId: Snowflake): void {
    this.core.world.user(userId).dmsClosed = false;
  }

  // ---- what people do -----------------------------------------------------------------------

  userSendsDM(userId: Snowflake, content: string, o: UserSendOptions = {}): MessageRec {
    return userSendsDM(this.core, userId, content, o);
  }

  userSends(
    channelId: Snowflake,
    userId: Snowflake,
    content: string,
    o: UserSendOptions = {},
  ): MessageRec {
    return userSends(this.core, channelId, userId, content, o);
  }

  userEdits(channelId: Snowflake, messageId: Snowflake, content: string): MessageRec {
    return userEdits(this.core, channelId, messageId, content);
  }

  userDeletes(channelId: Snowflake, messageId: Snowflake): void {
    userDeletes(this.core, channelId, messageId);
  }

  /** A button press (type 3, component_type 2) on a message the user can see. */
  clickButton(
    userId: Snowflake,
    channelId: Snowflake,
    messageId: Snowflake,
    customId: string,
    o: InteractionOptions = {},
  ): InteractionRec {
    const { message, component, channel } = clickable(
      this.core,
      userId,
      channelId,
      messageId,
      customId,
    );
    if (component.type !== 2) throw new Error(`component "${customId}" is not a button`);
    return this.core.interactions.dispatch({
      type: 3,
      userId,
      channel,
      message,
      data: { custom_id: customId, component_type: 2 },
      ...o,
    });
  }

  /** A select menu choice (component_type of the menu: 3 string select, 5-8 entity selects). */
  selectOption(
    userId: Snowflake,
    channelId: Snowflake,
    messageId: Snowflake,
    customId: string,
    values: string[],
    o: InteractionOptions = {},
  ): InteractionRec {
    const { message, component, channel } = clickable(
      this.core,
      userId,
      channelId,
      messageId,
      customId,
    );
    const type = Number(component.type);
    if (![3, 5, 6, 7, 8].includes(type)) throw new Error(`component "${customId}" is not a select`);
    if (type === 3) {
      const known = new Set(
        ((component.options ?? []) as Array<{ value: string }>).map((x) => x.value),
      );
      const bad = values.filter((v) => !known.has(v));
      if (bad.length > 0) throw new Error(`select "${customId}" has no option ${bad.join(", ")}`);
    }
    return this.core.interactions.dispatch({
      type: 3,
      userId,
      channel,
      message,
      data: { custom_id: customId, component_type: type, values },
      ...o,
    });
  }

  /** A registered chat-input command (type 2); `name` may be "command subcommand". */
  slashCommand(
    userId: Snowflake,
    channelId: Snowflake,
    name: string,
    options: Record<string, string> = {},
    o: InteractionOptions = {},
  ): InteractionRec {
    const channel = this.requireChannel(channelId);
    const cmd = findCommand(this.core, channel, name);
    return this.core.interactions.dispatch({
      type: 2,
      userId,
      channel,
      data: commandData(cmd, name, options),
      ...o,
    });
  }

  /** Submits the modal the bot opened (callback 9) in answer to `interactionId`. */
  submitModal(
    interactionId: Snowflake,
    values: Record<string, string | string[]>,
    o: InteractionOptions = {},
  ): InteractionRec {
    const origin = this.interaction(interactionId);
    const modal = origin.callbacks.find((c) => c.type === 9)?.data as Record<string, unknown>;
    if (!modal) throw new Error(`interaction ${interactionId} opened no modal`);
    const channel = this.requireChannel(origin.channelId);
    const message = origin.messageId
      ? this.core.world.message(origin.channelId, origin.messageId)
      : undefined;
    return this.core.interactions.dispatch({
      type: 5,
      userId: origin.userId,
      channel,
      ...(message ? { message } : {}),
      data: { custom_id: modal.custom_id, components: modalSubmitComponents(modal, values) },
      locale: o.locale ?? origin.locale,
    });
  }

  deleteThreadByHand(threadId: Snowflake): void {
    deleteThreadByHand(this.core, threadId);
  }

  archiveThreadByHand(threadId: Snowflake, o: { locked?: boolean } = {}): void {
    archiveThreadByHand(this.core, threadId, o);
  }

  // ---- eyes ---------------------------------------------------------------------------------

  /** Messages of a channel in order, ephemeral ones included (marked), deleted ones not. */
  messages(channelId: Snowflake): MessageRec[] {
    return (this.core.world.messages.get(channelId) ?? []).filter((m) => m.deletedAt === null);
  }

  /** Every message ever stored in the channel, deleted ones included. */
  allMessages(channelId: Snowflake): MessageRec[] {
    return [...(this.core.world.messages.get(channelId) ?? [])];
  }

  botMessages(channelId: Snowflake): MessageRec[] {
    return this.messages(channelId).filter((m) => m.byBot);
  }

  channel(id: Snowflake): ChannelRec {
    return this.requireChannel(id);
  }

  threadsIn(parentId: Snowflake): ChannelRec[] {
    return this.core.world.threadsIn(parentId);
  }

  interaction(id: Snowflake): InteractionRec {
    const ix = this.core.interactions.byId.get(id);
    if (!ix) throw new Error(`unknown interaction ${id}`);
    return ix;
  }

  /** Pretends `ms` passed since the interaction was dispatched (deadline, 15-minute token). */
  ageInteraction(id: Snowflake, ms: number): void {
    this.core.interactions.age(id, ms);
  }

  /** Registered commands: a guild's, or the global ones. */
  commands(guildId?: Snowflake): CommandRec[] {
    return guildId
      ? [...(this.core.world.guildCommands.get(guildId) ?? [])]
      : [...this.core.world.globalCommands];
  }

  get calls(): CallRecord[] {
    return this.core.calls;
  }

  onCall(listener: (call: CallRecord) => void): () => void {
    return this.core.onCall(listener);
  }

  /** Resolves with the first message in the channel matching `predicate` (already there, or later). */
  waitForMessage(
    channelId: Snowflake,
    predicate: (m: MessageRec) => boolean = () => true,
    opts: WaitOptions = {},
  ): Promise<MessageRec> {
    return this.waitFor(() => this.messages(channelId).find(predicate), {
      timeoutMs: opts.timeoutMs ?? 5_000,
      what: `a message in ${channelId}`,
    });
  }

  /** Resolves with `check()`'s value once it is not false/null/undefined. */
  waitFor<T>(
    check: () => T | false | null | undefined,
    opts: WaitOptions & { what?: string } = {},
  ): Promise<T> {
    const timeoutMs = opts.timeoutMs ?? 5_000;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const done = () => {
        settled = true;
        off();
        clearInterval(poll);
        clearTimeout(timer);
      };
      const test = () => {
        if (settled) return;
        try {
          const v = check();
          if (v !== false && v !== null && v !== undefined) {
            done();
            resolve(v);
          }
        } catch (err) {
          done();
          reject(err);
        }
      };
      const off = this.core.onChange(test);
      // Conditions on time (deadlines) change without an event.
      const poll = setInterval(test, 20);
      const timer = setTimeout(() => {
        if (settled) return;
        done();
        const last = this.core.calls
          .slice(-5)
          .map((c) => `${c.method} ${c.path} → ${c.status}`)
          .join("; ");
        reject(
          new Error(
            `FakeDiscord.waitFor: ${opts.what ?? "condition"} not met within ${timeoutMs} ms; last calls: ${last || "none"}`,
          ),
        );
      }, timeoutMs);
      test();
    });
  }

  // ---- faults -------------------------------------------------------------------------------

  /** Closes every gateway socket (1006: abruptly, no close frame); clients will RESUME. */
  dropConnections(code = 1006): void {
    this.core.gateway.dropConnections(code);
  }

  /** RESUMEs answer op 9 d:false (the session is forgotten; the client must IDENTIFY again). */
  refuseResume(on = true): void {
    this.core.gateway.refuseResume(on);
  }

  /** op 7 RECONNECT to every socket. */
  sendReconnect(): void {
    this.core.gateway.sendReconnect();
  }

  /** op 9 d:false to connected sockets; every session is forgotten. */
  invalidateSessions(): void {
    this.core.gateway.invalidateSessions();
  }

  /** A random fraction of matching REST calls fail (429 by default); returns a stop function. */
  failRate(o: FailRateOptions): () => void {
    return this.core.faults.failRate(o);
  }

  /** The next `times` (default 1) REST calls matching `route` fail once each. */
  failNext(route: RegExp, spec: FailSpec): void {
    this.core.faults.failNext(route, spec);
  }

  // ---- internals ----------------------------------------------------------------------------

  private requireChannel(id: Snowflake): ChannelRec {
    const ch = this.core.world.channel(id);
    if (!ch) throw new Error(`unknown channel ${id}`);
    return ch;
  }
}
