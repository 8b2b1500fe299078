// `frontline`: the operator's command. Each subcommand lives in its own file.
import { Command } from "commander";
import type { ChannelPlugin } from "../core/adapter.ts";
import { isFrontlineError } from "../core/errors.ts";
import { packageVersion } from "../runtime/package-root.ts";
import type { PlaygroundPlugin } from "../runtime/playground.ts";
import { runChat } from "./chat.ts";
import { registerChats } from "./chats.ts";
import { registerCustomers } from "./customers.ts";
import { registerDeadLetters } from "./deadletters.ts";
import { runDoctor } from "./doctor.ts";
import { type PlaygroundCommandOptions, runPlayground } from "./playground.ts";
import { runSchema } from "./schema.ts";
import { runStart } from "./start.ts";
import { runTestFlows } from "./test-flows.ts";
import { registerTickets } from "./tickets.ts";
import { runValidate } from "./validate.ts";

export interface CliOptions {
  /** The platforms this build knows (the composition root, bin/, passes adapters/'s list). */
  plugins?: readonly ChannelPlugin[];
  /** The web playground (adapters/web), loaded only by `frontline playground`. */
  playground?: () => Promise<PlaygroundPlugin>;
}

export async function main(argv: string[], options: CliOptions = {}): Promise<number> {
  const plugins = options.plugins ?? [];
  let code = 0;
  const program = new Command("frontline")
    .description("First-line customer support for chat messengers")
    .version(packageVersion(), "-v, --version", "print the version")
    .showHelpAfterError();

  program
    .command("start")
    .description(
      "run the bot on the configured channels (Telegram with TELEGRAM_BOT_TOKEN; else the terminal chat)",
    )
    .option("--flows <dir>", "flows directory")
    .action(async (opts: { flows?: string }) => {
      code = await runStart(opts, plugins);
    });

  program
    .command("validate")
    .description("check flow files and report every problem with file:line:column")
    .argument("[dir]", "flows directory", process.env.FLOWS_DIR ?? "flows")
    .option("--flows <dir>", "flows directory (as the other commands take it)")
    .action((dir: string, opts: { flows?: string }) => {
      code = runValidate(opts.flows ?? dir, plugins);
    });

  program
    .command("chat")
    .description("talk to the bot in this terminal (real engine, real Redis)")
    .option("--flows <dir>", "flows directory", process.env.FLOWS_DIR ?? "flows")
    .option("--lang <code>", "your language (en, ru, pl, el)")
    .option("--json", "print each bot turn as one JSON line")
    .option("--session <id>", "continue an earlier conversation")
    .action(async (opts: { flows: string; lang?: string; json?: boolean; session?: string }) => {
      code = await runChat(opts);
    });

  program
    .command("playground")
    .description(
      "the whole product in your browser: customer chat, agent desk and flow debugger side by side (local only; not a production widget)",
    )
    .option("--flows <dir>", "flows directory", process.env.FLOWS_DIR ?? "flows")
    .option(
      "--host <address>",
      "where to listen; anything but 127.0.0.1 needs a token",
      "127.0.0.1",
    )
    .option("--port <n>", "port (0 picks a free one)", "4321")
    .option(
      "--token <secret>",
      "the token to require (default: a new one, when --host is not loopback)",
    )
    .action(async (opts: PlaygroundCommandOptions) => {
      code = await runPlayground(opts, options.playground);
    });

  program
    .command("test-flows")
    .description("run the conversation tests (*.test.yaml) beside the flows")
    .argument("[dir]", "flows directory", process.env.FLOWS_DIR ?? "flows")
    .option("--filter <text>", "only cases whose name contains this text")
    .action(async (dir: string, opts: { filter?: string }) => {
      code = await runTestFlows(dir, opts);
    });

  program
    .command("schema")
    .description("write the JSON Schemas editors use to autocomplete flow files")
    .argument("[dir]", "flows directory", process.env.FLOWS_DIR ?? "flows")
    .action((dir: string) => {
      code = runSchema(dir);
    });

  program
    .command("doctor")
    .description(
      "check what `start` needs, without starting: configuration, flows, Redis, each platform's agent workspace",
    )
    .action(async () => {
      code = await runDoctor(plugins);
    });

  const setCode = (c: number) => {
    code = c;
  };
  registerTickets(program, setCode);
  registerDeadLetters(program, setCode);
  registerCustomers(program, setCode);
  registerChats(program, setCode);

  try {
    await program.parseAsync(argv);
  } catch (err) {
    // One plain sentence; the stack only when asked for (LOG_LEVEL=debug).
    const debug = process.env.LOG_LEVEL === "debug" || process.env.LOG_LEVEL === "trace";
    const text = isFrontlineError(err) ? err.message : String((err as Error)?.message ?? err);
    process.stderr.write(`frontline: ${debug ? String((err as Error)?.stack ?? text) : text}\n`);
    return 1;
  }
  return code;
}
