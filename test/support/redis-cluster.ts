// A real Redis Cluster for tests: `redis-server --cluster-enabled yes` on free loopback ports
// (each with its own cluster bus port), joined by `redis-cli --cluster create`. Every process
// is the test's own and is stopped by its pid.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { freePort } from "../../src/runtime/redis.ts";
import { dataNodeArgs, type RedisNode, startRedisNode } from "./redis-sentinel.ts";

export interface TestCluster {
  nodes: RedisNode[];
  /** REDIS_CLUSTER_NODES for it. */
  list: string;
  stop(): Promise<void>;
}

export async function startCluster(primaries = 3): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), "fl-cluster-"));
  const nodes: RedisNode[] = [];
  try {
    for (let i = 0; i < primaries; i++) {
      const [port, bus] = [await freePort(), await freePort()];
      nodes.push(
        await startRedisNode(
          port,
          dataNodeArgs(port, dir, [
            "--cluster-enabled",
            "yes",
            "--cluster-port",
            String(bus),
            "--cluster-config-file",
            join(dir, `nodes-${port}.conf`),
            "--cluster-node-timeout",
            "2000",
          ]),
        ),
      );
    }
    const create = spawnSync(
      "redis-cli",
      [
        "--cluster",
        "create",
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        "--cluster-replicas",
        "0",
        "--cluster-yes",
      ],
      { encoding: "utf8", timeout: 30_000 },
    );
    if (create.status !== 0)
      throw new Error(`redis-cli --cluster create: ${create.stdout}${create.stderr}`);
    // Every node agrees the cluster is whole before anyone uses it.
    const started = Date.now();
    for (;;) {
      const states = await Promise.all(
        nodes.map(async (n) => {
          const c = new Redis({ port: n.port, host: "127.0.0.1", retryStrategy: () => null });
          c.on("error", () => {});
          try {
            return /cluster_state:ok/.test(String(await c.call("CLUSTER", "INFO")));
          } finally {
            c.disconnect();
          }
        }),
      );
      if (states.every(Boolean)) break;
      if (Date.now() - started > 30_000)
        throw new Error("the cluster never reached cluster_state:ok");
      await new Promise((r) => setTimeout(r, 100));
    }
    return {
      nodes,
      list: nodes.map((n) => `127.0.0.1:${n.port}`).join(","),
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
