// A grammY bot with a feature of its own (/balance) and Frontline for everything else, run
// concurrently on @grammyjs/runner through Frontline's durable `run`.
import { createFrontline, shippedFlowsDir } from "frontline";
import { frontline, run } from "frontline/grammy";
import { Bot } from "grammy";

const bot = new Bot(process.env.BOT_TOKEN, {
  ...(process.env.TELEGRAM_API_ROOT ? { client: { apiRoot: process.env.TELEGRAM_API_ROOT } } : {}),
});

// The host's own commands come first: what they handle stays theirs.
bot.command("balance", (ctx) => ctx.reply("Your balance: 42 credits."));

const support = frontline(bot, { agentChatId: process.env.AGENT_CHAT_ID });
const app = await createFrontline({
  flowsDir: process.env.FLOWS_DIR ?? shippedFlowsDir,
  redisUrl: process.env.REDIS_URL,
  prefix: process.env.REDIS_PREFIX,
  recoveryMs: process.env.RECOVERY_MS ? Number(process.env.RECOVERY_MS) : undefined,
  adapters: [support],
});
bot.use(support);
await app.start().catch(async (err) => {
  // One sentence and a non-zero exit: a wrong token, an agent chat without topics, no network.
  console.error(`could not start: ${err.message}`);
  await app.stop();
  process.exit(1);
});

// The runner's own `run` confirms updates before they are handled (a crash would lose them);
// Frontline's confirms only handled ones, keeps each chat in order, and its stop() waits for
// the updates being handled.
const runner = run(bot);
for (const signal of ["SIGINT", "SIGTERM"])
  process.once(signal, async () => {
    await runner.stop();
    await app.stop();
  });
console.log("bot running; /balance is the host's, everything else is Frontline's");
