// `frontline chat`: a conversation with the bot in this terminal. Interactive on a TTY; with
// piped input, one customer message per line (and `--json` prints one JSON line per turn).
import { createInterface } from "node:readline";
import type { TurnResult } from "../engine/turn.ts";
import { loadConfig } from "../runtime/config.ts";
import { openLocalEngine } from "../runtime/local.ts";
import { redisTargetOf } from "../runtime/redis-target.ts";
import { TerminalSession, turnJson } from "../runtime/terminal-session.ts";

export async function runChat(opts: {
  flows: string;
  lang?: string;
  json?: boolean;
  session?: string;
}): Promise<number> {
  const config = loadConfig();
  const local = await openLocalEngine({
    flowsDir: opts.flows,
    redisUrl: redisTargetOf(config),
    prefix: config.REDIS_PREFIX,
  });
  const interactive = process.stdin.isTTY === true && !opts.json;
  const session = new TerminalSession(local.engine, {
    sessionId: opts.session,
    locale: opts.lang,
    userName: process.env.USER,
  });
  const print = (result: TurnResult) => {
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(turnJson(result))}\n`);
      return;
    }
    for (const message of result.messages) {
      process.stdout.write(`bot> ${message.text.replaceAll("\n", "\n     ")}\n`);
      message.buttons?.forEach((b, i) => {
        process.stdout.write(`     ${i + 1}) ${b.label}\n`);
      });
    }
  };

  // Always said, also when piped (on stderr then, so JSON output stays clean).
  if (local.redis.privateServer)
    (interactive ? process.stdout : process.stderr).write(
      `(no Redis at ${config.REDIS_URL}: using a private, throw-away redis-server for this chat; conversations are not kept)\n`,
    );
  if (interactive) {
    process.stdout.write(
      `Frontline chat, session ${session.sessionId}. Type a message, a button number, /help, or Ctrl-D to leave.\n`,
    );
    if (opts.lang) print(await session.send("/start"));
  }
  const lines = createInterface({
    input: process.stdin,
    ...(interactive ? { output: process.stdout } : {}),
    terminal: interactive,
    prompt: "you> ",
  });
  if (interactive) lines.prompt();
  try {
    for await (const line of lines) {
      if (!interactive && line.trim() === "") continue;
      try {
        print(await session.send(line));
      } catch (err) {
        process.stderr.write(
          `frontline: this message was not processed: ${(err as Error).message}\n`,
        );
      }
      if (interactive) lines.prompt();
    }
  } finally {
    await local.close();
  }
  return 0;
}
