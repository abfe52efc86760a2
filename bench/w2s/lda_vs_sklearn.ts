/**
 * Training speed against sklearn's batch variational LDA on the same planted counts, in one run.
 *
 *   npx tsx bench/w2s/lda_vs_sklearn.ts [V=4000] [K=60] [TOKENS_PER_WORD=1500] [SEED=1] [SKLEARN_ITERS=20]
 *
 * Makes the planted matrix with ../shared/bench/planted_lda.py (once per parameter set), runs sklearn for SKLEARN_ITERS
 * iterations (its seconds and perplexity), then trains sensescape on the same counts and reports
 * the time at which its perplexity first reaches sklearn's, and the ratio of the two times.
 * Finally it scores the sensescape model with the peer script (matched cosine to the planted senses,
 * and the perplexity recomputed in float64 from the saved θ and β, as the peer computes sklearn's).
 *
 * Environment (all optional; unset = fitLda's defaults): W2S_SEED (0), W2S_ITERS (40), W2S_MAX_SECONDS (1.5× sklearn's
 * time), W2S_INNER (max E-step rounds), W2S_TOL (innerTol), W2S_ACCEL (1/0: SQUAREM), W2S_MAXSTEP,
 * W2S_WARM (never|always|auto), W2S_WARMTOL, W2S_REVIVE, W2S_COMPACT, W2S_INIT (anchors|random|rows),
 * W2S_GROUPS (update groups per pass; 1 = batch VB). Tuning only: W2S_REUSE_SKLEARN=1
 * reuses the cached sklearn result, W2S_NO_SCORE=1 skips the model file and the peer scoring.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readCountsFile } from '../../src/engine/text/countsFile';
import { fileCorpusSource } from '../../src/engine/node/text';
import { initNodeBackend } from '../../src/engine/node/backend';
import { fitLda } from '../../src/engine/word2sense/lda';
import { buildModel } from '../../src/engine/word2sense/build';
import { writeWord2SenseModel } from '../../src/engine/word2sense/modelFile';

const [V, K, per, seed, skIters] = [4000, 60, 1500, 1, 20].map((d, i) => Number(process.argv[2 + i] ?? d));
const PEER = new URL('../../../shared/bench/planted_lda.py', import.meta.url).pathname;
const dir = `/tmp/w2s-bench-${V}-${K}-${per}-${seed}`;
mkdirSync(dir, { recursive: true });
const py = (...args: string[]) =>
  execFileSync('/usr/bin/python3', [PEER, ...args], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop()!;

// the planted matrix is deterministic in (V, K, TOKENS_PER_WORD, SEED): made once, reused after
if (existsSync(`${dir}/counts.tsv`) && existsSync(`${dir}/planted.npz`)) console.log(`planted: reusing ${dir}`);
else console.log(`planted: ${py('make', dir, String(V), String(K), String(per), String(seed))}`);
// W2S_REUSE_SKLEARN=1 reuses a cached sklearn result (for tuning only; report numbers from a full run)
const skCache = `${dir}/sklearn-${skIters}.json`;
const sk =
  process.env.W2S_REUSE_SKLEARN && existsSync(skCache)
    ? JSON.parse(readFileSync(skCache, 'utf8'))
    : JSON.parse(py('sklearn', dir, String(skIters)));
writeFileSync(skCache, JSON.stringify(sk));
console.log(
  `sklearn ${skIters} iterations: ${sk.seconds.toFixed(1)} s, perplexity ${sk.perplexity.toFixed(1)}, matched cosine ${sk.matched_cosine.toFixed(3)} (truth ${sk.true_perplexity.toFixed(1)})`,
);

const report = await initNodeBackend();
const t0 = performance.now();
const data = await readCountsFile(`${dir}/counts.tsv`, fileCorpusSource(`${dir}/counts.tsv`).open());
const readSeconds = (performance.now() - t0) / 1000;
let reached: number | null = null;
const lda = await fitLda(data.counts, {
  K,
  iters: Number(process.env.W2S_ITERS ?? 40),
  maxSeconds: Number(process.env.W2S_MAX_SECONDS ?? sk.seconds * 1.5),
  seed: Number(process.env.W2S_SEED ?? 0),
  innerIters: process.env.W2S_INNER ? Number(process.env.W2S_INNER) : undefined,
  innerTol: process.env.W2S_TOL ? Number(process.env.W2S_TOL) : undefined,
  warmStart: (process.env.W2S_WARM as 'never' | 'always' | 'auto' | undefined) ?? undefined,
  warmTol: process.env.W2S_WARMTOL ? Number(process.env.W2S_WARMTOL) : undefined,
  warmRevive: process.env.W2S_REVIVE ? Number(process.env.W2S_REVIVE) : undefined,
  accelerate: process.env.W2S_ACCEL ? process.env.W2S_ACCEL === '1' : undefined,
  maxStep: process.env.W2S_MAXSTEP ? Number(process.env.W2S_MAXSTEP) : undefined,
  compactBelow: process.env.W2S_COMPACT ? Number(process.env.W2S_COMPACT) : undefined,
  init: (process.env.W2S_INIT as 'anchors' | 'random' | 'rows' | undefined) ?? undefined,
  updateBlocks: process.env.W2S_GROUPS ? Number(process.env.W2S_GROUPS) : undefined,
  onIteration: (r) => {
    console.log(
      `  sensescape iter ${r.iter}: ${r.seconds.toFixed(2)} s, perplexity ${r.perplexity.toFixed(1)}, rounds/doc ${r.rowRounds?.toFixed(1)}`,
    );
    if (reached === null && r.perplexity <= sk.perplexity) reached = r.seconds;
  },
});
console.log(
  `sensescape (${report.backend}): counts file read in ${readSeconds.toFixed(1)} s (not counted), best perplexity ${lda.perplexity.toFixed(1)} at iter ${lda.bestIter}`,
);
if (reached !== null) {
  console.log(
    `time to reach sklearn's ${skIters}-iteration perplexity: sensescape ${(reached as number).toFixed(1)} s vs sklearn ${sk.seconds.toFixed(1)} s → ratio ${((reached as number) / sk.seconds).toFixed(3)} (target ≤ 0.25)`,
  );
} else console.log(`sensescape did not reach sklearn's perplexity ${sk.perplexity.toFixed(1)} within the budget`);
if (process.env.W2S_NO_SCORE) process.exit(0);
const model = buildModel({
  vocab: data.vocab,
  wordCounts: data.wordCounts,
  counts: data.counts,
  beta: lda.beta,
  theta: lda.theta,
  K,
  hyperparameters: { K, bench: true },
});
writeFileSync(`${dir}/sensescape.safetensors`, writeWord2SenseModel(model));
console.log(`sensescape scored by the peer script: ${py('score', dir, `${dir}/sensescape.safetensors`)}`);
