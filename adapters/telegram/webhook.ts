// Webhook receiver: checks Telegram's secret header in constant time and answers 200 only
// after the update is durably recorded, so Telegram re-sends anything we could not keep.
import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Update } from "grammy/types";
import type { Logger } from "pino";

export interface WebhookOptions {
  host: string;
  port: number;
  path: string;
  secret: string;
  record: (update: Update) => Promise<void>;
  logger?: Logger;
  /** Largest body accepted; real updates are a few KB. */
  maxBodyBytes?: number;
}

export class WebhookServer {
  private server: Server | undefined;

  constructor(private readonly options: WebhookOptions) {}

  async listen(): Promise<{ port: number }> {
    const server = createServer((req, res) => {
      void this.handle(req).then(
        ({ status, body }) => {
          res.writeHead(status, { "content-type": "application/json" }).end(body);
        },
        () => res.writeHead(500).end(),
      );
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.options.port, this.options.host, resolve);
    });
    return { port: (server.address() as { port: number }).port };
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: string }> {
    const { logger } = this.options;
    if (req.method !== "POST" || req.url?.split("?")[0] !== this.options.path)
      return { status: 404, body: '{"ok":false}' };
    if (!secretMatches(req.headers["x-telegram-bot-api-secret-token"], this.options.secret)) {
      req.resume();
      logger?.warn(
        { remote: req.socket.remoteAddress },
        "webhook call with a wrong secret token refused",
      );
      return { status: 401, body: '{"ok":false}' };
    }
    let update: Update;
    try {
      update = JSON.parse(await readBody(req, this.options.maxBodyBytes ?? 1_000_000)) as Update;
      if (typeof update?.update_id !== "number") throw new Error("no update_id");
    } catch (err) {
      // Telegram would re-send a body we cannot read forever and hold the chat's queue: take it.
      logger?.error({ err: String(err) }, "unreadable webhook body acknowledged and skipped");
      return { status: 200, body: '{"ok":true}' };
    }
    try {
      await this.options.record(update);
      return { status: 200, body: '{"ok":true}' };
    } catch (err) {
      logger?.error(
        { err: String(err), updateId: update.update_id },
        "could not record an update; Telegram will retry",
      );
      return { status: 500, body: '{"ok":false}' };
    }
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

function secretMatches(header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== "string") return false;
  const a = Buffer.from(header);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new Error("body too large"));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
