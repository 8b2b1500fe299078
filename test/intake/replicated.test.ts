// REDIS_WAIT_REPLICAS on real servers: a primary and a replica of the test's own. A record is
// acknowledged only once the replica has it; a paused replica (SIGSTOP) makes it fail instead.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isFrontlineError } from "../../src/core/errors.ts";
import { ReplicaWait } from "../../src/intake/replicated.ts";
import { freePort } from "../../src/runtime/redis.ts";
import { dataNodeArgs, type RedisNode, startRedisNode } from "../support/redis-sentinel.ts";

const dir = mkdtempSync(join(tmpdir(), "fl-wait-"));
let primary: RedisNode;
let replica: RedisNode;
let control: Redis;
let onReplica: Redis;
const clients: Redis[] = [];

function client(port: number): Redis {
  const c = new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: null });
  c.on("error", () => {});
  clients.push(c);
  return c;
}

beforeAll(async () => {
  const p = await freePort();
  primary = await startRedisNode(p, dataNodeArgs(p, dir));
  const r = await freePort();
  replica = await startRedisNode(r, dataNodeArgs(r, dir, ["--replicaof", "127.0.0.1", String(p)]));
  control = client(p);
  onReplica = client(r);
  for (;;) {
    if (/master_link_status:up/.test(await onReplica.info("replication"))) break;
    await new Promise((res) => setTimeout(res, 50));
  }
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  replica.child.kill("SIGCONT");
  await Promise.all([primary.kill(), replica.kill()]);
  rmSync(dir, { recursive: true, force: true });
});

/** A record that must count as failed: FL_ERR_NOT_RECORDED, so the platform redelivers. */
async function refused(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isFrontlineError(err, "FL_ERR_NOT_RECORDED"), String(err)).toBe(true);
  return (err as Error).message;
}

describe("ReplicaWait", () => {
  it("resolves once the replica has the write, and refuses while the replica is paused", async () => {
    const connection = client(primary.port);
    const wait = new ReplicaWait(connection, { replicas: 1, timeoutMs: 300, fenceKey: "fence" });
    await wait.after(() => connection.set("a", "1"));
    // No waiting here: the acknowledgement came after the replica had it.
    expect(await onReplica.get("a")).toBe("1");

    replica.child.kill("SIGSTOP");
    try {
      const message = await refused(wait.after(() => connection.set("b", "1")));
      expect(message).toMatch(/0 of REDIS_WAIT_REPLICAS=1 replicas had it within 300 ms/);
      // Concurrent records share a WAIT, and share its verdict.
      const many = Array.from({ length: 20 }, (_, i) =>
        wait.after(() => connection.set(`c${i}`, "1")),
      );
      for (const m of many) await refused(m);
    } finally {
      replica.child.kill("SIGCONT");
    }
    await wait.after(() => connection.set("d", "1"));
    expect(await onReplica.get("d")).toBe("1");
  });

  it("a write that changed nothing (a redelivered update) still waits for what the primary had", async () => {
    const connection = client(primary.port);
    const wait = new ReplicaWait(connection, { replicas: 1, timeoutMs: 300, fenceKey: "fence" });
    await wait.after(() => connection.set("first", "1"));
    replica.child.kill("SIGSTOP");
    try {
      // The first record of an update, by another process, not yet on the replica…
      await control.set("update", "recorded");
      // …and its redelivery here, a duplicate that writes nothing: it must wait all the same
      // (skipping WAIT for duplicates would acknowledge it). Redis 7.2+ moves a connection's
      // WAIT offset only on writes, hence the fence write in ReplicaWait; 7.0 moves it on any.
      await refused(wait.after(() => connection.set("update", "recorded", "NX")));
    } finally {
      replica.child.kill("SIGCONT");
    }
  });

  it("a record whose connection dropped before WAIT answered fails (WAIT would count another primary's replicas)", async () => {
    const connection = client(primary.port);
    const wait = new ReplicaWait(connection, { replicas: 1, timeoutMs: 300, fenceKey: "fence" });
    const id = String(await connection.client("ID"));
    const message = await refused(
      wait.after(async () => {
        await connection.set("e", "1");
        const closed = new Promise((r) => connection.once("close", r));
        await control.client("KILL", "ID", id);
        await closed;
      }),
    );
    expect(message).toMatch(/connection to the primary was lost/);
    // The next record, on the new connection, goes through.
    await wait.after(() => connection.set("f", "1"));
  });
});
