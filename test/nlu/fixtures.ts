// The small en/ru/pl/el support training set the NLU tests use: the same phrases as the
// multilingual section of `npm run bench:nlu`, so tests and benchmark speak of one data set.
import { MULTILINGUAL_TRAIN } from "../../bench/nlu-multilingual.ts";
import type { TrainingExample } from "../../src/nlu/index.ts";

export const SUPPORT_EXAMPLES: TrainingExample[] = Object.entries(MULTILINGUAL_TRAIN).flatMap(
  ([intent, perLocale]) =>
    Object.entries(perLocale).flatMap(([locale, texts]) =>
      texts.map((text) => ({ intent, text, locale })),
    ),
);
