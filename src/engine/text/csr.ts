/**
 * Co-occurrence counts as a CSR sparse matrix: rows are words (documents for LDA), columns are
 * context words, both indexing the same vocabulary. Memory is linear in the non-zeros.
 */

/** Sparse counts [rows × cols]; `indices` sorted ascending within each row. */
export interface CsrCounts {
  rows: number;
  cols: number;
  indptr: Int32Array; // [rows+1]
  indices: Int32Array; // [nnz]
  values: Float32Array; // [nnz]
}

/** Number of stored non-zeros. */
export function nnz(m: CsrCounts): number {
  return m.indptr[m.rows];
}

/** Σ of all counts. */
export function totalCount(m: CsrCounts): number {
  let s = 0;
  for (let i = 0; i < m.values.length; i++) s += m.values[i];
  return s;
}

/** Row sums [rows] (Float64 for exactness on big corpora). */
export function rowSums(m: CsrCounts): Float64Array {
  const out = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let j = m.indptr[r]; j < m.indptr[r + 1]; j++) s += m.values[j];
    out[r] = s;
  }
  return out;
}

/** The transpose (CSC of the input seen as CSR), rows sorted. O(nnz). */
export function transpose(m: CsrCounts): CsrCounts {
  const n = nnz(m);
  const indptr = new Int32Array(m.cols + 1);
  for (let j = 0; j < n; j++) indptr[m.indices[j] + 1]++;
  for (let c = 0; c < m.cols; c++) indptr[c + 1] += indptr[c];
  const next = indptr.slice(0, m.cols);
  const indices = new Int32Array(n);
  const values = new Float32Array(n);
  for (let r = 0; r < m.rows; r++) {
    for (let j = m.indptr[r]; j < m.indptr[r + 1]; j++) {
      const c = m.indices[j];
      const at = next[c]++;
      indices[at] = r;
      values[at] = m.values[j];
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, values };
}

/** Builds CSR from unsorted (row, col, value) triples; duplicates are summed. */
export function fromTriples(
  rows: number,
  cols: number,
  r: ArrayLike<number>,
  c: ArrayLike<number>,
  v: ArrayLike<number>,
  count = r.length,
): CsrCounts {
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  const keys = new Float64Array(count);
  for (let i = 0; i < count; i++) keys[i] = r[i] * cols + c[i];
  order.sort((a, b) => keys[a] - keys[b]);
  const indptr = new Int32Array(rows + 1);
  const indices: number[] = [];
  const values: number[] = [];
  let lastKey = -1;
  for (let k = 0; k < count; k++) {
    const i = order[k];
    if (keys[i] === lastKey) {
      values[values.length - 1] += v[i];
      continue;
    }
    lastKey = keys[i];
    indices.push(c[i]);
    values.push(v[i]);
    indptr[r[i] + 1]++;
  }
  for (let i = 0; i < rows; i++) indptr[i + 1] += indptr[i];
  return { rows, cols, indptr, indices: Int32Array.from(indices), values: Float32Array.from(values) };
}
