// `frontline test-flows`: conversation tests written in YAML beside the flows, run like a suite.
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import type { TurnResult } from "../engine/turn.ts";
import { loadConfig } from "../runtime/config.ts";
import { openLocalEngine } from "../runtime/local.ts";
import { deleteKeysWithPrefix } from "../runtime/redis.ts";
import { redisTargetOf } from "../runtime/redis-target.ts";
import { TerminalSession, turnJson } from "../runtime/terminal-session.ts";

const Expect = z
  .object({
    flow: z.string().optional(),
    step: z.string().optional(),
    says: z.array(z.string()).optional(),
    notSays: z.array(z.string()).optional(),
    buttons: z.array(z.string()).optional(),
    escalated: z.boolean().optional(),
    locale: z.string().optional(),
    ended: z.boolean().optional(),
  })
  .strict();

const TurnSpec = z.union([
  z.object({ user: z.string(), expect: Expect.optional() }).strict(),
  z.object({ press: z.string(), expect: Expect.optional() }).strict(),
  z.object({ command: z.string().startsWith("/"), expect: Expect.optional() }).strict(),
]);

export const FlowTestFile = z
  .object({
    cases: z.array(
      z
        .object({
          name: z.string(),
          locale: z.string().optional(),
          turns: z.array(TurnSpec).min(1),
        })
        .strict(),
    ),
  })
  .strict();

type ExpectSpec = z.infer<typeof Expect>;

export function findTestFiles(dir: string): string[] {
  const found: string[] = [];
  for (const d of [dir, join(dir, "tests")]) {
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).sort()) if (/\.test\.ya?ml$/.test(f)) found.push(join(d, f));
  }
  return found;
}

/** Every unmet expectation of one turn, in words. */
export function checkTurn(result: TurnResult, expect: ExpectSpec): string[] {
  const got = turnJson(result);
  const text = got.text.toLowerCase();
  const failures: string[] = [];
  if (expect.flow !== undefined && got.flow !== expect.flow)
    failures.push(`flow: expected ${expect.flow}, got ${got.flow}`);
  if (expect.step !== undefined && got.step !== expect.step)
    failures.push(`step: expected ${expect.step}, got ${got.step}`);
  if (expect.locale !== undefined && got.locale !== expect.locale)
    failures.push(`locale: expected ${expect.locale}, got ${got.locale}`);
  if (expect.escalated !== undefined && got.escalated !== expect.escalated)
    failures.push(`escalated: expected ${expect.escalated}, got ${got.escalated}`);
  if (expect.ended !== undefined && (result.ended !== undefined) !== expect.ended)
    failures.push(`ended: expected ${expect.ended}, got ${result.ended ?? "not ended"}`);
  for (const s of expect.says ?? [])
    if (!text.includes(s.toLowerCase())) failures.push(`says: "${s}" not in the reply`);
  for (const s of expect.notSays ?? [])
    if (text.includes(s.toLowerCase())) failures.push(`notSays: "${s}" is in the reply`);
  for (const b of expect.buttons ?? []) {
    if (!got.buttons.some((label) => label.toLowerCase() === b.toLowerCase()))
      failures.push(`buttons: "${b}" not among [${got.buttons.join(", ")}]`);
  }
  if (failures.length > 0) failures.push(`reply was: ${JSON.stringify(got)}`);
  return failures;
}

export async function runTestFlows(dir: string, opts: { filter?: string } = {}): Promise<number> {
  const files = findTestFiles(dir);
  if (files.length === 0) {
    process.stderr.write(
      `no conversation tests (*.test.yaml) in ${dir} or ${join(dir, "tests")}\n`,
    );
    return 1;
  }
  const config = loadConfig();
  const prefix = `fltestflows:${randomUUID().slice(0, 8)}:`;
  // Flow tests describe the flows as they run in production, with a desk taking hand-overs.
  const local = await openLocalEngine({
    flowsDir: dir,
    redisUrl: redisTargetOf(config),
    prefix,
    handover: true,
  });
  let passed = 0;
  let failed = 0;
  try {
    for (const file of files) {
      const shown = relative(process.cwd(), file);
      const parsed = FlowTestFile.safeParse(parse(readFileSync(file, "utf8")));
      if (!parsed.success) {
        failed += 1;
        process.stdout.write(
          `✗ ${shown}: not a valid test file: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}\n`,
        );
        continue;
      }
      process.stdout.write(`${shown}\n`);
      for (const testCase of parsed.data.cases) {
        if (opts.filter && !testCase.name.includes(opts.filter)) continue;
        const session = new TerminalSession(local.engine, {
          locale: testCase.locale,
          userName: "Alex",
        });
        const failures: string[] = [];
        for (const [i, turn] of testCase.turns.entries()) {
          try {
            const result =
              "user" in turn
                ? await session.send(turn.user)
                : "press" in turn
                  ? await session.press(turn.press)
                  : await session.send(turn.command);
            for (const f of turn.expect ? checkTurn(result, turn.expect) : [])
              failures.push(`turn ${i + 1}: ${f}`);
          } catch (err) {
            failures.push(`turn ${i + 1}: ${(err as Error).message}`);
          }
          if (failures.length > 0) break;
        }
        if (failures.length === 0) passed += 1;
        else failed += 1;
        process.stdout.write(
          failures.length === 0
            ? `  ✓ ${testCase.name}\n`
            : `  ✗ ${testCase.name}\n${failures.map((f) => `      ${f}`).join("\n")}\n`,
        );
      }
    }
  } finally {
    await deleteKeysWithPrefix(local.redis.redis, prefix);
    await local.close();
  }
  process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}
