// `frontline validate [dir]`: every problem at once, with positions; non-zero exit on any.
import { loadFlows } from "../flows/load.ts";
import { formatProblems } from "../flows/problems.ts";

export function runValidate(dir: string): number {
  const result = loadFlows(dir);
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
