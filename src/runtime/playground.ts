// The playground's product: the real Frontline (intake, engine, outbox, desk) around the local
// web adapter, rebuilt on "reload flows". A reload validates the edited files first; a broken
// edit returns the validator's report and the running flows keep answering. The web part (the
// adapter, its page and server) comes from the composition root as a PlaygroundPlugin, so src/
// names no adapter.
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { ChannelAdapter } from "../core/adapter.ts";
import type { FlowSet } from "../flows/flowset.ts";
import { loadFlows } from "../flows/load.ts";
import { formatProblems } from "../flows/problems.ts";
import { createFrontline, type Frontline } from "./frontline.ts";

export type ReloadOutcome =
  | { ok: true; flows: number; loadedAt: number }
  | { ok: false; report: string };

/** What the page's server needs from the product: the running one, and a way to reload it. */
export interface PlaygroundProductView {
  readonly current: Frontline;
  readonly flowsDir: string;
  reload(): Promise<ReloadOutcome>;
  /** Called with every product built (the first and each reload), before it takes messages. */
  onBuilt(listener: (frontline: Frontline) => void): void;
}

export interface PlaygroundWeb {
  /** The web channel and workspace, handed to every product built. */
  readonly adapter: ChannelAdapter;
  /** Starts serving the page; resolves to the address it listens on. */
  listen(product: PlaygroundProductView): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
}

export interface PlaygroundWebOptions {
  redis: Redis;
  prefix: string;
  host: string;
  port: number;
  /** Required (checked on every API call) when `host` is not a loopback address. */
  token?: string;
  logger?: Logger;
}

/** The web playground as the composition root (bin/, adapters/) provides it. */
export interface PlaygroundPlugin {
  create(options: PlaygroundWebOptions): PlaygroundWeb;
}

export interface PlaygroundProductOptions {
  redis: Redis;
  prefix: string;
  flowsDir: string;
  flows: FlowSet;
  adapter: ChannelAdapter;
  logger?: Logger;
  recoveryMs?: number;
}

export class PlaygroundProduct implements PlaygroundProductView {
  private frontline: Frontline | undefined;
  private readonly listeners: ((frontline: Frontline) => void)[] = [];
  private reloading: Promise<ReloadOutcome> | undefined;
  private flows: FlowSet;

  constructor(private readonly options: PlaygroundProductOptions) {
    this.flows = options.flows;
  }

  get flowsDir(): string {
    return this.options.flowsDir;
  }

  get current(): Frontline {
    if (!this.frontline) throw new Error("the playground has not started");
    return this.frontline;
  }

  onBuilt(listener: (frontline: Frontline) => void): void {
    this.listeners.push(listener);
    if (this.frontline) listener(this.frontline);
  }

  async start(): Promise<void> {
    this.frontline = await this.build(this.flows);
  }

  /** One reload at a time: a second click while one runs gets the same outcome. */
  reload(): Promise<ReloadOutcome> {
    this.reloading ??= this.swap().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async swap(): Promise<ReloadOutcome> {
    const loaded = loadFlows(this.options.flowsDir, { platforms: this.options.adapter.channels });
    if (!loaded.ok) return { ok: false, report: formatProblems(loaded.problems) };
    // Nothing is lost in between: what arrives while the old product drains is recorded by the
    // new one (the page's requests wait for it), and work in Redis is the same for both.
    await this.frontline?.stop(5_000);
    this.frontline = undefined;
    try {
      this.frontline = await this.build(loaded.flowSet);
    } catch (err) {
      // Valid files the product still refused (e.g. the desk's preflight): back to the old ones
      // (build() has already stopped the refused product's workers).
      const refused = `the new flows could not start: ${(err as Error).message}`;
      try {
        this.frontline = await this.build(this.flows);
      } catch (again) {
        return {
          ok: false,
          report: `${refused}; and the previous flows could not start again either (${(again as Error).message}): restart the playground`,
        };
      }
      return { ok: false, report: refused };
    }
    this.flows = loaded.flowSet;
    return { ok: true, flows: loaded.flowSet.flows.size, loadedAt: Date.now() };
  }

  private async build(flows: FlowSet): Promise<Frontline> {
    const { redis, prefix, adapter, logger, recoveryMs } = this.options;
    const frontline = await createFrontline({
      redis,
      prefix,
      flows,
      adapters: [adapter],
      logger,
      recoveryMs,
      debugTurns: true,
    });
    for (const listener of this.listeners) listener(frontline);
    try {
      await frontline.start();
    } catch (err) {
      // Its queue workers run from construction: a product that did not start must not keep
      // taking messages beside the one that replaces it.
      await frontline.stop(1_000).catch(() => {});
      throw err;
    }
    return frontline;
  }

  async stop(): Promise<void> {
    await this.frontline?.stop(5_000);
  }
}
