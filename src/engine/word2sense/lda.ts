/**
 * LDA over co-occurrence rows (each word's context counts C[w,·] is a document), by variational
 * Bayes (incremental over groups of documents, or batch) in blocked dense-matrix form on tfjs.
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
 * nothing V×V ever exists at once; C_B is densified per block (zeros contribute nothing to Q). This
 * costs D·V·K per round whatever the sparsity. Below a density the same rounds run on CSR blocks
 * (engine 'csr', ldaBlocks.ts: X at the non-zeros only, WGSL kernels on WebGPU; blocks of R rows with
 * R·(mean non-zeros per row) ≤ `blockElements`), and on the CPU backends the sparse engine
 * (ldaSparse.ts: the same updates per document, WebAssembly SIMD) does them; `fitLda` picks by density
 * and backend (SPARSE_BELOW, CSR_BELOW).
 *
 * The E-step (ldaEStep.ts) is what decides the quality per iteration. As sklearn, γ is re-drawn from
 * Gamma(100, 1/100) before every E-step and each document is iterated to convergence (‖Δγ‖₁/‖γ‖₁ <
 * `innerTol`, at most `innerIters` rounds). Two things make that affordable: SQUAREM extrapolation
 * of the fixed-point rounds (about half the rounds of plain iteration here), and compaction —
 * documents that have converged drop out of the block, so a round costs what still moves.
 * Measured on the bench's planted matrices (bench/w2s, docs/word2sense.md): a fixed 10 rounds from a
 * fresh γ plateaus 1–2 % above sklearn's perplexity (the E-step never converges, which both blurs θ
 * and biases λ); warm-starting γ from the previous iteration — with or without re-adding mass to
 * senses a document had dropped (`warmRevive`), with or without convergence — is cheaper per
 * iteration but settles in clearly worse optima, because with α/K ≪ 1 a sense whose γ reached α/K
 * has exp ψ(γ) ≈ 0 and can never come back. Converged fresh E-steps reached sklearn's 20-iteration
 * perplexity in 12 iterations on a V=2000, K=40 matrix. The warm modes stay available as options.
 *
 * Two more choices decide how fast a good optimum is reached; both measured on the bench's
 * V=4000, K=60 planted matrix (docs/word2sense.md), where sklearn's random start with batch VB needs 20
 * iterations to reach 1587.2 and our random starts settled 0.8 % above it:
 * - Start (ldaInit.ts): λ₀ seeded from K anchor documents found by successive projection, the
 *   documents nearest to one pure sense, instead of a near-uniform random λ₀ whose first iterations
 *   merge senses that are never separated again. Batch VB from the anchors: 1586.9 at iteration 6
 *   (from sklearn's random start: 1748.5); on a real corpus (brown, K=50) 9 % lower after 8.
 * - Incremental VB (Neal & Hinton 1998): documents in a seeded random order form `updateBlocks`
 *   groups; after each group's E-step λ = η + Σ_g N_g, N_g = β̃_g ⊙ (θ̃ᵀQ)_g being group g's
 *   statistics from its latest E-step (with its share of λ₀ − η before its first). Each pass costs
 *   the same as a batch iteration but updates λ G times; every update uses complete statistics, so
 *   there is no step size to tune, and G = 1 is exactly batch VB. From the anchors, 16 groups:
 *   1584.1 at iteration 3 — but on brown's short rows 1836 against batch's 1589 after 8, so the
 *   default is G = 1. From a random start 16 groups lock in a poor optimum (2086.6 after 6): the
 *   early groups commit λ before any structure exists.
 *
 * Iteration t: for each group, E-step (γ given the current λ) and update of λ; then the perplexity
 * of (θ_t, β_t) — θ from the pass's E-steps, β the normalised λ after the pass, the normalised
 * posterior means, exp(−Σ C log Σ_k θβ / Σ C) — computed in one more matmul per block. The returned
 * model is the (θ, β) pair with the lowest perplexity seen, so the reported number is exactly the
 * returned model's. Time budget: checked after every block; once one iteration is complete, the
 * current block's E-step finishes and the best model so far is returned (before that the first
 * iteration completes — this engine only runs on dense counts, where an iteration is short; the
 * sparse engine also stops inside the first). Progress: rows done of iters × D, rate and ETA. Seeded (γ₀ from Gamma(100, 1/100) as sklearn, the random part of λ₀, the
 * document order) and deterministic per backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { addMany } from '../tensor/addMany';
import { currentBackend, isSoftwareGpu } from '../tensor/backend';
import type { CsrCounts } from '../text/csr';
import { nnz, totalCount } from '../text/csr';
import { CancelToken, Checkpointer, now } from '../util/cancel';
import { InputError } from '../util/errors';
import { ProgressMeter } from '../util/progress';
import { seededPermutation } from '../util/random';
import { csrBlock, denseBlock, type CountsBlock } from './ldaBlocks';
import { tfjsCsrKernels } from './csrKernels';
import { csrKernelsFor } from './csrKernelsWgsl';
import { eStepBlock, expElog, thetaTilde } from './ldaEStep';
import { initialLambda } from './ldaInit';
import { fitLdaSparse } from './ldaSparse';
import {
  checkFinite,
  onlineStep,
  permuteRows,
  randomRows,
  updateGroupCount,
  type LdaIteration,
  type LdaOptions,
  type LdaResult,
} from './ldaTypes';
import { gammaSamples } from './special';

export { denseRows, type LdaIteration, type LdaOptions, type LdaResult } from './ldaTypes';

/**
 * Density (nnz / (D·V)) below which the sparse engine (ldaSparse.ts, WebAssembly SIMD on the CPU) is
 * chosen over the dense tfjs engine, per tfjs backend. Measured with bench/w2s/sparse_crossover.ts
 * (planted counts, V = 1500, K = 60, seconds of iteration 2, load 9–12 on the 2-core machine): on
 * WASM dense/sparse time = 2.73 at 1.3 % density, 1.97 at 4.8 %, 1.75 at 14 %, 0.83 at 35 %, 0.70 at
 * 62 % → crossover ≈ 30 %. On tfjs's plain CPU backend (JS matmuls; V = 600, K = 30) dense/sparse = 305 at 3 %, 12 at 9 %, 8.4 at
 * 23 % density: the sparse engine always. Real co-occurrence
 * rows are ~1 % dense at V = 20k (0.2 % at 50k), so the sparse engine runs there. WebGPU/WebGL: not
 * measured on a real GPU here (SwiftShader only), and dense matmuls are what a GPU serves best, so
 * the dense engine stays (0) until the WGSL sparse kernels exist — except on a software adapter or
 * renderer (SwiftShader: WebGPU or WebGL run by the CPU), which gets WASM's crossover: at V = 20k, K = 300 its dense
 * engine needs minutes per round where the sparse engine takes seconds.
 */
export const SPARSE_BELOW: Record<string, number> = { wasm: 0.3, cpu: Infinity };

/**
 * Density below which a hardware WebGPU adapter runs the block-synchronous engine on CSR blocks (the
 * WGSL kernels of csrKernelsWgsl.ts) instead of dense ones. Not measured on a GPU: none was lent to this
 * project yet; `bench/gpu/run.sh lda` prints both engines' seconds of iteration 2 on a planted sweep
 * where one is. On SwiftShader (Dawn in Node, V = 1500, K = 60, 2026-12-05) dense/CSR time = 6.66 at
 * 1.3 % density, 5.92 at 4.8 %, 7.07 at 14 %, 1.54 at 35 % — but that adapter is the CPU, whose matmuls
 * are no faster than its gathers. A GPU's dense matmuls run near peak while the CSR kernels gather one
 * β̃ row per non-zero, so the crossover is put well below the software adapter's, at 5 % (real
 * co-occurrence rows are ~1 % dense at V = 20k, 0.2 % at 50k: they get the CSR engine either way).
 */
export const CSR_BELOW: Record<string, number> = { webgpu: 0.05 };

/** The engine `fitLda` runs for these counts on the current tfjs backend. */
export function chooseEngine(counts: CsrCounts, opts: Pick<LdaOptions, 'engine'> = {}): 'sparse' | 'dense' | 'csr' {
  if (opts.engine === 'sparse' || opts.engine === 'dense' || opts.engine === 'csr') return opts.engine;
  const density = nnz(counts) / Math.max(1, counts.rows * counts.cols);
  const backend = isSoftwareGpu(currentBackend()) ? 'wasm' : tf.getBackend();
  if (density < (SPARSE_BELOW[backend] ?? 0)) return 'sparse';
  return density < (CSR_BELOW[backend] ?? 0) ? 'csr' : 'dense';
}

/** Fits LDA to the rows of `counts` (documents) over its columns (vocabulary), on the engine {@link chooseEngine} picks. */
export async function fitLda(counts: CsrCounts, opts: LdaOptions): Promise<LdaResult> {
  const K = opts.K;
  if (!Number.isInteger(K) || K < 1) throw new InputError(`senses must be a positive integer, got ${K}`);
  if (nnz(counts) === 0) throw new InputError('the co-occurrence matrix has no non-zero counts');
  const engine = chooseEngine(counts, opts);
  return engine === 'sparse' ? fitLdaSparse(counts, opts) : fitLdaBlocks(counts, opts, engine === 'csr');
}

/** The block-synchronous tfjs engine: row blocks densified to [R, V], or kept as CSR (`csr`). */
async function fitLdaBlocks(counts: CsrCounts, opts: LdaOptions, csr: boolean): Promise<LdaResult> {
  const K = opts.K;
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
  const t0 = now();
  const total = totalCount(counts);
  // documents in a seeded random order, so that every update group is a sample of the whole
  const order = seededPermutation(D, (seed ^ 0x9e3779b9) >>> 0);
  const docs = permuteRows(counts, order);
  const online = opts.update === 'online';
  const G = updateGroupCount(opts, D, V);
  let updates = 0;
  // the products of CSR blocks: WGSL on WebGPU, tfjs ops (with [nnz, K] intermediates) elsewhere
  const kern = csr ? csrKernelsFor(tf.getBackend()) : null;
  const meanRow = Math.max(1, nnz(docs) / Math.max(1, D));
  const perRow = kern ? meanRow * (kern === tfjsCsrKernels ? K : 1) : V;
  const R = Math.max(1, Math.min(D, Math.floor((opts.blockElements ?? 1 << 22) / perRow)));
  const cache = kern !== null || D * V <= (opts.cacheElements ?? 1 << 26);
  // compute blocks [start, end) of at most R rows, never straddling an update group
  const blocks: { r0: number; r1: number; group: number }[] = [];
  for (let g = 0; g < G; g++) {
    const g1 = Math.round(((g + 1) * D) / G);
    for (let r = Math.round((g * D) / G); r < g1; r += R) blocks.push({ r0: r, r1: Math.min(g1, r + R), group: g });
  }
  const cached: (CountsBlock | null)[] = blocks.map(() => null);
  const block = (b: number): CountsBlock => {
    const hit = cached[b];
    if (hit) return hit;
    const { r0, r1 } = blocks[b];
    const rows = Int32Array.from({ length: r1 - r0 }, (_, i) => r0 + i);
    const t = kern ? csrBlock(docs, rows, kern) : denseBlock(docs, rows);
    if (cache) cached[b] = t;
    return t;
  };
  const ramp = Math.max(1, opts.innerRamp ?? Infinity);
  const eParams = {
    alphaK,
    maxRounds: Math.max(1, opts.innerIters ?? 100),
    tol: opts.innerTol ?? 5e-3,
    accelerate: opts.accelerate ?? true,
    maxStep: opts.maxStep,
    compactBelow: opts.compactBelow ?? 0.85,
    cp,
  };
  let gamma = gammaSamples(D * K, 100, 0.01, (seed ^ 0x5eed) >>> 0); // [D*K] in `docs` order, on the CPU between iterations
  const lam0 = await initialLambda(
    counts,
    K,
    seed,
    opts.init ?? 'anchors',
    () => randomRows(counts, K, seed),
    () => cp.check(),
  );
  // λ = η + Σ_g N_g; before a group's first E-step its share of λ₀ − η stands in for N_g
  let statsSum = tf.tidy(() => tf.sub(tf.tensor2d(lam0, [K, V]), eta) as tf.Tensor2D);
  let priorShare: tf.Tensor2D | null = tf.div(statsSum, G) as tf.Tensor2D;
  const groupStats: (tf.Tensor2D | null)[] = Array.from({ length: G }, () => null);
  let best: { gamma: Float32Array; lam: tf.Tensor2D; perplexity: number; iter: number } | null = null;
  const history: LdaIteration[] = [];
  const meter = new ProgressMeter('lda', iters * D, opts.progress, 'rows');
  let stoppedBy: 'iters' | 'time' = 'iters';
  const live = new Set<tf.Tensor>();
  /** Replaces a tensor kept across awaits, disposing the old one. */
  const swap = <T extends tf.Tensor>(old: T, next: T): T => {
    live.delete(old);
    old.dispose();
    live.add(next);
    return next;
  };
  live.add(statsSum);
  live.add(priorShare);
  try {
    for (let iter = 1; iter <= iters; iter++) {
      let next: Float32Array;
      if (iter === 1) next = gamma.slice();
      else if (warm) {
        next = gamma.slice();
        for (let i = 0; i < next.length; i++) next[i] += revive;
      } else next = gammaSamples(D * K, 100, 0.01, (seed + iter * 7919) >>> 0);
      let rowRounds = 0;
      const roundCap = Math.min(eParams.maxRounds, ramp * 2 ** Math.min(iter - 1, 20));
      let timeUp = false;
      for (let b = 0; b < blocks.length;) {
        // one update group: E-step of its blocks against the current λ, then λ's share from the group is replaced
        const group = blocks[b].group;
        const s0 = statsSum;
        const tilde = tf.tidy(() => tf.add(expElog(tf.add(s0, eta) as tf.Tensor2D, 1), 1e-30) as tf.Tensor2D); // [K,V]; floor keeps θ̃β̃ > 0
        const tildeT = tf.transpose(tilde) as tf.Tensor2D;
        let sstats = tf.zeros([K, V]) as tf.Tensor2D;
        for (const t of [tilde, tildeT, sstats]) live.add(t);
        for (; b < blocks.length && blocks[b].group === group; b++) {
          const { r0, r1 } = blocks[b];
          const C = block(b);
          const gb = next.subarray(r0 * K, r1 * K);
          let st;
          try {
            st = await eStepBlock(C, gb, { ...eParams, maxRounds: roundCap, tilde, tildeT });
            const s = sstats;
            sstats = swap(
              s,
              tf.tidy(() => C.addStats(s, thetaTilde(tf.tensor2d(gb, [r1 - r0, K])), tilde, tildeT)),
            );
          } finally {
            if (!cache) C.dispose();
          }
          rowRounds += st.rowRounds;
          meter.tick({ iteration: `${iter}/${iters}` }, r1 - r0);
          await cp.check();
          // at the budget, with a complete model in hand: this block's E-step is done, return that model
          if (best && b + 1 < blocks.length && now() - t0 >= maxMs) {
            timeUp = true;
            break;
          }
        }
        if (timeUp) break;
        const fresh = tf.tidy(() => tf.mul(tilde, sstats) as tf.Tensor2D);
        if (online) {
          // λ − η ← (1 − ρ)(λ − η) + ρ (D / |group|) β̃ ⊙ S, as ldaSparse.ts
          const rho = onlineStep(opts, updates++);
          const gd = Math.round(((group + 1) * D) / G) - Math.round((group * D) / G);
          const s0 = statsSum;
          statsSum = swap(
            s0,
            tf.tidy(() => tf.add(tf.mul(s0, 1 - rho), tf.mul(fresh, (rho * D) / gd)) as tf.Tensor2D),
          );
          fresh.dispose();
        } else {
          const prev = groupStats[group];
          statsSum = swap(
            statsSum,
            tf.tidy(() => tf.add(tf.sub(statsSum, prev ?? priorShare!), fresh) as tf.Tensor2D),
          );
          groupStats[group] = prev ? swap(prev, fresh) : fresh;
          live.add(fresh);
        }
        for (const t of [tilde, tildeT, sstats]) {
          live.delete(t);
          t.dispose();
        }
      }
      if (timeUp) {
        stoppedBy = 'time';
        break;
      }
      if (priorShare) {
        live.delete(priorShare);
        priorShare.dispose();
        priorShare = null;
      }
      // re-sum the group statistics once per pass, so float32 rounding of the running sum cannot drift
      if (!online)
        statsSum = swap(
          statsSum,
          tf.tidy(() => addMany(groupStats.map((t) => t!)) as tf.Tensor2D),
        );
      const allFinite = tf.tidy(() => tf.all(tf.isFinite(statsSum)));
      const finiteFlag = await allFinite.data();
      allFinite.dispose();
      checkFinite([finiteFlag[0] ? 0 : Number.NaN], `the sufficient statistics of iteration ${iter}`);
      gamma = next;
      // the model this pass ends with: θ from the pass's E-steps, β = the normalised λ after it
      const sNow = statsSum;
      const lam = tf.tidy(() => tf.add(sNow, eta) as tf.Tensor2D);
      live.add(lam);
      const mean = tf.tidy(() => tf.div(lam, tf.sum(lam, 1, true)) as tf.Tensor2D);
      live.add(mean);
      const meanT = tf.transpose(mean) as tf.Tensor2D;
      live.add(meanT);
      let logLik = 0;
      for (let b = 0; b < blocks.length; b++) {
        const { r0, r1 } = blocks[b];
        const C = block(b);
        const ll = tf.tidy(() => {
          const g = tf.tensor2d(gamma.subarray(r0 * K, r1 * K), [r1 - r0, K]);
          return C.logLik(tf.div(g, tf.sum(g, 1, true)), mean, meanT); // per row; summed in float64 below
        });
        if (!cache) C.dispose();
        const rowLl = await ll.data();
        for (let i = 0; i < rowLl.length; i++) logLik += rowLl[i];
        ll.dispose();
        await cp.check();
      }
      for (const t of [mean, meanT]) {
        live.delete(t);
        t.dispose();
      }
      const perplexity = Math.exp(-logLik / total);
      checkFinite([perplexity], `the perplexity of iteration ${iter}`);
      const rec: LdaIteration = { iter, seconds: (now() - t0) / 1000, perplexity, rowRounds: rowRounds / D };
      const prevRec = history[history.length - 1];
      if (warmMode === 'auto' && prevRec && (prevRec.perplexity - perplexity) / prevRec.perplexity < warmTol)
        warm = true;
      history.push(rec);
      opts.onIteration?.(rec);
      if (best === null || perplexity < best.perplexity) {
        if (best) {
          live.delete(best.lam);
          best.lam.dispose();
        }
        best = { gamma, lam, perplexity, iter };
      } else {
        live.delete(lam);
        lam.dispose();
      }
      if (iter < iters && now() - t0 >= maxMs) {
        stoppedBy = 'time';
        break;
      }
    }
    const bst = best!;
    const betaT = tf.tidy(() => tf.div(bst.lam, tf.sum(bst.lam, 1, true)));
    const beta = (await betaT.data()) as Float32Array;
    betaT.dispose();
    const theta = new Float32Array(D * K); // back in the caller's row order
    for (let i = 0; i < D; i++) {
      const d = order[i];
      let s = 0;
      for (let k = 0; k < K; k++) s += bst.gamma[i * K + k];
      for (let k = 0; k < K; k++) theta[d * K + k] = bst.gamma[i * K + k] / s;
    }
    const engine = kern ? `csr (${kern.kind})` : 'dense (tfjs)';
    return { beta, theta, perplexity: bst.perplexity, bestIter: bst.iter, history, stoppedBy, engine };
  } finally {
    for (const t of groupStats) if (t) live.add(t);
    for (const t of live) if (!t.isDisposed) t.dispose();
    for (const c of cached) c?.dispose();
  }
}
