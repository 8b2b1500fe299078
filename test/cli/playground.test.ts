// `frontline playground` run as a user runs it: the real binary prints the address, serves the
// page and its API, stops on Ctrl-C; bound beyond loopback it prints and requires a token; a
// port in use is one sentence and exit 1.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { deleteKeysWithPrefix } from "../../src/runtime/redis.ts";
import { connectTestRedis, testPrefix, testRedisUrl } from "../support/redis.ts";

const running: ChildProcess[] = [];
const prefixes: string[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) if (p.exitCode === null) p.kill("SIGKILL");
  const redis = connectTestRedis();
  for (const p of prefixes.splice(0)) await deleteKeysWithPrefix(redis, p);
  await redis.quit();
});

function playground(args: string[]) {
  const prefix = testPrefix("cli-pg");
  prefixes.push(prefix);
  const child = spawn(process.execPath, ["bin/frontline.mjs", "playground", ...args], {
    env: { ...process.env, REDIS_URL: testRedisUrl(), REDIS_PREFIX: prefix },
  });
  running.push(child);
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", () => {
      const found = /Frontline playground: (http:\/\/\S+)/.exec(out)?.[1];
      if (found) resolve(found);
    });
    void exited.then(() => reject(new Error(`exited before serving: ${err}`)));
  });
  url.catch(() => {}); // (a run that is meant to fail never serves)
  return { child, url, exited, output: () => ({ out, err }) };
}

describe("frontline playground", () => {
  it("prints the address on 127.0.0.1, serves the page and its API, and stops on Ctrl-C", async () => {
    const pg = playground(["--port", "0"]);
    const url = await pg.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await fetch(url);
    expect(await page.text()).toContain("not a production web widget");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const info = (await (await fetch(`${url}/api/info`)).json()) as {
      locales: string[];
      desk: boolean;
    };
    expect(info.locales).toEqual(["en", "ru", "pl", "el"]);
    expect(info.desk).toBe(true);
    pg.child.kill("SIGINT");
    expect(await pg.exited).toBe(0);
  });

  it("bound beyond loopback, prints a token in the address and refuses the API without it", async () => {
    const pg = playground(["--port", "0", "--host", "0.0.0.0"]);
    const url = await pg.url;
    const token = new URL(url).searchParams.get("token");
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const port = new URL(url).port;
    expect((await fetch(`http://127.0.0.1:${port}/api/info`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/api/info?token=${token}`)).status).toBe(200);
    pg.child.kill("SIGINT");
    expect(await pg.exited).toBe(0);
    expect(pg.output().out).toMatch(/needs the token in that address/);
  });

  it("a port in use is one sentence and exit 1", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const pg = playground(["--port", String(port)]);
      expect(await pg.exited).toBe(1);
      expect(pg.output().err.trim()).toBe(
        `frontline: port ${port} on 127.0.0.1 is in use; choose another with --port (0 picks a free one)`,
      );
    } finally {
      blocker.close();
    }
  });
});
