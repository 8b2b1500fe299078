// The ops server on the real product: health and readiness, Prometheus metrics that a
// Prometheus text parser reads after a scripted conversation with a ticket, and the queue
// dashboard behind basic auth.
// @ts-expect-error the package ships no types
import parsePrometheus from "parse-prometheus-text-format";
import { describe, expect, it } from "vitest";
import { startOpsServer } from "../../src/runtime/ops/server.ts";
import { deskStories } from "../support/desk-story.ts";

const { desk, until, eventually, has, anna } = deskStories();

interface Family {
  name: string;
  metrics: { value: string; labels?: Record<string, string> }[];
}

describe("the ops server", () => {
  it("answers /healthz and /readyz, serves /metrics with the desk's series, and guards /admin/queues", async () => {
    const { fake, group, customer, bots, store } = await desk();
    const frontline = bots[0]!.frontline;
    const ops = await startOpsServer(frontline, {
      host: "127.0.0.1",
      port: 0,
      user: "ops",
      password: "correct horse battery",
    });
    const base = `http://127.0.0.1:${ops.port}`;
    try {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ok: true, redis: true, desk: "running" });

      // A scripted conversation with a ticket: escalate, an agent answers and closes, 4 stars.
      fake.sendUserMessage(customer, "what are your opening hours?");
      fake.sendUserMessage(customer, "/human");
      const topic = await until(() => fake.topics(group.id)[0], 10_000, "the topic");
      fake.sendGroupMessage(group.id, anna, "Hello!", {
        message_thread_id: topic.message_thread_id,
      });
      await until(() => has(fake, customer.id, /^Anna: Hello!$/), 5_000, "the reply");
      fake.sendGroupMessage(group.id, anna, "/close", {
        message_thread_id: topic.message_thread_id,
      });
      const closed = await until(
        () => fake.sentMessages(customer.id).find((m) => /is closed/.test(m.text ?? "")),
        5_000,
        "the close",
      );
      fake.pressButton(customer, closed, "csat:1:4");
      await until(() => has(fake, customer.id, /what went well/), 5_000, "the rating question");
      await eventually(async () => (await store.get(1))?.csat, "the rating recorded");

      const text = await (await fetch(`${base}/metrics`)).text();
      const families = parsePrometheus(text) as Family[];
      const value = (name: string, labels: Record<string, string> = {}) =>
        families
          .find((f) => f.name === name)
          ?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
          ?.value;
      expect(Number(value("frontline_tickets_opened_total", { skill: "general" }))).toBe(1);
      expect(
        Number(value("frontline_messages_received_total", { channel: "telegram" })),
      ).toBeGreaterThanOrEqual(3);
      expect(Number(value("frontline_turns_total", { flow: "opening_hours" }))).toBe(1);
      expect(Number(value("frontline_tickets_closed_total", { by: "agent" }))).toBe(1);
      expect(
        Number(value("frontline_messages_sent_total", { channel: "telegram" })),
      ).toBeGreaterThan(3);
      expect(Number(value("frontline_first_response_seconds_avg"))).toBeGreaterThanOrEqual(0);
      expect(Number(value("frontline_csat_average"))).toBe(4);
      const csat = families.find((f) => f.name === "frontline_csat_score") as unknown as {
        metrics: { count: string; buckets: Record<string, string> }[];
      };
      expect(Number(csat.metrics[0]!.count)).toBe(1);
      expect(Number(csat.metrics[0]!.buckets["3"])).toBe(0);
      expect(Number(csat.metrics[0]!.buckets["4"])).toBe(1);
      expect(value("frontline_queue_backlog", { queue: "outbox" })).toBeDefined();
      expect(value("frontline_queue_oldest_waiting_seconds", { queue: "intake" })).toBeDefined();
      expect(Number(value("frontline_deflection_ratio"))).toBeGreaterThanOrEqual(0);
      expect(Number(value("frontline_tickets", { state: "closed" }))).toBe(1);
      expect(families.some((f) => f.name.startsWith("frontline_process_"))).toBe(true);

      expect((await fetch(`${base}/admin/queues`)).status).toBe(401);
      const wrong = Buffer.from("ops:wrong password!!").toString("base64");
      expect(
        (await fetch(`${base}/admin/queues`, { headers: { authorization: `Basic ${wrong}` } }))
          .status,
      ).toBe(401);
      const right = Buffer.from("ops:correct horse battery").toString("base64");
      const board = await fetch(`${base}/admin/queues/api/queues`, {
        headers: { authorization: `Basic ${right}` },
      });
      expect(board.status).toBe(200);
      const names = ((await board.json()) as { queues: { name: string }[] }).queues.map(
        (q) => q.name,
      );
      expect(names).toEqual(expect.arrayContaining(["intake", "outbox", "desk", "desk-timers"]));
    } finally {
      await ops.close();
    }
  });
  it("with QUEUE_PARTITIONS the dashboard lists every partition's queues, told apart by their prefix", async () => {
    const { bots, prefix } = await desk({}, 1, undefined, 2);
    const ops = await startOpsServer(bots[0]!.frontline, {
      host: "127.0.0.1",
      port: 0,
      user: "ops",
      password: "correct horse battery",
    });
    try {
      const right = Buffer.from("ops:correct horse battery").toString("base64");
      const board = await fetch(`http://127.0.0.1:${ops.port}/admin/queues/api/queues`, {
        headers: { authorization: `Basic ${right}` },
      });
      const names = ((await board.json()) as { queues: { name: string }[] }).queues.map(
        (q) => q.name,
      );
      expect(names.sort()).toEqual(
        [
          `${prefix}p0:bull/intake`,
          `${prefix}p1:bull/intake`,
          `${prefix}p0:bull/outbox`,
          `${prefix}p1:bull/outbox`,
          "desk",
          "desk-timers",
        ].sort(),
      );
    } finally {
      await ops.close();
    }
  });
});
