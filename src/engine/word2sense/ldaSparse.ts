/**
 * LDA by batch / incremental variational Bayes computed at the non-zeros of the counts only — the
 * model, priors, anchor start, document order, γ draws, convergence rule and update groups of the
 * dense tfjs engine (lda.ts, whose header explains those choices), with every E-step round done per
 * document by the kernels of sparseKernels.ts (WebAssembly SIMD, or typed-array loops):
 *
 *   X_wc = θ̃_w·β̃_c at (w, c) ∈ nnz (SDDMM),  q = C_wc / X_wc,  γ_w ← α/K + θ̃_w ⊙ Σ_c q β̃_c (SpMM),
 *   statistics S_c += q θ̃_w (θ̃ᵀQ, scattered),  M-step λ = η + Σ_g β̃ ⊙ S_g.
 *
 * β̃, S and λ are kept [V, Kp] (Kp = K rounded up to 8) so each non-zero reads one contiguous row.
 * Memory: 2·nnz (indices, counts) + about 5·V·Kp + D·K floats — linear in nnz + (V + D)·K.
 * A round costs 4·nnz·K flops against the dense path's 4·D·V·K, so this engine wins below a density
 * that lda.ts measures and states (it picks the engine).
 *
 * Time budget and cancel: checked after every block of documents (`blockNnz` non-zeros). At the
 * budget the current block's E-steps finish, then the best complete model so far is returned, or —
 * before the first complete iteration — a model from the partial statistics (λ from the documents
 * done plus the unprocessed share of λ₀), flagged `partial`. Progress: rows done over iters × D with
 * rate and ETA (ProgressMeter), the iteration in the detail.
 */
import type { CsrCounts } from '../text/csr';
import { nnz, rowSums, totalCount } from '../text/csr';
import { CancelToken, Checkpointer, now } from '../util/cancel';
import { ProgressMeter } from '../util/progress';
import { seededPermutation } from '../util/random';
import { initialLambda } from './ldaInit';
import { SparseEStep, eStepBlock, expElogOne, sparseArena } from './ldaSparseEStep';
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
import { digammaScalar, gammaSamples } from './special';
import { sparseKernels } from './sparseKernels';

/** Fits LDA on the sparse engine; same options and result as lda.ts's fitLda (which calls it). */
export async function fitLdaSparse(counts: CsrCounts, opts: LdaOptions): Promise<LdaResult> {
  const K = opts.K;
  const alphaK = (opts.alpha ?? 0.1) / K;
  const eta = opts.gamma ?? 0.001;
  const iters = opts.iters ?? 30;
  const warmMode = opts.warmStart ?? 'never';
  let warm = warmMode === 'always';
  const maxMs = (opts.maxSeconds ?? Infinity) * 1000;
  const seed = opts.seed ?? 0;
  const cp = new Checkpointer(opts.cancel ?? CancelToken.none());
  const D = counts.rows;
  const V = counts.cols;
  const t0 = now();
  const total = totalCount(counts);
  const order = seededPermutation(D, (seed ^ 0x9e3779b9) >>> 0);
  const docs = permuteRows(counts, order);
  const nd = rowSums(docs);
  const Kp = Math.ceil(K / 8) * 8;
  const online = opts.update === 'online';
  const G = updateGroupCount(opts, D, V);
  let updates = 0;
  const N = nnz(docs);
  let maxRow = 1;
  for (let d = 0; d < D; d++) maxRow = Math.max(maxRow, docs.indptr[d + 1] - docs.indptr[d]);
  const VK = V * Kp;
  const at = sparseArena(V, Kp, N, maxRow);
  const outAt = at.out;
  const kern = sparseKernels(at.elements, opts.kernels);
  const pool = opts.pool && opts.pool.workers > 0 ? opts.pool : null;
  if (pool) await pool.setup(docs, K, Kp);
  const f = kern.f32;
  kern.i32.set(docs.indices, at.idx);
  f.set(docs.values, at.val);
  const estep = new SparseEStep(kern, K, Kp, at);
  const liveSenses = opts.liveSenses ?? true;
  estep.liveOnly = liveSenses;
  const eParams = {
    alphaK,
    maxRounds: Math.max(1, opts.innerIters ?? 100),
    tol: opts.innerTol ?? 5e-3,
    accelerate: opts.accelerate ?? true,
    maxStep: opts.maxStep ?? 8,
  };
  const ramp = Math.max(1, opts.innerRamp ?? Infinity);
  const blockNnz = Math.max(1, opts.blockNnz ?? 1 << 16);

  let gamma = gammaSamples(D * K, 100, 0.01, (seed ^ 0x5eed) >>> 0);
  const lam0 = await initialLambda(
    counts,
    K,
    seed,
    opts.init ?? 'anchors',
    () => randomRows(counts, K, seed),
    () => cp.check(),
  );
  const statsSum = new Float64Array(VK); // λ − η, [V, Kp]
  for (let k = 0; k < K; k++) for (let c = 0; c < V; c++) statsSum[c * Kp + k] = lam0[k * V + c] - eta;
  let priorShare: Float32Array | null = new Float32Array(VK);
  for (let i = 0; i < VK; i++) priorShare[i] = statsSum[i] / G;
  const groupStats: (Float32Array | null)[] = Array.from({ length: G }, () => null);
  const colSum = new Float64Array(K);
  const colDs = new Float64Array(K);
  /** Writes β̃ = exp(ψ(λ) − ψ(Σ_c λ)) + 1e-30, or with `mean` the posterior mean λ / Σ_c λ, into the arena. */
  const setBeta = (mean: boolean): void => {
    colSum.fill(0);
    for (let c = 0; c < V; c++) for (let k = 0; k < K; k++) colSum[k] += statsSum[c * Kp + k] + eta;
    for (let k = 0; k < K; k++) colDs[k] = digammaScalar(colSum[k]);
    for (let c = 0; c < V; c++) {
      const row = c * Kp;
      if (mean) for (let k = 0; k < K; k++) f[at.beta + row + k] = (statsSum[row + k] + eta) / colSum[k];
      else for (let k = 0; k < K; k++) f[at.beta + row + k] = expElogOne(statsSum[row + k] + eta, colDs[k]);
    }
  };
  const meter = new ProgressMeter('lda', iters * D, opts.progress, 'rows');
  let best: { gamma: Float32Array; lam: Float32Array; perplexity: number; iter: number } | null = null;
  const history: LdaIteration[] = [];
  let stoppedBy: 'iters' | 'time' = 'iters';
  let partial = false;
  for (let iter = 1; iter <= iters && !partial; iter++) {
    const next = pool ? pool.sharedFloat32(D * K) : new Float32Array(D * K);
    if (iter === 1) next.set(gamma);
    else if (warm) {
      next.set(gamma);
      for (let i = 0; i < next.length; i++) next[i] += opts.warmRevive ?? 1;
    } else next.set(gammaSamples(D * K, 100, 0.01, (seed + iter * 7919) >>> 0));
    const p = { ...eParams, maxRounds: Math.min(eParams.maxRounds, ramp * 2 ** Math.min(iter - 1, 20)) };
    let rowRounds = 0;
    let timeUp = false;
    for (let g = 0; g < G && !timeUp; g++) {
      const d0 = Math.round((g * D) / G);
      const d1 = Math.round(((g + 1) * D) / G);
      setBeta(false);
      f.fill(0, at.stats, at.stats + VK);
      // this thread's share of the group, the workers' shares started beside it
      const ranges = pool ? splitByNnz(docs.indptr, d0, d1, pool.workers + 1) : [[d0, d1] as [number, number]];
      const [, mine] = ranges[0];
      let workersSeen = 0;
      const tickWorkers = (): void => {
        const w = pool!.progress();
        meter.tick({ iteration: `${iter}/${iters}` }, w - workersSeen);
        workersSeen = w;
      };
      const running = pool?.run(f.subarray(at.beta, at.beta + VK), next, ranges.slice(1), {
        ...p,
        blockNnz,
        liveSenses,
      });
      running?.catch(() => undefined); // awaited below; a rejection must not go unhandled meanwhile
      let d = d0;
      let stopped = false;
      const atBudget = (): boolean => now() - t0 >= maxMs && (d < d1 || g < G - 1);
      try {
        while (d < mine) {
          const start = d;
          const b = eStepBlock(estep, K, docs.indptr, nd, next, d, mine, blockNnz, p, at.stats);
          d = b.next;
          rowRounds += b.rounds;
          meter.tick({ iteration: `${iter}/${iters}` }, d - start);
          if (pool) tickWorkers();
          await cp.check();
          // at the budget: the best complete model, or (none yet) this pass's partial statistics
          if (atBudget()) {
            stopped = true;
            break;
          }
        }
      } catch (err) {
        pool?.stop();
        await running?.catch(() => undefined);
        throw err;
      }
      let done = d - d0;
      if (running) {
        if (stopped) pool!.stop();
        let settled = false;
        void running.then(
          () => (settled = true),
          () => (settled = true),
        );
        while (!settled) {
          await new Promise((r) => setTimeout(r, 20));
          tickWorkers();
          try {
            await cp.check();
          } catch (err) {
            pool!.stop();
            await running.catch(() => undefined);
            throw err;
          }
          if (!stopped && atBudget()) {
            stopped = true;
            pool!.stop();
          }
        }
        const res = await running;
        rowRounds += res.rowRounds;
        for (const [i, [r0]] of ranges.slice(1).entries()) {
          done += res.done[i] - r0;
          const st = res.stats[i];
          for (let k = 0; k < VK; k++) f[at.stats + k] += st[k];
        }
      }
      timeUp = stopped;
      if (timeUp && best !== null) break;
      const fresh = new Float32Array(VK);
      for (let i = 0; i < VK; i++) fresh[i] = f[at.beta + i] * f[at.stats + i];
      checkFinite(fresh, `the sufficient statistics of iteration ${iter}, update group ${g + 1}`);
      if (online) {
        // λ − η ← (1 − ρ)(λ − η) + ρ (D / |group|) β̃ ⊙ S (at the budget: the documents done so far)
        const rho = onlineStep(opts, updates++);
        const scale = D / Math.max(1, done);
        for (let i = 0; i < VK; i++) statsSum[i] = (1 - rho) * statsSum[i] + rho * scale * fresh[i];
      } else {
        const prev = groupStats[g];
        const share = timeUp ? done / (d1 - d0) : 1; // before the first complete pass only
        for (let i = 0; i < VK; i++) statsSum[i] += fresh[i] - (prev ? prev[i] : share * priorShare![i]);
        groupStats[g] = fresh;
      }
      if (timeUp) partial = true;
    }
    if (timeUp && best !== null) {
      stoppedBy = 'time';
      break;
    }
    if (!partial && !online) {
      priorShare = null;
      statsSum.fill(0); // re-sum the group statistics once per pass (no drift of the running sum)
      for (const s of groupStats) for (let i = 0; i < VK; i++) statsSum[i] += s![i];
    }
    gamma = next;
    // the model this pass ends with: θ = γ normalised, β = λ normalised; perplexity over all rows
    setBeta(true);
    let logLik = 0;
    for (let dd = 0; dd < D; dd++) {
      const j0 = docs.indptr[dd];
      const n = docs.indptr[dd + 1] - j0;
      if (n === 0) continue;
      let s = 0;
      for (let k = 0; k < K; k++) s += gamma[dd * K + k];
      for (let k = 0; k < K; k++) f[at.theta + k] = gamma[dd * K + k] / s;
      kern.rowDots(at.theta, at.beta, Kp, at.idx + j0, n, outAt);
      for (let j = 0; j < n; j++) logLik += f[at.val + j0 + j] * Math.log(f[outAt + j]);
      if ((dd & 1023) === 1023) await cp.check();
    }
    const perplexity = Math.exp(-logLik / total);
    checkFinite([perplexity], `the perplexity of iteration ${iter}`);
    const rec: LdaIteration = { iter, seconds: (now() - t0) / 1000, perplexity, rowRounds: rowRounds / D };
    const prevRec = history[history.length - 1];
    if (
      warmMode === 'auto' &&
      prevRec &&
      (prevRec.perplexity - perplexity) / prevRec.perplexity < (opts.warmTol ?? 2e-3)
    )
      warm = true;
    history.push(rec);
    opts.onIteration?.(rec);
    if (best === null || perplexity < best.perplexity || partial) {
      const lam = new Float32Array(VK);
      for (let i = 0; i < VK; i++) lam[i] = statsSum[i] + eta;
      best = { gamma, lam, perplexity, iter };
    }
    if (partial) stoppedBy = 'time';
    else if (iter < iters && now() - t0 >= maxMs) {
      stoppedBy = 'time';
      break;
    }
  }
  const bst = best!;
  const beta = new Float32Array(K * V);
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let c = 0; c < V; c++) s += bst.lam[c * Kp + k];
    for (let c = 0; c < V; c++) beta[k * V + c] = bst.lam[c * Kp + k] / s;
  }
  const theta = new Float32Array(D * K); // back in the caller's row order
  for (let i = 0; i < D; i++) {
    const dOrig = order[i];
    let s = 0;
    for (let k = 0; k < K; k++) s += bst.gamma[i * K + k];
    for (let k = 0; k < K; k++) theta[dOrig * K + k] = bst.gamma[i * K + k] / s;
  }
  return {
    beta,
    theta,
    perplexity: bst.perplexity,
    bestIter: bst.iter,
    history,
    stoppedBy,
    engine: `sparse (${kern.kind})`,
    ...(partial ? { partial: true } : {}),
  };
}

/**
 * Splits documents [d0, d1) into `parts` contiguous ranges of about equal non-zeros (some may be empty).
 */
export function splitByNnz(indptr: Int32Array, d0: number, d1: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  const base = indptr[d0];
  const total = indptr[d1] - base;
  let d = d0;
  for (let i = 0; i < parts; i++) {
    const start = d;
    const goal = base + (total * (i + 1)) / parts;
    if (i === parts - 1) d = d1;
    else while (d < d1 && indptr[d + 1] <= goal) d++;
    out.push([start, d]);
  }
  return out;
}
