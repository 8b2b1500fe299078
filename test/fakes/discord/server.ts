// HTTP front on one loopback port: REST under /api/v10, attachment downloads under
// /attachments, and the gateway WebSocket on upgrade.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "./body.ts";
import type { Core } from "./core.ts";
import { DiscordError, notFound, unauthorized } from "./errors.ts";
import { type Ctx, Reply, type Router } from "./router.ts";
import type { CallRecord } from "./types.ts";

const PREFIX = "/api/v10";

function writeJson(
  res: ServerResponse,
  status: number,
  payload: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.writableEnded || res.destroyed) return;
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** A 204 has no body and no content-type: @discordjs/rest would JSON.parse("") otherwise. */
function writeEmpty(res: ServerResponse): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(204);
  res.end();
}

export class FakeServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static listen(core: Core, router: Router, port = 0): Promise<FakeServer> {
    const server = createServer((req, res) => {
      handle(core, router, req, res).catch((err: unknown) => {
        console.error("[fake-discord] handler crashed:", err);
        writeJson(res, 500, { message: "500: Internal Server Error", code: 0 });
      });
    });
    server.on("upgrade", (req, socket, head) => core.gateway.handleUpgrade(req, socket, head));
    server.keepAliveTimeout = 60_000;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve(new FakeServer(server, (server.address() as AddressInfo).port));
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function decodeSegments(path: string): string[] | undefined {
  try {
    // Path segments arrive URL-encoded (a ":" in a token comes as %3A).
    return path.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

async function handle(
  core: Core,
  router: Router,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  if (url.pathname.startsWith("/attachments/")) {
    serveAttachment(core, url.pathname, res);
    return;
  }
  const method = (req.method ?? "GET").toUpperCase();
  const body = await readBody(req).catch((e: unknown) => e as DiscordError);
  if (!url.pathname.startsWith(`${PREFIX}/`)) {
    writeJson(res, 404, notFound().body());
    return;
  }
  const segments = decodeSegments(url.pathname.slice(PREFIX.length)) ?? [];
  const path = `/${segments.join("/")}`;
  const match = router.match(method, segments);
  const call: CallRecord = {
    method,
    path,
    route: match?.route.template ?? "?",
    query: Object.fromEntries(url.searchParams),
    body: body instanceof DiscordError ? undefined : body.json,
    files:
      body instanceof DiscordError
        ? []
        : body.uploads.map((u) => ({
            field: u.field,
            filename: u.filename,
            size: u.data.length,
            contentType: u.contentType,
          })),
    status: 0,
    injected: false,
    at: Date.now(),
  };
  const finish = (status: number, payload: unknown, headers?: Record<string, string>) => {
    call.status = status;
    if (status === 204) writeEmpty(res);
    else writeJson(res, status, payload, headers);
    core.record(call);
  };
  const fail = (e: DiscordError) => {
    if (e.code) call.code = e.code;
    finish(e.status, e.body(), e.headers);
  };
  try {
    if (!match) {
      if (router.knowsPath(segments)) fail(new DiscordError(405, 0, "405: Method Not Allowed"));
      else fail(notFound());
      return;
    }
    if (match.route.auth && req.headers.authorization !== `Bot ${core.config.token}`) {
      fail(unauthorized());
      return;
    }
    const injected = core.faults.injected({ method, path, route: match.route.template });
    if (injected) {
      call.injected = true;
      fail(injected);
      return;
    }
    if (body instanceof DiscordError) throw body;
    const ctx: Ctx = {
      core,
      method,
      path,
      params: match.params,
      query: url.searchParams,
      body: body.json ?? {},
      uploads: body.uploads,
    };
    const out = match.route.handler(ctx);
    if (out instanceof Reply) finish(out.status, out.json);
    else finish(200, out);
  } catch (err) {
    if (err instanceof DiscordError) fail(err);
    else {
      console.error(`[fake-discord] ${method} ${path} crashed:`, err);
      finish(500, { message: `500: Internal Server Error (${String(err)})`, code: 0 });
    }
  }
}

function serveAttachment(core: Core, pathname: string, res: ServerResponse): void {
  const [channelId, id] = pathname.slice("/attachments/".length).split("/");
  const att = core.world.attachments.get(`${channelId}/${id}`);
  if (!att) {
    writeJson(res, 404, notFound().body());
    return;
  }
  res.writeHead(200, { "content-type": att.contentType, "content-length": att.data.length });
  res.end(att.data);
}
