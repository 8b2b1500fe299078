// The container and service files, checked for what can be checked without Docker: the
// compose file parses and wires Redis as production needs it; the Dockerfile and the systemd
// unit run the same command as `npm start`, and the Dockerfile's health check hits /healthz.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const npmStart = (
  JSON.parse(readFileSync("package.json", "utf8")) as { scripts: { start: string } }
).scripts.start;

describe("deployment files", () => {
  it("docker-compose.yml: Redis with AOF and no eviction, the bot on it with the ops port", () => {
    const compose = parse(readFileSync("docker-compose.yml", "utf8"));
    expect(compose.services.redis.command.join(" ")).toMatch(
      /--appendonly yes.*--maxmemory-policy noeviction/,
    );
    expect(compose.services.frontline.environment.REDIS_URL).toBe("redis://redis:6379");
    expect(compose.services.frontline.environment.OPS_PORT).toBeTruthy();
  });

  it("the Dockerfile and the systemd unit run npm start's command; the health check is /healthz", () => {
    const dockerfile = readFileSync("Dockerfile", "utf8");
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    expect((JSON.parse(cmd!) as string[]).join(" ")).toBe(npmStart);
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/healthz/);
    expect(dockerfile).toMatch(/^USER node$/m);
    const unit = readFileSync("deploy/frontline.service", "utf8");
    expect(/^ExecStart=\/usr\/bin\/(.*)$/m.exec(unit)?.[1]).toBe(npmStart);
  });
});
