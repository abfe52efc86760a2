/**
 * The four sparse products of an LDA E-step round on a block of CSR rows kept on the tfjs device, for
 * the block-synchronous engine (lda.ts with CSR blocks, ldaBlocks.ts): SDDMM (the model's X = θ̃β̃ at
 * the non-zeros only), SpMM (Q β̃ᵀ), the transposed SpMM that adds θ̃ᵀQ to the statistics, and per-row
 * sums. Two implementations with the same semantics: WGSL compute shaders on WebGPU (csrKernelsWgsl.ts)
 * and plain tfjs ops (gathers + scatter-adds, below) everywhere else — the latter is the reference the
 * WGSL kernels are tested against (e2e) and the path the unit tests run in Node. The tfjs-ops path
 * materialises [nnz, K] intermediates, so it is for tests and small blocks; the WGSL kernels need only
 * their inputs and outputs.
 */
import * as tf from '@tensorflow/tfjs-core';

/** A block of CSR rows on the tfjs device, with its column-major (CSC) order for the transposed product. */
export interface CsrTensors {
  rows: number;
  cols: number;
  nnz: number;
  /** Row pointers [rows + 1] (int32): row r's non-zeros are [rowPtr[r], rowPtr[r+1]). */
  rowPtr: tf.Tensor1D;
  /** Row of each non-zero [nnz] (int32). */
  rowOf: tf.Tensor1D;
  /** Column of each non-zero [nnz] (int32). */
  colIdx: tf.Tensor1D;
  /** Counts [nnz] (float32). */
  values: tf.Tensor1D;
  /** Column pointers [cols + 1] (int32) into colPerm. */
  colPtr: tf.Tensor1D;
  /** The non-zeros in column order [nnz] (int32 indices into the CSR order; by row within a column). */
  colPerm: tf.Tensor1D;
}

/** The products; every output is a new tensor (the caller owns it). Shapes in the TSDoc of each. */
export interface CsrKernels {
  /** 'wgsl' or 'tfjs-ops'. */
  readonly kind: string;
  /** out_j = a[rowOf_j] · bT[colIdx_j] for every non-zero: a [rows, K], bT [cols, K] → [nnz]. */
  sddmm(m: CsrTensors, a: tf.Tensor2D, bT: tf.Tensor2D): tf.Tensor1D;
  /** out[r] = Σ_{j ∈ row r} q_j bT[colIdx_j]: q [nnz], bT [cols, K] → [rows, K]. */
  spmm(m: CsrTensors, q: tf.Tensor1D, bT: tf.Tensor2D): tf.Tensor2D;
  /** out[k, c] = s[k, c] + Σ_{j ∈ column c} q_j a[rowOf_j, k]: q [nnz], a [rows, K], s [K, cols] → [K, cols]. */
  addSpmmT(m: CsrTensors, q: tf.Tensor1D, a: tf.Tensor2D, s: tf.Tensor2D): tf.Tensor2D;
  /** out[r] = Σ_{j ∈ row r} x_j: x [nnz] → [rows]. */
  rowSums(m: CsrTensors, x: tf.Tensor1D): tf.Tensor1D;
}

/** Sums of `updates` rows into `n` slots by `ids` ([nnz] int32): tf.scatterND adds duplicates. */
function scatterSum(ids: tf.Tensor1D, updates: tf.Tensor, n: number): tf.Tensor {
  return tf.scatterND(tf.expandDims(ids, 1), updates, [n, ...updates.shape.slice(1)]);
}

/** The products as tfjs ops (gathers and scatter-adds, sequential on the CPU backends; [nnz, K] intermediates). */
export const tfjsCsrKernels: CsrKernels = {
  kind: 'tfjs-ops',
  sddmm: (m, a, bT) => tf.tidy(() => tf.sum(tf.mul(tf.gather(a, m.rowOf), tf.gather(bT, m.colIdx)), 1)),
  spmm: (m, q, bT) =>
    tf.tidy(() => scatterSum(m.rowOf, tf.mul(tf.gather(bT, m.colIdx), tf.expandDims(q, 1)), m.rows) as tf.Tensor2D),
  addSpmmT: (m, q, a, s) =>
    tf.tidy(() =>
      tf.add(s, tf.transpose(scatterSum(m.colIdx, tf.mul(tf.gather(a, m.rowOf), tf.expandDims(q, 1)), m.cols))),
    ),
  rowSums: (m, x) => tf.tidy(() => scatterSum(m.rowOf, x, m.rows) as tf.Tensor1D),
};

/** Host arrays of a CSR block (the source of {@link CsrTensors}). */
export interface CsrHost {
  rows: number;
  cols: number;
  rowPtr: Int32Array;
  colIdx: Int32Array;
  values: Float32Array;
}

/** Uploads a CSR block and derives its row ids and column order (a counting sort by column). */
export function uploadCsr(h: CsrHost): CsrTensors {
  const nnz = h.rowPtr[h.rows];
  const rowOf = new Int32Array(nnz);
  for (let r = 0; r < h.rows; r++) rowOf.fill(r, h.rowPtr[r], h.rowPtr[r + 1]);
  const colPtr = new Int32Array(h.cols + 1);
  for (let j = 0; j < nnz; j++) colPtr[h.colIdx[j] + 1]++;
  for (let c = 0; c < h.cols; c++) colPtr[c + 1] += colPtr[c];
  const fill = colPtr.slice(0, h.cols);
  const colPerm = new Int32Array(nnz);
  for (let j = 0; j < nnz; j++) colPerm[fill[h.colIdx[j]]++] = j;
  return {
    rows: h.rows,
    cols: h.cols,
    nnz,
    rowPtr: tf.tensor1d(h.rowPtr, 'int32'),
    rowOf: tf.tensor1d(rowOf, 'int32'),
    colIdx: tf.tensor1d(h.colIdx.subarray(0, nnz), 'int32'),
    values: tf.tensor1d(h.values.subarray(0, nnz), 'float32'),
    colPtr: tf.tensor1d(colPtr, 'int32'),
    colPerm: tf.tensor1d(colPerm, 'int32'),
  };
}

/** Disposes a block's tensors. */
export function disposeCsr(m: CsrTensors): void {
  tf.dispose([m.rowPtr, m.rowOf, m.colIdx, m.values, m.colPtr, m.colPerm]);
}

/** The four products' inputs: a [rows, K], bT [cols, K], q [nnz], s [K, cols], x [nnz] (row-major). */
export interface CsrProductInputs {
  m: CsrHost;
  K: number;
  a: Float32Array;
  bT: Float32Array;
  q: Float32Array;
  s: Float32Array;
  x: Float32Array;
}

/** The products: sddmm [nnz], spmm [rows, K], addSpmmT [K, cols], rowSums [rows]. */
export interface CsrProducts {
  sddmm: Float32Array;
  spmm: Float32Array;
  addSpmmT: Float32Array;
  rowSums: Float32Array;
}

/** Runs the four products on host inputs with `kern` and reads them back (checks, the worker's `csrProducts` job). */
export async function runCsrProducts(kern: CsrKernels, p: CsrProductInputs): Promise<CsrProducts> {
  const m = uploadCsr(p.m);
  const { K } = p;
  const t = tf.tidy(() => {
    const a = tf.tensor2d(p.a, [m.rows, K]);
    const bT = tf.tensor2d(p.bT, [m.cols, K]);
    const q = tf.tensor1d(p.q);
    return [
      kern.sddmm(m, a, bT),
      kern.spmm(m, q, bT),
      kern.addSpmmT(m, q, a, tf.tensor2d(p.s, [K, m.cols])),
      kern.rowSums(m, tf.tensor1d(p.x)),
    ];
  });
  try {
    const [sddmm, spmm, addSpmmT, rowSums] = (await Promise.all(t.map((x) => x.data()))) as Float32Array[];
    return { sddmm, spmm, addSpmmT, rowSums };
  } finally {
    tf.dispose(t);
    disposeCsr(m);
  }
}
