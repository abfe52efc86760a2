/**
 * Word2Sense's LDA on tfjs's WebGPU backend in Node (Dawn; run through `bench/gpu/run.sh lda`, which
 * passes the `webgpu` package as WEBGPU_MODULE) — for a machine with a GPU and no browser, and tested
 * here on SwiftShader. Prints ONE JSON line with the adapter and:
 *
 * 1. `products`: the WGSL CSR kernels (csrKernelsWgsl.ts) against the float64 reference — max relative
 *    error per product at four densities.
 * 2. `crossover`: planted counts (V = 1500, K = 60 by default) at rising densities, seconds of iteration 2
 *    of the CSR engine (WGSL) and of the dense engine (tfjs matmuls), with both perplexities (equal:
 *    the same rounds) — where dense/csr falls below 1 is the density lda.ts's CSR_BELOW should hold.
 * 3. `corpora` (unless --no-corpora): the six bundled corpora counted at --vocab (20000) and trained
 *    with the CSR engine as `w2s train` would (K = 300, online VB, one group per 2,000 rows, random
 *    start) for --passes (2): seconds per pass and the perplexities.
 *
 *   bench/gpu/run.sh lda [--vocab 20000] [--senses 300] [--passes 2] [--no-corpora] [--dense-too]
 */
import { initBackend } from '../../src/engine/tensor/backend';
import { fileCorpusSource } from '../../src/engine/node/text';
import { corpusToCounts } from '../../src/engine/text/corpus';
import { runCsrProducts } from '../../src/engine/word2sense/csrKernels';
import { wgslCsrKernels } from '../../src/engine/word2sense/csrKernelsWgsl';
import { csrProductsReference, maxRelError, randomCsrInputs } from '../../src/engine/word2sense/csrReference';
import { fitLda } from '../../src/engine/word2sense/lda';
import { ROWS_PER_GROUP } from '../../src/engine/word2sense/train';
import { plantedCounts } from '../../src/testing/planted';
import { installDawn } from './dawn';

const flag = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const has = (name: string): boolean => process.argv.includes(`--${name}`);

await installDawn();
const report = await initBackend({ rungs: ['webgpu'] });
if (report.backend !== 'webgpu') throw new Error(`no WebGPU adapter (got ${report.backend})`);

const products = [
  [40, 300, 37, 0.01],
  [23, 150, 130, 0.1],
  [9, 40, 64, 0.5],
  [5, 12, 3, 1],
].map(([rows, cols, K, density]) => {
  const inp = randomCsrInputs(rows, cols, K, density, rows + K);
  return { inp, want: csrProductsReference(inp), density, K };
});
const productErrors = [];
for (const { inp, want, density, K } of products) {
  const got = await runCsrProducts(wgslCsrKernels, inp);
  const e = (k: keyof typeof want) => Number(maxRelError(got[k], want[k]).toExponential(2));
  productErrors.push({
    density,
    K,
    sddmm: e('sddmm'),
    spmm: e('spmm'),
    addSpmmT: e('addSpmmT'),
    rowSums: e('rowSums'),
  });
}
console.error(`lda_bench: products ${JSON.stringify(productErrors)}`);

const V = flag('crossover-vocab', 1500);
const Kx = flag('crossover-senses', 60);
const crossover = [];
for (const per of [20, 80, 300, 1200]) {
  const { counts } = plantedCounts(V, Kx, per, 5);
  const density = counts.indptr[counts.rows] / (counts.rows * counts.cols);
  const row: Record<string, number> = { tokens_per_word: per, density: Number(density.toFixed(4)) };
  for (const engine of ['csr', 'dense'] as const) {
    const r = await fitLda(counts, { K: Kx, iters: 2, seed: 1, engine });
    row[`${engine}_seconds`] = Number((r.history[1].seconds - r.history[0].seconds).toFixed(3));
    row[`${engine}_perplexity`] = Number(r.history[1].perplexity.toFixed(3));
  }
  row.dense_over_csr = Number((row.dense_seconds / row.csr_seconds).toFixed(2));
  crossover.push(row);
  console.error(`lda_bench: crossover ${JSON.stringify(row)}`);
}

let corpora: Record<string, unknown> | null = null;
if (!has('no-corpora')) {
  const vocab = flag('vocab', 20000);
  const K = flag('senses', 300);
  const passes = flag('passes', 2);
  const files = ['brown', 'gutenberg', 'newsgroups', 'reuters', 'sotu', 'wordnet-glosses'].map(
    (n) => new URL(`../../../shared/data/corpora/${n}.txt.gz`, import.meta.url).pathname,
  );
  const t = performance.now();
  const { counts } = await corpusToCounts(
    files.map((p) => fileCorpusSource(p)),
    { maxVocab: vocab, seed: 1 },
  );
  const countSeconds = (performance.now() - t) / 1000;
  const opts = {
    K,
    iters: passes,
    seed: 1,
    init: 'random' as const,
    update: 'online' as const,
    updateBlocks: Math.max(1, Math.ceil(counts.rows / ROWS_PER_GROUP)),
  };
  const runs: Record<string, unknown>[] = [];
  for (const engine of has('dense-too') ? (['csr', 'dense'] as const) : (['csr'] as const)) {
    const r = await fitLda(counts, { ...opts, engine });
    console.error(`lda_bench: ${r.engine} ${r.history.map((h) => h.seconds.toFixed(1)).join(' ')} s`);
    runs.push({
      engine: r.engine,
      pass_seconds: r.history.map((h, i) => Number((h.seconds - (i ? r.history[i - 1].seconds : 0)).toFixed(1))),
      perplexity: r.history.map((h) => Number(h.perplexity.toFixed(1))),
    });
  }
  corpora = {
    V: counts.cols,
    nnz: counts.indptr[counts.rows],
    K,
    count_seconds: Number(countSeconds.toFixed(1)),
    runs,
  };
}

console.log(JSON.stringify({ adapter: report.adapter, products: productErrors, crossover, corpora }));
