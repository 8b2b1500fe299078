// The shipped flows with the desk settings a story needs (hours, SLA, agents), in a temp copy.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import type { FlowSet } from "../../src/flows/flowset.ts";
import { loadFlows } from "../../src/flows/load.ts";

export const ALL_WEEK = {
  mon: "00:00-23:59",
  tue: "00:00-23:59",
  wed: "00:00-23:59",
  thu: "00:00-23:59",
  fri: "00:00-23:59",
  sat: "00:00-23:59",
  sun: "00:00-23:59",
};

export function deskFlowsDir(desk: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "fl-desk-"));
  cpSync("flows", dir, { recursive: true });
  const file = join(dir, "frontline.yaml");
  const doc = parseDocument(readFileSync(file, "utf8"));
  for (const [key, value] of Object.entries(desk)) doc.setIn(["desk", key], value);
  writeFileSync(file, doc.toString());
  return dir;
}

export function deskFlows(desk: Record<string, unknown>): { dir: string; flows: FlowSet } {
  const dir = deskFlowsDir(desk);
  const loaded = loadFlows(dir);
  if (!loaded.ok)
    throw new Error(loaded.problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join("\n"));
  return { dir, flows: loaded.flowSet };
}
