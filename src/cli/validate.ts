// `frontline validate [dir]`: every problem at once, with positions; non-zero exit on any.
import { loadFlows, type PlatformLimits } from "../flows/load.ts";
import { formatProblems } from "../flows/problems.ts";

/** Checks against every platform this build knows: flows must fit wherever they may run. */
export function runValidate(dir: string, platforms: readonly PlatformLimits[] = []): number {
  const result = loadFlows(dir, { platforms });
  if (!result.ok) {
    process.stderr.write(`${formatProblems(result.problems)}\n`);
    return 1;
  }
  const { flows, bot } = result.flowSet;
  const steps = [...flows.values()].reduce((n, f) => n + f.order.length, 0);
  process.stdout.write(
    `ok: ${flows.size} flows, ${steps} steps, locales ${bot.locales.join(", ")}\n`,
  );
  return 0;
}
