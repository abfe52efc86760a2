/**
 * Float64 typed-array references for the CSR products of csrKernels.ts, independent of tfjs, and a
 * seeded random CSR block with the awkward rows (empty, a single non-zero) — what the unit tests (tfjs
 * ops) and the e2e (WGSL on WebGPU, through the worker's `csrProducts` job) compare against.
 */
import type { CsrHost, CsrProductInputs, CsrProducts } from './csrKernels';
import { mulberry32, uniformArray } from '../util/random';

/** The products in float64 (stored as float32). */
export function csrProductsReference(p: CsrProductInputs): CsrProducts {
  const { m, K, a, bT, q, s, x } = p;
  const nnz = m.rowPtr[m.rows];
  const sddmm = new Float32Array(nnz);
  const spmm = new Float32Array(m.rows * K);
  const addT = Float64Array.from(s);
  const rowSums = new Float32Array(m.rows);
  const acc = new Float64Array(K);
  for (let r = 0; r < m.rows; r++) {
    acc.fill(0);
    let rs = 0;
    for (let j = m.rowPtr[r]; j < m.rowPtr[r + 1]; j++) {
      const c = m.colIdx[j];
      let d = 0;
      for (let k = 0; k < K; k++) d += a[r * K + k] * bT[c * K + k];
      sddmm[j] = d;
      for (let k = 0; k < K; k++) {
        acc[k] += q[j] * bT[c * K + k];
        addT[k * m.cols + c] += q[j] * a[r * K + k];
      }
      rs += x[j];
    }
    spmm.set(acc, r * K);
    rowSums[r] = rs;
  }
  return { sddmm, spmm, addSpmmT: Float32Array.from(addT), rowSums };
}

/**
 * A seeded random CSR block of `rows` × `cols` at about `density`, counts in 1..5, with row 0 empty,
 * row 1 a single non-zero and the last row empty (rows ≥ 3), and the inputs for every product.
 */
export function randomCsrInputs(
  rows: number,
  cols: number,
  K: number,
  density: number,
  seed: number,
): CsrProductInputs {
  const rand = mulberry32(seed);
  const rowPtr = new Int32Array(rows + 1);
  const colIdx: number[] = [];
  const values: number[] = [];
  for (let r = 0; r < rows; r++) {
    const empty = r === 0 || (rows >= 3 && r === rows - 1);
    for (let c = 0; c < cols && !empty; c++) {
      const one = r === 1;
      if (one ? c === Math.floor(cols / 2) : rand() < density) {
        colIdx.push(c);
        values.push(1 + Math.floor(rand() * 5));
      }
    }
    rowPtr[r + 1] = colIdx.length;
  }
  const nnz = colIdx.length;
  const m: CsrHost = { rows, cols, rowPtr, colIdx: Int32Array.from(colIdx), values: Float32Array.from(values) };
  return {
    m,
    K,
    a: uniformArray(rows * K, seed + 1, 0, 1),
    bT: uniformArray(cols * K, seed + 2, 0, 1),
    q: uniformArray(nnz, seed + 3, 0, 2),
    s: uniformArray(K * cols, seed + 4, 0, 1),
    x: uniformArray(nnz, seed + 5, -1, 1),
  };
}

/** Largest |got − want| / (1 + |want|) over all entries. */
export function maxRelError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Infinity;
  let e = 0;
  for (let i = 0; i < want.length; i++) e = Math.max(e, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  return e;
}
