// The gateway: HELLO, heartbeats, IDENTIFY → READY + GUILD_CREATE, RESUME with replay, and the
// connection faults (drops, op 7, op 9). Runs on the HTTP server's upgrade event.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import { ALL_INTENTS, blankContent, type DispatchMeta, disallowed, Intent } from "./intents.ts";
import { type Conn, Session } from "./sessions.ts";
import type { SessionInfo } from "./types.ts";

export interface GatewayHooks {
  token: string;
  heartbeatIntervalMs: number;
  resumeWindowMs: number;
  applicationFlags(): number;
  /** READY and one GUILD_CREATE per guild, in order; READY's data gets session fields added. */
  identifyEvents(): Array<{ t: string; d: Record<string, unknown>; meta: DispatchMeta }>;
  /** ws://127.0.0.1:PORT */
  url(): string;
  /** op 8: the GUILD_MEMBERS_CHUNK data. */
  requestMembers(d: Record<string, unknown>): Record<string, unknown> | undefined;
  changed(): void;
}

const OP = {
  dispatch: 0,
  heartbeat: 1,
  identify: 2,
  presence: 3,
  voice: 4,
  resume: 6,
  reconnect: 7,
  requestMembers: 8,
  invalidSession: 9,
  hello: 10,
  heartbeatAck: 11,
} as const;

export class Gateway {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly conns = new Set<Conn>();
  private readonly live = new Map<string, Session>();
  private sessionSeq = 0;
  private refusing = false;
  identifies = 0;
  readonly resumes = { accepted: 0, refused: 0 };

  constructor(private readonly hooks: GatewayHooks) {}

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
  }

  /** Open sockets. */
  get connections(): number {
    return this.conns.size;
  }

  get sessions(): SessionInfo[] {
    this.prune();
    return [...this.live.values()].map((s) => ({
      id: s.id,
      seq: s.seq,
      connected: s.conn !== null,
      intents: s.intents,
    }));
  }

  /** Appends the event to every live session (attached or not) that its intents allow. */
  dispatch(t: string, d: Record<string, unknown>, meta: DispatchMeta = {}): void {
    this.prune();
    for (const session of this.live.values()) this.deliver(session, t, d, meta);
  }

  private deliver(session: Session, t: string, d: Record<string, unknown>, meta: DispatchMeta) {
    if (meta.intent && (session.intents & meta.intent) === 0) return;
    const hidden =
      meta.content && !meta.content.exempt && !(session.intents & Intent.MessageContent);
    const frame = session.push(t, hidden ? blankContent(d) : d);
    if (session.conn) this.send(session.conn, frame);
  }

  // ---- faults -----------------------------------------------------------------------------

  /** Closes every socket (1006: no close frame, like a dead network). Sessions stay resumable. */
  dropConnections(code = 1006): void {
    for (const conn of this.conns) {
      conn.closedByServer = true;
      if (code === 1006) conn.ws.terminate();
      else conn.ws.close(code, "fake-discord: dropped");
    }
  }

  refuseResume(on: boolean): void {
    this.refusing = on;
  }

  /** op 7: clients close (4200) and RESUME. */
  sendReconnect(): void {
    for (const conn of this.conns) this.sendOp(conn, OP.reconnect, null);
  }

  /** op 9 d:false to every connected socket; all sessions are forgotten. */
  invalidateSessions(): void {
    for (const conn of this.conns) {
      if (conn.session) this.sendOp(conn, OP.invalidSession, false);
      conn.session = null;
    }
    this.live.clear();
    this.hooks.changed();
  }

  close(): void {
    for (const conn of this.conns) conn.ws.terminate();
    this.conns.clear();
    this.wss.close();
  }

  // ---- connection lifecycle -----------------------------------------------------------------

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const conn: Conn = { ws, session: null, closedByServer: false };
    this.conns.add(conn);
    ws.on("message", (data) => this.onFrame(conn, data));
    ws.on("close", (code) => this.onClose(conn, code));
    ws.on("error", () => {});
    const query = new URL(req.url ?? "/", "ws://fake").searchParams;
    if (query.has("v") && query.get("v") !== "10") {
      ws.close(4012, "Invalid API version");
      return;
    }
    if (query.has("encoding") && query.get("encoding") !== "json") {
      ws.close(4002, "Decode error: only encoding=json");
      return;
    }
    this.sendOp(conn, OP.hello, { heartbeat_interval: this.hooks.heartbeatIntervalMs });
    this.hooks.changed();
  }

  private onClose(conn: Conn, code: number): void {
    this.conns.delete(conn);
    const session = conn.session;
    if (session && session.conn === conn) {
      session.conn = null;
      session.detachedAt = Date.now();
      // Discord ends the session when the client itself closes with 1000/1001 (a clean logout);
      // any other close (4200 from @discordjs/ws's resume path, 1006 from a crash) keeps it.
      if (!conn.closedByServer && (code === 1000 || code === 1001)) this.live.delete(session.id);
    }
    this.hooks.changed();
  }

  private onFrame(conn: Conn, data: RawData): void {
    let payload: { op?: unknown; d?: unknown };
    try {
      payload = JSON.parse(data.toString());
    } catch {
      conn.ws.close(4002, "Decode error");
      return;
    }
    const d = (payload.d ?? {}) as Record<string, unknown>;
    switch (payload.op) {
      case OP.heartbeat:
        this.sendOp(conn, OP.heartbeatAck, null);
        return;
      case OP.identify:
        this.identify(conn, d);
        return;
      case OP.resume:
        this.resume(conn, d);
        return;
      case OP.presence:
      case OP.voice:
        if (!conn.session) conn.ws.close(4003, "Not authenticated");
        return;
      case OP.requestMembers: {
        if (!conn.session) {
          conn.ws.close(4003, "Not authenticated");
          return;
        }
        const chunk = this.hooks.requestMembers(d);
        if (chunk) this.deliver(conn.session, "GUILD_MEMBERS_CHUNK", chunk, {});
        return;
      }
      default:
        conn.ws.close(4001, "Unknown opcode");
    }
  }

  private identify(conn: Conn, d: Record<string, unknown>): void {
    if (conn.session) {
      conn.ws.close(4005, "Already authenticated");
      return;
    }
    if (d.token !== this.hooks.token) {
      conn.ws.close(4004, "Authentication failed");
      return;
    }
    const intents = Number(d.intents);
    if (!Number.isInteger(intents) || intents < 0 || (intents & ~ALL_INTENTS) !== 0) {
      conn.ws.close(4013, "Invalid intent(s)");
      return;
    }
    if (disallowed(intents, this.hooks.applicationFlags())) {
      conn.ws.close(4014, "Disallowed intent(s)");
      return;
    }
    const shard = d.shard as unknown;
    if (Array.isArray(shard) && (shard[0] !== 0 || shard[1] !== 1)) {
      conn.ws.close(4010, "Invalid shard");
      return;
    }
    this.identifies++;
    const session = new Session(`fake-session-${++this.sessionSeq}`, intents);
    this.live.set(session.id, session);
    this.attach(conn, session);
    for (const [i, ev] of this.hooks.identifyEvents().entries()) {
      const data =
        i === 0 ? { ...ev.d, session_id: session.id, resume_gateway_url: this.hooks.url() } : ev.d;
      this.deliver(session, ev.t, data, ev.meta);
    }
    this.hooks.changed();
  }

  private resume(conn: Conn, d: Record<string, unknown>): void {
    if (conn.session) {
      conn.ws.close(4005, "Already authenticated");
      return;
    }
    if (d.token !== this.hooks.token) {
      conn.ws.close(4004, "Authentication failed");
      return;
    }
    this.prune();
    const session = this.live.get(String(d.session_id));
    if (!session || this.refusing) {
      if (session) this.live.delete(session.id);
      this.resumes.refused++;
      this.sendOp(conn, OP.invalidSession, false);
      this.hooks.changed();
      return;
    }
    const old = session.conn;
    if (old) {
      // One socket per session: the newer RESUME wins, the older socket is closed.
      old.closedByServer = true;
      old.session = null;
      old.ws.close(4000, "Session resumed elsewhere");
    }
    this.attach(conn, session);
    this.resumes.accepted++;
    const seq = typeof d.seq === "number" ? d.seq : 0;
    for (const frame of session.since(seq)) this.send(conn, frame);
    this.send(conn, { op: 0, t: "RESUMED", s: session.seq, d: { _trace: ["fake-discord"] } });
    this.hooks.changed();
  }

  private attach(conn: Conn, session: Session): void {
    conn.session = session;
    session.conn = conn;
    session.detachedAt = null;
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, s] of this.live) {
      if (s.expired(now, this.hooks.resumeWindowMs)) this.live.delete(id);
    }
  }

  private sendOp(conn: Conn, op: number, d: unknown): void {
    this.send(conn, { op, d, s: null, t: null });
  }

  private send(conn: Conn, frame: unknown): void {
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(JSON.stringify(frame));
  }
}
