// Real Redis topologies for tests, from the redis-server binary on free loopback ports: a
// primary with replicas watched by sentinels (`redis-server <conf> --sentinel`). Every process
// is the test's own and is stopped by its pid.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "../../src/runtime/redis.ts";

export interface RedisNode {
  port: number;
  child: ChildProcess;
  exited: Promise<void>;
  /** SIGKILL by default; resolves once the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** A redis-server (or sentinel) with these arguments, once it answers PING. */
export async function startRedisNode(port: number, args: string[]): Promise<RedisNode> {
  const child = spawn("redis-server", args, { stdio: "ignore" });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  await untilAnswers(port);
  return {
    port,
    child,
    exited,
    kill: async (signal = "SIGKILL") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** A plain data node: no persistence (so a restarted one comes back empty, as a new replica). */
export function dataNodeArgs(port: number, dir: string, extra: string[] = []): string[] {
  return [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    "no",
    "--maxmemory-policy",
    "noeviction",
    ...extra,
  ];
}

async function untilAnswers(port: number): Promise<void> {
  for (let i = 0; ; i++) {
    const probe = new Redis({
      port,
      host: "127.0.0.1",
      lazyConnect: true,
      retryStrategy: () => null,
    });
    probe.on("error", () => {});
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch (err) {
      if (i > 200) throw err;
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      probe.disconnect();
    }
  }
}

export interface SentinelSet {
  name: string;
  dir: string;
  primary: RedisNode;
  replicas: RedisNode[];
  sentinels: RedisNode[];
  /** REDIS_SENTINELS for these sentinels. */
  sentinelList: string;
  /** The port the sentinels name as the primary now. */
  primaryPort(): Promise<number>;
  /** Resolves once every sentinel names another port than `oldPort` as the primary. */
  failedOver(oldPort: number, timeoutMs?: number): Promise<number>;
  /** Starts a data node on `port` (a killed one, say) as a replica of `primaryPort`. */
  startReplica(port: number, primaryPort: number): Promise<RedisNode>;
  stop(): Promise<void>;
}

/**
 * A primary, `replicas` replicas and `sentinels` sentinels that agree on them (each sentinel
 * knows the others and every replica, so a failover can be voted at once). Short
 * `down-after-milliseconds` and `failover-timeout` keep a failover within seconds.
 */
export async function startSentinelSet(
  options: {
    name?: string;
    replicas?: number;
    sentinels?: number;
    downAfterMs?: number;
    failoverTimeoutMs?: number;
  } = {},
): Promise<SentinelSet> {
  const name = options.name ?? "flmaster";
  const dir = mkdtempSync(join(tmpdir(), "fl-sentinel-"));
  const nodes: RedisNode[] = [];
  try {
    const primaryPort = await freePort();
    const primary = await startRedisNode(primaryPort, dataNodeArgs(primaryPort, dir));
    nodes.push(primary);
    const replicas: RedisNode[] = [];
    for (let i = 0; i < (options.replicas ?? 1); i++) {
      const port = await freePort();
      const replica = await startRedisNode(
        port,
        dataNodeArgs(port, dir, ["--replicaof", "127.0.0.1", String(primaryPort)]),
      );
      replicas.push(replica);
      nodes.push(replica);
    }
    const sentinels: RedisNode[] = [];
    const count = options.sentinels ?? 3;
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const conf = join(dir, `sentinel-${port}.conf`);
      // Sentinel rewrites its own file (the epoch, the others it met): one writable file each.
      writeFileSync(
        conf,
        [
          `port ${port}`,
          "bind 127.0.0.1",
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${primaryPort} ${Math.floor(count / 2) + 1}`,
          `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 1000}`,
          `sentinel failover-timeout ${name} ${options.failoverTimeoutMs ?? 3000}`,
          `sentinel parallel-syncs ${name} 1`,
          "",
        ].join("\n"),
      );
      const sentinel = await startRedisNode(port, [conf, "--sentinel"]);
      sentinels.push(sentinel);
      nodes.push(sentinel);
    }
    const ask = async <T>(port: number, ...args: string[]): Promise<T> => {
      const client = new Redis({ port, host: "127.0.0.1", retryStrategy: () => null });
      client.on("error", () => {});
      try {
        return (await client.call("SENTINEL", ...args)) as T;
      } finally {
        client.disconnect();
      }
    };
    // Sentinels find each other and the replicas through the primary (hello messages every
    // 2 s, INFO every 10 s at most): wait until every one has the whole picture.
    const started = Date.now();
    for (;;) {
      const views = await Promise.all(
        sentinels.map(async (s) => {
          const flat = await ask<string[]>(s.port, "master", name);
          const info = Object.fromEntries(
            flat.flatMap((v, i) => (i % 2 === 0 ? [[v, flat[i + 1]]] : [])),
          );
          return (
            Number(info["num-other-sentinels"]) === count - 1 &&
            Number(info["num-slaves"]) === replicas.length
          );
        }),
      );
      if (views.every(Boolean)) break;
      if (Date.now() - started > 30_000) throw new Error("the sentinels never agreed");
      await new Promise((r) => setTimeout(r, 100));
    }
    const primaryPortNow = async (port: number) =>
      Number((await ask<string[]>(port, "get-master-addr-by-name", name))[1]);
    return {
      name,
      dir,
      primary,
      replicas,
      sentinels,
      sentinelList: sentinels.map((s) => `127.0.0.1:${s.port}`).join(","),
      primaryPort: () => primaryPortNow(sentinels[0]!.port),
      failedOver: async (oldPort, timeoutMs = 30_000) => {
        const since = Date.now();
        for (;;) {
          const ports = await Promise.all(sentinels.map((s) => primaryPortNow(s.port)));
          if (ports.every((p) => p !== oldPort && p === ports[0])) return ports[0]!;
          if (Date.now() - since > timeoutMs) throw new Error("no failover");
          await new Promise((r) => setTimeout(r, 100));
        }
      },
      startReplica: async (port, primaryPort) => {
        const node = await startRedisNode(
          port,
          dataNodeArgs(port, dir, ["--replicaof", "127.0.0.1", String(primaryPort)]),
        );
        nodes.push(node);
        return node;
      },
      stop: async () => {
        await Promise.all(nodes.map((n) => n.kill()));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await Promise.all(nodes.map((n) => n.kill()));
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
