/**
 * Average-linkage (UPGMA) agglomerative clustering on cosine distance, cut into at most K flat
 * clusters — what scipy does with `fcluster(linkage(X, method='average', metric='cosine'), K,
 * criterion='maxclust')`, step for step:
 *  - distances 1 − x·y / √(x·x · y·y) in float64, as scipy (so duplicates are exactly 0; a zero
 *    vector's distances are taken as 1);
 *  - merges found by scipy's nearest-neighbour chain (same order on exact ties), heights by the
 *    Lance–Williams average update d(x∪y, i) = (|x|·d(x,i) + |y|·d(y,i)) / (|x| + |y|), then scipy's
 *    linkage matrix: rows stably sorted by height and relabelled by union–find (new cluster n + row,
 *    smaller id first);
 *  - `maxclust`: scipy's binary search over the cluster heights for the lowest cut with ≤ K
 *    clusters, then its depth-first labelling (labels 1…k in the order the tree walk meets them).
 *    As in scipy the lowest merge height is never a cut, so K ≥ n − 1 gives n − 2 clusters when
 *    n ≥ 3 — kept, to equal scipy. For n = 2 scipy's cut reads an uninitialised array element (its
 *    answer varies from run to run); here two points give 2 clusters when K ≥ 2.
 * Ties: with the same chain, exact ties resolve as in scipy (tests/fixtures/landscape/senses/
 * clusters.json has duplicated rows and a symmetric square); distances equal only up to rounding
 * (scipy's C sums in another order) could still resolve differently.
 */

/** Linkage matrix rows as scipy's Z: children ids (smaller first), height, size. */
export interface LinkageRow {
  a: number;
  b: number;
  height: number;
  size: number;
}

/** Cosine distances [n × n] row-major (float64) of n vectors of length `dim` stored row-major in `x`. */
export function cosineDistances(x: ArrayLike<number>, n: number, dim: number): Float64Array {
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += x[i * dim + k] * x[i * dim + k];
    sq[i] = s;
  }
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += x[i * dim + k] * x[j * dim + k];
      let v = 1 - s / Math.sqrt(sq[i] * sq[j]);
      if (!Number.isFinite(v)) v = 1;
      d[i * n + j] = v;
      d[j * n + i] = v;
    }
  return d;
}

/**
 * scipy's `linkage(…, method='average')` on the full distance matrix `dist` [n × n]: its
 * nearest-neighbour chain (nn_chain, the same merge order on ties), then the sort and relabelling.
 */
export function averageLinkage(dist: ArrayLike<number>, n: number): LinkageRow[] {
  const d = Float64Array.from({ length: n * n }, (_, i) => dist[i]);
  const size = new Float64Array(n).fill(1);
  const chain = new Int32Array(n);
  let len = 0;
  const raw: { x: number; y: number; h: number }[] = [];
  for (let step = 0; step < n - 1; step++) {
    if (len === 0) {
      len = 1;
      chain[0] = size.findIndex((s) => s > 0);
    }
    let x: number;
    let y = -1;
    let best: number;
    for (;;) {
      x = chain[len - 1];
      if (len > 1) {
        y = chain[len - 2];
        best = d[x * n + y];
      } else best = Infinity;
      for (let i = 0; i < n; i++) {
        if (size[i] === 0 || i === x) continue;
        if (d[x * n + i] < best) {
          best = d[x * n + i];
          y = i;
        }
      }
      if (len > 1 && y === chain[len - 2]) break;
      chain[len++] = y;
    }
    len -= 2;
    if (x > y) [x, y] = [y, x];
    const nx = size[x];
    const ny = size[y];
    raw.push({ x, y, h: best });
    size[x] = 0;
    size[y] = nx + ny;
    for (let k = 0; k < n; k++) {
      if (size[k] === 0 || k === y) continue;
      const v = (nx * d[x * n + k] + ny * d[y * n + k]) / (nx + ny);
      d[y * n + k] = v;
      d[k * n + y] = v;
    }
  }
  const order = raw.map((_, i) => i).sort((p, q) => raw[p].h - raw[q].h || p - q);
  const parent = Int32Array.from({ length: 2 * n - 1 }, (_, i) => i);
  const sizes = new Float64Array(2 * n - 1).fill(1);
  const find = (v: number): number => {
    while (parent[v] !== v) v = parent[v];
    return v;
  };
  return order.map((r, i) => {
    const xr = find(raw[r].x);
    const yr = find(raw[r].y);
    const id = n + i;
    parent[xr] = id;
    parent[yr] = id;
    sizes[id] = sizes[xr] + sizes[yr];
    return { a: Math.min(xr, yr), b: Math.max(xr, yr), height: raw[r].h, size: sizes[id] };
  });
}

/** Children of row `r` visited depth-first from the root, as scipy's cluster_monocrit walks them. */
function countClusters(Z: readonly LinkageRow[], mc: Float64Array, n: number, cut: number, limit: number): number {
  const visited = new Uint8Array(2 * n - 1);
  const stack = [2 * n - 2];
  let nc = 0;
  while (stack.length) {
    const root = stack[stack.length - 1] - n;
    const { a, b } = Z[root];
    if (mc[root] <= cut) {
      if (++nc > limit) return nc;
      stack.pop();
      visited[a] = visited[b] = 1;
      continue;
    }
    let descended = false;
    for (const c of [a, b]) {
      if (visited[c]) continue;
      visited[c] = 1;
      if (c >= n) {
        stack.push(c);
        descended = true;
        break;
      }
      if (++nc > limit) return nc;
    }
    if (!descended) stack.pop();
  }
  return nc;
}

/** scipy's `fcluster(Z, k, criterion='maxclust')`: labels 1…k' (k' ≤ k) for the n observations. */
export function fclusterMaxclust(Z: readonly LinkageRow[], n: number, k: number): Int32Array {
  if (n === 0) return new Int32Array(0);
  if (n === 1) return Int32Array.of(1);
  if (n === 2) return k >= 2 ? Int32Array.of(1, 2) : Int32Array.of(1, 1);
  // The largest height in each subtree (scipy's get_max_dist_for_each_cluster); MC[n − 1] stands for +∞.
  const mc = new Float64Array(n).fill(Infinity);
  Z.forEach((r, i) => {
    let m = r.height;
    if (r.a >= n) m = Math.max(m, mc[r.a - n]);
    if (r.b >= n) m = Math.max(m, mc[r.b - n]);
    mc[i] = m;
  });
  let lower = 0;
  let upper = n - 1;
  while (upper - lower > 1) {
    const i = (lower + upper) >> 1;
    if (countClusters(Z, mc, n, mc[i], k) > k) lower = i;
    else upper = i;
  }
  const cut = mc[upper];
  const T = new Int32Array(n);
  const visited = new Uint8Array(2 * n - 1);
  const stack = [2 * n - 2];
  let nCluster = 0;
  let leader = -1;
  while (stack.length) {
    const depth = stack.length - 1;
    const root = stack[depth] - n;
    const { a, b } = Z[root];
    if (leader === -1 && mc[root] <= cut) {
      leader = depth;
      nCluster++;
    }
    if (a >= n && !visited[a]) {
      visited[a] = 1;
      stack.push(a);
      continue;
    }
    if (b >= n && !visited[b]) {
      visited[b] = 1;
      stack.push(b);
      continue;
    }
    for (const c of [a, b])
      if (c < n) {
        if (leader === -1) nCluster++;
        T[c] = nCluster;
      }
    if (leader === depth) leader = -1;
    stack.pop();
  }
  return T;
}

/** Flat clusters (1…k') of n vectors [n × dim] by average linkage on cosine distance, cut at ≤ k clusters. */
export function clusterCosineAverage(x: ArrayLike<number>, n: number, dim: number, k: number): Int32Array {
  if (n < 2) return new Int32Array(n).fill(1);
  return fclusterMaxclust(averageLinkage(cosineDistances(x, n, dim), n), n, k);
}
