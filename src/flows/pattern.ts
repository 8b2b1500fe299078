// Flow patterns (`input.pattern`, `if.matches`) run on RE2 (re2js): matching takes time linear
// in the text, so no pattern a flow author writes, e.g. `^(a+)+$`, can stall the event loop on a
// customer's message the way a backtracking JavaScript RegExp does.
//
// Semantics, compared with the `new RegExp(pattern, "u")` flows used before: RE2 works on code
// points, as `u` did, and `\d`, `\w`, `\b` stay ASCII; `^` and `$` still mean the ends of the
// text. Differences: `.` also matches `\r`, U+2028 and U+2029 (only `\n` is excluded); `\s` is
// ASCII whitespace only (no NBSP, no `\v`); `\u00E9` is written `\x{00E9}`; counts in `{n,m}`
// stop at 1000; inline flags such as `(?i)` for case-insensitive matching are available. There
// are no backreferences and no lookaround.
import { RE2JS } from "re2js";

/**
 * A pattern sees at most this many characters of a value. An ask's answer can be at most 4,000
 * characters long (`maxLength` in schema.ts stops there), so answers are always checked whole and
 * an anchored pattern cannot be bypassed by a long tail; only longer variables built by `set`
 * steps are cut. Linear time is still time: the cap bounds what one turn can cost.
 */
export const MAX_PATTERN_INPUT = 4000;

/**
 * RE2 program size (about one instruction per literal, class or repetition) a pattern may
 * compile to. Past roughly 2,000, re2js's fast DFA gives up and matching costs ~0.1 ms per
 * character; the shipped patterns are below 20.
 */
export const MAX_PATTERN_PROGRAM = 1000;

/** Compiled patterns by source; flows hold a bounded set, so the cache stays small. */
const compiled = new Map<string, RE2JS>();

function compile(pattern: string): RE2JS {
  let re = compiled.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    compiled.set(pattern, re);
  }
  return re;
}

/** Whether the pattern matches anywhere in the value (like RegExp.test); throws on a bad pattern. */
export function testPattern(pattern: string, value: string): boolean {
  return compile(pattern).test(value.slice(0, MAX_PATTERN_INPUT));
}

/** Null when the pattern can be used in a flow; otherwise one sentence saying what to change. */
export function patternProblem(pattern: string): string | null {
  let re: RE2JS;
  try {
    re = compile(pattern);
  } catch (err) {
    return `bad regular expression: ${(err as Error).message}; ${hint(pattern)}`;
  }
  if (re.programSize() > MAX_PATTERN_PROGRAM)
    return (
      `regular expression too large: it compiles to ${re.programSize()} RE2 instructions, ` +
      `at most ${MAX_PATTERN_PROGRAM} are allowed; use smaller {n,m} counts or fewer alternatives`
    );
  return null;
}

function hint(pattern: string): string {
  if (/\\[1-9]|\\k<|\(\?<?[=!]/.test(pattern))
    return (
      "flow patterns use RE2 syntax, which matches in linear time and has no backreferences " +
      "(\\1, \\k<name>) or lookaround ((?=, (?!, (?<=, (?<!): rewrite the pattern without them"
    );
  if (/\\u/.test(pattern))
    return "flow patterns use RE2 syntax: write a code point as \\x{00E9}, not \\u00E9";
  return "flow patterns use RE2 syntax (linear time, no backreferences or lookaround): fix the pattern";
}
