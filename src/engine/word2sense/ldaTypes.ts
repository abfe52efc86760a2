/**
 * The options, results and CSR helpers shared by the two LDA engines: the dense tfjs one (lda.ts)
 * and the sparse one on typed arrays / WebAssembly SIMD (ldaSparse.ts).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { CsrCounts } from '../text/csr';
import type { CancelToken } from '../util/cancel';
import type { ProgressSink } from '../util/progress';
import { seededPermutation } from '../util/random';
import type { LdaInit } from './ldaInit';

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
  /**
   * A document's E-step stops once its γ changes by less than this fraction in L1, ‖Δγ‖₁ / ‖γ‖₁
   * (default 5e-3). Relative, so that long and short documents converge alike; sklearn's absolute
   * mean |Δγ| < 1e-3 is ~200× stricter for the bench's median planted document and measured the
   * same perplexity per iteration with about 2.5× the rounds.
   */
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
   * Initial λ (ldaInit.ts): 'anchors' (default) = Gamma(100, 1/100) plus, per sense, the distribution
   * of one SPA anchor document (the most extreme rows of the row-normalised counts); 'random' =
   * Gamma(100, 1/100) alone, as sklearn; 'rows' adds the counts of K seeded-random documents (worse
   * optima than random in our planted tests: 220 vs 205).
   */
  init?: LdaInit;
  /**
   * Incremental VB (Neal & Hinton 1998): the documents (in a seeded random order) form this many
   * update groups, and λ is re-estimated after each group's E-step from the statistics of all groups,
   * each group's own as of its latest E-step — G updates of λ per pass instead of one, each from
   * complete statistics (default 1 = batch VB, as sklearn; more groups measured faster on long
   * planted documents and worse on a real corpus, see the header). Capped so that the G stored [K, V]
   * statistics stay within `statsElements`.
   */
  updateBlocks?: number;
  /**
   * How the update groups re-estimate λ: 'incremental' (default; Neal & Hinton, above) or 'online'
   * (Hoffman, Blei & Bach 2010, as gensim's LdaModel and sklearn's online method): after group t
   * (counted over passes from 0), λ ← (1 − ρ_t) λ + ρ_t (η + (D / |group|) β̃ ⊙ S_group) with
   * ρ_t = (learningOffset + t)^(−learningDecay). No per-group statistics are stored.
   */
  update?: 'incremental' | 'online';
  /** Online VB: κ in ρ_t (default 0.5, gensim's decay). */
  learningDecay?: number;
  /** Online VB: τ₀ in ρ_t (default 1, gensim's offset). */
  learningOffset?: number;
  /** Max elements of the stored per-group statistics, G·K·V (default 2^25 = 128 MB in float32). */
  statsElements?: number;
  /**
   * Which engine: 'sparse' (E-step per document at the non-zeros, CPU kernels, ldaSparse.ts), 'dense'
   * (tfjs row blocks, lda.ts), 'csr' (lda.ts's row blocks kept as CSR: WGSL kernels on WebGPU, tfjs ops
   * elsewhere, ldaBlocks.ts) or 'auto' (default: by density and backend, see lda.ts).
   */
  engine?: 'auto' | 'sparse' | 'dense' | 'csr';
  /** Sparse engine: 'simd' (default where WebAssembly SIMD exists) or 'scalar' typed-array loops. */
  kernels?: 'simd' | 'scalar';
  /** Sparse engine: documents per block (the budget/cancel/progress granularity) fill this many non-zeros (default 2^16). */
  blockNnz?: number;
  /** Max elements of one dense [R, V] block (default 2^22 = 16 MB in float32). */
  blockElements?: number;
  /** Keep the dense count blocks on the device when D·V ≤ this (default 2^26 = 256 MB). */
  cacheElements?: number;
  progress?: ProgressSink;
  /** Sparse engine: E-step rounds on the live senses only (default true; see ldaSparseEStep.ts). */
  liveSenses?: boolean;
  /** Sparse engine: threads for the E-steps beside the caller's (set up and used by the fit, closed by the caller). */
  pool?: SparseEStepPool;
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
  /** The engine that ran: 'dense (tfjs)', 'csr (wgsl)', 'csr (tfjs-ops)', 'sparse (simd)' or 'sparse (scalar)'. */
  engine?: string;
  /**
   * True when the budget ran out before the first complete iteration: the model comes from the
   * statistics of the documents done (the rest of λ from its start).
   */
  partial?: boolean;
}

/**
 * Throws a plain Error (not an InputError: this is a bug, not bad input) when `xs` holds a NaN or an
 * infinity, naming `what` — so that no iteration ever carries a non-finite statistic into a model.
 */
export function checkFinite(xs: ArrayLike<number>, what: string): void {
  for (let i = 0; i < xs.length; i++)
    if (!Number.isFinite(xs[i]))
      throw new Error(
        `LDA: ${what} hold a non-finite value (${xs[i]} at ${i}); this is a bug in the E-step or M-step, please report it — no model was written`,
      );
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

/** K distinct seeded-random non-empty rows (the 'rows' initialisation). */
export function randomRows(counts: CsrCounts, K: number, seed: number): Int32Array {
  const candidates: number[] = [];
  for (let r = 0; r < counts.rows; r++) if (counts.indptr[r + 1] > counts.indptr[r]) candidates.push(r);
  const perm = seededPermutation(candidates.length, (seed ^ 0x1d0c) >>> 0);
  return Int32Array.from({ length: Math.min(K, candidates.length) }, (_, k) => candidates[perm[k]]);
}

/** The rows of `m` in the order `perm` (row i of the result is row perm[i] of m). */
export function permuteRows(m: CsrCounts, perm: Int32Array): CsrCounts {
  const indptr = new Int32Array(m.rows + 1);
  for (let i = 0; i < m.rows; i++) indptr[i + 1] = indptr[i] + m.indptr[perm[i] + 1] - m.indptr[perm[i]];
  const indices = new Int32Array(indptr[m.rows]);
  const values = new Float32Array(indptr[m.rows]);
  for (let i = 0; i < m.rows; i++) {
    const a = m.indptr[perm[i]];
    const b = m.indptr[perm[i] + 1];
    indices.set(m.indices.subarray(a, b), indptr[i]);
    values.set(m.values.subarray(a, b), indptr[i]);
  }
  return { rows: m.rows, cols: m.cols, indptr, indices, values };
}

/**
 * Threads beside the caller's for the sparse engine's E-steps (Node: engine/node/ldaParallel.ts; the
 * browser passes none). Each update group's documents are split by non-zeros into `workers + 1`
 * contiguous ranges; the caller's thread does the first, each worker one other, against the same β̃.
 * Statistics are summed in range order, so a run is deterministic for a given number of threads.
 */
export interface SparseEStepPool {
  /** Threads besides the caller's. */
  readonly workers: number;
  /** Once per fit: the (permuted) documents as CSR, the number of senses and its padded width. */
  setup(docs: CsrCounts, K: number, Kp: number): Promise<void>;
  /** A float32 array the workers can write (the γ of a pass: D·K). */
  sharedFloat32(length: number): Float32Array;
  /**
   * Starts worker i on documents ranges[i] = [d0, d1) against β̃ (float32 [V, Kp]), with γ rows in
   * `gamma` (from {@link sharedFloat32}). Resolves once every worker has answered; `progress()` is the
   * rows done so far by all workers.
   */
  run(
    beta: Float32Array,
    gamma: Float32Array,
    ranges: readonly [number, number][],
    params: SparseEStepPoolParams,
  ): Promise<SparseEStepPoolResult>;
  /** Rows finished by the workers in the current run. */
  progress(): number;
  /** Asks the workers to stop after their current block (time budget, cancel). */
  stop(): void;
  close(): Promise<void>;
}

/** The E-step settings a pool run uses (as the caller's thread). */
export interface SparseEStepPoolParams {
  alphaK: number;
  maxRounds: number;
  tol: number;
  accelerate: boolean;
  maxStep: number;
  blockNnz: number;
  liveSenses: boolean;
}

/** What the workers did: per worker the end of its finished prefix, and its statistics [V, Kp]. */
export interface SparseEStepPoolResult {
  done: number[];
  rowRounds: number;
  stats: Float32Array[];
}

/**
 * Update groups per pass for D documents: `updateBlocks` (default 1 = batch), at most D, and for
 * incremental VB capped so the G stored [K, V] statistics fit `statsElements` (online stores none).
 */
export function updateGroupCount(opts: LdaOptions, D: number, V: number): number {
  const cap = opts.update === 'online' ? Infinity : Math.floor((opts.statsElements ?? 1 << 25) / (opts.K * V)) || 1;
  return Math.max(1, Math.min(D, opts.updateBlocks ?? 1, cap));
}

/** Online VB's step after `t` earlier group updates: ρ_t = (learningOffset + t)^(−learningDecay). */
export function onlineStep(opts: LdaOptions, t: number): number {
  return Math.pow((opts.learningOffset ?? 1) + t, -(opts.learningDecay ?? 0.5));
}

/** Rows of the counts on the device, dense or CSR (ldaBlocks.ts), as the block engine's E-step uses them. */
export interface CountsBlock {
  readonly rows: number;
  /** n_d, the row sums [rows, 1]. */
  readonly sums: tf.Tensor2D;
  /** Q β̃ᵀ [rows, K] with Q = C / max(θ̃β̃, 1e-30); θ̃ [rows, K], β̃ [K, V], β̃ᵀ [V, K]. */
  qTildeT(th: tf.Tensor2D, tilde: tf.Tensor2D, tildeT: tf.Tensor2D): tf.Tensor2D;
  /** s + θ̃ᵀ Q [K, V] (the E-step statistics added to s). */
  addStats(s: tf.Tensor2D, th: tf.Tensor2D, tilde: tf.Tensor2D, tildeT: tf.Tensor2D): tf.Tensor2D;
  /** Σ_c C_dc log(p_d · β_c) per row [rows]; p [rows, K] (θ, rows summing to 1), β [K, V], βᵀ [V, K]. */
  logLik(p: tf.Tensor2D, beta: tf.Tensor2D, betaT: tf.Tensor2D): tf.Tensor1D;
  /** The block of rows `local` (indices into this block's rows), for the E-step's compaction. */
  subset(local: ArrayLike<number>): CountsBlock;
  dispose(): void;
}
