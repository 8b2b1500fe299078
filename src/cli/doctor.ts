// `frontline doctor`: the checks `frontline start` makes before it takes any traffic, one line
// each, without starting anything: configuration, flows, Redis, and each configured platform
// (its token, and the agent workspace's preflight). Exit 1 when any check fails.
import type { ChannelPlugin } from "../core/adapter.ts";
import { isFrontlineError } from "../core/errors.ts";
import { loadFlows } from "../flows/load.ts";
import { formatProblems } from "../flows/problems.ts";
import { loadEnvironment } from "../runtime/config.ts";
import { connectRedis } from "../runtime/redis.ts";

type Check = { name: string; run: () => Promise<string> };

export async function runDoctor(plugins: readonly ChannelPlugin[]): Promise<number> {
  let failed = 0;
  const report = async ({ name, run }: Check) => {
    try {
      process.stdout.write(`✓ ${name}: ${await run()}\n`);
    } catch (err) {
      failed += 1;
      const why = isFrontlineError(err) ? err.message : ((err as Error)?.message ?? String(err));
      process.stdout.write(`✗ ${name}: ${why}\n`);
    }
  };
  let env: ReturnType<typeof loadEnvironment> | undefined;
  await report({
    name: "configuration",
    run: async () => {
      env = loadEnvironment(plugins);
      return "every variable parses";
    },
  });
  if (!env) return 1;
  const { config, platforms } = env;
  const enabled = platforms.filter((p) => p.plugin.enabled(p.env as never));
  await report({
    name: `flows in ${config.FLOWS_DIR}`,
    run: async () => {
      const loaded = loadFlows(config.FLOWS_DIR, { platforms: enabled.map((p) => p.plugin) });
      if (!loaded.ok) throw new Error(`invalid:\n${formatProblems(loaded.problems)}`);
      return `${loaded.flowSet.flows.size} flows, desk ${loaded.flowSet.bot.desk ? "configured" : "not configured"}`;
    },
  });
  await report({
    name: "Redis",
    run: async () => {
      const redis = await connectRedis(config.REDIS_URL);
      try {
        const info = await redis.redis.info("server");
        return `${config.REDIS_URL} answers (redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? "?"})`;
      } finally {
        await redis.close();
      }
    },
  });
  if (enabled.length === 0)
    process.stdout.write("· platforms: none configured (set TELEGRAM_BOT_TOKEN)\n");
  for (const { plugin, env: own } of enabled) {
    const adapter = plugin.create(own as never, {});
    for (const workspace of adapter.workspaces)
      await report({
        name: `${plugin.name} agent workspace ${workspace.id}`,
        run: async () => {
          const problem = await workspace.check();
          if (problem) throw new Error(problem);
          return "ready for the desk";
        },
      });
    if (adapter.workspaces.length === 0)
      process.stdout.write(`· ${plugin.name}: no agent workspace configured (no desk)\n`);
  }
  return failed > 0 ? 1 : 0;
}
