// The ops HTTP server (OPS_PORT, off by default): /healthz (the process answers), /readyz
// (Redis answers and every adapter is connected), /metrics (Prometheus text), and the BullMQ
// dashboard at /admin/queues behind basic auth when OPS_USER and OPS_PASSWORD are set.
import { timingSafeEqual } from "node:crypto";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { FastifyAdapter } from "@bull-board/fastify";
import Fastify, { type FastifyInstance } from "fastify";
import type { Frontline } from "../frontline.ts";
import { frontlineMetrics } from "./metrics.ts";

export interface OpsOptions {
  host: string;
  port: number;
  /** Both set: the queue dashboard is served, behind basic auth. */
  user?: string;
  password?: string;
}

export async function startOpsServer(
  frontline: Frontline,
  options: OpsOptions,
): Promise<{ port: number; close(): Promise<void> }> {
  const app = Fastify({ logger: false });
  const registry = frontlineMetrics(frontline);
  app.get("/healthz", async () => ({ ok: true }));
  app.get("/readyz", async (_req, reply) => {
    const health = await frontline.health();
    return reply.code(health.ok ? 200 : 503).send(health);
  });
  app.get("/metrics", async (_req, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );
  if (options.user && options.password)
    await dashboard(app, frontline, options.user, options.password);
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  return {
    port: typeof address === "object" && address ? address.port : options.port,
    close: () => app.close(),
  };
}

async function dashboard(
  app: FastifyInstance,
  frontline: Frontline,
  user: string,
  password: string,
) {
  const board = new FastifyAdapter();
  createBullBoard({
    queues: frontline.bullQueues.map(
      (q, _, all) =>
        new BullMQAdapter(q, {
          readOnlyMode: true,
          // bull-board keeps one queue per name: with QUEUE_PARTITIONS each partition's
          // "intake" and "outbox" are told apart by their Redis prefix ({fl:p3}:bull/intake).
          ...(all.filter((other) => other.name === q.name).length > 1
            ? { prefix: `${q.opts.prefix}/` }
            : {}),
        }),
    ),
    serverAdapter: board,
  });
  board.setBasePath("/admin/queues");
  const expected = Buffer.from(`Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`);
  await app.register(async (scope) => {
    scope.addHook("onRequest", async (req, reply) => {
      const given = Buffer.from(req.headers.authorization ?? "");
      // Constant time: the length check leaks only the length, never the content.
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return reply
          .code(401)
          .header("www-authenticate", 'Basic realm="frontline"')
          .send("unauthorized");
    });
    await scope.register(board.registerPlugin(), { prefix: "/admin/queues" });
  });
}
