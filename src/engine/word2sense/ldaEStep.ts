/**
 * The LDA E-step for one block of documents, iterated per document to convergence with the
 * still-moving documents compacted into smaller blocks as the others converge.
 *
 * One round for the active rows A of the block (tfjs ops, with the block's own products, ldaBlocks.ts):
 *   θ̃ = exp(ψ(γ) − ψ(Σ_k γ)),  X = θ̃ β̃,  Q = C_A / X,  γ ← α/K + θ̃ ⊙ (Q β̃ᵀ)
 * where a dense block computes X over all [|A|, V] cells and a CSR block at the non-zeros only.
 * After every (plain or accelerated) round each row's relative change ‖Δγ‖₁ / ‖γ‖₁ is compared
 * with the tolerance; rows below it are done. The check downloads only |A| floats and the [|A|, K] γ — small
 * on every backend. When the active rows fall below `compactBelow` of the current block, the block is
 * rebuilt from the CSR counts for the active rows only (densified on the CPU and uploaded: measured
 * ~10× cheaper on tfjs-wasm than `tf.gather` of the dense rows, and the same few MB on a GPU), so the
 * work per round follows the number of documents that still move.
 *
 * This is the block-synchronous engine's E-step; ldaSparseEStep.ts computes the same rounds per document
 * on the CPU (lda.ts picks the engine by density and backend).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CsrCounts } from '../text/csr';
import type { Checkpointer } from '../util/cancel';
import type { CountsBlock } from './ldaTypes';
import { digamma } from './special';

/** exp(ψ(x) − ψ(Σ x)) along `axis` for a 2-D tensor (the variational E[log] exponentiated). */
export function expElog(x: tf.Tensor2D, axis: 0 | 1): tf.Tensor2D {
  return tf.tidy(() => tf.exp(tf.sub(digamma(x), digamma(tf.sum(x, axis, true)))) as tf.Tensor2D);
}

/**
 * θ̃ = exp(E log θ) [R, K] of a block's γ [R, K], floored at 1e-30 so that a document whose θ̃ all
 * underflow (or an empty one) gives X = θ̃β̃ > 0, not 0/0. Used by every round and by the statistics.
 */
export function thetaTilde(gamma: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.add(expElog(gamma, 1), 1e-30) as tf.Tensor2D);
}

/**
 * X = θ̃ β̃ floored at 1e-30. The floors of θ̃ and β̃ alone do not keep X > 0: for an empty document
 * (θ̃ all at its floor) and a context word that never occurs (β̃ column at its floor) X = 1e-60, which
 * is 0 in float32, and Q = C / X = 0 / 0 = NaN there — the NaN perplexity from iteration 2 on
 * (moby-dick at V = 2000 has 43 empty rows and columns). With the floor on X, a zero count gives Q = 0.
 */
export function safeX(th: tf.Tensor2D, tilde: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.maximum(tf.matMul(th, tilde), 1e-30) as tf.Tensor2D);
}

/** Dense rows `rows` (global row ids) of a CSR matrix as a row-major Float32Array [rows.length × cols]. */
export function denseRowsAt(m: CsrCounts, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * m.cols);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    const base = i * m.cols;
    for (let j = m.indptr[r]; j < m.indptr[r + 1]; j++) out[base + m.indices[j]] += m.values[j];
  }
  return out;
}

export interface EStepParams {
  /** exp(E log β) [K, V] and its transpose [V, K] (both kept: tfjs-wasm's transposed matmul is ~10× slower). */
  tilde: tf.Tensor2D;
  tildeT: tf.Tensor2D;
  /** α/K. */
  alphaK: number;
  /** Max rounds per document. */
  maxRounds: number;
  /**
   * A document is done when its γ moved by less than this fraction in L1, ‖Δγ‖₁ / ‖γ‖₁ (the change of
   * its sense proportions; sklearn's absolute mean |Δγ| would be 100× stricter, relatively, for a
   * document of 100× the tokens).
   */
  tol: number;
  /** SQUAREM-accelerated rounds (3 rounds per extrapolated step). */
  accelerate?: boolean;
  /** Largest SQUAREM step length (default 8). */
  maxStep?: number;
  /** Rebuild the block for the active rows when they are fewer than this fraction of it. */
  compactBelow: number;
  cp?: Checkpointer;
}

export interface EStepStats {
  /** Rounds run for the slowest document of the block. */
  rounds: number;
  /** Σ over rounds of the rows computed (the work done, in row-rounds). */
  rowRounds: number;
}

/**
 * Runs the E-step for the rows of `block` (dense or CSR, ldaBlocks.ts; owned by the caller). `gamma`
 * [rows·K] holds the start on entry and the converged γ on return.
 */
export async function eStepBlock(block: CountsBlock, gamma: Float32Array, p: EStepParams): Promise<EStepStats> {
  const K = p.tilde.shape[0];
  let active = Int32Array.from({ length: block.rows }, (_, i) => i); // local ids of the rows in the current block
  let C = block;
  let g = tf.tensor2d(gamma, [block.rows, K]);
  let rowRounds = 0;
  let rounds = 0;
  const { tilde, tildeT, alphaK } = p;
  const maxStep = p.maxStep ?? 8;
  /** One fixed-point round γ ↦ α/K + θ̃ ⊙ ((C / θ̃β̃) β̃ᵀ) for the active rows. */
  const F = (x: tf.Tensor2D, Cb: CountsBlock): tf.Tensor2D =>
    tf.tidy(() => {
      const th = thetaTilde(x);
      return tf.add(tf.mul(th, Cb.qTildeT(th, tilde, tildeT)), alphaK) as tf.Tensor2D;
    });
  try {
    while (rounds < p.maxRounds) {
      const Cb = C;
      const g0 = g;
      let from: tf.Tensor2D; // the point the last plain round started from (for the convergence test)
      if (p.accelerate && p.maxRounds - rounds >= 3) {
        // SQUAREM (Varadhan & Roland 2008, SqS3) per document, in log γ: two rounds give the
        // residual r and its change v; extrapolate with step a = −‖r‖/‖v‖ ∈ [−maxStep, −1], then one
        // stabilising round. a = −1 is exactly two plain rounds.
        const g1 = F(g0, Cb);
        const g2 = F(g1, Cb);
        from = tf.tidy(() => {
          const u0 = tf.log(g0);
          const u1 = tf.log(g1);
          const r = tf.sub(u1, u0);
          const v = tf.add(tf.sub(tf.log(g2), tf.mul(u1, 2)), u0);
          const a = tf.neg(
            tf.clipByValue(
              tf.sqrt(tf.div(tf.sum(tf.square(r), 1, true), tf.add(tf.sum(tf.square(v), 1, true), 1e-30))),
              1,
              maxStep,
            ),
          );
          const u = tf.add(tf.sub(u0, tf.mul(tf.mul(a, 2), r)), tf.mul(tf.square(a), v));
          // every F(γ) has Σ_k (γ_k − α/K) = n_d (the document's tokens): put the jump back on that
          // set, so no extrapolation can drive all of a document's γ to the floor (θ̃ = 0, X = 0)
          const excess = tf.relu(tf.sub(tf.exp(u), alphaK));
          const mass = tf.sum(excess, 1, true);
          const projected = tf.add(tf.mul(excess, tf.div(Cb.sums, tf.maximum(mass, 1e-30))), alphaK);
          return tf.where(
            tf.broadcastTo(tf.logicalAnd(tf.greater(mass, 0), tf.isFinite(mass)), projected.shape),
            projected,
            g2,
          ) as tf.Tensor2D;
        });
        tf.dispose([g0, g1, g2]);
        g = F(from, Cb);
        rounds += 3;
        rowRounds += 3 * active.length;
      } else {
        from = g0;
        g = F(g0, Cb);
        rounds += 1;
        rowRounds += active.length;
      }
      const last = rounds >= p.maxRounds;
      const cur = g;
      const prev = from;
      const change = tf.tidy(() => tf.div(tf.sum(tf.abs(tf.sub(cur, prev)), 1), tf.sum(cur, 1))); // ‖Δγ‖₁ / ‖γ‖₁ per row
      prev.dispose();
      const [dv, gv] = await Promise.all([change.data(), cur.data()]);
      change.dispose();
      let still = 0;
      for (let i = 0; i < active.length; i++) {
        gamma.set(gv.subarray(i * K, (i + 1) * K), active[i] * K);
        if (!(dv[i] < p.tol)) still++; // NaN counts as moving, here and below
      }
      if (last || still === 0) break;
      if (still < p.compactBelow * active.length) {
        const keep = new Int32Array(still);
        const keepHere = new Int32Array(still); // positions in the current (compacted) block
        const gk = new Float32Array(still * K);
        let n = 0;
        for (let i = 0; i < active.length; i++) {
          if (dv[i] < p.tol) continue; // the same test as above
          keep[n] = active[i];
          keepHere[n] = i;
          gk.set(gv.subarray(i * K, (i + 1) * K), n * K);
          n++;
        }
        const nextC = C.subset(keepHere);
        if (C !== block) C.dispose();
        C = nextC;
        g.dispose();
        g = tf.tensor2d(gk, [still, K]);
        active = keep;
      }
      await p.cp?.check();
    }
    return { rounds, rowRounds };
  } finally {
    g.dispose();
    if (C !== block) C.dispose();
  }
}
