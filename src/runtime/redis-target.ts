// Where Redis is, as the configuration says: one server (REDIS_URL), or a primary found through
// Redis Sentinel (REDIS_SENTINELS + REDIS_SENTINEL_NAME). One place turns that into an ioredis
// client built the documented ioredis way, with the options BullMQ needs.
import { Redis, type RedisOptions } from "ioredis";

export interface HostPort {
  host: string;
  port: number;
}

export type RedisTarget =
  | { kind: "server"; url: string }
  | {
      kind: "sentinel";
      /** The primary's credentials, database and TLS (its host and port come from the sentinels). */
      url: string;
      sentinels: HostPort[];
      /** The master name the sentinels monitor. */
      name: string;
      sentinelPassword?: string;
    };

/** `host:port,host:port` → the list, or null when an entry is not a host and a port. */
export function parseHostPorts(list: string): HostPort[] | null {
  const entries = list
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) return null;
  const out: HostPort[] = [];
  for (const entry of entries) {
    // The last colon splits, so a bracketed IPv6 address keeps its own.
    const m = /^\[?([^\]\s]+?)\]?:(\d{1,5})$/.exec(entry);
    const port = Number(m?.[2]);
    if (!m || port < 1 || port > 65_535) return null;
    out.push({ host: m[1]!, port });
  }
  return out;
}

/** The target the configuration names (REDIS_SENTINELS wins over a plain REDIS_URL). */
export function redisTargetOf(config: {
  REDIS_URL: string;
  REDIS_SENTINELS?: string | undefined;
  REDIS_SENTINEL_NAME?: string | undefined;
  REDIS_SENTINEL_PASSWORD?: string | undefined;
}): RedisTarget {
  const sentinels = config.REDIS_SENTINELS ? parseHostPorts(config.REDIS_SENTINELS) : null;
  if (!sentinels || !config.REDIS_SENTINEL_NAME) return { kind: "server", url: config.REDIS_URL };
  return {
    kind: "sentinel",
    url: config.REDIS_URL,
    sentinels,
    name: config.REDIS_SENTINEL_NAME,
    ...(config.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: config.REDIS_SENTINEL_PASSWORD } : {}),
  };
}

/** How a message names the target, with the variables to fix. */
export function describeTarget(target: RedisTarget): string {
  if (target.kind === "server") return `REDIS_URL=${target.url}`;
  return `REDIS_SENTINELS=${target.sentinels.map((s) => `${s.host}:${s.port}`).join(",")}`;
}

/**
 * A client for the target. Sentinel: ioredis asks the sentinels for the primary, checks the
 * node it reached is a primary, and after a failover asks again and re-sends what was queued.
 * `failoverDetector` hears the sentinels' +switch-master, so a failover whose old primary stays
 * reachable (a manual one, a partition) is noticed too; a READONLY reply (we are talking to a
 * demoted primary) reconnects and re-sends the command instead of failing it.
 */
export function redisClient(target: RedisTarget, options: RedisOptions = {}): Redis {
  if (target.kind === "server") return new Redis(target.url, options);
  return new Redis(target.url, {
    sentinels: target.sentinels,
    name: target.name,
    ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
    failoverDetector: true,
    reconnectOnError: (err) => (err.message.startsWith("READONLY") ? 2 : false),
    ...options,
  });
}
