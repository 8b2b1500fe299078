// `frontline doctor`: the checks `frontline start` makes before it takes any traffic, one line
// each, without starting anything: configuration, flows, Redis, and each configured platform
// (its token, and the agent workspace's preflight). Exit 1 when any check fails.
import type { ChannelPlugin } from "../core/adapter.ts";
import { isFrontlineError } from "../core/errors.ts";
import { loadFlows } from "../flows/load.ts";
import { formatProblems } from "../flows/problems.ts";
import { loadEnvironment } from "../runtime/config.ts";
import { connectRedis, keyServers } from "../runtime/redis.ts";
import { describeTarget, type RedisTarget, redisTargetOf } from "../runtime/redis-target.ts";

type Check = { name: string; run: () => Promise<string> };

export async function runDoctor(plugins: readonly ChannelPlugin[]): Promise<number> {
  let failed = 0;
  const report = async ({ name, run }: Check) => {
    try {
      process.stdout.write(`✓ ${name}: ${await run()}\n`);
    } catch (err) {
      failed += 1;
      const why = isFrontlineError(err) ? err.message : ((err as Error)?.message ?? String(err));
      process.stdout.write(`✗ ${name}: ${why}\n`);
    }
  };
  let env: ReturnType<typeof loadEnvironment> | undefined;
  await report({
    name: "configuration",
    run: async () => {
      env = loadEnvironment(plugins);
      return "every variable parses";
    },
  });
  if (!env) return 1;
  const { config, platforms } = env;
  const enabled = platforms.filter((p) => p.plugin.enabled(p.env as never));
  await report({
    name: `flows in ${config.FLOWS_DIR}`,
    run: async () => {
      const loaded = loadFlows(config.FLOWS_DIR, { platforms: enabled.map((p) => p.plugin) });
      if (!loaded.ok) throw new Error(`invalid:\n${formatProblems(loaded.problems)}`);
      return `${loaded.flowSet.flows.size} flows, desk ${loaded.flowSet.bot.desk ? "configured" : "not configured"}`;
    },
  });
  await report({
    name: "Redis",
    run: () => checkRedis(redisTargetOf(config), config.REDIS_WAIT_REPLICAS),
  });
  if (enabled.length === 0)
    await report({
      name: "platforms",
      run: async () => {
        // `start` in a service (no terminal) refuses this; in a terminal it runs the chat.
        if (process.stdin.isTTY !== true)
          throw new Error(
            "none configured: set TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN (see .env.example)",
          );
        return "none configured: `npm start` runs the terminal chat (set TELEGRAM_BOT_TOKEN for Telegram, DISCORD_BOT_TOKEN for Discord)";
      },
    });
  for (const { plugin, env: own } of enabled) {
    const adapter = await plugin.create(own as never, {});
    if (adapter.check)
      await report({
        name: `${plugin.name} credentials`,
        run: async () => {
          const problem = await adapter.check!();
          if (problem) throw new Error(problem);
          const wiring = await adapter.describe?.().catch(() => undefined);
          return `the platform accepts the token${wiring ? `; ${wiring}` : ""}`;
        },
      });
    for (const workspace of adapter.workspaces)
      await report({
        name: `${plugin.name} agent workspace ${workspace.id}`,
        run: async () => {
          const problem = await workspace.check();
          if (problem) throw new Error(problem);
          return "ready for the desk";
        },
      });
    if (adapter.workspaces.length === 0)
      process.stdout.write(`· ${plugin.name}: no agent workspace configured (no desk)\n`);
  }
  return failed > 0 ? 1 : 0;
}

/** Redis 6.2+, and what production needs: no eviction (it would drop queued work), AOF on. */
async function checkRedis(target: RedisTarget, waitReplicas: number): Promise<string> {
  const redis = await connectRedis(target);
  const where = describeTarget(target);
  try {
    const version = /redis_version:(\S+)/.exec(await redis.redis.info("server"))?.[1] ?? "0";
    const [major = 0, minor = 0] = version.split(".").map(Number);
    if (major < 6 || (major === 6 && minor < 2))
      throw new Error(`Redis ${version} at ${where} is too old; Frontline needs 6.2 or newer`);
    // A Cluster's primaries are asked one by one: the first not as it should be is reported.
    const setting = async (name: string, good: string) => {
      const values = await Promise.all(
        keyServers(redis.redis).map(
          async (s) => ((await s.config("GET", name).catch(() => [])) as string[])[1],
        ),
      );
      return values.find((v) => v !== undefined && v !== good) ?? values[0];
    };
    const eviction = await setting("maxmemory-policy", "noeviction");
    if (eviction && eviction !== "noeviction")
      throw new Error(
        `maxmemory-policy is ${eviction}: Redis may evict queued messages; set maxmemory-policy noeviction`,
      );
    if (waitReplicas > 0) {
      const replication = await redis.redis.info("replication");
      const connected = Number(/connected_slaves:(\d+)/.exec(replication)?.[1] ?? 0);
      if (connected < waitReplicas)
        throw new Error(
          `REDIS_WAIT_REPLICAS=${waitReplicas}, but ${where} has ${connected} connected replicas: every update would be refused; add replicas or lower REDIS_WAIT_REPLICAS`,
        );
    }
    // Timers and token buckets use Redis's clock; a host clock far off it confuses operators.
    const [seconds] = await redis.redis.time();
    const skew = Math.abs(Number(seconds) * 1000 - Date.now());
    if (skew > 5_000)
      throw new Error(
        `this host's clock is ${Math.round(skew / 1000)} s off Redis's; run NTP (timesyncd, chrony)`,
      );
    const aof = await setting("appendonly", "yes");
    const note =
      aof === "no"
        ? "; warning: appendonly is off, a Redis restart loses what is queued (set appendonly yes)"
        : "";
    return `${where} answers (Redis ${version}, maxmemory-policy ${eviction ?? "unknown"}${await replicasNote(redis.redis, target)})${note}`;
  } finally {
    await redis.close();
  }
}

/** Behind Sentinel: which node is the primary now, and how many replicas follow it. On a
 * Cluster: how many primaries serve it. */
async function replicasNote(redis: import("ioredis").Redis, target: RedisTarget): Promise<string> {
  if (target.kind === "cluster") return `, a cluster of ${keyServers(redis).length} primaries`;
  if (target.kind !== "sentinel") return "";
  const replication = await redis.info("replication");
  const replicas = /connected_slaves:(\d+)/.exec(replication)?.[1] ?? "?";
  const { remoteAddress, remotePort } = redis.stream as {
    remoteAddress?: string;
    remotePort?: number;
  };
  return `, primary "${target.name}" at ${remoteAddress}:${remotePort} with ${replicas} connected replicas`;
}
