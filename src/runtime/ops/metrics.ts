// Prometheus metrics for a running Frontline (prom-client). Counters are per process (sum them
// across replicas); the desk's figures (deflection, response times, CSAT, open tickets) are
// gauges read from Redis at scrape time, so every replica reports the same global value (take
// max() across instances, never sum()).
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { deskStats } from "../../desk/stats.ts";
import { TicketStore } from "../../desk/store.ts";
import { DeadLetters } from "../../intake/dead-letters.ts";
import type { Frontline } from "../frontline.ts";

export function frontlineMetrics(frontline: Frontline): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "frontline_process_" });
  const sent = new Counter({
    name: "frontline_messages_sent_total",
    help: "Messages delivered to customers and agents, by channel",
    labelNames: ["channel"],
    registers: [registry],
  });
  const failed = new Counter({
    name: "frontline_delivery_failures_total",
    help: "Messages not delivered: unreachable chats and messages given up after bounded retries",
    labelNames: ["kind"],
    registers: [registry],
  });
  const opened = new Counter({
    name: "frontline_tickets_opened_total",
    help: "Tickets opened (escalations to a person), by skill",
    labelNames: ["skill"],
    registers: [registry],
  });
  const closed = new Counter({
    name: "frontline_tickets_closed_total",
    help: "Tickets closed, by who closed them (agent, auto, customer = withdrawn)",
    labelNames: ["by"],
    registers: [registry],
  });
  const deadLettered = new Counter({
    name: "frontline_dead_lettered_total",
    help: "Customer events set aside for a person (each customer was told)",
    registers: [registry],
  });
  const deskFailed = new Counter({
    name: "frontline_desk_failures_total",
    help: "Desk steps given up after bounded retries (shown in the agent chat)",
    registers: [registry],
  });
  // Seconds, from a minute to a day: support waits, not request latencies.
  const buckets = [10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 8 * 3600, 24 * 3600];
  const waited = new Histogram({
    name: "frontline_queue_wait_seconds",
    help: "Time from escalation until an agent took the ticket",
    buckets,
    registers: [registry],
  });
  const resolved = new Histogram({
    name: "frontline_resolution_seconds",
    help: "Time from escalation to close (withdrawn tickets excluded)",
    buckets,
    registers: [registry],
  });
  frontline.on("ticket.assigned", (t) => waited.observe(t.waitedMs / 1000));
  frontline.on("ticket.closed", (t) => {
    if (t.by !== "customer") resolved.observe(t.resolutionMs / 1000);
  });
  const received = new Counter({
    name: "frontline_messages_received_total",
    help: "Customer events handled (messages, buttons, commands), by channel",
    labelNames: ["channel"],
    registers: [registry],
  });
  const turns = new Counter({
    name: "frontline_turns_total",
    help: "Turns by the flow that answered (none: middleware such as the desk answered)",
    labelNames: ["flow"],
    registers: [registry],
  });
  const ratings = new Histogram({
    name: "frontline_csat_score",
    help: "Customer ratings, 1 to 5 stars (the distribution)",
    buckets: [1, 2, 3, 4, 5],
    registers: [registry],
  });
  const retries = new Counter({
    name: "frontline_delivery_retries_total",
    help: "Sends retried: rate_limited (the platform's 429) or transient (5xx, network)",
    labelNames: ["kind", "channel"],
    registers: [registry],
  });
  const takeovers = new Counter({
    name: "frontline_lease_takeovers_total",
    help: "Work a dead or stuck process held, taken over by this one, by queue",
    labelNames: ["queue"],
    registers: [registry],
  });
  frontline.on("lease.takeover", (t) => takeovers.inc({ queue: t.queue }));
  frontline.on("ticket.rated", (r) => ratings.observe(r.score));
  frontline.on("delivery.retry", (r) => retries.inc({ kind: r.kind, channel: r.channel }));
  frontline.on("turn", (t) => {
    received.inc({ channel: t.channel });
    turns.inc({ flow: t.flow ?? "none" });
  });
  frontline.on("message.sent", (m) => sent.inc({ channel: m.address.channel }));
  frontline.on("delivery.failed", (f) => failed.inc({ kind: f.kind }));
  frontline.on("ticket.opened", (t) => opened.inc({ skill: t.skill }));
  frontline.on("ticket.closed", (t) => closed.inc({ by: t.by }));
  frontline.on("event.deadlettered", () => deadLettered.inc());
  frontline.on("desk.failed", () => deskFailed.inc());
  deskGauges(frontline, registry);
  return registry;
}

/** Global figures from Redis, read when Prometheus scrapes. */
function deskGauges(frontline: Frontline, registry: Registry): void {
  const store = new TicketStore(frontline.redis, frontline.prefix);
  const letters = new DeadLetters(frontline.redis, frontline.prefix);
  const gauge = (
    name: string,
    help: string,
    read: (g: Gauge) => Promise<void>,
    labels: string[] = [],
  ) =>
    new Gauge({
      name,
      help,
      labelNames: labels,
      registers: [registry],
      async collect() {
        // A scrape must not hang or fail with Redis: a read that does not answer within a
        // second leaves this gauge out, the counters and process metrics still come.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          read(this).catch(() => {}),
          new Promise<void>((r) => {
            timer = setTimeout(r, 1_000);
          }),
        ]);
        clearTimeout(timer);
      },
    });
  gauge(
    "frontline_deflection_ratio",
    "Share of finished conversations resolved by the bot without a person",
    async (g) => {
      const s = await deskStats(store);
      if (s.deflection !== null) g.set(s.deflection);
    },
  );
  gauge(
    "frontline_first_response_seconds_avg",
    "Average time from escalation to the first human reply",
    async (g) => {
      const s = await deskStats(store);
      if (s.avgFirstResponseSeconds !== null) g.set(s.avgFirstResponseSeconds);
    },
  );
  gauge("frontline_resolution_seconds_avg", "Average time from escalation to close", async (g) => {
    const s = await deskStats(store);
    if (s.avgResolutionSeconds !== null) g.set(s.avgResolutionSeconds);
  });
  gauge("frontline_csat_average", "Average customer rating, 1 to 5", async (g) => {
    const s = await deskStats(store);
    if (s.csatAverage !== null) g.set(s.csatAverage);
  });
  gauge("frontline_csat_ratings", "Customer ratings given", async (g) => {
    g.set((await deskStats(store)).csatCount);
  });
  gauge(
    "frontline_tickets",
    "Tickets by state",
    async (g) => {
      for (const [state, n] of Object.entries(await store.countByStatus())) g.set({ state }, n);
    },
    ["state"],
  );
  gauge("frontline_dead_letters", "Customer events waiting in the dead-letter list", async (g) => {
    g.set(await letters.count());
  });
  // Read from the queues' own records of unfinished work (a BullMQ job exists only for work
  // handed between processes, so BullMQ's counts would miss most of it).
  const queues = [
    ["intake", frontline.intake],
    ["outbox", frontline.outbox],
  ] as const;
  gauge(
    "frontline_queue_backlog",
    "Conversations (intake) and chat lanes (outbox) with unfinished work, by queue",
    async (g) => {
      for (const [name, q] of queues) g.set({ queue: name }, (await q.backlog()).groups);
    },
    ["queue"],
  );
  gauge(
    "frontline_queue_oldest_waiting_seconds",
    "How long the longest-waiting conversation (intake) or chat lane (outbox) has been on its current item, by queue",
    async (g) => {
      for (const [name, q] of queues) {
        const { oldestMs } = await q.backlog();
        g.set({ queue: name }, oldestMs === null ? 0 : oldestMs / 1000);
      }
    },
    ["queue"],
  );
}
