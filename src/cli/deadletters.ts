// `frontline deadletters list|show|replay`: customer events that could not be processed and
// desk steps or deliveries that were given up, where a person reads them.
import type { Command } from "commander";
import { FrontlineError } from "../core/errors.ts";
import { DeadLetters } from "../intake/dead-letters.ts";
import { replayDeadLetter } from "../intake/intake.ts";
import { dataPartitions, type Partitions } from "../queue/partitions.ts";
import { loadConfig } from "../runtime/config.ts";
import { connectRedis } from "../runtime/redis.ts";
import { redisTargetOf } from "../runtime/redis-target.ts";

async function withRedis<T>(
  use: (redis: import("ioredis").Redis, prefix: string, partitions: Partitions) => Promise<T>,
) {
  const config = loadConfig();
  const redis = await connectRedis(redisTargetOf(config));
  try {
    const partitions = await dataPartitions(
      redis.redis,
      config.REDIS_PREFIX,
      config.QUEUE_PARTITIONS,
    );
    return await use(redis.redis, config.REDIS_PREFIX, partitions);
  } finally {
    await redis.close();
  }
}

const when = (ms: number) => new Date(ms).toISOString().replace("T", " ").slice(0, 19);

export function registerDeadLetters(program: Command, setCode: (code: number) => void): void {
  const dl = program
    .command("deadletters")
    .description("customer events, desk steps and deliveries that were given up, for a person");
  dl.command("list")
    .description("newest first: customer events, then desk steps and deliveries given up")
    .option("--limit <n>", "how many of each", "50")
    .option("--json", "one JSON object per line")
    .action(async (opts: { limit: string; json?: boolean }) => {
      await withRedis(async (redis, prefix) => {
        const limit = Number(opts.limit);
        const events = await new DeadLetters(redis, prefix).list(limit);
        const desk = (await redis.lrange(`${prefix}desk:failed`, 0, limit - 1)).map(
          (j) =>
            JSON.parse(j) as {
              at: number;
              reason: string;
              item: { type: string; ticket?: number };
            },
        );
        const sends = (await redis.lrange(`${prefix}outbox:failed`, 0, limit - 1)).map(
          (j) =>
            JSON.parse(j) as {
              at: number;
              reason: string;
              item: { address: { channel: string; chatId: string } };
            },
        );
        if (opts.json) {
          for (const e of events)
            process.stdout.write(`${JSON.stringify({ kind: "event", ...e })}\n`);
          for (const d of desk) process.stdout.write(`${JSON.stringify({ kind: "desk", ...d })}\n`);
          for (const s of sends)
            process.stdout.write(`${JSON.stringify({ kind: "delivery", ...s })}\n`);
          return;
        }
        if (events.length + desk.length + sends.length === 0) {
          process.stdout.write("Nothing was given up.\n");
          return;
        }
        for (const e of events)
          process.stdout.write(
            `event\t${e.id}\t${when(e.at)}\t${e.event.type}\t${e.reason.slice(0, 100)}\n`,
          );
        for (const d of desk)
          process.stdout.write(
            `desk\t#${d.item.ticket ?? "-"}\t${when(d.at)}\t${d.item.type}\t${d.reason.slice(0, 100)}\n`,
          );
        for (const s of sends)
          process.stdout.write(
            `delivery\t${s.item.address.channel}:${s.item.address.chatId}\t${when(s.at)}\t${s.reason.slice(0, 100)}\n`,
          );
      });
      setCode(0);
    });
  dl.command("show <id>")
    .description("one dead-lettered customer event in full")
    .action(async (id: string) => {
      await withRedis(async (redis, prefix) => {
        const entry = await new DeadLetters(redis, prefix).get(id);
        if (!entry)
          throw new FrontlineError(
            "FL_ERR_INPUT",
            `no dead letter ${id}; \`frontline deadletters list\` shows the ids`,
          );
        process.stdout.write(`${JSON.stringify(entry, null, 2)}\n`);
      });
      setCode(0);
    });
  dl.command("replay <id>")
    .description(
      "put a customer event back into the intake (after fixing the cause); a running bot processes it",
    )
    .action(async (id: string) => {
      await withRedis(async (redis, prefix, partitions) => {
        if (!(await replayDeadLetter(redis, prefix, id, partitions)))
          throw new FrontlineError(
            "FL_ERR_INPUT",
            `no dead letter ${id}; \`frontline deadletters list\` shows the ids`,
          );
        process.stdout.write(`replayed ${id}: a running Frontline processes it now\n`);
      });
      setCode(0);
    });
}
