// Frontline as a user installs it: `npm pack` of this checkout, then an example from
// examples/ copied to a temporary project that installs that tarball, run with node.
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { testRedisUrl } from "./redis.ts";

const root = resolve(import.meta.dirname, "../..");

/** Packs the checkout (prepack builds dist/) and returns the tarball's path. */
export function packFrontline(): string {
  const dir = mkdtempSync(join(tmpdir(), "frontline-pack-"));
  execFileSync("npm", ["pack", "--pack-destination", dir, "--silent"], {
    cwd: root,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
  if (!tarball) throw new Error(`npm pack left no tarball in ${dir}`);
  return join(dir, tarball);
}

/** A temporary copy of examples/<name> whose `frontline` dependency is `tarball`, installed. */
export async function installExample(name: string, tarball: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `frontline-${name}-`));
  cpSync(join(root, "examples", name), dir, {
    recursive: true,
    filter: (src) => !/node_modules|package-lock\.json/.test(src),
  });
  const manifestPath = join(dir, "package.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  manifest.dependencies.frontline = `file:${tarball}`;
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  await promisify(execFile)("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], {
    cwd: dir,
  });
  return dir;
}

export interface ExampleProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `npm start`'s command (node bot.mjs) in an installed example, with the given environment. */
export function startExample(dir: string, env: Record<string, string>): ExampleProcess {
  let output = "";
  const child = spawn(process.execPath, ["bot.mjs"], {
    cwd: dir,
    env: { ...process.env, REDIS_URL: testRedisUrl(), RECOVERY_MS: "2000", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  return { child, output: () => output, exited };
}
