// The environment, parsed once with zod into one typed Config. Nothing else reads process.env.
import { z } from "zod";
import { FrontlineError } from "../core/errors.ts";

const url = (what: string) =>
  z.string().refine((v) => {
    try {
      new URL(v);
      return true;
    } catch {
      return false;
    }
  }, `${what} must be a URL, e.g. redis://127.0.0.1:6379`);

export const ConfigSchema = z.object({
  REDIS_URL: url("REDIS_URL").default("redis://127.0.0.1:6379"),
  REDIS_PREFIX: z.string().min(1).default("fl:"),
  FLOWS_DIR: z.string().min(1).default("flows"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Log customer text and names (off by default: logs are redacted). */
  LOG_CUSTOMER_TEXT: z.enum(["true", "false"]).default("false"),
});

export type Config = z.infer<typeof ConfigSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
  throw new FrontlineError("FL_ERR_CONFIG", `configuration is invalid (see .env.example):\n${lines.join("\n")}`);
}
