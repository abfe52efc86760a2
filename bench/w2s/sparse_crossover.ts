/**
 * The density at which the sparse LDA engine (ldaSparse.ts) and the dense tfjs engine (lda.ts) cost
 * the same per iteration, on the current Node backend (WASM by default; SENSESCAPE_BACKEND=cpu).
 *
 *   nice -n 10 npx tsx bench/w2s/sparse_crossover.ts [V=1500] [K=60]
 *
 * Planted counts (src/testing/planted.ts) with more tokens per word give denser rows; for each the
 * seconds of iteration 2 (anchor search and iteration 1's set-up excluded) of both engines, same seed
 * and so the same E-step rounds (their perplexities agree). The figures go into lda.ts's SPARSE_BELOW.
 */
import { initNodeBackend } from '../../src/engine/node/backend';
import { fitLda } from '../../src/engine/word2sense/lda';
import { plantedCounts } from '../../src/testing/planted';

const [V, K] = [1500, 60].map((d, i) => Number(process.argv[2 + i] ?? d));
const report = await initNodeBackend();
console.log(`backend ${report.backend}, V=${V}, K=${K}`);
for (const per of [20, 80, 300, 1200, 5000]) {
  const { counts } = plantedCounts(V, K, per, 5);
  const density = counts.indptr[counts.rows] / (counts.rows * counts.cols);
  const secs: Record<string, number> = {};
  const ppl: Record<string, number> = {};
  for (const engine of ['sparse', 'dense'] as const) {
    const r = await fitLda(counts, { K, iters: 2, seed: 1, engine });
    secs[engine] = r.history[1].seconds - r.history[0].seconds;
    ppl[engine] = r.history[1].perplexity;
  }
  console.log(
    `tokens/word ${per}: density ${(100 * density).toFixed(2)} %, s/iteration sparse ${secs.sparse.toFixed(3)} dense ${secs.dense.toFixed(3)} (dense/sparse ${(secs.dense / secs.sparse).toFixed(2)}); perplexity ${ppl.sparse.toFixed(2)} / ${ppl.dense.toFixed(2)}`,
  );
}
