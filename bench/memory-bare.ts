// Baseline child of `npm run bench:memory`: a bare grammY bot on @grammyjs/runner that keeps
// every chat's conversation state in an in-process Map (what a naive bot does) and answers
// each message at once with ctx.reply. Run as its own process so its RSS is measured alone.
// Env: TELEGRAM_BOT_TOKEN, TELEGRAM_API_ROOT (the fake Bot API of the benchmark).

import { run } from "@grammyjs/runner";
import { Bot, InlineKeyboard } from "grammy";

const token = process.env.TELEGRAM_BOT_TOKEN;
const apiRoot = process.env.TELEGRAM_API_ROOT;
if (!token || !apiRoot) {
  process.stderr.write("memory-bare: TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT are required\n");
  process.exit(2);
}

/** The same fields Frontline keeps per conversation (src/engine/state.ts), here in memory. */
interface ChatState {
  locale: string;
  mode: "bot" | "agent";
  flowId: string | null;
  stepId: string | null;
  retries: number;
  vars: Record<string, string>;
  tried: string[];
  turns: number;
  startedAt: number;
  updatedAt: number;
}

// The same question Frontline asks for "I forgot my password" (flows/login_help.yaml, step
// "which"), so both bots put the same reply on the wire.
const QUESTION =
  "Sorry you're having trouble logging in. What exactly is happening with your account or password?";
const KEYBOARD = new InlineKeyboard()
  .text("Forgot password", "login_help:which:forgot")
  .row()
  .text("No reset email", "login_help:which:no_email")
  .row()
  .text("Account locked", "login_help:which:locked")
  .row()
  .text("Lost 2FA access", "login_help:which:lost_2fa");

const states = new Map<number, ChatState>();

const bot = new Bot(token, { client: { apiRoot } });
bot.on("message:text", async (ctx) => {
  const now = Date.now();
  let state = states.get(ctx.chat.id);
  if (!state) {
    state = {
      locale: ctx.from?.language_code ?? "en",
      mode: "bot",
      flowId: null,
      stepId: null,
      retries: 0,
      vars: {},
      tried: [],
      turns: 0,
      startedAt: now,
      updatedAt: now,
    };
    states.set(ctx.chat.id, state);
  }
  // Every message of this benchmark asks about a forgotten password: the bot waits at the
  // "which" question of the login flow, and the conversation stays open.
  state.flowId = "login_help";
  state.stepId = "which";
  if (!state.tried.includes("login_help")) state.tried.push("login_help");
  state.turns += 1;
  state.updatedAt = now;
  await ctx.reply(QUESTION, {
    reply_markup: KEYBOARD,
    parse_mode: "HTML",
    link_preview_options: { is_disabled: true },
  });
});
bot.catch((err) => {
  process.stderr.write(`memory-bare: ${String(err.error)}\n`);
});

const runner = run(bot);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    const stopped = runner.isRunning() ? runner.stop() : Promise.resolve();
    void stopped.finally(() => process.exit(0));
  });
}
