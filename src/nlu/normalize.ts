// Text normalisation and tokenisation shared by the matcher and language detection.
// Goal: make the same intent typed carelessly (caps, accents, missing Polish diacritics, ё/е) look alike.

/** A support message longer than this carries no more intent signal; the rest is ignored. */
export const MAX_INPUT_CHARS = 2000;
/** Longer "words" are hashes, base64, URLs or binary noise: they are cut, not dropped. */
const MAX_TOKEN_CHARS = 24;
const MAX_TOKENS = 200;

/**
 * Lowercase, NFKC, fold diacritics. Greek tonos and Polish diacritics are folded because
 * customers often omit them ("nie moge sie zalogowac"); the Cyrillic й is kept (it is a
 * different letter, not an accent), ё becomes е as Russians usually write it.
 * Never throws; non-strings give "".
 */
export function normalizeText(text: unknown): string {
  if (typeof text !== "string" || text.length === 0) return "";
  let s = text.length > MAX_INPUT_CHARS ? text.slice(0, MAX_INPUT_CHARS) : text;
  // Lone surrogates (a cut emoji, binary garbage) are replaced so normalize() sees valid text.
  s = s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, " ");
  s = s.normalize("NFKC").toLowerCase();
  s = s
    .normalize("NFD")
    .replace(/\u0438\u0306/g, "\u0439") // и + breve → й (keep it)
    .replace(/\p{M}+/gu, "")
    .replace(/[łŀ]/g, "l")
    .replace(/ß/g, "ss")
    .replace(/ς/g, "σ")
    .replace(/[ø]/g, "o")
    .replace(/æ/g, "ae");
  return s;
}

/**
 * Words of a normalised text: letters and digits; apostrophes inside words are dropped
 * ("don't" → "dont", how people type it anyway); every number becomes one "0" token because
 * amounts and dates rarely decide the intent.
 */
export function tokenize(normalized: string): string[] {
  if (normalized.length === 0) return [];
  const joined = normalized.replace(/(\p{L})['’ʼ`](\p{L})/gu, "$1$2");
  const raw = joined.match(/[\p{L}\p{N}]+/gu);
  if (!raw) return [];
  const out: string[] = [];
  for (const w of raw) {
    if (out.length >= MAX_TOKENS) break;
    if (/^\p{N}+$/u.test(w)) {
      out.push("0");
      continue;
    }
    out.push(w.length > MAX_TOKEN_CHARS ? w.slice(0, MAX_TOKEN_CHARS) : w);
  }
  return out;
}

/** normalizeText + tokenize. */
export function words(text: unknown): string[] {
  return tokenize(normalizeText(text));
}
