// Loads a flows directory: parses every YAML file, checks it against the schema and the
// cross-file rules, and either returns the whole FlowSet or every problem at once. Never half.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative } from "node:path";
import type { z } from "zod";
import type { CompiledFlow, FlowSet } from "./flowset.ts";
import type { FlowProblem } from "./problems.ts";
import {
  BotConfig,
  type BotConfigDef,
  Flow,
  type FlowDef,
  stepKinds,
  stepSchemas,
} from "./schema.ts";
import { type YamlPath, YamlSource } from "./source.ts";
import { checkFlowSet } from "./validate.ts";

export const BOT_CONFIG_FILE = "frontline.yaml";

export type LoadResult = { ok: true; flowSet: FlowSet } | { ok: false; problems: FlowProblem[] };

/** Flow files in a directory: `*.yaml`/`*.yml`, except conversation tests (`*.test.yaml`). */
export function listFlowFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && !/\.test\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** A platform whose message limits the flows must fit (button payloads). */
export interface PlatformLimits {
  name: string;
  limits: { payloadBytes: number };
}

export function loadFlows(
  dir: string,
  options: { platforms?: readonly PlatformLimits[] } = {},
): LoadResult {
  const shown = (f: string) => relative(process.cwd(), f) || f;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return {
      ok: false,
      problems: [
        {
          file: shown(dir),
          line: 1,
          column: 1,
          message: "flows directory not found; pass --flows DIR or set FLOWS_DIR",
        },
      ],
    };
  }
  const problems: FlowProblem[] = [];
  const hash = createHash("sha256");
  let bot: { def: BotConfigDef; source: YamlSource } | undefined;
  const flows: { def: FlowDef; source: YamlSource }[] = [];
  /** Flows whose file failed the schema: references to them are not reported again. */
  const brokenFlowIds = new Set<string>();

  for (const path of listFlowFiles(dir)) {
    const text = readFileSync(path, "utf8");
    hash.update(basename(path)).update("\0").update(text).update("\0");
    const source = new YamlSource(shown(path), text);
    if (source.syntaxProblems.length > 0) {
      problems.push(...source.syntaxProblems);
      continue;
    }
    if (basename(path) === BOT_CONFIG_FILE) {
      const parsed = BotConfig.safeParse(source.data);
      if (parsed.success) bot = { def: parsed.data, source };
      else problems.push(...zodProblems(source, [], parsed.error));
      continue;
    }
    const def = parseFlow(source, problems);
    if (def) flows.push({ def, source });
    else {
      const id = (source.data as { id?: unknown } | null)?.id;
      if (typeof id === "string") brokenFlowIds.add(id);
    }
  }

  if (!bot && !problems.some((p) => basename(p.file) === BOT_CONFIG_FILE)) {
    problems.push({
      file: shown(join(dir, BOT_CONFIG_FILE)),
      line: 1,
      column: 1,
      message: `missing ${BOT_CONFIG_FILE}: it declares the locales, the start, menu, human and fallback flows, and system messages`,
    });
  }
  // Without valid bot settings the locales and entry flows are unknown: stop here.
  if (!bot) return { ok: false, problems };

  const compiled = new Map<string, CompiledFlow>();
  const sources = new Map<string, YamlSource>();
  for (const { def, source } of flows) {
    const previous = sources.get(def.id);
    if (previous) {
      problems.push(
        source.problem(["id"], `duplicate flow id "${def.id}" (also in ${previous.file})`),
      );
      continue;
    }
    sources.set(def.id, source);
    compiled.set(def.id, {
      id: def.id,
      file: source.file,
      title: def.title,
      def,
      steps: new Map(def.steps.map((s) => [s.id, s])),
      order: def.steps.map((s) => s.id),
    });
  }
  const flowSet: FlowSet = {
    bot: bot.def,
    flows: compiled,
    commands: new Map(),
    payloads: new Map(),
    hash: hash.digest("hex").slice(0, 16),
  };
  problems.push(
    ...checkFlowSet(flowSet, sources, bot.source, brokenFlowIds, options.platforms ?? []),
  );
  return problems.length > 0 ? { ok: false, problems } : { ok: true, flowSet };
}

/**
 * Steps are checked one by one against the schema of their kind, for precise messages. A bad
 * step is reported and replaced by a stand-in (same id, a plain end), so the rest of the flow
 * is still checked: every problem at once, not the first one per file.
 */
function parseFlow(source: YamlSource, problems: FlowProblem[]): FlowDef | undefined {
  const data = source.data;
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    problems.push(
      source.problem([], "a flow file must be a mapping with id, title, triggers and steps"),
    );
    return undefined;
  }
  const steps = (data as { steps?: unknown }).steps;
  const checked: unknown[] = [];
  if (Array.isArray(steps)) {
    for (const [i, step] of steps.entries()) {
      const path = ["steps", i];
      const standIn = () => {
        const id = (step as { id?: unknown } | null)?.id;
        checked.push({
          id: typeof id === "string" && /^[a-z][a-z0-9_]*$/.test(id) ? id : `invalid_step_${i}`,
          end: "unresolved",
        });
      };
      if (typeof step !== "object" || step === null || Array.isArray(step)) {
        problems.push(
          source.problem(path, "a step must be a mapping like `- id: greet` / `  say: {...}`"),
        );
        standIn();
        continue;
      }
      const kinds = stepKinds.filter((k) => k in step);
      if (kinds.length === 0) {
        const keys = Object.keys(step).filter((k) => k !== "id" && k !== "note");
        problems.push(
          source.problem(
            path,
            `unknown step kind${keys.length ? ` (${keys.join(", ")})` : ""}: a step needs exactly one of ${stepKinds.join(", ")}`,
            keys[0],
          ),
        );
        standIn();
        continue;
      }
      if (
        kinds.length > 1 &&
        !(
          kinds.length === 2 &&
          kinds.includes("say") &&
          kinds.some((k) => k === "escalate" || k === "end")
        )
      ) {
        problems.push(
          source.problem(
            path,
            `a step has one kind, this one has ${kinds.join(" and ")}: split it into two steps`,
          ),
        );
        standIn();
        continue;
      }
      const kind = kinds.find((k) => k !== "say") ?? "say";
      const parsed = stepSchemas[kind].safeParse(step);
      if (parsed.success) checked.push(parsed.data);
      else {
        problems.push(...zodProblems(source, path, parsed.error));
        standIn();
      }
    }
  }
  const parsed = Flow.safeParse(Array.isArray(steps) ? { ...data, steps: checked } : data);
  if (!parsed.success) {
    // Step errors were reported precisely above; keep only the rest.
    const rest = parsed.error.issues.filter(
      (issue) => !(issue.path[0] === "steps" && issue.path.length > 1),
    );
    problems.push(...zodIssues(source, [], rest));
  }
  return parsed.success ? parsed.data : undefined;
}

function zodProblems(source: YamlSource, base: YamlPath, error: z.ZodError): FlowProblem[] {
  return zodIssues(source, base, error.issues);
}

function zodIssues(source: YamlSource, base: YamlPath, issues: z.core.$ZodIssue[]): FlowProblem[] {
  return issues.flatMap((issue) => {
    const path = [...base, ...(issue.path as (string | number)[])];
    const where = dotted(path);
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) =>
        source.problem(path, `${where ? `${where}: ` : ""}unknown key "${key}"`, key),
      );
    }
    return [source.problem(path, `${where ? `${where}: ` : ""}${issue.message}`)];
  });
}

export function dotted(path: YamlPath): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}
