// A ready engine for local commands (chat, test-flows): valid flows, Redis, store, engine.
import type { Logger } from "pino";
import { FrontlineError } from "../core/errors.ts";
import { Engine } from "../engine/engine.ts";
import { ConversationStore } from "../engine/store.ts";
import { loadFlows, type PlatformLimits } from "../flows/load.ts";
import { formatProblems } from "../flows/problems.ts";
import { connectRedis, type RedisHandle, type RedisTarget } from "./redis.ts";

export interface LocalEngine {
  engine: Engine;
  redis: RedisHandle;
  close(): Promise<void>;
}

/** Refuses invalid flows with the validator's full report: never runs half a flow set. */
export function loadFlowsOrThrow(dir: string, platforms: readonly PlatformLimits[] = []) {
  const loaded = loadFlows(dir, { platforms });
  if (!loaded.ok) {
    throw new FrontlineError(
      "FL_ERR_FLOW_INVALID",
      `flows in ${dir} are invalid; nothing was started.\n${formatProblems(loaded.problems)}`,
    );
  }
  return loaded.flowSet;
}

export async function openLocalEngine(options: {
  flowsDir: string;
  /** A URL, or the configured target (`redisTargetOf`). */
  redisUrl: string | RedisTarget;
  prefix: string;
  logger?: Logger;
  /** Flow tests run the flows as a desk would see them; the terminal chat has no desk. */
  handover?: boolean;
}): Promise<LocalEngine> {
  const flows = loadFlowsOrThrow(options.flowsDir);
  const redis = await connectRedis(options.redisUrl, { allowPrivateServer: true });
  const store = new ConversationStore(redis.redis, { prefix: options.prefix });
  const engine = new Engine({ flows, store, logger: options.logger, handover: options.handover });
  return { engine, redis, close: () => redis.close() };
}
