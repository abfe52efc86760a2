/**
 * A block of document rows as the block-synchronous LDA engine (lda.ts, ldaEStep.ts) computes on it,
 * in one of two forms with the same products:
 *
 *   dense  the rows densified to [R, V] (tfjs matmuls; X = θ̃β̃ over all R·V cells) — what a GPU's
 *          matmuls serve best when the counts are dense enough;
 *   csr    the rows' non-zeros only (csrKernels.ts: WGSL on WebGPU, tfjs ops elsewhere) — 4·nnz·K
 *          flops per round instead of 4·R·V·K, memory linear in nnz.
 *
 * Both floor X at 1e-30 as ldaEStep.ts's safeX (so a zero count gives Q = 0, never 0/0).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { CsrCounts } from '../text/csr';
import { disposeCsr, uploadCsr, type CsrKernels, type CsrTensors } from './csrKernels';
import { denseRowsAt, safeX } from './ldaEStep';
import type { CountsBlock } from './ldaTypes';

export type { CountsBlock } from './ldaTypes';

/** Rows `rows` (global ids) of `counts`, densified to [rows.length, V]. */
export function denseBlock(counts: CsrCounts, rows: Int32Array): CountsBlock {
  const C = tf.tensor2d(denseRowsAt(counts, rows), [rows.length, counts.cols]);
  const sums = tf.sum(C, 1, true) as tf.Tensor2D;
  return {
    rows: rows.length,
    sums,
    qTildeT: (th, tilde, tildeT) => tf.tidy(() => tf.matMul(tf.div(C, safeX(th, tilde)), tildeT)),
    addStats: (s, th, tilde) => tf.tidy(() => tf.add(s, tf.matMul(tf.transpose(th), tf.div(C, safeX(th, tilde))))),
    logLik: (p, beta) => tf.tidy(() => tf.sum(tf.mul(C, tf.log(tf.matMul(p, beta))), 1)),
    subset: (local) =>
      denseBlock(
        counts,
        Int32Array.from(local, (i) => rows[i]),
      ),
    dispose: () => tf.dispose([C, sums]),
  };
}

/** Rows `rows` (global ids) of `counts` as CSR on the device, their products by `kern`. */
export function csrBlock(counts: CsrCounts, rows: Int32Array, kern: CsrKernels): CountsBlock {
  let n = 0;
  for (const r of rows) n += counts.indptr[r + 1] - counts.indptr[r];
  const rowPtr = new Int32Array(rows.length + 1);
  const colIdx = new Int32Array(n);
  const values = new Float32Array(n);
  const sumsHost = new Float32Array(rows.length);
  for (let i = 0, at = 0; i < rows.length; i++) {
    const a = counts.indptr[rows[i]];
    const b = counts.indptr[rows[i] + 1];
    colIdx.set(counts.indices.subarray(a, b), at);
    values.set(counts.values.subarray(a, b), at);
    let s = 0;
    for (let j = a; j < b; j++) s += counts.values[j];
    sumsHost[i] = s;
    at += b - a;
    rowPtr[i + 1] = at;
  }
  const m: CsrTensors = uploadCsr({ rows: rows.length, cols: counts.cols, rowPtr, colIdx, values });
  const sums = tf.tensor2d(sumsHost, [rows.length, 1]);
  /** q = C / max(θ̃·β̃ᵀ[c], 1e-30) at the non-zeros [nnz]. */
  const q = (th: tf.Tensor2D, tildeT: tf.Tensor2D): tf.Tensor1D =>
    tf.tidy(() => tf.div(m.values, tf.maximum(kern.sddmm(m, th, tildeT), 1e-30)));
  return {
    rows: rows.length,
    sums,
    qTildeT: (th, _tilde, tildeT) => tf.tidy(() => kern.spmm(m, q(th, tildeT), tildeT)),
    addStats: (s, th, _tilde, tildeT) => tf.tidy(() => kern.addSpmmT(m, q(th, tildeT), th, s)),
    logLik: (p, _beta, betaT) => tf.tidy(() => kern.rowSums(m, tf.mul(m.values, tf.log(kern.sddmm(m, p, betaT))))),
    subset: (local) =>
      csrBlock(
        counts,
        Int32Array.from(local, (i) => rows[i]),
        kern,
      ),
    dispose: () => {
      disposeCsr(m);
      sums.dispose();
    },
  };
}
