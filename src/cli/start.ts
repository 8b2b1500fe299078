// `frontline start` (and `npm start`): the bot on its configured platforms, built through
// createFrontline with the plugins the composition root (bin/) passes in. With no platform
// configured it keeps the terminal chat as the embedded default and says how to connect one.
import type { ChannelAdapter, ChannelPlugin } from "../core/adapter.ts";
import { FrontlineError, isFrontlineError } from "../core/errors.ts";
import { loadEnvironment } from "../runtime/config.ts";
import { createFrontline, type Frontline } from "../runtime/frontline.ts";
import { loadFlowsOrThrow } from "../runtime/local.ts";
import { createLogger } from "../runtime/logger.ts";
import { connectRedis } from "../runtime/redis.ts";
import { redisTargetOf } from "../runtime/redis-target.ts";
import { runChat } from "./chat.ts";

export const HOW_TO_CONNECT_TELEGRAM =
  "No TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN is set, so Frontline runs as a terminal chat. To connect Telegram: create a bot with @BotFather " +
  "(/newbot), put its token in TELEGRAM_BOT_TOKEN (see .env.example), and run `npm start` again; for Discord, see README: Connecting Discord.";

export async function runStart(
  opts: { flows?: string },
  plugins: readonly ChannelPlugin[],
): Promise<number> {
  const { config, platforms } = loadEnvironment(plugins);
  const flowsDir = opts.flows ?? config.FLOWS_DIR;
  const enabled = platforms.filter((p) => p.plugin.enabled(p.env as never));
  if (enabled.length === 0) {
    // In a terminal, the chat is the embedded default; in a service (no terminal) a missing
    // token is a configuration error, not a success.
    if (process.stdin.isTTY !== true)
      throw new FrontlineError(
        "FL_ERR_CONFIG",
        "no platform is configured: set TELEGRAM_BOT_TOKEN or DISCORD_BOT_TOKEN (see .env.example); `npx frontline chat` talks to the bot in a terminal",
      );
    process.stderr.write(`${HOW_TO_CONNECT_TELEGRAM}\n\n`);
    return runChat({ flows: flowsDir });
  }
  const logger = createLogger({
    level: config.LOG_LEVEL,
    redactText: config.LOG_CUSTOMER_TEXT !== "true",
    pretty:
      config.LOG_FORMAT === "pretty" ||
      (config.LOG_FORMAT === "auto" && process.stdout.isTTY === true),
  });
  const flows = loadFlowsOrThrow(
    flowsDir,
    enabled.map((p) => p.plugin),
  );
  const redis = await connectRedis(redisTargetOf(config));
  let frontline: Frontline | undefined;
  let adapters: ChannelAdapter[] = [];
  try {
    adapters = await Promise.all(enabled.map((p) => p.plugin.create(p.env as never, { logger })));
    frontline = await createFrontline({
      redis: redis.redis,
      prefix: config.REDIS_PREFIX,
      partitions: config.QUEUE_PARTITIONS,
      flows,
      adapters,
      deskWorkspace: config.DESK_WORKSPACE,
      logger,
      recoveryMs: config.RECOVERY_MS,
      waitReplicas: {
        replicas: config.REDIS_WAIT_REPLICAS,
        timeoutMs: config.REDIS_WAIT_TIMEOUT_MS,
      },
    });
    await frontline.start();
  } catch (err) {
    // One sentence and a non-zero exit, and nothing left running that would keep the process up.
    await frontline?.stop(1_000).catch(() => {});
    await redis.close().catch(() => {});
    if (isFrontlineError(err)) throw err;
    throw new FrontlineError("FL_ERR_CONFIG", `could not start: ${(err as Error)?.message ?? err}`);
  }
  if (!frontline) return 1; // (narrows the type: start() above either set it or threw)
  // Loaded only when asked for: fastify, bull-board and prom-client cost ~15 MB of RSS.
  const ops =
    config.OPS_PORT === undefined
      ? undefined
      : await (await import("../runtime/ops/server.ts"))
          .startOpsServer(frontline, {
            host: config.OPS_HOST,
            port: config.OPS_PORT,
            user: config.OPS_USER,
            password: config.OPS_PASSWORD,
          })
          .catch(async (err) => {
            await frontline.stop(1_000).catch(() => {});
            await redis.close().catch(() => {});
            throw new FrontlineError(
              "FL_ERR_CONFIG",
              `the ops server could not listen on ${config.OPS_HOST}:${config.OPS_PORT} (${(err as Error).message}); choose another OPS_PORT`,
            );
          });
  if (!frontline.desk) {
    // Flows still escalate and tell customers a person will answer: say loudly that nobody can.
    logger.warn(
      "no agent desk is running (set TELEGRAM_AGENT_CHAT_ID and a desk: section in frontline.yaml): escalated customers will not reach a person",
    );
  }
  logger.info(
    {
      platforms: adapters.map((a) => `${a.name}: ${a.health().detail}`),
      flows: flows.flows.size,
      ...(ops ? { ops: ops.port } : {}),
    },
    "frontline started",
  );

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, "stopping: no new updates; finishing what is in flight");
      void Promise.resolve(ops?.close())
        .then(() => frontline.stop(5_000))
        .catch((err) => logger.error({ err }, "error while stopping"))
        .finally(() => redis.close().then(resolve));
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
  logger.info("stopped");
  return 0;
}
