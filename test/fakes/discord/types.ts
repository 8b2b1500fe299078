// Public records and options of the fake Discord. Records are live: the fake mutates them in place.

export type Snowflake = string;

/** Options of {@link FakeDiscord.start}. */
export interface StartOptions {
  /** Bot token; default one shaped like Discord's, "<base64 bot id>.GfAkE1.fake-discord-bot-token-for-tests". */
  token?: string;
  botId?: Snowflake;
  /** Defaults to the bot id, as for every bot Discord creates. */
  applicationId?: Snowflake;
  botUsername?: string;
  /** op 10 HELLO's heartbeat_interval (default 45000). */
  heartbeatIntervalMs?: number;
  /** How long a session with no socket can still be resumed (default Infinity). */
  resumeWindowMs?: number;
  /** Time allowed for an interaction's first callback (default 3000, as on Discord). */
  interactionDeadlineMs?: number;
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
}

/** A file a person sends (or a test inspects). */
export interface FakeFile {
  filename: string;
  data: Buffer | Uint8Array | string;
  contentType?: string;
  description?: string;
}

export interface AttachmentRec {
  id: Snowflake;
  filename: string;
  size: number;
  contentType: string;
  /** Downloadable from the fake's own HTTP server. */
  url: string;
  data: Buffer;
  description?: string;
}

export interface UserRec {
  id: Snowflake;
  username: string;
  globalName: string | null;
  locale: string;
  bot: boolean;
  /** closeDMs(): bot sends to this user's DM answer 403 50007. */
  dmsClosed: boolean;
}

export interface RoleRec {
  id: Snowflake;
  guildId: Snowflake;
  name: string;
  permissions: bigint;
  position: number;
  managed: boolean;
}

export interface MemberRec {
  userId: Snowflake;
  roles: Snowflake[];
  joinedAt: string;
  nick: string | null;
}

export interface GuildRec {
  id: Snowflake;
  name: string;
  ownerId: Snowflake;
  roles: Map<Snowflake, RoleRec>;
  members: Map<Snowflake, MemberRec>;
  /** The bot's managed role (its permissions are what setBotPermissions sets). */
  botRoleId: Snowflake;
  /** False after removeBotFromGuild. */
  botPresent: boolean;
}

export interface PermissionOverwrite {
  id: Snowflake;
  /** 0 role, 1 member */
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

export interface ForumTag {
  id: Snowflake;
  name: string;
  moderated: boolean;
  emoji_id: Snowflake | null;
  emoji_name: string | null;
}

export interface ChannelRec {
  id: Snowflake;
  /** 0 text, 1 DM, 4 category, 5 announcement, 10/11/12 threads, 15 forum */
  type: number;
  name: string;
  guildId: Snowflake | null;
  /** Category of a channel, or the parent channel of a thread. */
  parentId: Snowflake | null;
  topic: string | null;
  position: number;
  permissionOverwrites: PermissionOverwrite[];
  /** Forum channels. */
  availableTags: ForumTag[];
  /** Threads. */
  archived: boolean;
  locked: boolean;
  invitable: boolean;
  appliedTags: Snowflake[];
  autoArchiveDuration: number;
  archiveTimestamp: string | null;
  ownerId: Snowflake | null;
  memberIds: Set<Snowflake>;
  /** Successful renames (PATCH with a new name) of this channel. */
  renames: number;
  /** DM channels: the other person. */
  recipientId: Snowflake | null;
  deleted: boolean;
  createdAt: number;
  lastMessageId: Snowflake | null;
  messageCount: number;
}

export interface MessageRec {
  id: Snowflake;
  channelId: Snowflake;
  guildId: Snowflake | null;
  author: { id: Snowflake; username: string; global_name: string | null; bot?: boolean };
  byBot: boolean;
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: AttachmentRec[];
  nonce: string | number | null;
  flags: number;
  /** Discord message type: 0 default, 19 reply, 20 chat input command, 7 member join ... */
  type: number;
  allowedMentions: unknown;
  messageReference: { message_id?: Snowflake; channel_id?: Snowflake; guild_id?: Snowflake } | null;
  mentionIds: Snowflake[];
  mentionRoleIds: Snowflake[];
  mentionEveryone: boolean;
  createdAt: number;
  editedAt: number | null;
  deletedAt: number | null;
  /** Flag 64: only its interaction's user sees it; never in REST reads or gateway events. */
  ephemeral: boolean;
  /** Set on interaction responses and follow-ups. */
  interactionId: Snowflake | null;
  /** `interaction_metadata` of interaction responses and follow-ups (API shape). */
  interactionMetadata: {
    id: Snowflake;
    type: number;
    user: Record<string, unknown>;
    name?: string;
    [key: string]: unknown;
  } | null;
  webhookId: Snowflake | null;
  /** Thread started from this message (or the forum post it starts). */
  threadId: Snowflake | null;
  tts: boolean;
}

export interface InteractionCallback {
  type: number;
  data: unknown;
  at: number;
}

export interface InteractionRec {
  id: Snowflake;
  token: string;
  /** 2 application command, 3 message component, 5 modal submit */
  type: number;
  data: Record<string, unknown>;
  userId: Snowflake;
  channelId: Snowflake;
  guildId: Snowflake | null;
  /** The message carrying the component (type 3, or a modal opened from a component). */
  messageId: Snowflake | null;
  locale: string;
  /** When it was dispatched; the deadline and the 15-minute token window start here. */
  at: number;
  /** Accepted callbacks (at most one). */
  callbacks: InteractionCallback[];
  /** Callbacks answered with an error (late: 10062, second: 40060). */
  refusedCallbacks: Array<{ type: number; code: number; at: number }>;
  followUps: MessageRec[];
  /** The message created by callback 4/5 (the "@original" response). */
  responseMessageId: Snowflake | null;
  /** true: first callback in time; false: late, or none and the deadline passed; undefined: pending. */
  readonly ackedWithinDeadline: boolean | undefined;
}

/** One REST call as the fake saw it. */
export interface CallRecord {
  method: string;
  /** Decoded path below /api/v10, e.g. "/channels/123/messages". */
  path: string;
  /** Route template, e.g. "/channels/:id/messages" ("?" for unknown routes). */
  route: string;
  query: Record<string, string>;
  /** Parsed JSON body (payload_json for multipart), undefined when empty. */
  body: unknown;
  files: Array<{ field: string; filename: string; size: number; contentType: string }>;
  status: number;
  /** Discord error code of a failed call. */
  code?: number;
  /** true when faults (failNext / failRate) produced the answer. */
  injected: boolean;
  at: number;
}

export interface FailSpec {
  status: number;
  code?: number;
  message?: string;
  /** For 429s (default 0.1). */
  retryAfterSeconds?: number;
  /** How many matching calls fail (default 1). */
  times?: number;
}

export interface FailRateOptions {
  /** Fraction of matching calls that fail, 0..1. */
  rate: number;
  status?: number;
  retryAfterSeconds?: number;
  global?: boolean;
  /** Only calls whose path or route (or "METHOD path") matches. */
  routes?: RegExp;
  /** Makes the random choice reproducible. */
  seed?: number;
}

export interface WaitOptions {
  timeoutMs?: number;
}

export interface SessionInfo {
  id: string;
  seq: number;
  connected: boolean;
  intents: number;
}
