/**
 * Complete-linkage agglomerative clustering on a precomputed distance matrix (what the authors do
 * with sklearn's AgglomerativeClustering(linkage='complete', affinity='precomputed')), and the
 * Jensen–Shannon distance matrix between raw senses' word distributions (β rows) it is run on.
 */
import { jsDivergence } from '../eval/divergence';
import type { Word2SenseModel } from './model';

/**
 * Merges the n items into min(k, n) clusters, always joining the two clusters whose farthest members
 * are closest (ties: the pair with the lowest ids). `dist` is n×n row-major, symmetric.
 * Returns labels 0..k'-1, numbered by each cluster's smallest member.
 */
export function completeLinkage(dist: ArrayLike<number>, n: number, k: number): Int32Array {
  const target = Math.max(1, Math.min(k, n));
  // d[a][b] between live clusters, updated by the complete-linkage rule max(d[a][c], d[b][c]).
  const d = Float64Array.from({ length: n * n }, (_, i) => dist[i]);
  const alive = new Uint8Array(n).fill(1);
  const owner = Int32Array.from({ length: n }, (_, i) => i);
  let count = n;
  while (count > target) {
    let bestA = -1;
    let bestB = -1;
    let best = Infinity;
    for (let a = 0; a < n; a++) {
      if (!alive[a]) continue;
      for (let b = a + 1; b < n; b++) {
        if (!alive[b]) continue;
        const x = d[a * n + b];
        if (x < best) {
          best = x;
          bestA = a;
          bestB = b;
        }
      }
    }
    if (bestA < 0) {
      // Only NaN distances remain: merge the first two live clusters.
      const live = [...alive.keys()].filter((i) => alive[i]);
      bestA = live[0];
      bestB = live[1];
    }
    for (let c = 0; c < n; c++) {
      if (!alive[c] || c === bestA || c === bestB) continue;
      const x = Math.max(d[bestA * n + c], d[bestB * n + c]);
      d[bestA * n + c] = x;
      d[c * n + bestA] = x;
    }
    alive[bestB] = 0;
    for (let i = 0; i < n; i++) if (owner[i] === bestB) owner[i] = bestA;
    count--;
  }
  const labels = new Int32Array(n);
  const ids = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    let id = ids.get(owner[i]);
    if (id === undefined) ids.set(owner[i], (id = ids.size));
    labels[i] = id;
  }
  return labels;
}

/**
 * JS divergence (natural log) between the word distributions β[z,·] of the given raw senses. [m×m]
 * `cache` (keyed z₁·K + z₂, z₁ < z₂) lets many targets share the O(V) divergences.
 */
export function senseDistanceMatrix(
  model: Word2SenseModel,
  senses: readonly number[],
  cache?: Map<number, number>,
): Float64Array {
  const m = senses.length;
  const { V, beta } = model;
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = i + 1; j < m; j++) {
      const lo = Math.min(senses[i], senses[j]);
      const hi = Math.max(senses[i], senses[j]);
      let x = cache?.get(lo * model.K + hi);
      if (x === undefined) {
        x = jsDivergence(beta.subarray(lo * V, lo * V + V), beta.subarray(hi * V, hi * V + V));
        cache?.set(lo * model.K + hi, x);
      }
      out[i * m + j] = x;
      out[j * m + i] = x;
    }
  return out;
}
