// The playground's one HTTP server (fastify): the page, the page's API (customer and agent
// actions in through the sink, one live stream out), uploaded images, and "reload flows".
// Not a production web widget: it serves one local desk with one agent account.
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { Frontline, MediaRef } from "../../src/index.ts";
import type { PlaygroundProductView } from "../../src/runtime/playground.ts";
import { NotReady, type WebAdapter } from "./adapter.ts";
import { hostName, isLoopback, tokenMatches } from "./auth.ts";
import { WEB_CHANNEL, WEB_LIMITS } from "./channel.ts";
import { followStreams, parseCursor } from "./live.ts";
import { IMAGE_TYPES, imageType, safeName } from "./media.ts";
import type { StreamName } from "./store.ts";
import {
  AgentButtonBody,
  AgentImageBody,
  AgentMessageBody,
  agentEvent,
  BadRequest,
  CustomerButtonBody,
  CustomerMessageBody,
  customerButton,
  customerId,
  customerMessage,
  parse,
} from "./translate.ts";
import { GENERAL_THREAD, type WebAgent } from "./workspace.ts";

export interface PlaygroundServerOptions {
  adapter: WebAdapter;
  host: string;
  port: number;
  token?: string;
  logger?: Logger;
}

/** The page's files by the path they are served at: "/" is index.html, the rest by name. */
const PAGE_DIR = new URL("./page/", import.meta.url);
const PAGE_FILES: Record<string, string> = Object.fromEntries(
  readdirSync(PAGE_DIR)
    .filter((f) => /\.(html|js|css)$/.test(f))
    .map((f) => [f === "index.html" ? "/" : `/${f}`, f]),
);
const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};
// The page loads only its own files and talks only to this server; images are this server's.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

export class PlaygroundServer {
  private readonly app: FastifyInstance;
  private readonly agent: WebAgent;
  private product: PlaygroundProductView | undefined;
  private readonly page = new Map<string, Buffer>();

  constructor(private readonly options: PlaygroundServerOptions) {
    if (!isLoopback(options.host) && !options.token)
      throw new Error(`the playground on ${options.host} needs a token`);
    this.agent = options.adapter.workspace.agents[0]!;
    for (const [path, file] of Object.entries(PAGE_FILES))
      this.page.set(path, readFileSync(new URL(file, PAGE_DIR)));
    this.app = Fastify({ bodyLimit: 64 * 1024 });
    this.app.addContentTypeParser(
      IMAGE_TYPES,
      { parseAs: "buffer", bodyLimit: WEB_LIMITS.uploadBytes },
      (_req, body, done) => done(null, body),
    );
    this.app.addHook("onRequest", (req, reply, done) => {
      const problem = this.refusal(req);
      if (problem) void reply.code(problem.code).send({ error: problem.message });
      else done();
    });
    this.app.setErrorHandler((err, _req, reply) => {
      const e = err as Error & { statusCode?: number };
      if (e instanceof BadRequest) return reply.code(400).send({ error: e.message });
      if (e instanceof NotReady) return reply.code(503).send({ error: e.message });
      if (e.statusCode && e.statusCode < 500)
        return reply.code(e.statusCode).send({ error: e.message });
      this.options.logger?.error({ err: e }, "playground request failed");
      return reply.code(500).send({ error: "the playground could not do that; see its log" });
    });
    this.routes();
  }

  /** Why a request is refused, or null. Page files are public; the API and images are not. */
  private refusal(req: FastifyRequest): { code: number; message: string } | null {
    const loopback = isLoopback(this.options.host);
    if (loopback && !isLoopback(hostName(req.headers.host)))
      return { code: 421, message: "the playground answers only to 127.0.0.1 or localhost" };
    const path = req.url.split("?")[0] ?? "";
    // Another site's page cannot send this header without a CORS preflight, which is never
    // granted: a cross-site form post cannot act on the playground (CSRF), token or not.
    if (req.method !== "GET" && req.headers["x-playground"] !== "1")
      return { code: 403, message: "API calls come from the playground's own page" };
    if (PAGE_FILES[path] || path === "/favicon.ico" || !this.options.token) return null;
    const query = req.query as { token?: unknown } | undefined;
    const given =
      (req.headers["x-playground-token"] as string | undefined) ??
      (typeof query?.token === "string" ? query.token : undefined);
    return tokenMatches(given, this.options.token)
      ? null
      : { code: 401, message: "this playground needs the token it printed at start (?token=…)" };
  }

  private get frontline(): Frontline {
    if (!this.product) throw new NotReady();
    return this.product.current;
  }

  private routes(): void {
    const app = this.app;
    const { adapter } = this.options;
    const store = adapter.store;

    for (const path of Object.keys(PAGE_FILES)) {
      app.get(path, (_req, reply) => {
        const ext = PAGE_FILES[path]!.split(".").pop()!;
        return reply
          .header("content-type", TYPES[ext]!)
          .header("content-security-policy", CSP)
          .header("x-content-type-options", "nosniff")
          .header("referrer-policy", "no-referrer")
          .header("cache-control", "no-store")
          .send(this.page.get(path));
      });
    }

    // No icon: an empty answer instead of a 404 in the console.
    app.get("/favicon.ico", (_req, reply) => reply.code(204).send());

    app.get("/api/info", () => {
      const bot = this.frontline.engine.flows.bot;
      return {
        agent: this.agent,
        locales: bot.locales,
        defaultLocale: bot.defaultLocale,
        languageNames: bot.languageNames ?? {},
        flowsDir: this.product?.flowsDir,
        desk: this.frontline.desk !== undefined,
        limits: { text: WEB_LIMITS.textLength, upload: WEB_LIMITS.uploadBytes },
      };
    });

    app.get("/api/events", (req, reply) => {
      const q = req.query as { customers?: string; cursor?: string };
      const customers = (q.customers ?? "").split(",").filter(Boolean).slice(0, 20);
      const streams: StreamName[] = [
        "desk",
        ...customers.map((c) => `c.${customerId(c)}` as const),
      ];
      const resume = (req.headers["last-event-id"] as string | undefined) ?? q.cursor;
      reply.hijack();
      followStreams(store, reply.raw, parseCursor(resume, streams));
    });

    app.post("/api/customers/:id/messages", async (req, reply) => {
      const id = customerId((req.params as { id: string }).id);
      const body = parse(CustomerMessageBody, req.body);
      await store.appendCustomer(
        id,
        { kind: "customer", text: body.text, key: `web:${id}:${body.clientId}`, at: Date.now() },
        `in:${id}:${body.clientId}`,
      );
      await this.record(id, body.clientId, () => adapter.customer(customerMessage(id, body)));
      return reply.code(202).send({ ok: true });
    });

    app.post("/api/customers/:id/buttons", async (req, reply) => {
      const id = customerId((req.params as { id: string }).id);
      const body = parse(
        CustomerButtonBody.extend({ label: CustomerMessageBody.shape.text.optional() }),
        req.body,
      );
      await store.appendCustomer(
        id,
        {
          kind: "customer",
          text: `▸ ${body.label ?? body.payload}`,
          key: `web:${id}:${body.clientId}`,
          at: Date.now(),
        },
        `in:${id}:${body.clientId}`,
      );
      await this.record(id, body.clientId, () => adapter.customer(customerButton(id, body)));
      return reply.code(202).send({ ok: true });
    });

    app.post("/api/customers/:id/images", async (req, reply) => {
      const id = customerId((req.params as { id: string }).id);
      const q = req.query as Record<string, string | undefined>;
      const body = parse(CustomerMessageBody, { ...q, text: q.caption ?? "" });
      const { media, mediaId, name } = await this.saveImage(req.body, q.fileName);
      await store.appendCustomer(
        id,
        {
          kind: "customer",
          text: body.text,
          media: { kind: "photo", id: mediaId, name, from: WEB_CHANNEL },
          key: `web:${id}:${body.clientId}`,
          at: Date.now(),
        },
        `in:${id}:${body.clientId}`,
      );
      await this.record(id, body.clientId, () =>
        adapter.customer(customerMessage(id, body, media)),
      );
      return reply.code(202).send({ ok: true });
    });

    app.get("/media/:id", async (req, reply) => {
      const mediaId = (req.params as { id: string }).id;
      const media = /^[0-9a-f-]{36}$/.test(mediaId) ? await store.media(mediaId) : null;
      if (!media) return reply.code(404).send({ error: "no such image (images are kept 7 days)" });
      return (
        reply
          .header("content-type", media.mime)
          .header("x-content-type-options", "nosniff")
          .header("content-security-policy", "default-src 'none'")
          // A header carries only Latin-1: the real name goes percent-encoded (RFC 6266), with
          // an ASCII stand-in for old clients (Russian and Greek names are common here).
          .header(
            "content-disposition",
            `inline; filename="${media.name.replace(/[^\x20-\x7e]/g, "_")}"; filename*=UTF-8''${encodeURIComponent(media.name)}`,
          )
          .send(media.data)
      );
    });

    app.post("/api/desk/messages", async (req, reply) => {
      const body = parse(AgentMessageBody, req.body);
      // The pane shows what the agent wrote in the thread, as a platform's chat would.
      const threadId = body.threadId ?? GENERAL_THREAD;
      if (threadId === GENERAL_THREAD || (await store.thread(threadId)))
        await store.addPost(threadId, { text: body.text, author: "You" }, `agent:${body.clientId}`);
      await adapter.agent(agentEvent(adapter.workspace.id, this.agent, body));
      return reply.code(202).send({ ok: true });
    });

    app.post("/api/desk/images", async (req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      const body = parse(AgentImageBody, { ...q, text: q.caption ?? "" });
      if (!(await store.thread(body.threadId)))
        throw new BadRequest(`there is no ticket thread ${body.threadId}`);
      const { media, mediaId, name } = await this.saveImage(req.body, q.fileName);
      await store.addPost(
        body.threadId,
        {
          text: body.text,
          author: "You",
          media: { kind: "photo", id: mediaId, name, from: WEB_CHANNEL },
        },
        `agent:${body.clientId}`,
      );
      await adapter.agent(agentEvent(adapter.workspace.id, this.agent, body, media));
      return reply.code(202).send({ ok: true });
    });

    app.post("/api/desk/buttons", async (req, reply) => {
      const body = parse(AgentButtonBody, req.body);
      await adapter.agent(agentEvent(adapter.workspace.id, this.agent, body));
      return reply.code(202).send({ ok: true });
    });

    app.get("/api/desk/threads", async () => ({ threads: await store.threads() }));

    app.get("/api/desk/threads/:id", async (req, reply) => {
      const threadId = (req.params as { id: string }).id;
      const thread = await store.thread(threadId);
      if (!thread) return reply.code(404).send({ error: `no thread ${threadId}` });
      return { thread, posts: await store.posts(threadId) };
    });

    app.post("/api/flows/reload", async () => {
      if (!this.product) throw new NotReady();
      return this.product.reload();
    });
  }

  /** Keeps an uploaded image (its bytes decide whether it is one) and names it as media. */
  private async saveImage(data: unknown, rawName: string | undefined) {
    if (!Buffer.isBuffer(data) || data.length === 0)
      throw new BadRequest("send the image as the request body");
    const mime = imageType(data);
    if (!mime) throw new BadRequest("only PNG, JPEG, GIF and WebP images can be sent");
    const mediaId = randomUUID();
    const name = safeName(rawName);
    await this.options.adapter.store.saveMedia(mediaId, { data, mime, name });
    const media: MediaRef = { channel: WEB_CHANNEL, kind: "photo", ref: mediaId, name };
    return { media, mediaId, name };
  }

  /** Records a customer event; when it cannot be recorded, the customer's chat says so. */
  private async record(id: string, clientId: string, send: () => Promise<void>): Promise<void> {
    try {
      await send();
    } catch (err) {
      await this.options.adapter.store
        .appendCustomer(
          id,
          {
            kind: "failed",
            text: "This message was not received; please send it again.",
            at: Date.now(),
          },
          `failed:${id}:${clientId}`,
        )
        .catch(() => {});
      throw err;
    }
  }

  /** Follows each product built: its turns feed the debugger, its ratings the desk pane. */
  attach(product: PlaygroundProductView): void {
    this.product = product;
    const store = this.options.adapter.store;
    const log = (err: unknown) =>
      this.options.logger?.warn(
        { err: String(err) },
        "the playground could not record a debug entry",
      );
    product.onBuilt((frontline) => {
      frontline.on("turn", (turn) => {
        if (turn.channel !== WEB_CHANNEL) return;
        const id = turn.conversationKey.slice(WEB_CHANNEL.length + 1);
        store.appendCustomer(id, { kind: "debug", turn, at: Date.now() }).catch(log);
      });
      frontline.on("ticket.rated", ({ ticket, score }) => {
        store.appendDesk({ kind: "rated", ticket, score, at: Date.now() }).catch(log);
      });
    });
  }

  async listen(): Promise<{ url: string; port: number }> {
    await this.options.adapter.store.follow();
    await this.app.listen({ host: this.options.host, port: this.options.port });
    const address = this.app.server.address();
    const port = typeof address === "object" && address ? address.port : this.options.port;
    const host = this.options.host.includes(":") ? `[${this.options.host}]` : this.options.host;
    const token = this.options.token ? `/?token=${encodeURIComponent(this.options.token)}` : "";
    return { url: `http://${host}:${port}${token}`, port };
  }

  async close(): Promise<void> {
    // Live streams never end by themselves: close them with the server.
    this.app.server.closeAllConnections?.();
    await this.app.close();
    await this.options.adapter.store.close();
  }
}
