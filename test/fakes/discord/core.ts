// The fake's shared core: config, world, gateway, faults, interactions, the call log, waiters.
import { Faults } from "./faults.ts";
import { Gateway } from "./gateway.ts";
import type { DispatchMeta } from "./intents.ts";
import { Interactions } from "./interactions.ts";
import { identifyEvents, requestMembers } from "./ready.ts";
import { RenameLimit } from "./renames.ts";
import { World } from "./state.ts";
import type { CallRecord, Snowflake } from "./types.ts";

export interface CoreConfig {
  token: string;
  botId: Snowflake;
  botUsername: string;
  applicationId: Snowflake;
  heartbeatIntervalMs: number;
  resumeWindowMs: number;
  interactionDeadlineMs: number;
}

export class Core {
  readonly world: World;
  readonly gateway: Gateway;
  readonly faults = new Faults();
  readonly renames = new RenameLimit();
  readonly interactions: Interactions;
  readonly calls: CallRecord[] = [];
  private readonly callListeners = new Set<(c: CallRecord) => void>();
  private readonly changeListeners = new Set<() => void>();
  port = 0;

  constructor(readonly config: CoreConfig) {
    this.world = new World(
      { id: config.botId, username: config.botUsername },
      config.applicationId,
      () => this.origin,
    );
    this.gateway = new Gateway({
      token: config.token,
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      resumeWindowMs: config.resumeWindowMs,
      applicationFlags: () => this.world.applicationFlags,
      identifyEvents: () => identifyEvents(this.world),
      url: () => `ws://127.0.0.1:${this.port}`,
      requestMembers: (d) => requestMembers(this.world, d),
      changed: () => this.changed(),
    });
    this.interactions = new Interactions(this);
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Sends a dispatch to every live session its intents allow. */
  emit(t: string, d: Record<string, unknown>, meta: DispatchMeta = {}): void {
    this.gateway.dispatch(t, d, meta);
    this.changed();
  }

  record(call: CallRecord): void {
    this.calls.push(call);
    for (const l of this.callListeners) l(call);
    this.changed();
  }

  onCall(listener: (c: CallRecord) => void): () => void {
    this.callListeners.add(listener);
    return () => {
      this.callListeners.delete(listener);
    };
  }

  /** Waiters re-check their condition on every change (and on a short timer). */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => {
      this.changeListeners.delete(listener);
    };
  }

  changed(): void {
    for (const l of [...this.changeListeners]) l();
  }
}
