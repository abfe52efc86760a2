/**
 * Word2Sense embeddings (paper Eq. 2 and the authors' code):
 *   p(w) = Σ_c C[w,c] / Σ C,  p_Z(z) = Σ_w p(w) θ[w,z],
 *   v̂_w[z] = θ[w,z] + β[z,w] · p_Z(z) / p(w),
 * then projection onto the merged senses (sum within each cluster), division by the merged prior
 * p_D(d) = Σ_{z∈d} p_Z(z), top-µ truncation and L1 normalisation. Out-of-vocabulary words get the
 * uniform vector (model.ts). Words with p(w) = 0 use θ alone.
 */

/** p_Z(z) = Σ_w p(w) θ[w,z] for θ [V*K]. */
export function senseMarginal(theta: Float32Array, pWord: Float32Array, V: number, K: number): Float32Array {
  const out = new Float64Array(K);
  for (let w = 0; w < V; w++) {
    const p = pWord[w];
    if (p === 0) continue;
    for (let z = 0; z < K; z++) out[z] += p * theta[w * K + z];
  }
  return Float32Array.from(out);
}

export interface EmbeddingInput {
  beta: Float32Array; // [K*V]
  theta: Float32Array; // [V*K]
  pWord: Float32Array; // [V]
  pSense: Float32Array; // [K]
  merge: Int32Array; // [K]
  V: number;
  K: number;
  Kmerged: number;
  /** Entries kept per word (µ), at most Kmerged. */
  nnz: number;
}

/** The sparse embedding matrix, CSR [V × Kmerged], rows L1-normalised, indices ascending. */
export function buildEmbedding(inp: EmbeddingInput): { indptr: Int32Array; indices: Int32Array; values: Float32Array } {
  const { beta, theta, pWord, pSense, merge, V, K, Kmerged } = inp;
  const mu = Math.max(1, Math.min(inp.nnz, Kmerged));
  const pD = new Float64Array(Kmerged);
  for (let z = 0; z < K; z++) pD[merge[z]] += pSense[z];
  const indptr = new Int32Array(V + 1);
  const indices = new Int32Array(V * mu);
  const values = new Float32Array(V * mu);
  const v = new Float64Array(Kmerged);
  const order = new Int32Array(Kmerged);
  let at = 0;
  for (let w = 0; w < V; w++) {
    v.fill(0);
    const pw = pWord[w];
    for (let z = 0; z < K; z++) {
      const hat = theta[w * K + z] + (pw > 0 ? (beta[z * V + w] * pSense[z]) / pw : 0);
      v[merge[z]] += hat;
    }
    for (let d = 0; d < Kmerged; d++) {
      v[d] = pD[d] > 0 ? v[d] / pD[d] : 0;
      order[d] = d;
    }
    // top µ by value (ties: lower id first), then ascending ids
    let top = Array.from(order)
      .sort((a, b) => v[b] - v[a] || a - b)
      .slice(0, mu)
      .filter((d) => v[d] > 0);
    let sum = 0;
    for (const d of top) sum += v[d];
    top = top.filter((d) => Math.fround(v[d] / sum) > 0).sort((a, b) => a - b); // drop float32 underflow
    for (const d of top) {
      indices[at] = d;
      values[at] = v[d] / sum;
      at++;
    }
    indptr[w + 1] = at;
  }
  return { indptr, indices: indices.slice(0, at), values: values.slice(0, at) };
}
