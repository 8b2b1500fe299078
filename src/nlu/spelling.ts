// Typo repair against the training vocabulary: a word the matcher never saw is replaced by a
// taught word one edit away ("пороль" → "пароль", "refnd" → "refund"). Symmetric-delete lookup
// (every word indexed under itself and its one-letter deletions) keeps it O(word length).

/** Shorter words are left alone: at 3 letters one edit turns most words into other real words. */
const MIN_LENGTH = 4;

/** A set of words, or anything that can tell whether it holds one (the shipped word vectors). */
export interface WordList {
  has(word: string): boolean;
}

export class SpellingIndex {
  private readonly known: Map<string, number>;
  /** A deletion variant → the known words producing it. */
  private readonly deletes = new Map<string, string[]>();

  /** `realWords`: words of the language that were not taught here. They are only brought to a
   * taught word that begins the same way, an inflection ("телефоне" → "телефон"), never to
   * another word (a button matcher taught "that helped" must not read "what?" as "that"). */
  constructor(
    wordCounts: Map<string, number>,
    private readonly realWords: WordList = new Set<string>(),
  ) {
    this.known = wordCounts;
    // Sorted so that ties between candidates resolve the same way on every run.
    const sorted = [...wordCounts.keys()].sort();
    for (const w of sorted) {
      if (w.length < MIN_LENGTH || /\d/.test(w)) continue;
      for (const d of deletions(w)) {
        const list = this.deletes.get(d);
        if (list) list.push(w);
        else this.deletes.set(d, [w]);
      }
    }
  }

  /** The token itself when known or unfixable, else the most frequent known word one edit away
   * that begins with the same letter: people rarely mistype the first letter, and a repair that
   * changes it reads another word ("τώρα", now → "ώρα", hour; "blank" → "bank"). */
  correct(token: string): string {
    if (this.known.has(token) || token.length < MIN_LENGTH || /\d/.test(token)) return token;
    const stem = this.realWords.has(token) ? token.slice(0, Math.min(4, token.length - 1)) : "";
    let best: string | null = null;
    let bestCount = 0;
    const consider = (w: string) => {
      const c = this.known.get(w) ?? 0;
      if (c > bestCount && w[0] === token[0] && w.startsWith(stem) && withinOneEdit(token, w)) {
        best = w;
        bestCount = c;
      }
    };
    // A known word that is the token with one letter removed (an extra letter was typed).
    for (const d of deletions(token)) if (this.known.has(d)) consider(d);
    // A known word with one letter more (a letter was dropped), or a substitution/transposition.
    for (const key of [token, ...deletions(token)]) {
      for (const w of this.deletes.get(key) ?? []) consider(w);
    }
    return best ?? token;
  }
}

function deletions(w: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < w.length; i++) out.push(w.slice(0, i) + w.slice(i + 1));
  return out;
}

/** Optimal string alignment distance ≤ 1: one insertion, deletion, substitution or swap. */
function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // swap
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
