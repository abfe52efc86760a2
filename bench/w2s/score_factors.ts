/**
 * Scores LDA factors saved by bench/w2s/lda_vs_gensim.ts (ours or gensim's, on the same counts) through
 * the product's own Eq. 2 embedding, √JS merge and top-µ truncation, and prints Spearman (all pairs,
 * OOV = uniform) on the six word-similarity sets — to tell the LDA optimum apart from the embedding
 * step when a model scores below the faithful reference.
 *
 *   npx tsx bench/w2s/score_factors.ts [DIR=/tmp/w2s-gensim-20000-1] [PREFIX=gensim|ours] [K=300] [BETA_PREFIX=PREFIX]
 */
import { readFileSync } from 'node:fs';
import { evaluateSimilarity, parsePairs } from '../../src/engine/eval/similarity';
import type { CsrCounts } from '../../src/engine/text/csr';
import { buildModelAsync } from '../../src/engine/word2sense/build';

const dir = process.argv[2] ?? '/tmp/w2s-gensim-20000-1';
const prefix = process.argv[3] ?? 'gensim';
const K = Number(process.argv[4] ?? 300);
const betaPrefix = process.argv[5] ?? prefix; // another model's β beside this θ
const bytes = (p: string) => {
  const b = readFileSync(`${dir}/${p}`);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
};
const meta = JSON.parse(readFileSync(`${dir}/meta.json`, 'utf8'));
const { vocab, wordCounts } = JSON.parse(readFileSync(`${dir}/vocab.json`, 'utf8'));
const counts: CsrCounts = {
  rows: meta.rows,
  cols: meta.cols,
  indptr: new Int32Array(bytes('indptr.i32')),
  indices: new Int32Array(bytes('indices.i32')),
  values: new Float32Array(bytes('values.f32')),
};
const model = await buildModelAsync({
  vocab,
  wordCounts,
  counts,
  beta: new Float32Array(bytes(`${betaPrefix}_beta.f32`)),
  theta: new Float32Array(bytes(`${prefix}_theta.f32`)),
  K,
  hyperparameters: {},
});
const SETS = ['WS-353-ALL', 'MEN-TR-3k', 'SIMLEX-999', 'RW-STANFORD', 'MTurk-771', 'SimVerb-3500'];
const row: string[] = [];
for (const s of SETS) {
  const file = new URL(`../../../shared/data/word-similarity/EN-${s}.txt`, import.meta.url).pathname;
  const r = evaluateSimilarity(model, parsePairs(readFileSync(file, 'utf8'), file), file);
  row.push(`${s} ${r.spearman?.toFixed(3) ?? '–'}`);
}
console.log(`θ ${prefix}, β ${betaPrefix} (${dir}): ${row.join(' · ')}`);
