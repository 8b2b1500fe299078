// `frontline chats`: the groups and channels the bot has seen that are neither customer chats
// nor the agent chat, so an operator can find the id to put in TELEGRAM_AGENT_CHAT_ID.
import type { Command } from "commander";
import { seenChats } from "../runtime/chats.ts";
import { loadConfig } from "../runtime/config.ts";
import { connectRedis } from "../runtime/redis.ts";
import { redisTargetOf } from "../runtime/redis-target.ts";

export function registerChats(program: Command, setCode: (code: number) => void): void {
  program
    .command("chats")
    .description(
      "groups the bot has seen (id, title, type, forum, the bot's status): find your agent chat's id",
    )
    .option("--json", "as a JSON array")
    .action(async (opts: { json?: boolean }) => {
      const config = loadConfig();
      const redis = await connectRedis(redisTargetOf(config));
      try {
        const chats = await seenChats(redis.redis, config.REDIS_PREFIX);
        if (opts.json) process.stdout.write(`${JSON.stringify(chats)}\n`);
        else if (chats.length === 0)
          process.stdout.write(
            "No groups seen yet. Add the bot to your agents' group, write a message there while `npm start` runs, and look again.\n",
          );
        else
          for (const c of chats)
            process.stdout.write(
              `${c.channel}\t${c.id}\t${c.type}${c.threads ? " (forum)" : ""}\t${c.botStatus ?? "-"}\t${c.title}\n`,
            );
      } finally {
        await redis.close();
      }
      setCode(0);
    });
}
