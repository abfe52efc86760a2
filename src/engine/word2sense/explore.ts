/**
 * Queries behind the sense explorer, on a loaded Word2Sense model: merged-sense word distributions
 * (computed lazily per sense, so a 3000-sense × 50k-word model never materialises K'×V), LDAvis
 * relevance ranking, a word's active senses, the words that use a sense most, prefix search over the
 * vocabulary, and a 2-D map of all senses by classical MDS on √JS distances.
 */
import { CancelToken, Checkpointer } from '../util/cancel';
import { jsDivergenceSparse } from '../eval/divergence';
import { neighboursOf } from '../eval/similarity';
import { mergedPrior } from './context';
import { embeddingRow, type Word2SenseModel } from './model';
import { InputError } from '../util/errors';

/** A word of a sense with its probability in the sense and its LDAvis relevance. */
export interface SenseWord {
  word: string;
  index: number;
  /** β_D(w | d). */
  p: number;
  /** λ·log β + (1 − λ)·log(β / p(w)). */
  relevance: number;
}

/** Sense-level facts that do not depend on the query. */
export class SenseExplorer {
  /** p_D(d) = Σ_{z ∈ d} p_Z(z). [K'] */
  readonly pMerged: Float64Array;
  /** Raw senses of each merged sense. */
  readonly members: number[][];
  private readonly cache = new Map<number, Float64Array>();
  private sortedVocab: Int32Array | null = null;

  constructor(readonly model: Word2SenseModel) {
    this.pMerged = mergedPrior(model);
    this.members = Array.from({ length: model.Kmerged }, () => []);
    for (let z = 0; z < model.K; z++) this.members[model.merge[z]].push(z);
  }

  /** β_D(·|d) = Σ_{z∈d} p_Z(z) β[z,·] / p_D(d), a [V] distribution (cached for the most recent senses). */
  distribution(d: number): Float64Array {
    this.checkSense(d);
    const hit = this.cache.get(d);
    if (hit) return hit;
    const { V, beta, pSense } = this.model;
    const out = new Float64Array(V);
    const total = this.pMerged[d];
    for (const z of this.members[d]) {
      const weight = total > 0 ? pSense[z] / total : 1 / this.members[d].length;
      const row = z * V;
      for (let w = 0; w < V; w++) out[w] += weight * beta[row + w];
    }
    if (this.cache.size > 256) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(d, out);
    return out;
  }

  /** The `n` most relevant words of merged sense d for λ ∈ [0,1] (λ = 1: by probability). */
  topWords(d: number, n = 30, lambda = 1): SenseWord[] {
    const dist = this.distribution(d);
    const pw = this.model.pWord;
    const scored: SenseWord[] = [];
    // Candidates: the 20n most probable words (relevance only reorders the head of the distribution).
    const pool = topIndices(dist, Math.min(this.model.V, Math.max(n, 20 * n)));
    for (const w of pool) {
      const p = dist[w];
      if (!(p > 0)) continue;
      const relevance = lambda * Math.log(p) + (1 - lambda) * Math.log(p / Math.max(pw[w], 1e-30));
      scored.push({ word: this.model.vocab[w], index: w, p, relevance });
    }
    scored.sort((a, b) => b.relevance - a.relevance || a.index - b.index);
    return scored.slice(0, n);
  }

  /** A word's active merged senses, heaviest first: [{sense, weight}]. */
  wordSenses(w: number): { sense: number; weight: number }[] {
    const row = embeddingRow(this.model, w);
    const out = Array.from(row.indices, (sense, k) => ({ sense, weight: row.values[k] }));
    return out.sort((a, b) => b.weight - a.weight || a.sense - b.sense);
  }

  /** The `n` words whose embeddings put the most weight on sense d. O(nnz). */
  wordsUsing(d: number, n = 20): { word: string; index: number; weight: number }[] {
    this.checkSense(d);
    const { indptr, indices, values } = this.model.embedding;
    const hits: { index: number; weight: number }[] = [];
    for (let w = 0; w < this.model.V; w++) {
      for (let k = indptr[w]; k < indptr[w + 1]; k++) if (indices[k] === d) hits.push({ index: w, weight: values[k] });
    }
    hits.sort((a, b) => b.weight - a.weight || a.index - b.index);
    return hits.slice(0, n).map((h) => ({ word: this.model.vocab[h.index], ...h }));
  }

  /** The `top` nearest words to word w by JS divergence over the whole vocabulary. */
  neighbours(w: number, top = 15, cancel = CancelToken.none()): Promise<{ word: string; js: number }[]> {
    return neighboursOf(this.model, w, top, 4096, cancel);
  }

  /** Up to `n` vocabulary words starting with `prefix` (case-insensitive), most frequent first. */
  search(prefix: string, n = 12): string[] {
    const q = prefix.trim().toLowerCase();
    if (!q) return [];
    const sorted =
      this.sortedVocab ??
      (this.sortedVocab = Int32Array.from(this.model.vocab.keys()).sort((a, b) =>
        this.model.vocab[a] < this.model.vocab[b] ? -1 : this.model.vocab[a] > this.model.vocab[b] ? 1 : 0,
      ));
    const vocab = this.model.vocab;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (vocab[sorted[mid]] < q) lo = mid + 1;
      else hi = mid;
    }
    const hits: number[] = [];
    for (let k = lo; k < sorted.length && vocab[sorted[k]].startsWith(q) && hits.length < 2000; k++)
      hits.push(sorted[k]);
    hits.sort((a, b) => this.model.wordCounts[b] - this.model.wordCounts[a] || a - b);
    return hits.slice(0, n).map((i) => vocab[i]);
  }

  /**
   * A 2-D map of all merged senses: classical MDS on √JS between their word distributions, each
   * truncated to its `support` most probable words and renormalised (exact when support ≥ V; 300 by
   * default, 100 above 1000 senses so a 3000-sense model maps in seconds, not minutes).
   * Returns coordinates [K'×2] and the stress-free fraction of variance the two axes explain.
   */
  async senseMap(
    support = this.model.Kmerged > 1000 ? 100 : 300,
    cancel = CancelToken.none(),
  ): Promise<{ x: Float64Array; y: Float64Array; explained: number }> {
    const K = this.model.Kmerged;
    const cp = new Checkpointer(cancel);
    const sparse = [];
    for (let d = 0; d < K; d++) {
      const dist = this.distribution(d);
      const idx = topIndices(dist, Math.min(support, this.model.V)).sort((a, b) => a - b);
      let s = 0;
      for (const w of idx) s += dist[w];
      sparse.push({ indices: Int32Array.from(idx), values: Float64Array.from(idx, (w) => dist[w] / (s || 1)) });
      await cp.check();
    }
    const d2 = new Float64Array(K * K);
    for (let a = 0; a < K; a++) {
      for (let b = a + 1; b < K; b++) {
        const js = jsDivergenceSparse(sparse[a], sparse[b]);
        d2[a * K + b] = d2[b * K + a] = js; // (√JS)² = JS
      }
      await cp.check();
    }
    return classicalMds(d2, K);
  }

  /**
   * Word-intrusion questions as in the paper (§5, after Chang et al. 2009): the 4 most probable words
   * of a sense plus one intruder drawn from the bottom half of that sense *and* the top 10% of another
   * sense, shuffled. Seeded; senses are drawn without replacement.
   */
  intrusionQuestions(
    count: number,
    seed: number,
  ): { sense: number; label: string; words: string[]; intruder: string }[] {
    const K = this.model.Kmerged;
    const V = this.model.V;
    if (K < 2 || V < 10) throw new InputError('word intrusion needs at least 2 senses and 10 words');
    let state = seed >>> 0 || 1;
    const rand = () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 4294967296;
    };
    const rankOf = (d: number) => {
      const order = topIndices(this.distribution(d), V);
      const rank = new Int32Array(V);
      order.forEach((w, r) => (rank[w] = r));
      return { order, rank };
    };
    const senses = Array.from({ length: K }, (_, d) => d);
    for (let i = K - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [senses[i], senses[j]] = [senses[j], senses[i]];
    }
    const out: { sense: number; label: string; words: string[]; intruder: string }[] = [];
    for (const d of senses) {
      if (out.length >= count) break;
      const own = rankOf(d);
      const top4 = own.order.slice(0, 4);
      // Another sense whose top 10% reaches into this sense's bottom half (try them in random order).
      let candidates: number[] = [];
      const start = Math.floor(rand() * (K - 1));
      for (let k = 0; k < K - 1 && candidates.length === 0; k++) {
        const other = (d + 1 + ((start + k) % (K - 1))) % K;
        const theirs = rankOf(other).order.slice(0, Math.max(1, Math.floor(0.1 * V)));
        candidates = theirs.filter((w) => own.rank[w] >= V / 2);
      }
      if (candidates.length === 0) continue;
      const intruder = candidates[Math.floor(rand() * Math.min(candidates.length, 10))];
      const words = [...top4, intruder].map((w) => this.model.vocab[w]);
      for (let i = words.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [words[i], words[j]] = [words[j], words[i]];
      }
      out.push({ sense: d, label: `#${d} ${this.model.vocab[top4[0]]}`, words, intruder: this.model.vocab[intruder] });
    }
    return out;
  }

  private checkSense(d: number): void {
    if (!Number.isInteger(d) || d < 0 || d >= this.model.Kmerged)
      throw new InputError(
        `sense ${d} does not exist (the model has ${this.model.Kmerged} merged senses, 0–${this.model.Kmerged - 1})`,
      );
  }
}

/**
 * Indices of the `n` largest entries of `v`, largest first (ties by index). O(len·log n) with a
 * bounded min-heap, so picking 800 words out of 50,000 does not sort the vocabulary.
 */
export function topIndices(v: ArrayLike<number>, n: number): number[] {
  const len = v.length;
  const m = Math.min(n, len);
  if (m <= 0) return [];
  // Min-heap of indices by (value, −index): the root is the current worst of the kept ones.
  const heap = new Int32Array(m);
  let size = 0;
  const worse = (a: number, b: number) => v[a] < v[b] || (v[a] === v[b] && a > b);
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let w = i;
      if (l < size && worse(heap[l], heap[w])) w = l;
      if (r < size && worse(heap[r], heap[w])) w = r;
      if (w === i) return;
      [heap[i], heap[w]] = [heap[w], heap[i]];
      i = w;
    }
  };
  for (let i = 0; i < len; i++) {
    if (size < m) {
      heap[size] = i;
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!worse(heap[c], heap[p])) break;
        [heap[c], heap[p]] = [heap[p], heap[c]];
        c = p;
      }
    } else if (worse(heap[0], i)) {
      heap[0] = i;
      down(0);
    }
  }
  return Array.from(heap.subarray(0, size)).sort((a, b) => v[b] - v[a] || a - b);
}

/**
 * Classical (Torgerson) MDS to 2-D of squared distances `d2` [n×n]: B = −½·J·D²·J, the top two
 * eigenpairs by power iteration with deflation, coordinates = eigenvector·√eigenvalue.
 */
export function classicalMds(d2: Float64Array, n: number): { x: Float64Array; y: Float64Array; explained: number } {
  const rowMean = new Float64Array(n);
  let all = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += d2[i * n + j];
    rowMean[i] = s / n;
    all += s;
  }
  all /= n * n;
  const b = new Float64Array(n * n);
  let trace = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) b[i * n + j] = -0.5 * (d2[i * n + j] - rowMean[i] - rowMean[j] + all);
    trace += Math.max(0, b[i * n + i]);
  }
  const coords: Float64Array[] = [];
  let explained = 0;
  for (let c = 0; c < 2; c++) {
    let v = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + c * 78.233) + 1e-3);
    let lambda = 0;
    for (let it = 0; it < 300; it++) {
      const w = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += b[i * n + j] * v[j];
        w[i] = s;
      }
      const norm = Math.hypot(...w) || 1;
      const next = w.map((x) => x / norm);
      const change = Math.hypot(...next.map((x, i) => x - v[i]));
      v = next;
      lambda = norm;
      if (change < 1e-10) break;
    }
    // Rayleigh quotient (sign-safe eigenvalue), then deflate.
    let num = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += b[i * n + j] * v[j];
      num += v[i] * s;
    }
    lambda = Math.max(0, num);
    explained += trace > 0 ? lambda / trace : 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i * n + j] -= lambda * v[i] * v[j];
    coords.push(v.map((x) => x * Math.sqrt(lambda)));
  }
  return { x: coords[0], y: coords[1], explained };
}
