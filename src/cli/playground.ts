// `frontline playground`: the whole product in one browser page — customer chat, agent desk and
// flow debugger side by side — on this machine. The real intake, engine, outbox and desk run
// with the web channel and workspace the composition root provides; Redis is found or started
// as `frontline chat` does it. Not a production web widget.
import { randomBytes } from "node:crypto";
import { FrontlineError } from "../core/errors.ts";
import { loadConfig } from "../runtime/config.ts";
import { loadFlowsOrThrow } from "../runtime/local.ts";
import { createLogger } from "../runtime/logger.ts";
import {
  type PlaygroundPlugin,
  PlaygroundProduct,
  type PlaygroundWeb,
} from "../runtime/playground.ts";
import { connectRedis } from "../runtime/redis.ts";
import { redisTargetOf } from "../runtime/redis-target.ts";

export interface PlaygroundCommandOptions {
  flows: string;
  host: string;
  port: string;
  token?: string;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1)$/;

export async function runPlayground(
  opts: PlaygroundCommandOptions,
  load: (() => Promise<PlaygroundPlugin>) | undefined,
): Promise<number> {
  if (!load)
    throw new FrontlineError("FL_ERR_CONFIG", "this build of frontline has no web playground");
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new FrontlineError(
      "FL_ERR_CONFIG",
      `--port ${opts.port} is not a port (0-65535; 0 picks a free one)`,
    );
  const exposed = !LOOPBACK.test(opts.host);
  if (opts.token !== undefined && !/^[A-Za-z0-9_-]{16,128}$/.test(opts.token))
    throw new FrontlineError(
      "FL_ERR_CONFIG",
      "--token must be 16-128 characters of A-Z a-z 0-9 _ -",
    );
  const token = exposed ? (opts.token ?? randomBytes(24).toString("base64url")) : opts.token;

  const config = loadConfig();
  const logger = createLogger({
    level: config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL,
    redactText: config.LOG_CUSTOMER_TEXT !== "true",
    pretty: config.LOG_FORMAT !== "json",
  });
  const plugin = await load();
  const redis = await connectRedis(redisTargetOf(config), { allowPrivateServer: true });
  // Its own key space: playground tickets never mix with a real bot's on the same Redis.
  const prefix = `${config.REDIS_PREFIX}playground:`;
  let web: PlaygroundWeb | undefined;
  let product: PlaygroundProduct | undefined;
  let url: string;
  try {
    web = plugin.create({ redis: redis.redis, prefix, host: opts.host, port, token, logger });
    const flows = loadFlowsOrThrow(opts.flows, web.adapter.channels);
    product = new PlaygroundProduct({
      redis: redis.redis,
      prefix,
      flowsDir: opts.flows,
      flows,
      adapter: web.adapter,
      logger,
      recoveryMs: config.RECOVERY_MS,
    });
    await product.start();
    url = (await web.listen(product)).url;
  } catch (err) {
    await web?.close().catch(() => {});
    await product?.stop().catch(() => {});
    await redis.close().catch(() => {});
    const code = (err as { code?: string }).code;
    if (code === "EADDRINUSE")
      throw new FrontlineError(
        "FL_ERR_CONFIG",
        `port ${port} on ${opts.host} is in use; choose another with --port (0 picks a free one)`,
      );
    if (code === "ENOTFOUND" || code === "EADDRNOTAVAIL" || code === "EACCES")
      throw new FrontlineError(
        "FL_ERR_CONFIG",
        `the playground cannot listen on ${opts.host}:${port} (${(err as Error).message}); check --host and --port`,
      );
    throw err;
  }

  const out = process.stdout;
  if (redis.privateServer)
    out.write(
      `(no Redis at ${config.REDIS_URL}: using a private, throw-away redis-server; nothing is kept after you stop)\n`,
    );
  out.write(`Frontline playground: ${url}\n`);
  out.write(
    `  flows from ${opts.flows}; the page's "Reload flows" picks up your edits. Ctrl-C stops.\n`,
  );
  if (exposed)
    out.write(
      `  listening on ${opts.host}: anyone who can reach it needs the token in that address; this is not a production web widget.\n`,
    );

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      void web!
        .close()
        .then(() => product!.stop())
        .catch((err) => logger.error({ err }, "error while stopping"))
        .finally(() => redis.close().then(resolve));
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  return 0;
}
