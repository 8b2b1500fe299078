// `frontline tickets list|show|export|stats`: the desk's records, for leads and audits.
import type { Command } from "commander";
import { FrontlineError } from "../core/errors.ts";
import { deskStats } from "../desk/stats.ts";
import { STATUSES, TicketStore, type TranscriptEntry } from "../desk/store.ts";
import type { Ticket, TicketStatus } from "../desk/ticket.ts";
import { loadConfig } from "../runtime/config.ts";
import { connectRedis } from "../runtime/redis.ts";
import { redisTargetOf } from "../runtime/redis-target.ts";

async function withStore<T>(use: (store: TicketStore) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const redis = await connectRedis(redisTargetOf(config));
  try {
    return await use(new TicketStore(redis.redis, config.REDIS_PREFIX));
  } finally {
    await redis.close();
  }
}

const when = (ms?: number) =>
  ms ? new Date(ms).toISOString().replace("T", " ").slice(0, 19) : "—";

export function ticketMarkdown(t: Ticket, log: TranscriptEntry[]): string {
  const lines = [
    `# Ticket #${t.number}`,
    "",
    `- Status: ${t.status}${t.agent ? ` (with ${t.agent.alias})` : ""}`,
    `- Customer: ${t.customer.user.name ?? "unknown"} · ${t.customer.address.channel} · ${t.customer.locale}`,
    `- Skill: ${t.skill} · priority ${t.priority}`,
    `- Reason: ${t.reason}`,
    `- The bot tried: ${t.tried.join(" → ") || "nothing"}`,
    `- Opened ${when(t.createdAt)} · first response ${when(t.firstResponseAt)} · closed ${when(t.closedAt)}`,
    ...(t.csat
      ? [`- Rating: ${t.csat.score}/5${t.csat.comment ? ` — “${t.csat.comment}”` : ""}`]
      : []),
    "",
    "## Transcript",
    "",
    ...log.map(
      (e) =>
        `- \`${when(e.at)}\` **${e.from === "agent" ? (e.by ?? "agent") : e.from}**: ${e.text}${e.attachments ? ` (+${e.attachments} attachment)` : ""}`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

async function ticketOrFail(store: TicketStore, n: string): Promise<Ticket> {
  const t = await store.get(Number(n));
  if (!t)
    throw new FrontlineError(
      "FL_ERR_INPUT",
      `no ticket #${n}; \`frontline tickets list\` shows the numbers`,
    );
  return t;
}

export function registerTickets(program: Command, setCode: (code: number) => void): void {
  const tickets = program
    .command("tickets")
    .description("list, show, export tickets and desk statistics");
  tickets
    .command("list")
    .option("--status <status>", `one of ${STATUSES.join(", ")}`)
    .option("--limit <n>", "how many, newest first", "50")
    .description("tickets, newest first")
    .option("--json", "a JSON array (an empty desk prints [])")
    .action(async (opts: { status?: string; limit: string; json?: boolean }) => {
      if (opts.status && !STATUSES.includes(opts.status as TicketStatus))
        throw new FrontlineError("FL_ERR_INPUT", `--status must be one of ${STATUSES.join(", ")}`);
      await withStore(async (store) => {
        const tickets: Ticket[] = [];
        for (const n of await store.list(
          Number(opts.limit),
          opts.status as TicketStatus | undefined,
        )) {
          const t = await store.get(n);
          if (t) tickets.push(t);
        }
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(tickets)}\n`);
          return;
        }
        if (tickets.length === 0) process.stdout.write("No tickets yet.\n");
        for (const t of tickets)
          process.stdout.write(
            `#${t.number}\t${t.status}\t${t.skill}\t${t.priority}\t${t.customer.locale}\t${t.agent?.alias ?? "-"}\t${when(t.createdAt)}\t${t.reason.slice(0, 60)}\n`,
          );
      });
      setCode(0);
    });
  tickets
    .command("show <number>")
    .description("a ticket with its full transcript")
    .action(async (n: string) => {
      await withStore(async (store) => {
        const t = await ticketOrFail(store, n);
        process.stdout.write(ticketMarkdown(t, await store.transcript(t.number)));
      });
      setCode(0);
    });
  tickets
    .command("export <number>")
    .description("a ticket and its transcript as JSON or Markdown")
    .option("--format <format>", "json or md", "json")
    .action(async (n: string, opts: { format: string }) => {
      if (!["json", "md"].includes(opts.format))
        throw new FrontlineError("FL_ERR_INPUT", "--format must be json or md");
      await withStore(async (store) => {
        const t = await ticketOrFail(store, n);
        const log = await store.transcript(t.number);
        process.stdout.write(
          opts.format === "md"
            ? ticketMarkdown(t, log)
            : `${JSON.stringify({ ticket: t, transcript: log }, null, 2)}\n`,
        );
      });
      setCode(0);
    });
  tickets
    .command("delete <number>")
    .description("delete a ticket and its transcript (erasure requests)")
    .action(async (n: string) => {
      await withStore(async (store) => {
        await ticketOrFail(store, n);
        await store.delete(Number(n));
        process.stdout.write(`deleted ticket #${n} and its transcript\n`);
      });
      setCode(0);
    });
  tickets
    .command("stats")
    .description(
      "deflection, first response, resolution, CSAT, tickets by state, blocked customers",
    )
    .option("--json", "as JSON")
    .action(async (opts: { json?: boolean }) => {
      await withStore(async (store) => {
        const s = await deskStats(store);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(s)}\n`);
          return;
        }
        const none = "n/a (no finished conversations yet)";
        const pct = s.deflection === null ? none : `${(s.deflection * 100).toFixed(1)}%`;
        const secs = (v: number | null, what: string) =>
          v === null ? `n/a (no ${what} yet)` : `${v} s`;
        process.stdout.write(
          `${[
            `Deflection (resolved by the bot):  ${pct}  (${s.botResolved} by the bot, ${s.escalated} handed to people, ${s.botUnresolved} ended unresolved)`,
            `Time to first human response:      ${secs(s.avgFirstResponseSeconds, "agent replies")} (average)`,
            `Time to resolution:                ${secs(s.avgResolutionSeconds, "closed tickets")} (average)`,
            `CSAT:                              ${s.csatAverage === null ? "n/a (no ratings yet)" : `${s.csatAverage} / 5`} from ${s.csatCount} ratings`,
            `Tickets by state:                  ${STATUSES.map((st) => `${st} ${s.ticketsByState[st]}`).join(", ")}`,
            `Blocked customers:                 ${s.blockedCustomers}`,
          ].join("\n")}\n`,
        );
      });
      setCode(0);
    });
}
