// A Telegraf bot with a feature of its own (/balance) and Frontline for everything else:
// customers' questions, the hand-over to agents in a forum supergroup, their replies.
import { createFrontline, shippedFlowsDir } from "frontline";
import { frontline } from "frontline/telegraf";
import { Telegraf } from "telegraf";

const bot = new Telegraf(process.env.BOT_TOKEN, {
  // Longer than Frontline's record budget (60 s): the mount refuses a shorter one.
  handlerTimeout: 90_000,
  ...(process.env.TELEGRAM_API_ROOT
    ? { telegram: { apiRoot: process.env.TELEGRAM_API_ROOT } }
    : {}),
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

for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => bot.stop(signal));
console.log("bot running; /balance is the host's, everything else is Frontline's");
await bot.launch(); // resolves once polling stopped and the last batch was handled
await app.stop();
