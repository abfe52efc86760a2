/**
 * The LDA E-step of one document computed at its non-zeros only, on the kernels of sparseKernels.ts:
 * one round is θ̃ = exp(ψ(γ) − ψ(Σγ)) (here, float64), then per non-zero (w, c) X = θ̃·β̃[c] (SDDMM),
 * q = C_wc / X and acc += q β̃[c] (SpMM), and γ ← α/K + θ̃ ⊙ acc — the dense E-step (ldaEStep.ts) with
 * the zeros of C skipped, which contribute nothing to Q = C / X. Same convergence rule (‖Δγ‖₁/‖γ‖₁ <
 * tol after every plain or accelerated step), same SQUAREM step (log γ, a ∈ [−maxStep, −1], the jump
 * put back on Σ(γ − α/K) = n_d), same round cap. Documents are independent, so there is no block to
 * compact: each one stops when it converges.
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
    kern.f32.fill(0, at.theta, at.theta + Kp);
  }

  /** One round γ ↦ α/K + θ̃ ⊙ Σ_j q_j β̃[c_j] for the document whose non-zeros are [j0, j0 + n). */
  private round(x: Float64Array, out: Float64Array, j0: number, n: number, alphaK: number): void {
    const { kern, K, Kp, at } = this;
    const f = kern.f32;
    expElogInto(x, 0, K, f, at.theta);
    kern.rowRound(at.theta, at.beta, Kp, at.idx + j0, at.val + j0, n, at.acc);
    for (let k = 0; k < K; k++) out[k] = alphaK + f[at.theta + k] * f[at.acc + k];
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
          u[k] = Math.max(Math.exp(Math.log(g1[k]) - r[k] - 2 * a * r[k] + a * a * v[k]) - alphaK, 0);
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
