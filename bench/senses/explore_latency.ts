/**
 * Sense-explorer latency on a paper-sized model: 50,000 words, 3000 raw senses merged to 2250, µ = 75
 * active senses per word (as Panigrahi et al.'s released model). Measures what the UI waits for when a
 * user types or clicks: prefix search, a word's senses with clouds (top words of 4 senses), neighbours
 * by JS over the whole vocabulary, a sense's detail — median and max of repeated queries, in Node on
 * the same engine code the worker runs. The sense map (MDS) is a one-off and is timed separately.
 *
 *   npx tsx bench/senses/explore_latency.ts [--map]
 */
import { SenseExplorer } from '../../src/engine/word2sense/explore';
import type { Word2SenseModel } from '../../src/engine/word2sense/model';
import { mulberry32 } from '../../src/engine/util/random';

const V = 50_000;
const K = 3000;
const KM = 2250;
const MU = 75;

function syntheticModel(): Word2SenseModel {
  const rand = mulberry32(42);
  const vocab = Array.from({ length: V }, (_, i) => `w${i.toString(36)}${'abcdefghij'[i % 10]}`);
  const wordCounts = Array.from({ length: V }, (_, i) => Math.round(1e6 / (i + 1)) + 1);
  const total = wordCounts.reduce((a, b) => a + b, 0);
  const pWord = Float32Array.from(wordCounts, (c) => c / total);
  const beta = new Float32Array(K * V);
  for (let z = 0; z < K; z++) {
    let s = 0;
    const row = z * V;
    for (let w = 0; w < V; w++) s += beta[row + w] = rand() ** 8;
    for (let w = 0; w < V; w++) beta[row + w] /= s;
  }
  const theta = new Float32Array(V * K);
  const pSense = new Float32Array(K).fill(1 / K);
  const merge = Int32Array.from({ length: K }, (_, z) => (z < KM ? z : Math.floor(rand() * KM)));
  const indptr = new Int32Array(V + 1);
  const indices = new Int32Array(V * MU);
  const values = new Float32Array(V * MU);
  for (let w = 0; w < V; w++) {
    const picked = new Set<number>();
    while (picked.size < MU) picked.add(Math.floor(rand() * KM));
    const sorted = [...picked].sort((a, b) => a - b);
    let s = 0;
    const raw = sorted.map(() => rand() ** 3);
    raw.forEach((v) => (s += v));
    sorted.forEach((d, k) => {
      indices[w * MU + k] = d;
      values[w * MU + k] = raw[k] / s;
      theta[w * K + d] = raw[k] / s;
    });
    indptr[w + 1] = (w + 1) * MU;
  }
  return {
    vocab,
    wordCounts,
    V,
    K,
    Kmerged: KM,
    beta,
    theta,
    pWord,
    pSense,
    merge,
    embedding: { indptr, indices, values },
    hyperparameters: {},
  };
}

async function time<T>(label: string, runs: number, fn: (k: number) => Promise<T> | T): Promise<void> {
  const ms: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    await fn(k);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(44)} median ${ms[Math.floor(ms.length / 2)].toFixed(1).padStart(7)} ms   max ${ms[ms.length - 1].toFixed(1).padStart(7)} ms   (${runs} runs)`,
  );
}

const t0 = performance.now();
const model = syntheticModel();
console.log(`model: V=${V}, K=${K} → K'=${KM}, µ=${MU} (built in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
const ex = new SenseExplorer(model);
const words = Array.from({ length: 20 }, (_, k) => model.vocab[(k * 2477) % V]);
await time('search: prefix completion (12 words)', 50, (k) => ex.search(words[k % 20].slice(0, 2)));
await time('word: senses + top 40 words of 4 senses', 20, (k) => {
  const s = ex.wordSenses((k * 2477) % V);
  for (const x of s.slice(0, 4)) ex.topWords(x.sense, 40, 0.6);
});
await time('neighbours: top 15 by JS over 50k words', 10, (k) => ex.neighbours((k * 2477) % V, 15));
await time('sense detail: top 60 words + 20 users', 10, (k) => {
  ex.topWords((k * 97) % KM, 60, 0.6);
  ex.wordsUsing((k * 97) % KM, 20);
});
if (process.argv.includes('--map')) {
  const m0 = performance.now();
  const map = await ex.senseMap(300);
  console.log(
    `sense map: MDS of ${KM} senses in ${((performance.now() - m0) / 1000).toFixed(1)} s (explained ${(100 * map.explained).toFixed(1)}%)`,
  );
}
