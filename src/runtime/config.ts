// The environment, parsed once with zod into one typed Config. Nothing else reads process.env.
import { z } from "zod";
import type { ChannelPlugin } from "../core/adapter.ts";
import { FrontlineError } from "../core/errors.ts";
import { DEFAULT_RECOVERY_MS } from "../queue/recovery.ts";
import { hashTagOf, parseHostPorts } from "./redis-target.ts";

export const url = (what: string) =>
  z.string().refine((v) => {
    try {
      new URL(v);
      return true;
    } catch {
      return false;
    }
  }, `${what} must be a URL, e.g. redis://127.0.0.1:6379`);

const ConfigFields = z.object({
  REDIS_URL: z
    .string()
    .superRefine((v, ctx) => {
      let u: URL;
      try {
        u = new URL(v);
      } catch {
        u = new URL("x:");
      }
      if (!/^rediss?:$/.test(u.protocol))
        ctx.addIssue({
          code: "custom",
          message: "REDIS_URL must start with redis:// or rediss://, e.g. redis://127.0.0.1:6379",
        });
      else if (!/^(\/\d*)?$/.test(u.pathname))
        ctx.addIssue({
          code: "custom",
          message:
            "the database in REDIS_URL (its path) must be a number, e.g. redis://127.0.0.1:6379/0",
        });
    })
    .default("redis://127.0.0.1:6379"),
  /** Redis Sentinel: the sentinels to ask for the primary (REDIS_URL then gives only its
   * credentials and database). */
  REDIS_SENTINELS: z
    .string()
    .refine(
      (v) => parseHostPorts(v) !== null,
      "REDIS_SENTINELS must list the sentinels as host:port separated by commas, e.g. 10.0.0.1:26379,10.0.0.2:26379",
    )
    .optional(),
  /** The master name the sentinels monitor (their `sentinel monitor <name> …` line). */
  REDIS_SENTINEL_NAME: z.string().min(1).optional(),
  /** The sentinels' own password (their `requirepass`), when they have one. */
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  /** Redis Cluster: some of its nodes (the client finds the rest). */
  REDIS_CLUSTER_NODES: z
    .string()
    .refine(
      (v) => parseHostPorts(v) !== null,
      "REDIS_CLUSTER_NODES must list cluster nodes as host:port separated by commas, e.g. 10.0.0.1:6379,10.0.0.2:6379",
    )
    .optional(),
  /** Acknowledge a platform's update only once this many replicas have its record (WAIT). */
  REDIS_WAIT_REPLICAS: z.coerce
    .number("REDIS_WAIT_REPLICAS must be a number of replicas: 0 (off), 1, 2…")
    .int("REDIS_WAIT_REPLICAS must be a whole number of replicas: 0 (off), 1, 2…")
    .min(0, "REDIS_WAIT_REPLICAS must be 0 (off) or more")
    .default(0),
  /** How long the replicas may take; fewer by then and the update is not acknowledged. */
  REDIS_WAIT_TIMEOUT_MS: z.coerce
    .number("REDIS_WAIT_TIMEOUT_MS must be a number of milliseconds, e.g. 1000")
    .int("REDIS_WAIT_TIMEOUT_MS must be a whole number of milliseconds, e.g. 1000")
    .min(10, "REDIS_WAIT_TIMEOUT_MS must be at least 10 ms")
    .max(60_000, "REDIS_WAIT_TIMEOUT_MS must be at most 60000 ms")
    .default(1000),
  REDIS_PREFIX: z.string().min(1).default("fl:"),
  /** Per-chat work spread over this many hash tags, so over a Redis Cluster's primaries. */
  QUEUE_PARTITIONS: z.coerce
    .number("QUEUE_PARTITIONS must be a number of partitions: 1 (default), 2, 3…")
    .int("QUEUE_PARTITIONS must be a whole number of partitions: 1 (default), 2, 3…")
    .min(1, "QUEUE_PARTITIONS must be at least 1")
    .max(
      256,
      "QUEUE_PARTITIONS must be at most 256 (each partition is a BullMQ queue per queue kind)",
    )
    .default(1),
  FLOWS_DIR: z.string().min(1).default("flows"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** json (for log collectors), pretty (for people), or auto: pretty on a terminal, else json. */
  LOG_FORMAT: z
    .enum(["auto", "json", "pretty"], "LOG_FORMAT must be auto, json or pretty")
    .default("auto"),
  /** Log customer text and names (off by default: logs are redacted). */
  LOG_CUSTOMER_TEXT: z.enum(["true", "false"]).default("false"),
  /** How soon work held by a killed process is taken over by another (BullMQ lock + lease). */
  RECOVERY_MS: z.coerce.number().int().min(500).max(600_000).default(DEFAULT_RECOVERY_MS),
  /** Where agents work when several platforms offer a workspace: a platform name or workspace id. */
  DESK_WORKSPACE: z.string().min(1).optional(),
  /** The ops HTTP server (/healthz, /readyz, /metrics, /admin/queues); off when unset. */
  OPS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  OPS_HOST: z.string().min(1).default("0.0.0.0"),
  OPS_USER: z.string().min(1).optional(),
  OPS_PASSWORD: z.string().min(12, "OPS_PASSWORD must be at least 12 characters").optional(),
});

/** The variables, and the rules that tie several of them together. */
export const ConfigSchema = ConfigFields.superRefine((c, ctx) => {
  if (c.REDIS_CLUSTER_NODES) clusterRules(c, ctx);
  if (c.REDIS_SENTINELS && !c.REDIS_SENTINEL_NAME)
    ctx.addIssue({
      code: "custom",
      path: ["REDIS_SENTINEL_NAME"],
      message:
        'REDIS_SENTINEL_NAME must name the primary the sentinels monitor (their "sentinel monitor" line, e.g. mymaster) when REDIS_SENTINELS is set',
    });
  if (!c.REDIS_SENTINELS && (c.REDIS_SENTINEL_NAME || c.REDIS_SENTINEL_PASSWORD))
    ctx.addIssue({
      code: "custom",
      path: ["REDIS_SENTINELS"],
      message:
        "REDIS_SENTINELS must list the sentinels (host:port, comma-separated) when REDIS_SENTINEL_NAME or REDIS_SENTINEL_PASSWORD is set",
    });
});

/** What a Redis Cluster needs of the rest (see "Running at scale" in the README). */
function clusterRules(c: z.infer<typeof ConfigFields>, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) =>
    ctx.addIssue({ code: "custom", path: [path], message });
  if (c.REDIS_SENTINELS)
    issue(
      "REDIS_CLUSTER_NODES",
      "REDIS_CLUSTER_NODES and REDIS_SENTINELS exclude each other (a Cluster fails over by itself); set one",
    );
  if (!hashTagOf(c.REDIS_PREFIX))
    issue(
      "REDIS_PREFIX",
      `REDIS_PREFIX must carry a hash tag on a Redis Cluster, e.g. {${c.REDIS_PREFIX.replace(/[{}:]/g, "") || "fl"}}:, so each script, transaction and BullMQ queue stays in one slot`,
    );
  if (c.REDIS_WAIT_REPLICAS > 0)
    issue(
      "REDIS_WAIT_REPLICAS",
      "REDIS_WAIT_REPLICAS works with one primary (REDIS_URL or REDIS_SENTINELS), not with REDIS_CLUSTER_NODES; set it to 0",
    );
  if (!/^(\/0?)?$/.test(new URL(c.REDIS_URL).pathname))
    issue(
      "REDIS_URL",
      "REDIS_URL must not name a database with REDIS_CLUSTER_NODES: a Redis Cluster has only database 0",
    );
}

export type Config = z.infer<typeof ConfigSchema>;

/** Each variable of `env` that is set: an empty variable (FOO= in a .env file) means "not set". */
function setVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""),
  );
}

function issuesOf(error: z.ZodError): string[] {
  return error.issues.map((i) => {
    const name = i.path.join(".");
    // Messages that already name the variable are not prefixed with it again.
    return `  ${i.message.startsWith(name) ? i.message : `${name}: ${i.message}`}`;
  });
}

function invalid(lines: string[]): FrontlineError {
  return new FrontlineError(
    "FL_ERR_CONFIG",
    `configuration is invalid (see .env.example):\n${lines.join("\n")}`,
  );
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(setVariables(env));
  if (parsed.success) return parsed.data;
  throw invalid(issuesOf(parsed.error));
}

export interface PlatformConfig {
  plugin: ChannelPlugin;
  env: Record<string, unknown>;
}

/** The core's variables and every platform plugin's own slice, with all mistakes at once. */
export function loadEnvironment(
  plugins: readonly ChannelPlugin[],
  env: NodeJS.ProcessEnv = process.env,
): { config: Config; platforms: PlatformConfig[] } {
  const set = setVariables(env);
  const lines: string[] = [];
  const core = ConfigSchema.safeParse(set);
  if (!core.success) lines.push(...issuesOf(core.error));
  const platforms: PlatformConfig[] = [];
  for (const plugin of plugins) {
    const parsed = plugin.env.safeParse(set);
    if (!parsed.success) lines.push(...issuesOf(parsed.error));
    else platforms.push({ plugin, env: parsed.data as Record<string, unknown> });
  }
  if (lines.length > 0 || !core.success) throw invalid(lines);
  return { config: core.data, platforms };
}
