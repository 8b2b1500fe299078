// Gateway sessions. A session outlives its socket: every event goes into its buffer whether a
// socket is attached or not, so a RESUME (even from a new process) can replay what was missed.
import type { WebSocket } from "ws";

export interface Dispatch {
  op: 0;
  t: string;
  s: number;
  d: unknown;
}

/** One WebSocket as the gateway sees it. */
export interface Conn {
  ws: WebSocket;
  session: Session | null;
  /** The fake closed it (dropConnections, detaching on resume): the session stays resumable. */
  closedByServer: boolean;
}

export class Session {
  seq = 0;
  readonly buffer: Dispatch[] = [];
  conn: Conn | null = null;
  /** When the last socket went away (null while attached). */
  detachedAt: number | null = null;

  constructor(
    readonly id: string,
    readonly intents: number,
  ) {}

  push(t: string, d: unknown): Dispatch {
    const frame: Dispatch = { op: 0, t, s: ++this.seq, d };
    this.buffer.push(frame);
    return frame;
  }

  /** Buffered dispatches after `seq`, in order (READY is never replayed). */
  since(seq: number): Dispatch[] {
    return this.buffer.filter((f) => f.s > seq && f.t !== "READY");
  }

  expired(now: number, windowMs: number): boolean {
    return this.detachedAt !== null && now - this.detachedAt > windowMs;
  }
}
