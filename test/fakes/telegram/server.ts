// HTTP front: routes /bot<token>/(test/)<method> and /file/bot<token>/<path>, writes envelopes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "./body.ts";
import type { CallIO } from "./core.ts";
import { ApiError } from "./errors.ts";
import { Params } from "./params.ts";

export interface ServerHooks {
  token: string;
  call(method: string, p: Params, io: CallIO): Promise<unknown>;
  file(path: string): Uint8Array | undefined;
}

const NOT_FOUND = { ok: false, error_code: 404, description: "Not Found" };
const UNAUTHORIZED = { ok: false, error_code: 401, description: "Unauthorized" };

function send(res: ServerResponse, status: number, payload: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

export class FakeServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static listen(port: number, hooks: ServerHooks): Promise<FakeServer> {
    const server = createServer((req, res) => {
      handle(hooks, req, res).catch((err: unknown) => {
        const e =
          err instanceof ApiError
            ? err
            : new ApiError(500, `Internal Server Error: ${String(err)}`);
        send(res, e.error_code, e.toEnvelope());
      });
    });
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

async function handle(
  hooks: ServerHooks,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  let path = q === -1 ? url : url.slice(0, q);
  if (path.includes("%")) path = decodeURIComponent(path);
  if (path.startsWith("/file/bot")) {
    serveFile(hooks, path.slice(9), res);
    return;
  }
  if (!path.startsWith("/bot")) {
    send(res, 404, NOT_FOUND);
    return;
  }
  const rest = path.slice(4);
  const slash = rest.indexOf("/");
  if (slash === -1) {
    send(res, 404, NOT_FOUND);
    return;
  }
  if (rest.slice(0, slash) !== hooks.token) {
    send(res, 401, UNAUTHORIZED);
    return;
  }
  let method = rest.slice(slash + 1);
  if (method.startsWith("test/")) method = method.slice(5);
  if (method === "" || method.includes("/")) {
    send(res, 404, { ok: false, error_code: 404, description: "Not Found: method not found" });
    return;
  }
  const body = await readBody(req, new URLSearchParams(q === -1 ? "" : url.slice(q + 1)));
  const io: CallIO = {
    onAbort: (cb) => {
      res.once("close", () => {
        if (!res.writableEnded) cb();
      });
    },
  };
  try {
    const result = await hooks.call(method, new Params(body.fields, body.uploads), io);
    send(res, 200, { ok: true, result });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    send(res, err.error_code, err.toEnvelope());
  }
}

function serveFile(hooks: ServerHooks, rest: string, res: ServerResponse): void {
  const slash = rest.indexOf("/");
  if (slash === -1 || rest.slice(0, slash) !== hooks.token) {
    send(res, slash === -1 ? 404 : 401, slash === -1 ? NOT_FOUND : UNAUTHORIZED);
    return;
  }
  const bytes = hooks.file(rest.slice(slash + 1));
  if (!bytes) {
    send(res, 404, NOT_FOUND);
    return;
  }
  res.writeHead(200, {
    "content-type": "application/octet-stream",
    "content-length": bytes.length,
  });
  res.end(bytes);
}
