// Where Redis is, as the configuration says: one server (REDIS_URL), a primary found through
// Redis Sentinel (REDIS_SENTINELS + REDIS_SENTINEL_NAME), or a Redis Cluster
// (REDIS_CLUSTER_NODES). One place turns that into an ioredis client built the documented
// ioredis way, with the options BullMQ needs.
import { Cluster, Redis, type RedisOptions } from "ioredis";

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
    }
  | {
      kind: "cluster";
      /** The nodes' credentials and TLS (no database: a cluster has only 0). */
      url: string;
      /** Some of the cluster's nodes; the client finds the rest. */
      nodes: HostPort[];
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

/**
 * The hash tag of a key prefix: what Redis Cluster hashes instead of the whole key (the text
 * between the first `{` and the next `}`, when not empty), or null.
 */
export function hashTagOf(prefix: string): string | null {
  const open = prefix.indexOf("{");
  const close = open < 0 ? -1 : prefix.indexOf("}", open + 1);
  return close > open + 1 ? prefix.slice(open + 1, close) : null;
}

/** The target the configuration names (REDIS_CLUSTER_NODES or REDIS_SENTINELS win over a
 * plain REDIS_URL; the configuration refuses both at once). */
export function redisTargetOf(config: {
  REDIS_URL: string;
  REDIS_SENTINELS?: string | undefined;
  REDIS_SENTINEL_NAME?: string | undefined;
  REDIS_SENTINEL_PASSWORD?: string | undefined;
  REDIS_CLUSTER_NODES?: string | undefined;
}): RedisTarget {
  const nodes = config.REDIS_CLUSTER_NODES ? parseHostPorts(config.REDIS_CLUSTER_NODES) : null;
  if (nodes) return { kind: "cluster", url: config.REDIS_URL, nodes };
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
  if (target.kind === "cluster")
    return `REDIS_CLUSTER_NODES=${target.nodes.map((s) => `${s.host}:${s.port}`).join(",")}`;
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
  if (target.kind === "cluster") return clusterClient(target, options);
  return new Redis(target.url, {
    sentinels: target.sentinels,
    name: target.name,
    ...(target.sentinelPassword ? { sentinelPassword: target.sentinelPassword } : {}),
    failoverDetector: true,
    reconnectOnError: (err) => (err.message.startsWith("READONLY") ? 2 : false),
    ...options,
  });
}

/**
 * Cluster: ioredis follows MOVED and ASK redirections, refreshes the slot map after a
 * failover and sends each command to the node that serves its key; every node connection gets
 * the given options (BullMQ reads maxRetriesPerRequest from there). Typed as `Redis`: the
 * rest of Frontline only sends commands both clients share (ioredis's Commander), and its
 * keys carry the prefix's hash tag, so every script and transaction stays in one slot.
 */
function clusterClient(target: Extract<RedisTarget, { kind: "cluster" }>, options: RedisOptions) {
  const url = new URL(target.url);
  const { lazyConnect, ...nodeOptions } = options;
  const cluster = new Cluster(target.nodes, {
    // A probe (lazy) tries the listed nodes once; a service's client keeps trying.
    ...(lazyConnect ? { lazyConnect, clusterRetryStrategy: () => null } : {}),
    redisOptions: {
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(url.protocol === "rediss:" ? { tls: {} } : {}),
      ...nodeOptions,
    },
  });
  return cluster as unknown as Redis;
}
