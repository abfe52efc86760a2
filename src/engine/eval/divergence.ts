/**
 * Divergences between discrete distributions, natural log, on dense vectors and on sparse
 * (CSR-row) vectors. Used for Word2Sense similarity (JS, lower = more similar), entailment (KL),
 * neighbours and sense merging.
 */

/** A sparse vector: sorted indices with their values. */
export interface SparseVector {
  indices: ArrayLike<number>;
  values: ArrayLike<number>;
}

/** KL(p‖q) = Σ p log(p/q), natural log; terms with p = 0 contribute 0; q is smoothed by `epsilon` where p > 0. */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>, epsilon = 0): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    if (pi > 0) s += pi * Math.log(pi / (q[i] + epsilon));
  }
  return s;
}

/** Jensen–Shannon divergence, natural log: ½KL(p‖m) + ½KL(q‖m), m = (p+q)/2. In [0, ln 2]. */
export function jsDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    const qi = q[i];
    const m = 0.5 * (pi + qi);
    if (pi > 0) s += pi * Math.log(pi / m);
    if (qi > 0) s += qi * Math.log(qi / m);
  }
  return Math.max(0, 0.5 * s);
}

/** JS divergence between two sparse vectors (indices sorted ascending); O(nnz(p) + nnz(q)). */
export function jsDivergenceSparse(p: SparseVector, q: SparseVector): number {
  // Over the union of supports: JS = ½Σ_p-only p ln 2 + ½Σ_q-only q ln 2 + ½Σ_both [p ln(p/m) + q ln(q/m)].
  let s = 0;
  let i = 0;
  let j = 0;
  const pi = p.indices;
  const qi = q.indices;
  while (i < pi.length || j < qi.length) {
    const a = i < pi.length ? pi[i] : Infinity;
    const b = j < qi.length ? qi[j] : Infinity;
    if (a === b) {
      const x = p.values[i++];
      const y = q.values[j++];
      const m = 0.5 * (x + y);
      if (x > 0) s += x * Math.log(x / m);
      if (y > 0) s += y * Math.log(y / m);
    } else if (a < b) {
      const x = p.values[i++];
      if (x > 0) s += x * Math.LN2;
    } else {
      const y = q.values[j++];
      if (y > 0) s += y * Math.LN2;
    }
  }
  return Math.max(0, 0.5 * s);
}

/**
 * JS divergence between a query held densely (`q` [n], summing to 1) and a sparse row `p` (summing
 * to 1), touching only p's support: with both normalised, the mass outside the overlap contributes
 * ln 2 per unit, so JS = ½[ln2·(2 − Σ_∩p − Σ_∩q) + Σ_∩(p ln(2p/(p+q)) + q ln(2q/(p+q)))].
 * Logs are taken only where the supports overlap — the fast path for neighbour search.
 */
export function jsDenseSparse(q: Float64Array, p: SparseVector): number {
  let overlapP = 0;
  let overlapQ = 0;
  let s = 0;
  const idx = p.indices;
  const val = p.values;
  for (let k = 0; k < idx.length; k++) {
    const qi = q[idx[k]];
    if (qi > 0) {
      const pi = val[k];
      if (pi > 0) {
        const m = pi + qi;
        s += pi * Math.log((2 * pi) / m) + qi * Math.log((2 * qi) / m);
        overlapP += pi;
      }
      overlapQ += qi;
    }
  }
  return Math.max(0, 0.5 * (Math.LN2 * (2 - overlapP - overlapQ) + s));
}
