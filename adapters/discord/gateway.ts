// Holding Discord's gateway durably. One process per shard holds it (a lease in Redis with a
// short TTL, renewed while alive); the others process queues and stand by, and take the shard
// over when its holder stops renewing. The holder's session (id, resume URL, and the sequence
// of the last *recorded* event) is in Redis, so whoever connects next RESUMEs and Discord
// replays what was not recorded; when Discord refuses the resume, `onNewSession` backfills,
// and the stored session says so until the backfill is done (a holder that dies midway leaves
// it to the next one, which finishes it even though its own resume succeeds).
import { randomUUID } from "node:crypto";
import type { REST } from "@discordjs/rest";
import { type SessionInfo, WebSocketManager, WebSocketShardEvents } from "@discordjs/ws";
import {
  type GatewayDispatchPayload,
  type RESTGetAPIGatewayBotResult,
  Routes,
} from "discord-api-types/v10";
import type { Logger } from "pino";
import type { GatewayStore, StoredSession } from "./gateway-store.ts";
import { Watermark } from "./watermark.ts";

/** @discordjs/ws's own "resuming" close code. */
const RESUMABLE_CLOSE = 4200;
/** Close codes after which Discord will not take this connection back (token, intents, shards). */
const FATAL_CLOSES = new Set([4004, 4010, 4011, 4012, 4013, 4014]);

export interface GatewayOptions {
  token: string;
  rest: REST;
  intents: number;
  store: GatewayStore;
  /** How long a lease lives unrenewed: a dead holder's shard is taken over after about this. */
  leaseMs: number;
  logger?: Logger;
  /** Resolves once the event is recorded (or needs no recording); keeps retrying by itself and
   * rejects only when the adapter stops (the event is then left for a replay). */
  onDispatch(shard: number, event: GatewayDispatchPayload): Promise<void>;
  /** A new session began (READY, not RESUMED): events may have been missed; read them by REST.
   * Live events wait until it resolves, so per-conversation order holds. */
  onNewSession(shard: number): Promise<void>;
  onState(detail: string, ok: boolean): void;
}

export class Gateway {
  /** This process's lease token: who holds a shard. */
  readonly holderId = randomUUID();
  private readonly held = new Map<number, HeldShard>();
  private readonly opening = new Set<Promise<void>>();
  private shardCount = 1;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  private trouble: string | undefined;

  constructor(private readonly options: GatewayOptions) {}

  /** Learns the shard count, then takes every free shard it can (waiting for the ones it got). */
  async start(): Promise<void> {
    const info = (await this.options.rest.get(Routes.gatewayBot())) as RESTGetAPIGatewayBotResult;
    this.shardCount = Math.max(1, info.shards);
    await this.tick();
    await Promise.all([...this.opening]);
    const every = Math.max(200, Math.floor(this.options.leaseMs / 3));
    this.timer = setInterval(() => {
      this.ticking ??= this.tick().finally(() => {
        this.ticking = undefined;
      });
    }, every);
    this.timer.unref();
  }

  get holding(): number[] {
    return [...this.held.keys()];
  }

  /**
   * Renews what it holds (dropping what it lost) and tries to take what nobody holds. Opening a
   * shard is not awaited here: a slow connect must never hold back the renewals.
   */
  private async tick(): Promise<void> {
    const { store, leaseMs, logger } = this.options;
    for (let shard = 0; shard < this.shardCount && !this.stopped; shard++) {
      const mine = this.held.get(shard);
      try {
        if (mine) {
          if (await store.renew(shard, this.holderId, leaseMs)) continue;
          logger?.warn(
            { shard },
            "lost the Discord gateway lease (this process was paused?); letting go",
          );
          this.held.delete(shard);
          await mine.close(false);
          continue;
        }
        if (!(await store.acquire(shard, this.holderId, leaseMs))) continue;
        const held = new HeldShard(shard, this.shardCount, this.holderId, this.options, (why) =>
          this.drop(shard, held, why),
        );
        this.held.set(shard, held);
        const opening = held
          .open()
          .then(() => {
            this.trouble = undefined;
            this.report();
          })
          .catch((err) => this.drop(shard, held, `could not connect: ${(err as Error).message}`))
          .finally(() => this.opening.delete(opening));
        this.opening.add(opening);
      } catch (err) {
        logger?.warn({ shard, err: String(err) }, "gateway lease check failed; trying again");
      }
    }
    this.report();
  }

  /** A shard that cannot connect, or that Discord closed for good, is let go: its lease is
   * released so another process (or a later tick here) can try. */
  private async drop(shard: number, held: HeldShard, why: string): Promise<void> {
    if (this.held.get(shard) !== held) return;
    this.held.delete(shard);
    this.trouble = `Discord gateway shard ${shard}: ${why}`;
    this.options.logger?.error({ shard }, this.trouble);
    await held.close(true);
    this.report();
  }

  private report(): void {
    if (this.trouble) {
      this.options.onState(this.trouble, false);
      return;
    }
    const shards = this.holding;
    if (shards.length === 0)
      this.options.onState("standby: another process holds the Discord gateway", true);
    else this.options.onState(`gateway (shard ${shards.join(", ")} of ${this.shardCount})`, true);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const held = [...this.held.values()];
    this.held.clear();
    await Promise.all(held.map((h) => h.close(true)));
    await this.ticking?.catch(() => {});
  }
}

/** One shard this process holds: its connection, its session and its watermark. */
class HeldShard {
  private readonly manager: WebSocketManager;
  private session: StoredSession | null = null;
  private readonly watermark = new Watermark(0);
  /** Live events wait behind a backfill. */
  private gate: Promise<void> = Promise.resolve();
  private flushing: Promise<void> | undefined;
  private flushAgain = false;
  private closed = false;

  constructor(
    private readonly shard: number,
    shardCount: number,
    private readonly token: string,
    private readonly options: GatewayOptions,
    private readonly onFatal: (why: string) => void,
  ) {
    this.manager = new WebSocketManager({
      token: options.token,
      intents: options.intents,
      rest: options.rest,
      shardCount,
      shardIds: [shard],
      retrieveSessionInfo: () => this.sessionInfo(),
      updateSessionInfo: (_id, info) => this.onSessionInfo(info),
    });
    this.manager.on(WebSocketShardEvents.Dispatch, ({ data }) => this.onDispatch(data));
    this.manager.on(WebSocketShardEvents.Resumed, () =>
      this.options.logger?.info({ shard }, "resumed the Discord session; missed events replayed"),
    );
    this.manager.on(WebSocketShardEvents.Closed, ({ code }) => {
      this.options.logger?.info({ shard, code }, "Discord gateway connection closed");
      if (FATAL_CLOSES.has(code) && !this.closed)
        this.onFatal(`Discord closed the gateway with ${code} and will not take it back`);
    });
    this.manager.on(WebSocketShardEvents.Error, ({ error }) =>
      this.options.logger?.warn({ shard, err: String(error) }, "Discord gateway error"),
    );
  }

  async open(): Promise<void> {
    this.session = await this.options.store.load(this.shard);
    this.watermark.reset(this.session?.sequence ?? 0);
    this.options.logger?.info(
      { shard: this.shard, resume: Boolean(this.session) },
      this.session
        ? "taking the Discord gateway: resuming the stored session"
        : "taking the Discord gateway",
    );
    // A backfill its last holder did not finish: finish it before anything the resume replays.
    if (this.session?.backfillPending) this.startBackfill(this.session.sessionId);
    await this.manager.connect();
  }

  /** What @discordjs/ws resumes from: the stored session at the last *recorded* sequence. */
  private sessionInfo(): SessionInfo | null {
    if (!this.session) return null;
    return {
      sessionId: this.session.sessionId,
      resumeURL: this.session.resumeURL,
      sequence: this.watermark.value,
      shardId: this.shard,
      shardCount: this.session.shardCount,
    };
  }

  /** The shard reports a new session (READY), a later sequence (ignored: only recorded events
   * count), or none (invalid session: it will identify anew). */
  private async onSessionInfo(info: SessionInfo | null): Promise<void> {
    if (this.closed) return;
    if (info && info.sessionId === this.session?.sessionId) return;
    if (!info) {
      this.session = null;
      await this.options.store.save(this.shard, this.token, null).catch(() => {});
      return;
    }
    this.session = {
      sessionId: info.sessionId,
      resumeURL: info.resumeURL,
      sequence: info.sequence,
      shardCount: info.shardCount,
      backfillPending: true,
    };
    this.watermark.reset(info.sequence);
    // Before the first await: the shard emits later events while this write is out, and they
    // must already find the backfill's gate.
    this.startBackfill(info.sessionId);
    // Awaited by the shard before it goes on: the new session is stored before its events.
    await this.options.store.save(this.shard, this.token, this.session);
  }

  /** Everything that happened while no session was open is only in the channels' history. */
  private startBackfill(sessionId: string): void {
    const run = async () => {
      await this.options.onNewSession(this.shard);
      if (this.closed) return;
      if (this.session?.sessionId === sessionId) this.session.backfillPending = false;
      await this.options.store.backfilled(this.shard, this.token, sessionId);
    };
    const done = run().catch((err) =>
      this.options.logger?.error(
        { err: String(err) },
        "backfill after a new session stopped; the next holder finishes it",
      ),
    );
    this.gate = this.gate.then(() => done);
  }

  private onDispatch(event: GatewayDispatchPayload): void {
    const seq = event.s;
    const sessionId = this.session?.sessionId;
    this.watermark.begin(seq);
    this.gate
      .then(() => this.options.onDispatch(this.shard, event))
      .then(
        () => {
          if (sessionId === this.session?.sessionId && this.watermark.finish(seq)) this.flush();
        },
        (err) => {
          // Only when stopping: the watermark stays behind this event, so the next holder gets
          // it replayed.
          this.options.logger?.info({ seq, err: String(err) }, "a Discord event left for a replay");
        },
      );
  }

  /** Stores the watermark; one write in flight at a time, the latest value wins. */
  private flush(): void {
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    const session = this.session;
    if (!session) return;
    const value = this.watermark.value;
    this.flushing = this.options.store
      .advance(this.shard, this.token, session.sessionId, value)
      .then(
        () => {},
        (err) =>
          this.options.logger?.warn({ err: String(err) }, "could not store the gateway sequence"),
      )
      .finally(() => {
        this.flushing = undefined;
        if (this.flushAgain) {
          this.flushAgain = false;
          this.flush();
        }
      });
  }

  async close(release: boolean): Promise<void> {
    this.closed = true;
    // Closed with a non-1000 code on purpose: Discord invalidates a session closed with 1000,
    // and this one stays stored for the next holder to RESUME. (No `recover`: that reconnects.)
    await Promise.resolve(
      this.manager.destroy({ code: RESUMABLE_CLOSE, reason: "handing over" }),
    ).catch(() => {});
    await this.flushing;
    if (release) await this.options.store.release(this.shard, this.token).catch(() => {});
  }
}
