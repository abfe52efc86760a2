/**
 * The LDA E-step of one document computed at its non-zeros only, on the kernels of sparseKernels.ts:
 * one round is θ̃ = exp(ψ(γ) − ψ(Σγ)) (here, float64), then per non-zero (w, c) X = θ̃·β̃[c] (SDDMM),
 * q = C_wc / X and acc += q β̃[c] (SpMM), and γ ← α/K + θ̃ ⊙ acc — the dense E-step (ldaEStep.ts) with
 * the zeros of C skipped, which contribute nothing to Q = C / X. Same convergence rule (‖Δγ‖₁/‖γ‖₁ <
 * tol after every plain or accelerated step), same SQUAREM step (log γ, a ∈ [−maxStep, −1], the jump
 * put back on Σ(γ − α/K) = n_d), same round cap. Documents are independent, so there is no block to
 * compact: each one stops when it converges.
 *
 * Dead senses. A sense whose γ_k is so small that θ̃_k is the 1e-30 floor (exp(ψ(γ_k) − ψ(Σγ)) < e⁻¹⁰⁰,
 * decided without the digamma, see expElogInto) adds 1e-30·β̃ to X and gets γ_k = α/K + 1e-30·acc_k — α/K
 * to float precision. A document's E-step kills most senses within a few rounds (on the six corpora at
 * V = 20k, K = 300, two thirds of the round work, weighted by non-zeros, is on floored senses), so with
 * `compact` in the layout a round works on the live senses only: their β̃ columns at the document's
 * non-zeros are gathered once into a contiguous [n, m8] block (m8 = live senses rounded up to 8) and the
 * same rowRound kernel runs on it with an identity index; dead senses get γ_k = α/K exactly. The block is
 * gathered again when a sense comes back to life (a SQUAREM jump can revive one) or when a quarter of its
 * columns have died; it is not used while more than 7/8 of Kp would be gathered. The result equals
 * the full round's up to float rounding (the floored terms are below float32 resolution of X and γ).
 */
import type { SparseKernels } from './sparseKernels';
import { digammaScalar } from './special';

/** Where the E-step's operands live in the kernel arena (element offsets). */
export interface SparseLayout {
  /** β̃ [V, Kp]. */
  beta: number;
  /** θ̃ scratch [Kp] (entries K..Kp stay 0). */
  theta: number;
  /** The round's accumulator [Kp]. */
  acc: number;
  /** Column indices [nnz] (int32) and counts [nnz] (float32) of all documents, CSR order. */
  idx: number;
  val: number;
  /**
   * Scratch for rounds on live senses only (see the header): `block` [rows, Kp] (the gathered β̃
   * columns), `iota` [rows] int32 holding 0..rows−1, `theta` and `acc` [Kp] each; `rows` ≥ the
   * longest document. Without it every round works on all Kp senses.
   */
  compact?: { block: number; iota: number; theta: number; acc: number; rows: number };
}

/** Elements the compact scratch of a layout needs for documents of at most `rows` non-zeros and Kp senses. */
export function compactElements(rows: number, Kp: number): number {
  return rows * Kp + rows + 2 * Kp;
}

export interface SparseEStepParams {
  alphaK: number;
  maxRounds: number;
  tol: number;
  accelerate: boolean;
  maxStep: number;
}

/**
 * out[at + k] = exp(ψ(x_k) − ψ(Σ x)) + 1e-30 for k < K (float32 storage, as the dense path's floor).
 * Where ψ(x) − ψ(Σx) < −100 the result is the floor itself, decided without the digamma: ψ(x) < −1/x
 * for x < 0.46 (ψ(x + 1) < 0 there).
 */
export function expElogInto(x: ArrayLike<number>, from: number, K: number, out: Float32Array, at: number): void {
  let s = 0;
  for (let k = 0; k < K; k++) s += x[from + k];
  const ds = digammaScalar(s);
  for (let k = 0; k < K; k++) out[at + k] = expElogOne(x[from + k], ds);
}

/** exp(ψ(v) − ds) + 1e-30, the floor alone where the exponent is below −100 (see expElogInto). */
export function expElogOne(v: number, ds: number): number {
  return v < 0.46 && -1 / v - ds < -100 ? 1e-30 : Math.exp(digammaScalar(v) - ds) + 1e-30;
}

/** Runs documents' E-steps and statistics against the β̃ currently in the arena. */
export class SparseEStep {
  private readonly g0: Float64Array;
  private readonly g1: Float64Array;
  private readonly g2: Float64Array;
  private readonly from: Float64Array;
  private readonly u: Float64Array;
  private readonly r: Float64Array;
  private readonly v: Float64Array;
  /** Live senses of the gathered block, in block column order (length `m`), and a mark per sense. */
  private readonly cols: Int32Array;
  private readonly inBlock: Uint8Array;
  private m = 0;
  /** Which document the block was gathered for (its first non-zero), −1 for none. */
  private blockDoc = -1;
  private readonly live: Int32Array;
  /** Rounds on live senses only where the layout has the scratch for it (off: every round on all Kp). */
  liveOnly = true;
  /** Rounds run on the gathered block, and gathers done (for tests and benches). */
  compactRounds = 0;
  gathers = 0;

  constructor(
    private readonly kern: SparseKernels,
    private readonly K: number,
    private readonly Kp: number,
    private readonly at: SparseLayout,
  ) {
    this.g0 = new Float64Array(K);
    this.g1 = new Float64Array(K);
    this.g2 = new Float64Array(K);
    this.from = new Float64Array(K);
    this.u = new Float64Array(K);
    this.r = new Float64Array(K);
    this.v = new Float64Array(K);
    this.cols = new Int32Array(K);
    this.inBlock = new Uint8Array(K);
    this.live = new Int32Array(K);
    kern.f32.fill(0, at.theta, at.theta + Kp);
    const c = at.compact;
    if (c) for (let j = 0; j < c.rows; j++) kern.i32[c.iota + j] = j;
  }

  /** One round γ ↦ α/K + θ̃ ⊙ Σ_j q_j β̃[c_j] for the document whose non-zeros are [j0, j0 + n). */
  private round(x: Float64Array, out: Float64Array, j0: number, n: number, alphaK: number): void {
    const { kern, K, Kp, at } = this;
    const f = kern.f32;
    if (at.compact && this.liveOnly && this.compactRound(x, out, j0, n, alphaK)) return;
    expElogInto(x, 0, K, f, at.theta);
    kern.rowRound(at.theta, at.beta, Kp, at.idx + j0, at.val + j0, n, at.acc);
    for (let k = 0; k < K; k++) out[k] = alphaK + f[at.theta + k] * f[at.acc + k];
  }

  /**
   * The round on live senses only; false (nothing done) where too many senses live for it to pay.
   * Live: θ̃_k above the floor, decided as expElogOne does (v ≥ 0.46 or −1/v − ψ(Σx) ≥ −100).
   */
  private compactRound(x: Float64Array, out: Float64Array, j0: number, n: number, alphaK: number): boolean {
    const { kern, K, Kp, at, live, inBlock, cols } = this;
    const c = at.compact!;
    const f = kern.f32;
    let sum = 0;
    for (let k = 0; k < K; k++) sum += x[k];
    const ds = digammaScalar(sum);
    let nLive = 0;
    let revived = false;
    for (let k = 0; k < K; k++) {
      const v = x[k];
      if (v < 0.46 && -1 / v - ds < -100) continue;
      live[nLive++] = k;
      if (!inBlock[k]) revived = true;
    }
    const m8 = Math.ceil(nLive / 8) * 8;
    if (m8 > Kp - Kp / 8 || n > c.rows) {
      this.blockDoc = -1;
      return false;
    }
    // (re)gather: another document, a revived sense, or a quarter of the block dead
    if (this.blockDoc !== j0 || revived || 4 * (this.m - nLive) > this.m) {
      inBlock.fill(0);
      this.m = nLive;
      const mb = m8;
      for (let a = 0; a < nLive; a++) inBlock[(cols[a] = live[a])] = 1;
      for (let j = 0; j < n; j++) {
        const src = at.beta + kern.i32[at.idx + j0 + j] * Kp;
        const dst = c.block + j * mb;
        for (let a = 0; a < nLive; a++) f[dst + a] = f[src + cols[a]];
        for (let a = nLive; a < mb; a++) f[dst + a] = 0;
      }
      this.blockDoc = j0;
      this.gathers++;
    }
    const m = this.m;
    const mb = Math.ceil(m / 8) * 8;
    for (let a = 0; a < m; a++) f[c.theta + a] = expElogOne(x[cols[a]], ds);
    f.fill(0, c.theta + m, c.theta + mb);
    kern.rowRound(c.theta, c.block, mb, c.iota, at.val + j0, n, c.acc);
    out.fill(alphaK);
    for (let a = 0; a < m; a++) out[cols[a]] = alphaK + f[c.theta + a] * f[c.acc + a];
    this.compactRounds++;
    return true;
  }

  /**
   * E-step of one document: γ = gamma[g .. g+K) on entry (the start) and on return (converged),
   * its non-zeros [j0, j0 + n) with n_d = Σ counts. Returns the rounds run (an accelerated step counts 3).
   */
  run(gamma: Float32Array, g: number, j0: number, n: number, nd: number, p: SparseEStepParams): number {
    const K = this.K;
    const { alphaK, tol, maxStep } = p;
    if (n === 0) {
      // no counts: one round gives α/K everywhere, which is its own fixed point
      gamma.fill(alphaK, g, g + K);
      return 1;
    }
    this.blockDoc = -1; // β̃ may have changed since this document's last E-step
    let cur = this.g0;
    let nxt = this.g1;
    for (let k = 0; k < K; k++) cur[k] = gamma[g + k];
    let rounds = 0;
    while (rounds < p.maxRounds) {
      let from: Float64Array;
      if (p.accelerate && p.maxRounds - rounds >= 3) {
        const g1 = nxt;
        const g2 = this.g2;
        this.round(cur, g1, j0, n, alphaK);
        this.round(g1, g2, j0, n, alphaK);
        // r = log g1 − log g0, v = log g2 − 2 log g1 + log g0, kept in r/v for the step below
        const { r, v } = this;
        let rr = 0;
        let vv = 0;
        for (let k = 0; k < K; k++) {
          if (cur[k] === g1[k] && g1[k] === g2[k]) {
            r[k] = v[k] = 0; // a sense that did not move (a dead one: α/K throughout), without the logs
            continue;
          }
          const u0 = Math.log(cur[k]);
          const u1 = Math.log(g1[k]);
          r[k] = u1 - u0;
          v[k] = Math.log(g2[k]) - 2 * u1 + u0;
          rr += r[k] * r[k];
          vv += v[k] * v[k];
        }
        const a = -Math.min(maxStep, Math.max(1, Math.sqrt(rr / (vv + 1e-30))));
        const u = this.u;
        let mass = 0;
        for (let k = 0; k < K; k++) {
          // the jumped point's excess over α/K: log g0 − 2a r + a² v, with log g0 = log g1 − r
          u[k] =
            r[k] === 0 && v[k] === 0
              ? g1[k] - alphaK
              : Math.exp(Math.log(g1[k]) - r[k] - 2 * a * r[k] + a * a * v[k]) - alphaK;
          if (u[k] < 0) u[k] = 0; // NaN stays NaN: the step then falls back to g2, as before
          mass += u[k];
        }
        from = this.from;
        if (mass > 0 && Number.isFinite(mass)) {
          const scale = nd / mass;
          for (let k = 0; k < K; k++) from[k] = u[k] * scale + alphaK;
        } else from.set(g2);
        this.round(from, cur, j0, n, alphaK); // cur (the step's start) is no longer needed
        rounds += 3;
      } else {
        this.round(cur, nxt, j0, n, alphaK);
        from = cur;
        cur = nxt;
        nxt = from; // the old start is overwritten by the next round
        rounds += 1;
      }
      let dl = 0;
      let sum = 0;
      for (let k = 0; k < K; k++) {
        dl += Math.abs(cur[k] - from[k]);
        sum += cur[k];
      }
      if (dl / sum < tol) break; // NaN keeps going until the cap, as the dense path
    }
    for (let k = 0; k < K; k++) gamma[g + k] = cur[k];
    return rounds;
  }

  /** Adds the document's statistics θ̃ᵀQ (γ = gamma[g .. g+K)) into stats [V, Kp] at `stats`. */
  stats(gamma: Float32Array, g: number, j0: number, n: number, stats: number): void {
    if (n === 0) return;
    const { kern, K, Kp, at } = this;
    expElogInto(gamma, g, K, kern.f32, at.theta);
    kern.rowStats(at.theta, at.beta, Kp, at.idx + j0, at.val + j0, n, stats);
  }
}

/** The arena of one sparse E-step thread: where everything lives, and how many 4-byte elements it needs. */
export interface SparseArena extends SparseLayout {
  /** Statistics [V, Kp]. */
  stats: number;
  /** Per-non-zero scratch of the longest document (perplexity dots). */
  out: number;
  elements: number;
}

/** Lays out β̃ and the statistics [V, Kp], the documents' `nnz` indices and counts, scratch and the compact block. */
export function sparseArena(V: number, Kp: number, nnz: number, maxRow: number): SparseArena {
  const VK = V * Kp;
  const theta = 2 * VK + 2 * nnz;
  const out = theta + 2 * Kp;
  const block = out + maxRow;
  const rows = maxRow;
  const compact = {
    block,
    iota: block + rows * Kp,
    theta: block + rows * Kp + rows,
    acc: block + rows * Kp + rows + Kp,
    rows,
  };
  return {
    beta: 0,
    stats: VK,
    idx: 2 * VK,
    val: 2 * VK + nnz,
    theta,
    acc: theta + Kp,
    out,
    compact,
    elements: block + compactElements(rows, Kp),
  };
}

/**
 * E-steps and statistics of documents d, d+1, … of [d, d1) until they fill `blockNnz` non-zeros (at least
 * one document): γ rows in `gamma` (row r at r·K) updated in place, statistics added at `stats`.
 * `indptr` indexes the arena's idx/val (document r's non-zeros at [indptr[r], indptr[r+1])), `nd` the row
 * sums. Returns the next document and the rounds run.
 */
export function eStepBlock(
  estep: SparseEStep,
  K: number,
  indptr: Int32Array,
  nd: Float64Array | Float32Array,
  gamma: Float32Array,
  d: number,
  d1: number,
  blockNnz: number,
  p: SparseEStepParams,
  stats: number,
): { next: number; rounds: number } {
  const stop = indptr[d] + blockNnz;
  let rounds = 0;
  const start = d;
  for (; d < d1 && (d === start || indptr[d] < stop); d++) {
    const j0 = indptr[d];
    const n = indptr[d + 1] - j0;
    rounds += estep.run(gamma, d * K, j0, n, nd[d], p);
    estep.stats(gamma, d * K, j0, n, stats);
  }
  return { next: d, rounds };
}
