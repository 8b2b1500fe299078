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
import { checkFlowSet, noGaps, type SchemaGaps } from "./validate.ts";

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
  const read = readFlowDir(dir, shown);
  const { problems, bot, gaps } = read;
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

  const { compiled, sources } = compileFlows(read.flows, problems, gaps);
  const flowSet: FlowSet = {
    bot: bot.def,
    flows: compiled,
    commands: new Map(),
    payloads: new Map(),
    hash: read.hash,
  };
  problems.push(
    ...checkFlowSet(flowSet, sources, bot.source, {
      gaps,
      platforms: options.platforms ?? [],
      texts: read.texts,
    }),
  );
  return problems.length > 0 ? { ok: false, problems } : { ok: true, flowSet };
}

interface ParsedFlow {
  def: FlowDef;
  source: YamlSource;
  /** Ids of the stand-ins for steps the schema refused. */
  standIns: Set<string>;
}

/** Every file of the directory, parsed and checked against the schema, in load order. */
function readFlowDir(dir: string, shown: (f: string) => string) {
  const problems: FlowProblem[] = [];
  const hash = createHash("sha256");
  const texts = new Map<string, string>();
  let bot: { def: BotConfigDef; source: YamlSource } | undefined;
  const flows: ParsedFlow[] = [];
  const gaps = noGaps();
  for (const path of listFlowFiles(dir)) {
    const text = readFileSync(path, "utf8");
    hash.update(basename(path)).update("\0").update(text).update("\0");
    const source = new YamlSource(shown(path), text);
    texts.set(source.file, text);
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
    const flow = parseFlow(source, problems, gaps);
    if (flow) flows.push(flow);
    else {
      const id = (source.data as { id?: unknown } | null)?.id;
      if (typeof id === "string") gaps.flowIds.add(id);
      gaps.raw.push(source.data);
    }
  }
  return { problems, hash: hash.digest("hex").slice(0, 16), texts, bot, flows, gaps };
}

function compileFlows(flows: ParsedFlow[], problems: FlowProblem[], gaps: SchemaGaps) {
  const compiled = new Map<string, CompiledFlow>();
  const sources = new Map<string, YamlSource>();
  for (const { def, source, standIns } of flows) {
    const previous = sources.get(def.id);
    if (previous) {
      problems.push(
        source.problem(["id"], `duplicate flow id "${def.id}" (also in ${previous.file})`),
      );
      gaps.raw.push(def); // its references and variables still count
      continue;
    }
    sources.set(def.id, source);
    if (standIns.size > 0) gaps.standIns.set(def.id, standIns);
    compiled.set(def.id, {
      id: def.id,
      file: source.file,
      title: def.title,
      def,
      steps: new Map(def.steps.map((s) => [s.id, s])),
      order: def.steps.map((s) => s.id),
    });
  }
  return { compiled, sources };
}

/**
 * Steps are checked one by one against the schema of their kind, for precise messages. A bad
 * step is reported and replaced by a stand-in (same id, a plain end), so the rest of the flow
 * is still checked: every problem at once, not the first one per file. Its raw YAML goes to
 * `gaps`, so that what it referred to or saved is not reported as missing.
 */
function parseFlow(
  source: YamlSource,
  problems: FlowProblem[],
  gaps: SchemaGaps,
): ParsedFlow | undefined {
  const data = source.data;
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    problems.push(
      source.problem([], "a flow file must be a mapping with id, title, triggers and steps"),
    );
    return undefined;
  }
  const steps = (data as { steps?: unknown }).steps;
  const standIns = new Set<string>();
  const checked = Array.isArray(steps)
    ? steps.map((step, i) => {
        const parsed = parseStep(source, step, i, problems);
        if (parsed !== undefined) return parsed;
        const id = (step as { id?: unknown } | null)?.id;
        const standIn =
          typeof id === "string" && /^[a-z][a-z0-9_]*$/.test(id) ? id : `invalid_step_${i}`;
        standIns.add(standIn);
        gaps.raw.push(step);
        return { id: standIn, end: "unresolved" };
      })
    : undefined;
  const parsed = Flow.safeParse(checked ? { ...data, steps: checked } : data);
  if (!parsed.success) {
    // Step errors were reported precisely above; keep only the rest.
    const rest = parsed.error.issues.filter(
      (issue) => !(issue.path[0] === "steps" && issue.path.length > 1),
    );
    problems.push(...zodIssues(source, [], rest));
    return undefined;
  }
  return { def: parsed.data, source, standIns };
}

/** One step against the schema of its kind; undefined (and reported) when it does not fit. */
function parseStep(
  source: YamlSource,
  step: unknown,
  i: number,
  problems: FlowProblem[],
): unknown | undefined {
  const path = ["steps", i];
  if (typeof step !== "object" || step === null || Array.isArray(step)) {
    problems.push(
      source.problem(path, "a step must be a mapping like `- id: greet` / `  say: {...}`"),
    );
    return undefined;
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
    return undefined;
  }
  const sayWithEnding =
    kinds.length === 2 &&
    kinds.includes("say") &&
    kinds.some((k) => k === "escalate" || k === "end");
  if (kinds.length > 1 && !sayWithEnding) {
    problems.push(
      source.problem(
        path,
        `a step has one kind, this one has ${kinds.join(" and ")}: split it into two steps`,
      ),
    );
    return undefined;
  }
  const kind = kinds.find((k) => k !== "say") ?? "say";
  const parsed = stepSchemas[kind].safeParse(step);
  if (parsed.success) return parsed.data;
  problems.push(...zodProblems(source, path, parsed.error));
  return undefined;
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
