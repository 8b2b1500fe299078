// `frontline customers erase <channel:id>`: an erasure request, carried out.
import type { Command } from "commander";
import { FrontlineError } from "../core/errors.ts";
import { dataPartitions } from "../queue/partitions.ts";
import { loadConfig } from "../runtime/config.ts";
import { eraseCustomer } from "../runtime/erasure.ts";
import { connectRedis } from "../runtime/redis.ts";
import { redisTargetOf } from "../runtime/redis-target.ts";

export function registerCustomers(program: Command, setCode: (code: number) => void): void {
  const customers = program
    .command("customers")
    .description("a customer's data (erasure requests)");
  customers
    .command("erase <customer>")
    .description(
      "delete everything kept about a customer: conversation state, tickets and transcripts, blocks, dead letters (customer: telegram:<chat id>)",
    )
    .action(async (customer: string) => {
      const m = /^([a-z]+):(-?[\w.-]+)$/.exec(customer);
      if (!m)
        throw new FrontlineError(
          "FL_ERR_INPUT",
          `"${customer}" is not a customer; write <channel>:<chat id>, e.g. telegram:123456789 (the card shows it)`,
        );
      const config = loadConfig();
      const redis = await connectRedis(redisTargetOf(config));
      try {
        const r = await eraseCustomer(
          redis.redis,
          config.REDIS_PREFIX,
          m[1]!,
          m[2]!,
          await dataPartitions(redis.redis, config.REDIS_PREFIX, config.QUEUE_PARTITIONS),
        );
        process.stdout.write(
          `erased ${customer}: ${r.conversations} conversation(s), ${r.tickets.length} ticket(s)${r.tickets.length ? ` (#${r.tickets.join(", #")})` : ""}, ${r.keys} other record(s)\n`,
        );
      } finally {
        await redis.close();
      }
      setCode(0);
    });
}
