/**
 * LDA over co-occurrence rows (each word's context counts C[w,·] is a document), by batch
 * variational Bayes in blocked dense-matrix form on tfjs.
 *
 * Why this algorithm: Word2Sense's WarpLDA is a Gibbs sampler, a sequential per-token random walk
 * that does not map to GPU kernels. Batch VB (Blei et al.; sklearn's `learning_method='batch'`) is
 * the same model with the same priors, and in matrix form (sklearn's `_update_doc_distribution`
 * for a whole block of documents at once) each step is a matmul or an elementwise op:
 *
 *   θ̃ = exp(ψ(γ) − ψ(Σ_k γ)),  β̃ = exp(ψ(λ) − ψ(Σ_c λ))
 *   E-step round, rows block B [R,V]:   X = θ̃ β̃,  Q = C_B / X,  γ ← α/K + θ̃ ⊙ (Q β̃ᵀ)
 *   sufficient statistics:             S += θ̃ᵀ Q  (with θ̃, Q of the final γ)
 *   M-step:                            λ = γ₀ + β̃ ⊙ S
 *
 * Rows are processed in blocks of R rows with R·V ≤ `blockElements`, so memory stays bounded and
 * nothing V×V ever exists at once; C_B is densified per block (zeros contribute nothing to Q). We
 * measured the alternative — gathering β̃ at the non-zeros only — and tfjs-wasm's gather runs at
 * ~70–200 ns per element versus ~7 GMAC/s for (non-transposed) matmul, and on GPUs dense matmul is
 * the best-served kernel, so dense blocks win on every backend for the densities met here.
 *
 * The E-step (ldaEStep.ts) is what decides the quality per iteration. As sklearn, γ is re-drawn from
 * Gamma(100, 1/100) before every E-step and each document is iterated to convergence (mean |Δγ| <
 * `innerTol`, at most `innerIters` rounds). Two things make that affordable: SQUAREM extrapolation
 * of the fixed-point rounds (about half the rounds of plain iteration here), and compaction —
 * documents that have converged drop out of the block, so a round costs what still moves.
 * Measured on the bench's planted matrices (bench/w2s, docs/word2sense.md): a fixed 10 rounds from a
 * fresh γ plateaus 1–2 % above sklearn's perplexity (the E-step never converges, which both blurs θ
 * and biases λ); warm-starting γ from the previous iteration — with or without re-adding mass to
 * senses a document had dropped (`warmRevive`), with or without convergence — is cheaper per
 * iteration but settles in clearly worse optima, because with α/K ≪ 1 a sense whose γ reached α/K
 * has exp ψ(γ) ≈ 0 and can never come back. Converged fresh E-steps reached sklearn's 20-iteration
 * perplexity in 12 iterations on a V=2000, K=40 matrix; on the V=4000, K=60 one this seed settles in
 * another local optimum 0.8 % above sklearn's. The warm modes stay available as options.
 *
 * Iteration t: E-step (γ_t given λ_{t−1}), perplexity of (θ_t, β_{t−1}) — the normalised posterior
 * means, exp(−Σ C log Σ_k θβ / Σ C) — then M-step (λ_t). The returned model is the (θ, β) pair
 * with the lowest perplexity seen, so the reported number is exactly the returned model's.
 * Seeded (λ₀ and γ₀ from Gamma(100, 1/100), as sklearn) and deterministic per backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CsrCounts } from '../text/csr';
import { nnz, totalCount } from '../text/csr';
import { CancelToken, Checkpointer, now } from '../util/cancel';
import { InputError } from '../util/errors';
import type { ProgressSink } from '../util/progress';
import { seededPermutation } from '../util/random';
import { eStepBlock, expElog } from './ldaEStep';
import { gammaSamples } from './special';

export interface LdaOptions {
  /** Number of senses K. */
  K: number;
  /** Document–sense Dirichlet prior as a total; each sense gets alpha/K (default 0.1). */
  alpha?: number;
  /** Sense–word Dirichlet prior γ (default 0.001). */
  gamma?: number;
  /** Outer iterations (default 30). */
  iters?: number;
  /** Stop after this many seconds with the best model so far (default: no limit). */
  maxSeconds?: number;
  /** Seed for the initialisation (default 0). */
  seed?: number;
  /** Max E-step rounds per document and outer iteration (default 100, as sklearn; an accelerated step counts 3). */
  innerIters?: number;
  /**
   * Optional round cap ramp: iteration t runs at most min(innerIters, innerRamp·2^(t−1)) rounds
   * (default: no ramp, as sklearn). A short first E-step against the near-uniform random β commits
   * documents less; it measured better on a tiny K=5 planted problem and worse on K=40/60 ones.
   */
  innerRamp?: number;
  /** A document's E-step stops once its mean |Δγ| < innerTol (default 1e-2; sklearn's 1e-3 measured the same perplexity per iteration with ~30 % more rounds). */
  innerTol?: number;
  /** SQUAREM-accelerated E-step rounds (default true). */
  accelerate?: boolean;
  /** Largest SQUAREM step (default 8). */
  maxStep?: number;
  /** Rebuild a block for its still-moving documents when they fall below this fraction of it (default 0.85). */
  compactBelow?: number;
  /** Added to every γ entry when warm-starting, so senses a document had dropped can come back (default 1). */
  warmRevive?: number;
  /**
   * When to continue γ from the previous iteration instead of re-drawing it: 'never' (default), 'always', or
   * 'auto': re-draw while the structure forms, then warm-start once an iteration improves
   * perplexity by less than `warmTol` (relative), so that later E-steps keep converging.
   */
  warmStart?: 'never' | 'always' | 'auto';
  /** Relative perplexity improvement below which 'auto' switches to warm starts (default 2e-3). */
  warmTol?: number;
  /**
   * Initial λ: 'random' (default) = Gamma(100, 1/100) as sklearn; 'rows' adds to it the counts of
   * K distinct seeded-random documents, one per sense, which breaks the symmetry of the near-uniform
   * start at once; faster early, but it settled in worse optima in our planted tests (220 vs 205).
   */
  init?: 'random' | 'rows';
  /** Max elements of one dense [R, V] block (default 2^22 = 16 MB in float32). */
  blockElements?: number;
  /** Keep the dense count blocks on the device when D·V ≤ this (default 2^26 = 256 MB). */
  cacheElements?: number;
  progress?: ProgressSink;
  cancel?: CancelToken;
  /** Called after each iteration with its perplexity. */
  onIteration?: (rec: LdaIteration) => void;
}

export interface LdaIteration {
  iter: number;
  /** Seconds since training started (block layout and upload included). */
  seconds: number;
  perplexity: number;
  /** Mean E-step rounds per document in this iteration (the work done). */
  rowRounds?: number;
}

export interface LdaResult {
  /** [K*V] row-major, rows sum to 1. */
  beta: Float32Array;
  /** [D*K] row-major, rows sum to 1. */
  theta: Float32Array;
  perplexity: number;
  /** Iteration whose model is returned. */
  bestIter: number;
  history: LdaIteration[];
  stoppedBy: 'iters' | 'time';
}

/** Dense rows [r0, r1) of a CSR matrix as a row-major Float32Array. */
export function denseRows(m: CsrCounts, r0: number, r1: number): Float32Array {
  const out = new Float32Array((r1 - r0) * m.cols);
  for (let r = r0; r < r1; r++) {
    const base = (r - r0) * m.cols;
    for (let j = m.indptr[r]; j < m.indptr[r + 1]; j++) out[base + m.indices[j]] += m.values[j];
  }
  return out;
}

/** Adds the counts of K distinct random non-empty rows (seeded) to the rows of λ₀ [K*V]. */
function seedFromRows(counts: CsrCounts, lam0: Float32Array, K: number, seed: number): void {
  const candidates: number[] = [];
  for (let r = 0; r < counts.rows; r++) if (counts.indptr[r + 1] > counts.indptr[r]) candidates.push(r);
  const perm = seededPermutation(candidates.length, (seed ^ 0x1d0c) >>> 0);
  const V = counts.cols;
  for (let k = 0; k < K && k < candidates.length; k++) {
    const r = candidates[perm[k]];
    for (let j = counts.indptr[r]; j < counts.indptr[r + 1]; j++) lam0[k * V + counts.indices[j]] += counts.values[j];
  }
}

/** Fits LDA to the rows of `counts` (documents) over its columns (vocabulary). */
export async function fitLda(counts: CsrCounts, opts: LdaOptions): Promise<LdaResult> {
  const K = opts.K;
  if (!Number.isInteger(K) || K < 1) throw new InputError(`senses must be a positive integer, got ${K}`);
  if (nnz(counts) === 0) throw new InputError('the co-occurrence matrix has no non-zero counts');
  const alphaK = (opts.alpha ?? 0.1) / K;
  const eta = opts.gamma ?? 0.001;
  const iters = opts.iters ?? 30;
  const warmMode = opts.warmStart ?? 'never';
  const warmTol = opts.warmTol ?? 2e-3;
  const revive = opts.warmRevive ?? 1;
  let warm = warmMode === 'always';
  const maxMs = (opts.maxSeconds ?? Infinity) * 1000;
  const seed = opts.seed ?? 0;
  const cancel = opts.cancel ?? CancelToken.none();
  const cp = new Checkpointer(cancel);
  const D = counts.rows;
  const V = counts.cols;
  const R = Math.max(1, Math.min(D, Math.floor((opts.blockElements ?? 1 << 22) / V)));
  const cache = D * V <= (opts.cacheElements ?? 1 << 26);
  const t0 = now();
  const total = totalCount(counts);
  const starts: number[] = [];
  for (let r = 0; r < D; r += R) starts.push(r);
  const cached: (tf.Tensor2D | null)[] = starts.map(() => null);
  const block = (b: number): tf.Tensor2D => {
    const hit = cached[b];
    if (hit) return hit;
    const r0 = starts[b];
    const r1 = Math.min(D, r0 + R);
    const t = tf.tensor2d(denseRows(counts, r0, r1), [r1 - r0, V]);
    if (cache) cached[b] = t;
    return t;
  };
  const ramp = Math.max(1, opts.innerRamp ?? Infinity);
  const eParams = {
    alphaK,
    maxRounds: Math.max(1, opts.innerIters ?? 100),
    tol: opts.innerTol ?? 1e-2,
    accelerate: opts.accelerate ?? true,
    maxStep: opts.maxStep,
    compactBelow: opts.compactBelow ?? 0.85,
    cp,
  };

  let gamma = gammaSamples(D * K, 100, 0.01, (seed ^ 0x5eed) >>> 0); // [D*K], on the CPU between iterations
  const lam0 = gammaSamples(K * V, 100, 0.01, seed >>> 0);
  if (opts.init === 'rows') seedFromRows(counts, lam0, K, seed);
  let lam = tf.tensor2d(lam0, [K, V]);
  let best: { gamma: Float32Array; lam: tf.Tensor2D; perplexity: number; iter: number } | null = null;
  const history: LdaIteration[] = [];
  let stoppedBy: 'iters' | 'time' = 'iters';
  const live = new Set<tf.Tensor>();
  try {
    for (let iter = 1; iter <= iters; iter++) {
      const tilde = tf.tidy(() => tf.add(expElog(lam, 1), 1e-30) as tf.Tensor2D); // [K,V]; floor keeps θ̃β̃ > 0
      const tildeT = tf.transpose(tilde) as tf.Tensor2D;
      const mean = tf.tidy(() => tf.div(lam, tf.sum(lam, 1, true)) as tf.Tensor2D);
      let sstats = tf.zeros([K, V]) as tf.Tensor2D;
      for (const t of [tilde, tildeT, mean, sstats]) live.add(t);
      let next: Float32Array;
      if (iter === 1) next = gamma.slice();
      else if (warm) {
        next = gamma.slice();
        for (let i = 0; i < next.length; i++) next[i] += revive;
      } else next = gammaSamples(D * K, 100, 0.01, (seed + iter * 7919) >>> 0);
      let logLik = 0;
      let rowRounds = 0;
      for (let b = 0; b < starts.length; b++) {
        const r0 = starts[b];
        const r1 = Math.min(D, r0 + R);
        const C = block(b);
        live.add(C);
        const gb = next.subarray(r0 * K, r1 * K);
        const st = await eStepBlock(counts, r0, r1, C, gb, { ...eParams, maxRounds: Math.min(eParams.maxRounds, ramp * 2 ** Math.min(iter - 1, 20)), tilde, tildeT });
        rowRounds += st.rowRounds;
        const s = sstats;
        const { nextS, ll } = tf.tidy(() => {
          const g = tf.tensor2d(gb, [r1 - r0, K]);
          const th = expElog(g, 1);
          const Q = tf.div(C, tf.matMul(th, tilde));
          const nextS = tf.add(s, tf.matMul(tf.transpose(th), Q)) as tf.Tensor2D;
          const thm = tf.div(g, tf.sum(g, 1, true));
          const ll = tf.sum(tf.mul(C, tf.log(tf.matMul(thm, mean))), 1); // per row; summed in float64 below
          return { nextS, ll };
        });
        live.delete(s);
        s.dispose();
        sstats = nextS;
        live.add(sstats);
        if (!cache) {
          live.delete(C);
          C.dispose();
        }
        const rowLl = await ll.data();
        for (let i = 0; i < rowLl.length; i++) logLik += rowLl[i];
        ll.dispose();
        opts.progress?.({ stage: 'lda', done: iter - 1 + (b + 1) / starts.length, total: iters });
        await cp.check();
      }
      gamma = next;
      const perplexity = Math.exp(-logLik / total);
      const rec: LdaIteration = { iter, seconds: (now() - t0) / 1000, perplexity, rowRounds: rowRounds / D };
      const prevRec = history[history.length - 1];
      if (warmMode === 'auto' && prevRec && (prevRec.perplexity - perplexity) / prevRec.perplexity < warmTol) warm = true;
      history.push(rec);
      opts.onIteration?.(rec);
      if (best === null || perplexity < best.perplexity) {
        if (best && best.lam !== lam) {
          live.delete(best.lam);
          best.lam.dispose();
        }
        best = { gamma, lam, perplexity, iter };
      }
      const s = sstats;
      const newLam = tf.tidy(() => tf.add(tf.mul(tilde, s), eta) as tf.Tensor2D);
      for (const t of [tilde, tildeT, mean, sstats]) {
        live.delete(t);
        t.dispose();
      }
      if (best.lam !== lam) lam.dispose();
      lam = newLam;
      if (iter < iters && now() - t0 >= maxMs) {
        stoppedBy = 'time';
        break;
      }
    }
    const bst = best!;
    const betaT = tf.tidy(() => tf.div(bst.lam, tf.sum(bst.lam, 1, true)));
    const beta = (await betaT.data()) as Float32Array;
    betaT.dispose();
    const theta = new Float32Array(D * K);
    for (let d = 0; d < D; d++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += bst.gamma[d * K + k];
      for (let k = 0; k < K; k++) theta[d * K + k] = bst.gamma[d * K + k] / s;
    }
    return { beta, theta, perplexity: bst.perplexity, bestIter: bst.iter, history, stoppedBy };
  } finally {
    live.add(lam);
    if (best) live.add(best.lam);
    for (const c of cached) if (c) live.add(c);
    for (const t of live) if (!t.isDisposed) t.dispose();
  }
}
