/**
 * Plain typed-array reference kernels, independent of tfjs, used to check what a backend computes
 * (self-check in the app, e2e tests, unit tests). Float64 accumulation so the reference is the
 * more accurate side of any comparison.
 */

/** C = A·B for row-major A [m,k] and B [k,n]; returns C [m,n]. */
export function matmulReference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  k: number,
  n: number,
): Float32Array {
  if (a.length !== m * k || b.length !== k * n)
    throw new Error(`matmulReference: sizes ${a.length}, ${b.length} do not match [${m},${k}]·[${k},${n}]`);
  const c = new Float32Array(m * n);
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      if (aip === 0) continue;
      const off = p * n;
      for (let j = 0; j < n; j++) row[j] += aip * b[off + j];
    }
    c.set(row, i * n);
  }
  return c;
}

/** Largest |x−y| over two equally long arrays (NaN anywhere gives NaN). */
export function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new Error(`maxAbsDiff: lengths differ (${x.length} vs ${y.length})`);
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i] - y[i]);
    if (Number.isNaN(d)) return NaN;
    if (d > worst) worst = d;
  }
  return worst;
}
