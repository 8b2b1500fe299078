// Splits a long text into parts a platform accepts, on the safest boundary available:
// paragraph, then line, then sentence, then word; never inside a surrogate pair.

export function splitText(text: string, max: number): string[] {
  if (max < 16) throw new Error("maxTextLength must be at least 16");
  const parts: string[] = [];
  let rest = text;
  while ([...rest].length > max) {
    const window = sliceChars(rest, max);
    const cut = bestCut(window);
    parts.push(window.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\s+/, "");
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}

/** The first `n` characters (code points, so an emoji is never cut in half). */
function sliceChars(text: string, n: number): string {
  let i = 0;
  let count = 0;
  while (i < text.length && count < n) {
    const code = text.codePointAt(i)!;
    i += code > 0xffff ? 2 : 1;
    count += 1;
  }
  return text.slice(0, i);
}

function bestCut(window: string): number {
  const floor = Math.floor(window.length / 2); // never make a tiny part when a big one fits
  for (const boundary of [
    /\n\n(?!.*\n\n)/s,
    /\n(?!.*\n)/s,
    /[.!?…。](\s)(?!.*[.!?…。]\s)/s,
    /\s(?!.*\s)/s,
  ]) {
    const m = boundary.exec(window);
    if (m && m.index + m[0].length > floor) return m.index + m[0].length;
  }
  return window.length;
}
