// Runs `frontline start` as a child process (the real product binary), for crash tests.
import { type ChildProcess, spawn } from "node:child_process";
import { testRedisUrl } from "./redis.ts";

export interface BotProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function spawnBot(env: Record<string, string>): BotProcess {
  let output = "";
  const child = spawn(process.execPath, ["bin/frontline.mjs", "start"], {
    env: {
      ...process.env,
      REDIS_URL: testRedisUrl(),
      LOG_LEVEL: "warn",
      RECOVERY_MS: "2000",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}
