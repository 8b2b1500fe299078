// The web adapter over HTTP, as the page uses it, without a browser: the live stream resumes
// after exactly the last entry seen, a repeated send shows once, bad input is refused in words,
// and the server lets in only who it should (loopback Host names; the token elsewhere).
import { request } from "node:http";
import { createServer } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { tokenMatches } from "../../adapters/web/auth.ts";
import { WebAdapter, WebStore } from "../../adapters/web/index.ts";
import { PlaygroundServer } from "../../adapters/web/server.ts";
import type { InboundEvent } from "../../src/core/types.ts";
import { connectTestRedis, dropPrefix, testPrefix } from "../support/redis.ts";

const redis = connectTestRedis();
const prefixes: string[] = [];
const servers: PlaygroundServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
  for (const p of prefixes) await dropPrefix(redis, p);
  await redis.quit();
});

/** A web adapter whose sink keeps what it is given (the product itself is tested elsewhere). */
async function serve(options: { host?: string; token?: string } = {}) {
  const prefix = testPrefix("web");
  prefixes.push(prefix);
  const store = new WebStore(redis, prefix);
  const adapter = new WebAdapter(store, [{ id: "web:agent", name: "Sam" }]);
  const recorded: InboundEvent[] = [];
  await adapter.start({
    customer: async (e) => {
      recorded.push(e);
    },
    agent: async () => {},
  });
  const server = new PlaygroundServer({
    adapter,
    host: options.host ?? "127.0.0.1",
    port: 0,
    ...options,
  });
  servers.push(server);
  const { port } = await server.listen();
  return { adapter, store, prefix, recorded, base: `http://127.0.0.1:${port}` };
}

/** Reads a live stream until `count` data events arrived; returns them and the last event id. */
async function readEvents(
  url: string,
  count: number,
  headers: Record<string, string> = {},
  onEvent: (n: number) => Promise<void> = async () => {},
) {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const events: { id: string; data: { entry: { kind: string; message?: { text: string } } } }[] =
    [];
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (id && data && !/^event:/m.test(block) && events.length < count) {
        events.push({ id, data: JSON.parse(data) });
        await onEvent(events.length);
      }
      end = buffer.indexOf("\n\n");
    }
  }
  controller.abort();
  return events;
}

const address = (chatId: string) => ({ channel: "web", chatId });

describe("web channel: the live stream", () => {
  it("resumes after the last entry the page saw: nothing lost, nothing twice", async () => {
    const { adapter, base } = await serve();
    for (const n of [1, 2, 3])
      await adapter.channel.send(
        address("maria"),
        { text: `reply ${n}` },
        { idempotencyKey: `k${n}` },
      );
    const url = `${base}/api/events?customers=maria`;
    const first = await readEvents(url, 2);
    expect(first.map((e) => e.data.entry.message?.text)).toEqual(["reply 1", "reply 2"]);
    // The page was away while one more reply went out; it comes back with Last-Event-ID.
    await adapter.channel.send(address("maria"), { text: "reply 4" }, { idempotencyKey: "k4" });
    const resumed = await readEvents(url, 2, { "last-event-id": first[1]!.id });
    expect(resumed.map((e) => e.data.entry.message?.text)).toEqual(["reply 3", "reply 4"]);
  });

  it("a reply another process delivers (a second playground, a worker) reaches the page at once", async () => {
    const { base, prefix } = await serve();
    const url = `${base}/api/events?customers=eleni`;
    const elsewhere = new WebStore(redis, prefix);
    await elsewhere.follow();
    try {
      await elsewhere.appendCustomer("eleni", { kind: "bot", message: { text: "a" }, at: 1 });
      // "b" is written only once the page has "a": it must be pushed, not found on a replay.
      const events = await readEvents(url, 2, {}, async (n) => {
        if (n === 1)
          await elsewhere.appendCustomer("eleni", { kind: "bot", message: { text: "b" }, at: 2 });
      });
      expect(events.map((e) => e.data.entry.message?.text)).toEqual(["a", "b"]);
    } finally {
      await elsewhere.close();
    }
  });

  it("a send repeated by the outbox (same idempotency key) shows once", async () => {
    const { adapter, store } = await serve();
    const a = await adapter.channel.send(
      address("jonas"),
      { text: "once" },
      { idempotencyKey: "same" },
    );
    const b = await adapter.channel.send(
      address("jonas"),
      { text: "once" },
      { idempotencyKey: "same" },
    );
    expect(b.messageId).toBe(a.messageId);
    expect(await store.read("c.jonas", "0")).toHaveLength(1);
  });
});

describe("web channel: what the page sends", () => {
  it("turns a typed message, a command and a button into customer events; a retried POST records once", async () => {
    const { base, recorded, store } = await serve();
    const post = (path: string, body: unknown) =>
      fetch(`${base}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-playground": "1" },
        body: JSON.stringify(body),
      });
    expect(
      (
        await post("/api/customers/olena/messages", {
          clientId: "aaaaaaaa1",
          text: "hello",
          locale: "pl",
        })
      ).status,
    ).toBe(202);
    await post("/api/customers/olena/messages", {
      clientId: "aaaaaaaa1",
      text: "hello",
      locale: "pl",
    });
    await post("/api/customers/olena/messages", { clientId: "aaaaaaaa2", text: "/human now" });
    await post("/api/customers/olena/buttons", {
      clientId: "aaaaaaaa3",
      payload: "lang:el",
      label: "Ελληνικά",
    });
    expect(recorded.map((e) => e.type)).toEqual(["message", "message", "command", "button"]);
    expect(recorded[0]).toMatchObject({ conversationKey: "web:olena", user: { locale: "pl" } });
    expect(recorded[2]).toMatchObject({ command: "human", args: "now" });
    // The intake drops the repeated key; the chat shows the message once.
    expect(recorded[1]!.idempotencyKey).toBe(recorded[0]!.idempotencyKey);
    const chat = await store.read("c.olena", "0");
    expect(chat.filter((r) => (r.entry as { text: string }).text === "hello")).toHaveLength(1);
  });

  it("refuses bad input with a sentence: bad ids, huge text, a picture that is not one", async () => {
    const { base } = await serve();
    const json = (body: unknown) => ({
      method: "POST",
      headers: { "content-type": "application/json", "x-playground": "1" },
      body: JSON.stringify(body),
    });
    const badId = await fetch(
      `${base}/api/customers/a%20b/messages`,
      json({ clientId: "aaaaaaaa1", text: "x" }),
    );
    expect(badId.status).toBe(400);
    expect(((await badId.json()) as { error: string }).error).toMatch(/customer id/);
    const huge = await fetch(
      `${base}/api/customers/x/messages`,
      json({ clientId: "aaaaaaaa1", text: "x".repeat(5000) }),
    );
    expect(((await huge.json()) as { error: string }).error).toMatch(/longer than 4096/);
    const svg = await fetch(`${base}/api/customers/x/images?clientId=aaaaaaaa4`, {
      method: "POST",
      headers: { "content-type": "image/png", "x-playground": "1" },
      body: "<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    });
    expect(svg.status).toBe(400);
    expect(((await svg.json()) as { error: string }).error).toMatch(/only PNG, JPEG, GIF and WebP/);
  });
});

describe("web channel: images", () => {
  it("keeps a customer's picture for the desk (openMedia) and serves it back as what it is", async () => {
    const { base, recorded, adapter } = await serve();
    const png = Buffer.from(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
      "base64",
    );
    const res = await fetch(
      `${base}/api/customers/nikos/images?clientId=aaaaaaaa9&name=Nikos&fileName=a<b>.png`,
      {
        method: "POST",
        headers: { "content-type": "image/png", "x-playground": "1" },
        body: png,
      },
    );
    expect(res.status).toBe(202);
    const event = recorded.at(-1) as { attachments?: { ref: string; name?: string }[] };
    const media = event.attachments![0]!;
    expect(media.name).toBe("ab.png");
    const opened = await adapter.channel.openMedia({
      channel: "web",
      kind: "photo",
      ref: media.ref,
    });
    expect(Buffer.from(opened.data).equals(png)).toBe(true);
    const served = await fetch(`${base}/media/${media.ref}`);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");

    // A Greek file name (a header carries only Latin-1): served, the name percent-encoded.
    const greek = await fetch(
      `${base}/api/customers/nikos/images?clientId=aaaaaaab9&name=Nikos&fileName=${encodeURIComponent("απόδειξη.png")}`,
      { method: "POST", headers: { "content-type": "image/png", "x-playground": "1" }, body: png },
    );
    expect(greek.status).toBe(202);
    const ref = (recorded.at(-1) as { attachments?: { ref: string }[] }).attachments![0]!.ref;
    const servedGreek = await fetch(`${base}/media/${ref}`);
    expect(servedGreek.status).toBe(200);
    expect(servedGreek.headers.get("content-disposition")).toContain(
      `filename*=UTF-8''${encodeURIComponent("απόδειξη.png")}`,
    );
  });

  it("an agent's picture needs a ticket thread that exists", async () => {
    const { base } = await serve();
    const res = await fetch(`${base}/api/desk/images?clientId=aaaaaaaa8&threadId=999`, {
      method: "POST",
      headers: { "content-type": "image/png", "x-playground": "1" },
      body: Buffer.from("89504e470d0a1a0a", "hex"),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/no ticket thread 999/);
  });
});

describe("web playground server: who may use it", () => {
  it("on 127.0.0.1, answers only requests that name a loopback host (no DNS rebinding)", async () => {
    const { base } = await serve();
    expect((await fetch(`${base}/api/desk/threads`)).status).toBe(200);
    // (fetch does not let a caller set Host; a plain request does, as a rebound page would.)
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request(
        new URL(`${base}/api/desk/threads`),
        { headers: { host: "evil.example:80" } },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      )
        .on("error", reject)
        .end();
    });
    expect(status).toBe(421);
    // A rebinding name that merely starts like a loopback address is not one.
    const lookalike = await new Promise<number | undefined>((resolve, reject) => {
      request(
        new URL(`${base}/api/desk/threads`),
        { headers: { host: "127.0.0.1.attacker.example:80" } },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      )
        .on("error", reject)
        .end();
    });
    expect(lookalike).toBe(421);
  });

  it("refuses a write that another site's page could send (a form post without the page's header)", async () => {
    const { base } = await serve();
    const res = await fetch(`${base}/api/flows/reload`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "",
    });
    expect(res.status).toBe(403);
  });

  it("bound elsewhere, every API call needs the token; the page itself carries no data", async () => {
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer().once("error", () => resolve(false));
      probe.listen(0, "0.0.0.0", () => probe.close(() => resolve(true)));
    });
    expect(free, "this test binds 0.0.0.0").toBe(true);
    const token = "t0ken-of-the-playground-1234";
    const { base } = await serve({ host: "0.0.0.0", token });
    expect((await fetch(`${base}/`)).status).toBe(200);
    expect((await fetch(`${base}/api/desk/threads`)).status).toBe(401);
    expect((await fetch(`${base}/api/desk/threads?token=wrong`)).status).toBe(401);
    expect((await fetch(`${base}/api/desk/threads?token=${token}`)).status).toBe(200);
    expect(
      (await fetch(`${base}/api/desk/threads`, { headers: { "x-playground-token": token } }))
        .status,
    ).toBe(200);
  });

  it("refuses to listen beyond loopback without a token", () => {
    const adapter = new WebAdapter(new WebStore(redis, testPrefix("web")), [
      { id: "web:agent", name: "Sam" },
    ]);
    expect(() => new PlaygroundServer({ adapter, host: "0.0.0.0", port: 0 })).toThrow(
      /needs a token/,
    );
  });

  it("compares tokens without caring how much of them matched", () => {
    expect(tokenMatches("abc", "abc")).toBe(true);
    expect(tokenMatches("abd", "abc")).toBe(false);
    expect(tokenMatches("ab", "abc")).toBe(false);
    expect(tokenMatches(undefined, "abc")).toBe(false);
  });
});
