// nlp.js (node-nlp NlpManager) wrapped as a benchmark contender, the baseline beside our matcher.
// Its top classification and score are used; "None" (its own out-of-scope answer) counts as
// that score, so the same threshold rule applies to both.

import { createRequire } from "node:module";
import type { Contender, Model, Prediction } from "./nlu-eval.ts";

export interface NlpResult {
  intent?: string;
  score?: number;
  classifications?: { intent: string; score: number }[];
}

export interface NlpManagerLike {
  addDocument(locale: string, utterance: string, intent: string): void;
  train(): Promise<void>;
  process(locale: string, utterance: string): Promise<NlpResult>;
}

type NlpManagerCtor = new (settings: Record<string, unknown>) => NlpManagerLike;

export function loadNlpManager(): NlpManagerCtor {
  const require = createRequire(import.meta.url);
  return (require("node-nlp") as { NlpManager: NlpManagerCtor }).NlpManager;
}

/**
 * `localeOf` tells nlp.js which language model to use for a query; for English-only data it is
 * always "en". In the multilingual section it is given the true locale (an advantage we do not get).
 */
export function nlpjsContender(
  languages: string[],
  localeOf: (text: string) => string = () => languages[0] ?? "en",
): Contender {
  return {
    name: "nlp.js",
    async train(examples): Promise<Model> {
      const NlpManager = loadNlpManager();
      const manager = new NlpManager({ languages, autoSave: false, nlu: { log: false } });
      for (const ex of examples)
        manager.addDocument(ex.locale ?? languages[0] ?? "en", ex.text, ex.intent);
      await manager.train();
      return {
        async predict(text: string): Promise<Prediction> {
          const res = await manager.process(localeOf(text), text);
          const top = (res.classifications ?? []).find((c) => c.intent !== "None");
          if (res.intent && res.intent !== "None") {
            return { intent: res.intent, confidence: res.score ?? 0 };
          }
          return { intent: top?.intent ?? null, confidence: top?.score ?? 0 };
        },
      };
    },
  };
}
