/**
 * Sparse VB LDA against gensim's LdaModel on the SAME counts (the six bundled corpora, ours exported
 * to the peer, no re-tokenising), both scored by one perplexity function, in one run.
 *
 *   nice -n 10 npx tsx bench/w2s/lda_vs_gensim.ts [V=20000] [K=300] [SEED=1] [PASSES=2]
 *
 * 1. Counts: corpusToCounts over the six corpora (min count 5, t = 1e-5, window 5, V capped), written
 *    as raw CSR to /tmp/w2s-gensim-V-SEED/ (made once, reused).
 * 2. Peer: bench/w2s/gensim_lda.py — LdaModel online VB, α = 0.1 total, η = 0.001, chunksize 2000,
 *    PASSES passes; its training seconds, then θ (inferred per row, not timed) and β.
 * 3. Ours: fitLda (engine chosen automatically; sparse on WASM) with the same K, α, η, seed and `w2s train`'s
 *    defaults — online VB, one update group per 2,000 rows, random start, E-steps on the machine's cores
 *    (at most 8) — until its perplexity reaches the peer's or W2S_MAX_SECONDS (default: the peer's seconds) pass.
 * 4. One perplexity, exp(−Σ C log Σ_k θβ / Σ C) over all rows in float64 ({@link perplexity} below),
 *    for the peer's (θ, β) and for our returned model; ours is also reported per iteration by fitLda
 *    with the same formula (θ = γ/Σγ, β = λ/Σλ), which dates when it first reached the peer's.
 * Prints peer seconds, our seconds to reach the peer's perplexity, the ratio, and our per-iteration time.
 * Env: W2S_LIVE=0 (E-step rounds on all senses), W2S_THREADS (E-step threads, default the machine's cores), W2S_ACCEL=0 (plain E-step rounds, no SQUAREM), W2S_INNER (max rounds), W2S_UPDATE (online|incremental; W2S_GROUPS=1 W2S_UPDATE=incremental is batch VB), W2S_DECAY, W2S_OFFSET, W2S_INIT (anchors|random|rows), W2S_TAG (name of the saved θ/β files, default ours), W2S_ITERS (default 8), W2S_MAX_SECONDS, W2S_GROUPS (update groups), W2S_TOL (E-step tolerance), W2S_REUSE_PEER=1 (reuse the cached peer result; tuning only).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileCorpusSource } from '../../src/engine/node/text';
import { initNodeBackend } from '../../src/engine/node/backend';
import { defaultThreads } from '../../src/engine/node/bertParallel';
import { LdaWorkerPool } from '../../src/engine/node/ldaParallel';
import { corpusToCounts } from '../../src/engine/text/corpus';
import type { CsrCounts } from '../../src/engine/text/csr';
import { fitLda } from '../../src/engine/word2sense/lda';
import type { LdaInit } from '../../src/engine/word2sense/ldaInit';
import { ROWS_PER_GROUP } from '../../src/engine/word2sense/train';

const [V, K, seed, passes] = [20000, 300, 1, 2].map((d, i) => Number(process.argv[2 + i] ?? d));
const CORPORA = ['brown', 'gutenberg', 'newsgroups', 'reuters', 'sotu', 'wordnet-glosses'].map(
  (n) => new URL(`../../../shared/data/corpora/${n}.txt.gz`, import.meta.url).pathname,
);
const PEER = new URL('./gensim_lda.py', import.meta.url).pathname;
const dir = `/tmp/w2s-gensim-${V}-${seed}`;
mkdirSync(dir, { recursive: true });

/** exp(−Σ C log Σ_k θ_wk β_kc / Σ C) over all non-zeros; θ [D·K], β [K·V] row-major. The one scorer. */
export function perplexity(m: CsrCounts, theta: Float32Array, beta: Float32Array, k: number): number {
  let ll = 0;
  let n = 0;
  for (let w = 0; w < m.rows; w++)
    for (let j = m.indptr[w]; j < m.indptr[w + 1]; j++) {
      const c = m.indices[j];
      let p = 0;
      for (let z = 0; z < k; z++) p += theta[w * k + z] * beta[z * m.cols + c];
      ll += m.values[j] * Math.log(p);
      n += m.values[j];
    }
  return Math.exp(-ll / n);
}

const f32 = (path: string) => {
  const b = readFileSync(path);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};
let counts: CsrCounts;
if (existsSync(`${dir}/meta.json`)) {
  const meta = JSON.parse(readFileSync(`${dir}/meta.json`, 'utf8'));
  const i32 = (p: string) => {
    const b = readFileSync(p);
    return new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4);
  };
  counts = {
    rows: meta.rows,
    cols: meta.cols,
    indptr: i32(`${dir}/indptr.i32`),
    indices: i32(`${dir}/indices.i32`),
    values: f32(`${dir}/values.f32`),
  };
  console.log(`counts: reusing ${dir} (V=${counts.cols}, ${meta.nnz} non-zeros)`);
} else {
  const t = performance.now();
  const data = await corpusToCounts(
    CORPORA.map((p) => fileCorpusSource(p)),
    { maxVocab: V, seed },
  );
  counts = data.counts;
  const nnz = counts.indptr[counts.rows];
  writeFileSync(`${dir}/indptr.i32`, counts.indptr);
  writeFileSync(`${dir}/indices.i32`, counts.indices);
  writeFileSync(`${dir}/values.f32`, counts.values);
  writeFileSync(`${dir}/meta.json`, JSON.stringify({ rows: counts.rows, cols: counts.cols, nnz, tokens: data.tokens }));
  writeFileSync(`${dir}/vocab.json`, JSON.stringify({ vocab: data.vocab, wordCounts: data.wordCounts }));
  console.log(`counts: V=${counts.cols}, ${nnz} non-zeros, ${((performance.now() - t) / 1000).toFixed(1)} s → ${dir}`);
}

const peerCache = `${dir}/gensim-${K}-${passes}.json`;
const peer =
  process.env.W2S_REUSE_PEER && existsSync(peerCache)
    ? JSON.parse(readFileSync(peerCache, 'utf8'))
    : JSON.parse(
        execFileSync('/usr/bin/python3', [PEER, dir, String(K), String(seed), String(passes)], { encoding: 'utf8' })
          .trim()
          .split('\n')
          .pop()!,
      );
writeFileSync(peerCache, JSON.stringify(peer));
const peerPpl = perplexity(counts, f32(`${dir}/gensim_theta.f32`), f32(`${dir}/gensim_beta.f32`), K);
console.log(
  `gensim LdaModel, ${passes} passes, chunksize 2000: ${peer.seconds.toFixed(1)} s, perplexity ${peerPpl.toFixed(1)}`,
);

const report = await initNodeBackend();
const threads = Number(process.env.W2S_THREADS ?? defaultThreads());
const pool = new LdaWorkerPool(threads);
let reached: number | null = null;
const lda = await fitLda(counts, {
  K,
  alpha: 0.1,
  gamma: 0.001,
  seed,
  iters: Number(process.env.W2S_ITERS ?? 8),
  maxSeconds: Number(process.env.W2S_MAX_SECONDS ?? peer.seconds),
  updateBlocks: process.env.W2S_GROUPS ? Number(process.env.W2S_GROUPS) : Math.ceil(counts.rows / ROWS_PER_GROUP),
  innerTol: process.env.W2S_TOL ? Number(process.env.W2S_TOL) : undefined,
  accelerate: process.env.W2S_ACCEL ? process.env.W2S_ACCEL !== '0' : undefined,
  innerIters: process.env.W2S_INNER ? Number(process.env.W2S_INNER) : undefined,
  update: (process.env.W2S_UPDATE as 'incremental' | 'online' | undefined) ?? 'online',
  learningDecay: process.env.W2S_DECAY ? Number(process.env.W2S_DECAY) : undefined,
  learningOffset: process.env.W2S_OFFSET ? Number(process.env.W2S_OFFSET) : undefined,
  pool,
  liveSenses: process.env.W2S_LIVE !== '0',
  init: (process.env.W2S_INIT as LdaInit | undefined) ?? 'random',
  onIteration: (r) => {
    console.log(
      `  ours iter ${r.iter}: ${r.seconds.toFixed(1)} s, perplexity ${r.perplexity.toFixed(1)}, rounds/row ${r.rowRounds?.toFixed(1)}`,
    );
    if (reached === null && r.perplexity <= peerPpl) reached = r.seconds;
  },
});
await pool.close();
const ours = perplexity(counts, lda.theta, lda.beta, K);
const tag = process.env.W2S_TAG ?? 'ours'; // bench/w2s/score_factors.ts DIR TAG scores them
writeFileSync(`${dir}/${tag}_theta.f32`, lda.theta);
writeFileSync(`${dir}/${tag}_beta.f32`, lda.beta);
const h = lda.history;
const perIter = h.length > 1 ? (h[h.length - 1].seconds - h[0].seconds) / (h.length - 1) : h[0].seconds;
console.log(
  `ours (${lda.engine} on ${report.backend}, ${threads} thread${threads > 1 ? 's' : ''}): returned model (iteration ${lda.bestIter}) perplexity ${ours.toFixed(1)} by the bench's scorer, ${lda.perplexity.toFixed(1)} as reported; ${perIter.toFixed(1)} s per iteration after the first (the first ${h[0].seconds.toFixed(1)} s, the start included)`,
);
console.log(
  reached === null
    ? `ours did not reach gensim's perplexity ${peerPpl.toFixed(1)} within ${h[h.length - 1].seconds.toFixed(1)} s (best ${lda.perplexity.toFixed(1)})`
    : `seconds: gensim ${peer.seconds.toFixed(1)}, ours to reach its perplexity ${(reached as number).toFixed(1)}; ratio ${((reached as number) / peer.seconds).toFixed(2)} (target ≤ 0.5)`,
);
