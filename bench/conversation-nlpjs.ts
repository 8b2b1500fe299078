// nlp.js (node-nlp NlpManager) on the same lines: one model per locale trained on the flows'
// trigger examples (as bench:nlu trains it: examples only, the locale given), and for a typed
// answer a model trained on that question's button labels and values in the locale.

import type { FlowSet } from "../src/flows/flowset.ts";
import type { Case, TypedTarget } from "./conversation-cases.ts";
import { loadNlpManager, type NlpManagerLike } from "./nlu-nlpjs.ts";

/** nlp.js's own answer (null when it says "None") and its best real intent with that score. */
export interface NlpGuess {
  intent: string | null;
  top: string | null;
  score: number;
}

function manager(locale: string): NlpManagerLike {
  const NlpManager = loadNlpManager();
  return new NlpManager({ languages: [locale], autoSave: false, nlu: { log: false } });
}

async function guess(m: NlpManagerLike, locale: string, text: string): Promise<NlpGuess> {
  const res = await m.process(locale, text);
  const best = (res.classifications ?? []).find((c) => c.intent !== "None");
  const own = res.intent && res.intent !== "None" ? res.intent : null;
  return { intent: own, top: best?.intent ?? null, score: best?.score ?? 0 };
}

export async function nlpjsGuesses(set: FlowSet, cases: Case[]): Promise<NlpGuess[]> {
  const routers = new Map<string, NlpManagerLike>();
  for (const locale of set.bot.locales) {
    const m = manager(locale);
    for (const flow of set.flows.values())
      for (const text of flow.def.triggers?.examples?.[locale] ?? [])
        m.addDocument(locale, text, flow.id);
    await m.train();
    routers.set(locale, m);
  }
  const pickers = new Map<string, NlpManagerLike>();
  const picker = async (locale: string, t: TypedTarget) => {
    const id = `${locale}:${t.question}`;
    let m = pickers.get(id);
    if (!m) {
      m = manager(locale);
      t.labels.forEach((b, i) => {
        m!.addDocument(locale, b.label, String(i));
        if (b.value) m!.addDocument(locale, b.value.replace(/_/g, " "), String(i));
      });
      await m.train();
      pickers.set(id, m);
    }
    return m;
  };
  const out: NlpGuess[] = [];
  for (const c of cases) {
    const m = c.typed ? await picker(c.locale, c.typed) : routers.get(c.locale)!;
    out.push(await guess(m, c.locale, c.text));
  }
  return out;
}
