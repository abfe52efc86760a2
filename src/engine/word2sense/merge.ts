/**
 * Sense merging (Word2Sense, authors' code): average-linkage agglomerative clustering of the K
 * sense–word distributions β[z,·] with √JS (natural log) as the distance, down to K' clusters.
 * O(K²V) for the distances (K = 300, V = 50k: a few seconds) and O(K³) for the linkage.
 */
import { Checkpointer, CancelToken } from '../util/cancel';

/** √JS distance matrix [K*K] between the rows of `beta` [K*V] (rows are distributions). */
export async function sqrtJsDistances(
  beta: Float32Array,
  K: number,
  V: number,
  cancel = CancelToken.none(),
): Promise<Float64Array> {
  const cp = new Checkpointer(cancel);
  const plogp = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let c = k * V, e = c + V; c < e; c++) if (beta[c] > 0) s += beta[c] * Math.log(beta[c]);
    plogp[k] = s;
  }
  const d = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    for (let j = i + 1; j < K; j++) {
      // JS = ½Σp ln p + ½Σq ln q − Σ m ln m
      let s = 0;
      const a = i * V;
      const b = j * V;
      for (let c = 0; c < V; c++) {
        const m = 0.5 * (beta[a + c] + beta[b + c]);
        if (m > 0) s += m * Math.log(m);
      }
      const js = Math.max(0, 0.5 * plogp[i] + 0.5 * plogp[j] - s);
      d[i * K + j] = d[j * K + i] = Math.sqrt(js);
    }
    await cp.check();
  }
  return d;
}

/**
 * Average-linkage clustering of K items with distances `dist` [K*K] down to `target` clusters.
 * Returns the cluster id of each item; ids are numbered by each cluster's smallest member, so the
 * result is stable. Ties merge the lowest pair first.
 */
export function averageLinkage(dist: Float64Array, K: number, target: number): Int32Array {
  const d = Float64Array.from(dist);
  const size = new Float64Array(K).fill(1);
  const active = new Uint8Array(K).fill(1);
  const owner = Int32Array.from({ length: K }, (_, i) => i);
  let clusters = K;
  while (clusters > Math.max(1, target)) {
    let bi = -1;
    let bj = -1;
    let bd = Infinity;
    for (let i = 0; i < K; i++) {
      if (!active[i]) continue;
      for (let j = i + 1; j < K; j++) {
        if (active[j] && d[i * K + j] < bd) {
          bd = d[i * K + j];
          bi = i;
          bj = j;
        }
      }
    }
    // merge bj into bi (Lance–Williams update for average linkage)
    for (let k = 0; k < K; k++) {
      if (!active[k] || k === bi || k === bj) continue;
      const v = (size[bi] * d[bi * K + k] + size[bj] * d[bj * K + k]) / (size[bi] + size[bj]);
      d[bi * K + k] = d[k * K + bi] = v;
    }
    size[bi] += size[bj];
    active[bj] = 0;
    for (let k = 0; k < K; k++) if (owner[k] === bj) owner[k] = bi;
    clusters--;
  }
  const ids = new Map<number, number>();
  const out = new Int32Array(K);
  for (let k = 0; k < K; k++) {
    if (!ids.has(owner[k])) ids.set(owner[k], ids.size);
    out[k] = ids.get(owner[k])!;
  }
  return out;
}
