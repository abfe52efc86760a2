/**
 * Initial sense–word parameters λ₀ for LDA, seeded from "anchor" documents.
 *
 * Every document's normalised row P_d = C[d,·]/n_d lies (up to sampling noise) in the convex hull
 * of the K sense distributions β_k, and the hull's extreme points are the documents that are closest
 * to one pure sense. The successive projection algorithm (SPA; Araújo et al. 2001, Gillis & Vavasis
 * 2014 — the greedy step of Arora et al.'s anchor-word topic recovery) finds them: take the row with
 * the largest residual norm, project every row onto the orthogonal complement of it, repeat K times.
 * λ₀ row k is then the usual Gamma(100, 1/100) draw plus V × P_anchor(k), i.e. half of its mass on
 * the anchor's distribution. Measured (docs/word2sense.md): from this start batch VB reaches
 * sklearn's 20-iteration perplexity on the bench's planted matrix at iteration 6 (0.12 of sklearn's
 * time), where random starts settled 0.8 % above it for good; on brown (K=50) the perplexity after
 * 8 iterations is 9 % lower than from the random start. The start separates the senses that random
 * starts merge in their first iterations.
 *
 * Noise: a row with few tokens is far from the others through sampling noise alone — for n
 * multinomial draws E‖P̂‖² = ‖p‖² + (1 − ‖p‖²)/n — so each row's squared residual is reduced by
 * its noise term (1 − ‖P̂‖²)/(n − 1) (the unbiased estimate of ‖p‖² is ‖P̂‖² minus it). That
 * estimate is itself too noisy for rows of a handful of tokens (two tokens in one cell score 1), so
 * only rows with at least half the median token count are candidates. Measured on the bench's
 * planted matrix with an independent numpy prototype (`bench/w2s/anchor_rules.py RULE 3 16`:
 * incremental VB, 16 groups): 1585.9 after 3 passes with the correction, 1599.6 without, 1601.1
 * with candidates restricted to at least the median count instead.
 *
 * Cost: K sparse passes over the non-zeros (K·nnz multiply-adds) and K dense V-vectors; rows are
 * never densified, so it scales like one E-step round.
 */
import { rowSums, type CsrCounts } from '../text/csr';
import { gammaSamples } from './special';

/**
 * The K anchor rows of `counts` by SPA over the row-normalised counts (fewer when the rows span
 * fewer than K directions). Deterministic: ties go to the lower row index. `between` is awaited
 * after each anchor (cancellation and progress: the search is K passes over the non-zeros).
 * @returns row indices, in the order found.
 */
export async function anchorRows(counts: CsrCounts, K: number, between?: () => Promise<void>): Promise<Int32Array> {
  const { rows: D, cols: V, indptr, indices, values } = counts;
  const n = rowSums(counts);
  const sizes = Array.from(n)
    .filter((x) => x > 0)
    .sort((a, b) => a - b);
  const floor = Math.max(2, sizes.length ? sizes[Math.floor((sizes.length - 1) / 2)] / 2 : 0);
  let candidates: number[] = [];
  for (let d = 0; d < D; d++) if (n[d] >= floor) candidates.push(d);
  if (candidates.length < K) candidates = Array.from({ length: D }, (_, d) => d).filter((d) => n[d] >= 2);
  /** P_d · u for a dense u [V]. */
  const dot = (d: number, u: Float64Array): number => {
    let s = 0;
    for (let j = indptr[d]; j < indptr[d + 1]; j++) s += values[j] * u[indices[j]];
    return s / n[d];
  };
  const resid = new Float64Array(D); // ‖P_d‖² − noise term − its projections on the directions chosen so far
  for (const d of candidates) {
    let s = 0;
    for (let j = indptr[d]; j < indptr[d + 1]; j++) s += values[j] * values[j];
    const sq = s / (n[d] * n[d]);
    resid[d] = sq - (1 - sq) / (n[d] - 1);
  }
  let start = 0;
  for (const d of candidates) start = Math.max(start, resid[d]);
  const chosen = new Uint8Array(D);
  const dirs: Float64Array[] = [];
  const out: number[] = [];
  for (let k = 0; k < K; k++) {
    let best = -1;
    for (const d of candidates) if (!chosen[d] && (best < 0 || resid[d] > resid[best])) best = d;
    if (best < 0 || !(resid[best] > 1e-9 * start)) break;
    // u = P_best minus its projections on the chosen directions (Gram–Schmidt twice, for stability)
    const u = new Float64Array(V);
    for (let j = indptr[best]; j < indptr[best + 1]; j++) u[indices[j]] += values[j] / n[best];
    for (let pass = 0; pass < 2; pass++) {
      for (const e of dirs) {
        let s = 0;
        for (let c = 0; c < V; c++) s += u[c] * e[c];
        for (let c = 0; c < V; c++) u[c] -= s * e[c];
      }
    }
    let norm = 0;
    for (let c = 0; c < V; c++) norm += u[c] * u[c];
    norm = Math.sqrt(norm);
    if (!(norm > 0)) break;
    for (let c = 0; c < V; c++) u[c] /= norm;
    chosen[best] = 1;
    dirs.push(u);
    out.push(best);
    for (const d of candidates) if (!chosen[d]) resid[d] -= dot(d, u) ** 2;
    await between?.();
  }
  return Int32Array.from(out);
}

/** How λ₀ is drawn: see `LdaOptions.init`. */
export type LdaInit = 'anchors' | 'random' | 'rows';

/**
 * λ₀ [K*V] row-major: Gamma(100, 1/100) draws (as sklearn), plus, for 'anchors', V × the
 * normalised row of each SPA anchor, and for 'rows', the raw counts of K seeded-random rows.
 */
export async function initialLambda(
  counts: CsrCounts,
  K: number,
  seed: number,
  init: LdaInit,
  randomRows: () => Int32Array,
  between?: () => Promise<void>,
): Promise<Float32Array> {
  const V = counts.cols;
  const lam0 = gammaSamples(K * V, 100, 0.01, seed >>> 0);
  if (init === 'random') return lam0;
  const picked = init === 'anchors' ? await anchorRows(counts, K, between) : randomRows();
  for (let k = 0; k < K && k < picked.length; k++) {
    const r = picked[k];
    let n = 0;
    for (let j = counts.indptr[r]; j < counts.indptr[r + 1]; j++) n += counts.values[j];
    const scale = init === 'anchors' ? V / n : 1;
    for (let j = counts.indptr[r]; j < counts.indptr[r + 1]; j++)
      lam0[k * V + counts.indices[j]] += scale * counts.values[j];
  }
  return lam0;
}
