// How a platform plugs in: an adapter provides channels (outbound) and workspaces (the desk's
// place), and feeds what happens on the platform into the sink. A plugin brings its own slice
// of the environment and builds the adapter from it.
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { z } from "zod";
import type { Channel, ChannelLimits, OpenedMedia } from "./channel.ts";
import type { InboundEvent, MediaRef } from "./types.ts";
import type { AgentEvent, AgentWorkspace } from "./workspace.ts";

/** Where adapters hand what arrives. Each call resolves once the event is durable: then, and
 * only then, may the adapter acknowledge the platform. */
export interface InboundSink {
  customer(event: InboundEvent): Promise<void>;
  agent(event: AgentEvent): Promise<void>;
  /** A group or channel the bot saw that is not a customer chat or the agent chat: kept for
   * `frontline chats`, so an operator can find the id of the chat they mean to use. */
  chatSeen?(chat: SeenChat): Promise<void>;
}

export interface SeenChat {
  channel: string;
  id: string;
  title: string;
  type: string;
  /** Whether it can host one thread per ticket (a Telegram forum). */
  threads: boolean;
  /** The bot's standing there, as the platform names it ("administrator", "member"). */
  botStatus?: string;
}

/** The command menu to register, per locale (undefined: the platform's default). */
export interface CommandMenu {
  locale: string | undefined;
  commands: { command: string; description: string }[];
}

/** Texts the runtime owns that a platform shows (frontline.yaml's `messages:` overrides them). */
export type AdapterTextKey =
  | "privateThreadOpened"
  | "privateThreadFailed"
  | "supportPanel"
  | "supportPanelButton";

export interface AdapterContext {
  commandMenus: CommandMenu[];
  /** The desk's agent commands, for platforms that register commands for the staff place. */
  agentCommands: { command: string; description: string }[];
  /** The flows' languages; the first is the default. */
  locales: string[];
  logger?: Logger;
  /**
   * Redis, for what a platform must keep beyond a process that has no acknowledgement of its
   * own (Discord's gateway session and sequence): keys under `keyPrefix` only.
   */
  redis: Redis;
  keyPrefix: string;
  /** Opens media another platform owns (its channel's `openMedia`), to upload it here. */
  openMedia(media: MediaRef): Promise<OpenedMedia>;
  /** A runtime text in a language (falling back to the default language). */
  text(key: AdapterTextKey, locale: string | undefined): string;
}

export interface AdapterHealth {
  ok: boolean;
  /** One line for an operator: "polling", "webhook on :8443", "gateway reconnecting". */
  detail: string;
}

export interface ChannelAdapter {
  readonly name: string;
  readonly channels: readonly Channel[];
  readonly workspaces: readonly AgentWorkspace[];
  /** Connects and starts taking updates into the sink. Throws FrontlineError FL_ERR_CONFIG when
   * the platform refuses the configuration (bad token, port in use). */
  start(sink: InboundSink, context: AdapterContext): Promise<void>;
  /** Stops taking updates; what was recorded stays queued for any replica. */
  stop(): Promise<void>;
  health(): AdapterHealth;
  /** Preflight of the platform itself (its token answers): null when fine, else one sentence. */
  check?(): Promise<string | null>;
  /** One line on how the platform is wired now (e.g. the registered webhook), for doctor. */
  describe?(): Promise<string>;
}

export interface PluginContext {
  logger?: Logger;
}

export interface ChannelPlugin<Env extends Record<string, unknown> = Record<string, unknown>> {
  readonly name: string;
  /** This platform's variables (zod): parsed with the core's, errors reported together. */
  readonly env: z.ZodType<Env>;
  /** Message limits, known before any connection (the validator checks flows against them). */
  readonly limits: ChannelLimits;
  /** Whether the environment turns this platform on (e.g. its token is set). */
  enabled(env: Env): boolean;
  /** May load the platform's library only now (a promise), so a deployment that does not use
   * a platform does not carry it in memory. */
  create(env: Env, context: PluginContext): ChannelAdapter | Promise<ChannelAdapter>;
}
