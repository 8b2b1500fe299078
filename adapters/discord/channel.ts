// Outbound delivery to Discord through @discordjs/rest: escaped text with inert mentions, a
// nonce on every send, buttons as components, media downloaded and uploaded (also media from
// another platform, opened through the adapter context), failures classified for the outbox.
import type { RawFile, REST, RequestData } from "@discordjs/rest";
import {
  type APIEmbed,
  type APIMessage,
  type RESTPostAPIChannelMessageJSONBody,
  Routes,
} from "discord-api-types/v10";
import type {
  Address,
  Channel,
  MediaRef,
  OpenedMedia,
  OutboundMessage,
  RateLimit,
  SendOptions,
} from "../../src/index.ts";
import { classify, DiscordCode, discordCode } from "./errors.ts";
import { buttonRows, escapedParts, nonceOf, TEXT_LIMIT } from "./format.ts";
import { DISCORD_LIMITS } from "./limits.ts";
import { CHANNEL, parseMediaRef } from "./media.ts";

export { DISCORD_LIMITS };

export type MediaOpener = (media: MediaRef) => Promise<OpenedMedia>;

export interface DiscordPacing {
  global?: RateLimit;
  lane?: RateLimit;
  /** Posts into the desk (ticket threads, cards, notices) together; the default is 20/s. */
  desk?: RateLimit;
}

export interface OutgoingExtras {
  /** The ticket card is an embed; its text goes into the embed's description. */
  asEmbed?: { title?: string; color?: number };
  /** Role or user ids that may be pinged (agents on the desk; never from customer text). */
  allowRoles?: string[];
  prefix?: string;
}

export class DiscordChannel implements Channel {
  readonly name = CHANNEL;
  readonly limits = DISCORD_LIMITS;
  // Discord: 50 requests/s per bot overall; about 5 messages per 5 s in one channel. @discordjs/rest
  // also queues per bucket from the headers; pacing just under Discord's figures means its own
  // queue seldom has to wait on top of ours.
  readonly globalLimit: RateLimit = { burst: 25, perSecond: 45 };
  private readonly laneLimit: RateLimit = { burst: 5, perSecond: 1 };
  private opener: MediaOpener | undefined;

  constructor(
    private readonly rest: REST,
    pacing: DiscordPacing = {},
  ) {
    if (pacing.global) this.globalLimit = pacing.global;
    if (pacing.lane) this.laneLimit = pacing.lane;
  }

  /** How media of other platforms is opened (set by the adapter at start). */
  useMediaOpener(opener: MediaOpener | undefined): void {
    this.opener = opener;
  }

  /** A DM or a thread is one lane. */
  laneOf(address: Address): string {
    return address.chatId;
  }

  limitFor(_address: Address): RateLimit {
    return this.laneLimit;
  }

  async send(
    address: Address,
    message: OutboundMessage,
    options: SendOptions,
    extras: OutgoingExtras = {},
  ): Promise<{ messageId: string }> {
    try {
      return { messageId: (await this.post(address.chatId, message, options, extras)).id };
    } catch (err) {
      throw classify(err);
    }
  }

  /** Sends and returns Discord's message (the workspace needs it for forum posts). Throws the
   * REST error unclassified. */
  async post(
    channelId: string,
    message: OutboundMessage,
    options: SendOptions,
    extras: OutgoingExtras = {},
  ): Promise<APIMessage> {
    const { text, files, note } = await this.withMedia(message);
    const body = this.bodies(text + note, message, extras);
    let last: APIMessage | undefined;
    for (const [i, part] of body.entries()) {
      const isLast = i === body.length - 1;
      const key = body.length === 1 ? options.idempotencyKey : `${options.idempotencyKey}#${i}`;
      const request = {
        body: { ...part, nonce: nonceOf(key), enforce_nonce: true },
        ...(isLast && files.length ? { files } : {}),
      };
      last = await this.postUnarchiving(channelId, request);
    }
    return last!;
  }

  /** A thread closed by hand (archived and locked) is reopened for the post, as a post
   * reopens one that is only archived; anything else is thrown unclassified. */
  private async postUnarchiving(channelId: string, request: RequestData): Promise<APIMessage> {
    try {
      return (await this.rest.post(Routes.channelMessages(channelId), request)) as APIMessage;
    } catch (err) {
      if (discordCode(err) !== DiscordCode.ThreadArchived) throw err;
    }
    await this.rest.patch(Routes.channel(channelId), { body: { archived: false, locked: false } });
    return (await this.rest.post(Routes.channelMessages(channelId), request)) as APIMessage;
  }

  /** The message as one or more REST bodies (buttons, mentions and embed on the last part). */
  bodies(
    text: string,
    message: OutboundMessage,
    extras: OutgoingExtras = {},
  ): RESTPostAPIChannelMessageJSONBody[] {
    const userIds = (message.mentions ?? [])
      .map((m) => /^discord:(\d+)$/.exec(m.agentId)?.[1])
      .filter((id): id is string => Boolean(id));
    const pings = [
      ...userIds.map((id) => `<@${id}>`),
      ...(extras.allowRoles ?? []).map((id) => `<@&${id}>`),
    ].join(" ");
    const allowed = {
      parse: [],
      users: userIds,
      roles: extras.allowRoles ?? [],
    } as RESTPostAPIChannelMessageJSONBody["allowed_mentions"];
    const components = message.buttons?.length ? buttonRows(message.buttons) : undefined;
    if (extras.asEmbed) {
      const embed: APIEmbed = {
        ...(extras.asEmbed.title ? { title: extras.asEmbed.title.slice(0, 256) } : {}),
        description: escapedParts(text)[0]!.slice(0, 4096),
        ...(extras.asEmbed.color !== undefined ? { color: extras.asEmbed.color } : {}),
      };
      return [
        {
          ...(pings ? { content: pings } : {}),
          embeds: [embed],
          allowed_mentions: allowed,
          ...(components ? { components } : {}),
        },
      ];
    }
    const parts = escapedParts(text);
    if (pings) {
      const last = parts.length - 1;
      if (parts[last]!.length + pings.length + 1 <= TEXT_LIMIT) parts[last] += `\n${pings}`;
      else parts.push(pings);
    }
    return parts.map((content, i) => ({
      content,
      allowed_mentions: allowed,
      ...(i === parts.length - 1 && components ? { components } : {}),
    }));
  }

  /** Downloads one of our attachments (Discord's CDN URL is in the ref). */
  async openMedia(media: MediaRef): Promise<OpenedMedia> {
    const ref = parseMediaRef(media.ref);
    if (!ref) throw new Error(`not a Discord media reference: ${media.ref}`);
    const response = await fetch(ref.url, { signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`downloading ${ref.name}: HTTP ${response.status}`);
    return {
      data: new Uint8Array(await response.arrayBuffer()),
      name: ref.name,
      ...(ref.type ? { mime: ref.type } : {}),
    };
  }

  /** The file to upload, or a line saying in words what could not be carried. */
  private async withMedia(
    message: OutboundMessage,
  ): Promise<{ text: string; files: RawFile[]; note: string }> {
    const media = message.media;
    if (!media) return { text: message.text, files: [], note: "" };
    const label = `${media.kind}${media.name ? `: ${media.name}` : ""}`;
    const sep = message.text ? "\n" : "";
    const opener = media.channel === CHANNEL ? (m: MediaRef) => this.openMedia(m) : this.opener;
    if (!opener)
      return {
        text: message.text,
        files: [],
        note: `${sep}[${label} from ${media.channel}, not carried]`,
      };
    let opened: OpenedMedia;
    try {
      opened = await opener(media);
    } catch (err) {
      return {
        text: message.text,
        files: [],
        note: `${sep}[${label} from ${media.channel} could not be carried: ${(err as Error).message}]`,
      };
    }
    if (opened.data.byteLength > this.limits.uploadBytes) {
      const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
      return {
        text: message.text,
        files: [],
        note: `${sep}[${label}: ${mb(opened.data.byteLength)} is over Discord's ${mb(this.limits.uploadBytes)} limit, not carried]`,
      };
    }
    return {
      text: message.text,
      files: [
        {
          name: safeFileName(opened.name, media.kind),
          data: Buffer.from(opened.data),
          ...(opened.mime ? { contentType: opened.mime } : {}),
        },
      ],
      note: "",
    };
  }
}

function safeFileName(name: string | undefined, kind: MediaRef["kind"]): string {
  const clean = (name ?? "").replace(/[^\p{L}\p{N}._-]+/gu, "_").slice(0, 100);
  if (clean) return clean;
  return kind === "photo" ? "photo.jpg" : kind === "voice" ? "voice.ogg" : `${kind}.bin`;
}
