// Language of a customer message among the bot's locales. Script decides most cases (Cyrillic →
// ru, Greek → el); between Latin-script languages (en vs pl) small word and letter profiles vote.
// Short or ambiguous text ("ok", "123", emoji) falls back to the platform's hint, with low confidence.

/** Letters that only Polish (among our Latin locales) uses. */
const POLISH_LETTERS = /[ąćęłńśźż]/g;

/**
 * Frequent function words and support vocabulary; words common to both ("i", "to", "a") are left
 * out because they vote for neither. Polish forms are listed with and without
 * diacritics because customers often type without them ("nie moge sie zalogowac").
 */
const PROFILES: Record<string, { words: Set<string>; ngrams: string[] }> = {
  en: {
    words: new Set(
      (
        "the an is are am was were be been you he she it we they my your our me " +
        "of in on at for with from by and or but not no yes do does did dont doesnt cant " +
        "can could would should will have has had how what why where when who which this that " +
        "there here please thanks thank hello hi hey help want need get got still " +
        "account password money refund card order payment login log sign"
      ).split(" "),
    ),
    ngrams: ["th", "wh", "ing", "ea", "ou", "ck", "ght", "ay", "ee", "oo"],
  },
  pl: {
    words: new Set(
      (
        "nie się sie jest są sa mam mój moj moje moja mnie mi ja ty pan pani czy jak co " +
        "na w we z ze że do od po przez dla już juz jeszcze bo ale oraz albo lub tak " +
        "proszę prosze dziękuję dziekuje dzień dzien dobry cześć czesc witam hej " +
        "mogę moge można mozna chcę chce gdzie kiedy dlaczego kto który ktory " +
        "hasło haslo hasła hasla konto konta pieniądze pieniadze zwrot płatność platnosc " +
        "zamówienie zamowienie zalogować zalogowac logowanie pomoc problem"
      ).split(" "),
    ),
    ngrams: ["sz", "cz", "rz", "dz", "ie", "ow", "prz", "wi", "ni", "ych", "ego", "ać", "ac"],
  },
};

const SCRIPT_OF_LOCALE: Record<string, "latin" | "cyrillic" | "greek"> = {
  en: "latin",
  pl: "latin",
  de: "latin",
  fr: "latin",
  es: "latin",
  it: "latin",
  pt: "latin",
  ru: "cyrillic",
  uk: "cyrillic",
  be: "cyrillic",
  bg: "cyrillic",
  sr: "cyrillic",
  el: "greek",
};

function baseLocale(locale: string): string {
  return locale.toLowerCase().split(/[-_]/)[0] ?? "";
}

function fallback(candidates: string[], hint: string | undefined, confidence: number) {
  const h =
    hint === undefined
      ? undefined
      : candidates.find((c) => c === hint || baseLocale(c) === baseLocale(hint));
  return { locale: h ?? candidates[0] ?? hint ?? "en", confidence };
}

/** Confidence that grows with the amount of evidence: 1 − e^(−evidence/scale). */
function saturate(evidence: number, scale: number): number {
  return 1 - Math.exp(-evidence / scale);
}

/**
 * Language of `text` among `candidates` (e.g. ["en","ru","pl","el"]). Only candidates are
 * returned; the hint wins ties and short texts when it is a candidate. Never throws.
 */
export function detectLanguage(
  text: string,
  candidates: string[],
  hint?: string,
): { locale: string; confidence: number } {
  const cands = Array.isArray(candidates) ? candidates.filter((c) => typeof c === "string") : [];
  if (cands.length === 0) return { locale: hint ?? "en", confidence: 0 };
  if (typeof text !== "string" || text.length === 0) return fallback(cands, hint, 0.05);
  const sample = text.slice(0, 2000).normalize("NFKC").toLowerCase();

  const latin = sample.match(/[a-zà-ɏ]/g)?.length ?? 0;
  const cyrillic = sample.match(/[\u0400-\u04ff]/g)?.length ?? 0;
  const greek = sample.match(/[\u0370-\u03ff\u1f00-\u1fff]/g)?.length ?? 0;
  const letters = latin + cyrillic + greek;
  if (letters === 0) return fallback(cands, hint, 0.05);

  const scripts = [
    { script: "latin", n: latin },
    { script: "cyrillic", n: cyrillic },
    { script: "greek", n: greek },
  ].sort((a, b) => b.n - a.n);
  const dominant = scripts[0]!;
  const share = dominant.n / letters;
  const inScript = cands.filter((c) => SCRIPT_OF_LOCALE[baseLocale(c)] === dominant.script);
  if (inScript.length === 0) return fallback(cands, hint, 0.1);

  // Script alone: very reliable once there are a few letters of it ("да" is short but clear).
  const scriptConfidence = share * (0.55 + 0.44 * saturate(dominant.n, 3));
  if (inScript.length === 1) return { locale: inScript[0]!, confidence: scriptConfidence };

  // Several candidates share the script: vote with word and letter profiles.
  const tokens = sample.match(/[\p{L}']+/gu) ?? [];
  const scores = inScript.map((locale) => {
    const profile = PROFILES[baseLocale(locale)];
    if (!profile) return { locale, score: 0 };
    let score = 0;
    for (const t of tokens) if (profile.words.has(t.replace(/'/g, ""))) score += 2;
    for (const g of profile.ngrams) {
      let from = sample.indexOf(g);
      while (from !== -1) {
        score += 0.3;
        from = sample.indexOf(g, from + g.length);
      }
    }
    if (baseLocale(locale) === "pl") score += 4 * (sample.match(POLISH_LETTERS)?.length ?? 0);
    return { locale, score };
  });
  scores.sort((a, b) => b.score - a.score);
  const best = scores[0]!;
  const margin = best.score - (scores[1]?.score ?? 0);
  if (margin < 1) {
    // A tie (or no evidence): the platform's hint decides if it is one of the tied locales.
    const tied = scores.filter((s) => best.score - s.score < 1).map((s) => s.locale);
    const pick = fallback(tied, hint, 0.3);
    return { locale: pick.locale, confidence: 0.3 * scriptConfidence };
  }
  // One word ("password", "tak") is thin evidence between two Latin languages: confidence also
  // grows with the amount of text, so a lone loanword does not switch a conversation's language.
  const amount = 0.6 + 0.4 * saturate(dominant.n, 12);
  return {
    locale: best.locale,
    confidence: scriptConfidence * amount * (0.4 + 0.59 * saturate(margin, 1.5)),
  };
}
