// Interactions: INTERACTION_CREATE with the fields discord.js dereferences, the 3-second first
// callback, callback types 4/5/6/7/9, and the interaction webhook (follow-ups, @original) that
// lives for 15 minutes.
import type { Upload } from "./body.ts";
import { MAX_UPLOAD_BYTES } from "./body.ts";
import type { Core } from "./core.ts";
import {
  alreadyAcknowledged,
  invalidField,
  invalidWebhookToken,
  unknownChannel,
  unknownInteraction,
  unknownMessage,
  unknownWebhook,
} from "./errors.ts";
import { messageCreate, messageDelete, messageUpdate } from "./events.ts";
import { randomToken } from "./ids.ts";
import { applyEdit, composeBotMessage, EPHEMERAL, LOADING } from "./messages.ts";
import { apiChannel, apiMember, apiMessage, apiUser } from "./payloads.ts";
import { DM_PERMISSIONS } from "./permissions.ts";
import { noContent, type Reply, reply } from "./router.ts";
import type {
  ChannelRec,
  InteractionCallback,
  InteractionRec,
  MessageRec,
  Snowflake,
} from "./types.ts";
import { validateModal } from "./validate.ts";

type Obj = Record<string, unknown>;

export const TOKEN_LIFETIME_MS = 15 * 60_000;

export interface InteractionSpec {
  type: 2 | 3 | 5;
  userId: Snowflake;
  channel: ChannelRec;
  data: Obj;
  message?: MessageRec;
  locale?: string;
}

class Interaction implements InteractionRec {
  readonly callbacks: InteractionCallback[] = [];
  readonly refusedCallbacks: InteractionRec["refusedCallbacks"] = [];
  readonly followUps: MessageRec[] = [];
  responseMessageId: Snowflake | null = null;
  at = Date.now();

  constructor(
    readonly id: Snowflake,
    readonly token: string,
    readonly type: number,
    readonly data: Obj,
    readonly userId: Snowflake,
    readonly channelId: Snowflake,
    readonly guildId: Snowflake | null,
    readonly messageId: Snowflake | null,
    readonly locale: string,
    private readonly deadlineMs: number,
  ) {}

  get ackedWithinDeadline(): boolean | undefined {
    const first = this.callbacks[0];
    if (first) return first.at - this.at <= this.deadlineMs;
    if (this.refusedCallbacks.length > 0 || Date.now() - this.at > this.deadlineMs) return false;
    return undefined;
  }
}

export class Interactions {
  readonly byId = new Map<Snowflake, Interaction>();
  private readonly byToken = new Map<string, Interaction>();

  constructor(private readonly core: Core) {}

  dispatch(spec: InteractionSpec): InteractionRec {
    const { world } = this.core;
    const ch = spec.channel;
    const guild = world.guildOf(ch);
    const user = world.user(spec.userId);
    const member = guild?.members.get(user.id);
    if (guild && !member) throw new Error(`user ${user.id} is not a member of guild ${guild.id}`);
    if (guild && !guild.botPresent) throw new Error(`the bot is not in guild ${guild.id}`);
    const ix = new Interaction(
      world.ids.next(),
      randomToken(),
      spec.type,
      spec.data,
      user.id,
      ch.id,
      guild?.id ?? null,
      spec.message?.id ?? null,
      spec.locale ?? user.locale,
      this.core.config.interactionDeadlineMs,
    );
    this.byId.set(ix.id, ix);
    this.byToken.set(ix.token, ix);
    const d: Obj = {
      id: ix.id,
      application_id: world.applicationId,
      type: ix.type,
      token: ix.token,
      version: 1,
      data: ix.data,
      channel: apiChannel(world, ch),
      channel_id: ch.id,
      app_permissions: (guild ? world.permissionsIn(ch, world.bot.id) : DM_PERMISSIONS).toString(),
      locale: ix.locale,
      entitlements: [],
      // Guild-installed app: key "0" (GUILD_INSTALL) is the guild, or "0" in the bot's DM.
      authorizing_integration_owners: { "0": guild?.id ?? "0" },
      context: guild ? 0 : 1,
      attachment_size_limit: MAX_UPLOAD_BYTES,
    };
    if (guild && member) {
      d.guild_id = guild.id;
      d.guild = { id: guild.id, locale: "en-US", features: [] };
      d.guild_locale = "en-US";
      d.member = apiMember(world, guild, member, { permissions: world.permissionsIn(ch, user.id) });
    } else {
      d.user = apiUser(user);
    }
    if (spec.message) d.message = apiMessage(world, spec.message);
    this.core.emit("INTERACTION_CREATE", d);
    return ix;
  }

  // ---- POST /interactions/{id}/{token}/callback -------------------------------------------

  callback(id: string, token: string, body: Obj, uploads: Upload[], withResponse: boolean): Reply {
    const ix = this.byId.get(id);
    if (!ix || ix.token !== token) throw unknownInteraction();
    const type = Number(body?.type);
    const now = Date.now();
    if (ix.callbacks.length > 0) {
      ix.refusedCallbacks.push({ type, code: 40060, at: now });
      throw alreadyAcknowledged();
    }
    if (now - ix.at > this.core.config.interactionDeadlineMs) {
      // Discord invalidates the token once the 3 s pass without a response.
      ix.refusedCallbacks.push({ type, code: 10062, at: now });
      throw unknownInteraction();
    }
    const data = (body.data ?? {}) as Obj;
    const message = this.apply(ix, type, data, uploads);
    ix.callbacks.push({ type, data: body.data, at: now });
    this.core.changed();
    if (!withResponse) return noContent();
    const resource: Obj = { type };
    if (message && (type === 4 || type === 7))
      resource.message = apiMessage(this.core.world, message);
    const callback: Obj = { id: ix.id, type: ix.type, activity_instance_id: null };
    if (ix.responseMessageId && message) {
      callback.response_message_id = message.id;
      callback.response_message_loading = (message.flags & LOADING) !== 0;
      callback.response_message_ephemeral = message.ephemeral;
    }
    return reply(200, { interaction: callback, resource });
  }

  private apply(
    ix: Interaction,
    type: number,
    data: Obj,
    uploads: Upload[],
  ): MessageRec | undefined {
    const fromComponent = ix.type === 3 || (ix.type === 5 && ix.messageId !== null);
    const invalid = () =>
      invalidField(
        "type",
        "INTERACTION_RESPONSE_TYPE_INVALID",
        "Invalid interaction response type",
      );
    switch (type) {
      case 4: {
        const m = this.storeResponse(
          ix,
          composeBotMessage(this.core, this.channel(ix), data, uploads),
        );
        ix.responseMessageId = m.id;
        messageCreate(this.core, m);
        return m;
      }
      case 5: {
        // The "is thinking..." message that @original edits later; only EPHEMERAL is kept.
        const flags = LOADING | (Number(data.flags ?? 0) & EPHEMERAL);
        const bot = this.core.world.bot;
        const m = this.storeResponse(ix, {
          author: { id: bot.id, username: bot.username, global_name: null, bot: true },
          byBot: true,
          flags,
          ephemeral: (flags & EPHEMERAL) !== 0,
        });
        ix.responseMessageId = m.id;
        messageCreate(this.core, m);
        return m;
      }
      case 6:
        if (!fromComponent) throw invalid();
        return undefined;
      case 7: {
        if (!fromComponent) throw invalid();
        const source = this.core.world.message(ix.channelId, ix.messageId as string);
        if (!source) throw unknownMessage();
        applyEdit(this.core, source, data, uploads);
        messageUpdate(this.core, source);
        return source;
      }
      case 9:
        if (ix.type === 5) throw invalid();
        validateModal(data);
        return undefined;
      default:
        throw invalid();
    }
  }

  private channel(ix: Interaction): ChannelRec {
    const ch = this.core.world.channel(ix.channelId);
    if (!ch || ch.deleted) throw unknownChannel();
    return ch;
  }

  /** Stores a response or follow-up: authored by the bot through the app's webhook. */
  private storeResponse(
    ix: Interaction,
    fields: Parameters<Core["world"]["storeMessage"]>[1],
    followUpOf?: Snowflake,
  ): MessageRec {
    const { world } = this.core;
    const command = ix.type === 2 ? String(ix.data.name ?? "") : undefined;
    const meta: NonNullable<MessageRec["interactionMetadata"]> = {
      id: ix.id,
      type: ix.type,
      user: apiUser(world.user(ix.userId)),
      authorizing_integration_owners: { "0": ix.guildId ?? "0" },
    };
    if (command !== undefined) {
      meta.name = command;
      meta.command_type = 1;
    }
    if (ix.messageId) meta.interacted_message_id = ix.messageId;
    if (followUpOf) meta.original_response_message_id = followUpOf;
    const m = world.storeMessage(this.channel(ix), {
      ...fields,
      webhookId: world.applicationId,
      interactionId: ix.id,
      interactionMetadata: meta,
      // Command responses are type 20; component responses reply to the component's message.
      type: command !== undefined ? 20 : ix.messageId ? 19 : 0,
      messageReference:
        command === undefined && ix.messageId
          ? {
              message_id: ix.messageId,
              channel_id: ix.channelId,
              ...(ix.guildId ? { guild_id: ix.guildId } : {}),
            }
          : null,
    });
    return m;
  }

  // ---- /webhooks/{app}/{token} ----------------------------------------------------------------

  /** The interaction behind a webhook token, if it may still be used. */
  webhook(appId: string, token: string): Interaction {
    const ix = this.byToken.get(token);
    if (!ix || appId !== this.core.world.applicationId) throw unknownWebhook();
    if (Date.now() - ix.at > TOKEN_LIFETIME_MS) throw invalidWebhookToken();
    // Before the first callback there is nothing to follow up or edit.
    if (ix.callbacks.length === 0) throw unknownWebhook();
    return ix;
  }

  /** "@original" (the response, or the component's message after 6/7) or a follow-up id. */
  target(ix: Interaction, messageId: string): MessageRec {
    const { world } = this.core;
    let id: string | null = messageId;
    if (messageId === "@original") {
      const t = ix.callbacks[0]?.type;
      id = ix.responseMessageId ?? (t === 6 || t === 7 ? ix.messageId : null);
    } else if (id !== ix.responseMessageId && !ix.followUps.some((f) => f.id === id)) {
      id = null;
    }
    const m = id ? world.message(ix.channelId, id) : undefined;
    if (!m) throw unknownMessage();
    return m;
  }

  followUp(ix: Interaction, payload: Obj, uploads: Upload[]): MessageRec {
    const original = ix.responseMessageId
      ? this.core.world.message(ix.channelId, ix.responseMessageId)
      : undefined;
    if (original && original.flags & LOADING) {
      // Discord (for backwards compatibility): the first follow-up after a deferred reply edits
      // the loading message instead of creating one; its ephemeral state stays.
      applyEdit(this.core, original, payload, uploads);
      messageUpdate(this.core, original);
      return original;
    }
    const fields = composeBotMessage(this.core, this.channel(ix), payload, uploads);
    const m = this.storeResponse(ix, fields, ix.responseMessageId ?? undefined);
    ix.followUps.push(m);
    messageCreate(this.core, m);
    return m;
  }

  edit(m: MessageRec, payload: Obj, uploads: Upload[]): MessageRec {
    applyEdit(this.core, m, payload, uploads);
    messageUpdate(this.core, m);
    return m;
  }

  remove(m: MessageRec): void {
    m.deletedAt = Date.now();
    messageDelete(this.core, m);
  }

  /** Tests: pretend `ms` passed since the interaction was dispatched. */
  age(id: string, ms: number): void {
    const ix = this.byId.get(id);
    if (!ix) throw new Error(`unknown interaction ${id}`);
    ix.at -= ms;
  }
}
