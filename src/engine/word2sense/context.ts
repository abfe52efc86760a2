/**
 * WordCtx2Sense (Panigrahi et al. 2019, §4; the authors' Infer.py is the reference where it differs
 * from the paper's text): the senses a context selects for a word.
 *
 * ψ⁰ = the word's un-merged vector (θ_w + p_c(·|w)) ⊘ p_Z, i.e. (θ[w,z] + β[z,w]·p_Z(z)/p(w)) / p_Z(z),
 * truncated to its top 100 senses and L1-normalised (uniform over all K senses for an unknown word).
 * The context A is the bag of in-vocabulary tokens (the target included), each count weighted by
 * a/(a + p(v)) with a = 0.0012, normalised to sum 1. On ψ⁰'s support S it maximises
 *   Σ_v A_v · log (βψ)_v − λ · KL(ψ ‖ ψ⁰)
 * by multiplicative weights: ψ ← ψ ⊙ exp(η_t · g) / Σ, g = βᵀ(A ⊘ βψ) − λ(log(ψ/ψ⁰) + 1),
 * η_t = √(2 ln K / t) / L, t = 1..T (T = 15, L = 10). Context words with Σ_{z∈S} β[z,v] ≤ 1e-10 are
 * left out (their weight is not redistributed). If the weights overflow or vanish, L doubles and the
 * run restarts from ψ⁰ (up to 15 runs); if none succeeds, ψ⁰ is returned. ψ never leaves S.
 */
import { cleanTokens } from '../text/clean';
import type { Word2SenseModel } from './model';

/** Knobs of WordCtx2Sense; the defaults are the authors'. */
export interface ContextOptions {
  /** KL regulariser λ (default 1e-2). */
  lambda?: number;
  /** Senses kept in ψ⁰ (default 100). */
  topSenses?: number;
  /** Smoothing a in a/(a + p(v)) (default 0.0012). */
  smoothing?: number;
  /** MWU steps T (default 15). */
  iterations?: number;
  /** Initial Lipschitz guess L (default 10). */
  lipschitz?: number;
  /** Runs with doubling L before giving up (default 15). */
  restarts?: number;
}

/** The contextual sense weights of one word occurrence. */
export interface ContextResult {
  /** [K] contextual weights over the raw senses, sums to 1, zero outside `support`. */
  psi: Float64Array;
  /** [K] the context-free start ψ⁰. */
  psi0: Float64Array;
  /** Raw sense ids of ψ⁰'s support, by decreasing ψ⁰. */
  support: Int32Array;
  /** False when every run diverged (or no context word was usable) and ψ = ψ⁰. */
  converged: boolean;
  /** The L of the run that succeeded (or the last one tried). */
  lipschitz: number;
  /** Number of runs made (1 when the first succeeded). */
  runs: number;
  /** Distinct context words that entered the objective. */
  contextWords: number;
  /** The target word was not in the vocabulary (ψ⁰ uniform). */
  oov: boolean;
}

const DEFAULTS = { lambda: 1e-2, topSenses: 100, smoothing: 0.0012, iterations: 15, lipschitz: 10, restarts: 15 };

/**
 * ψ⁰ for vocabulary index `w` (undefined: unknown word → uniform over all K): the raw vector
 * (θ[w,z] + β[z,w]·p_Z(z)/p(w)) / p_Z(z), top `topSenses` (ties: lower id), L1-normalised. [K]
 */
export function initialSenseWeights(
  model: Word2SenseModel,
  w: number | undefined,
  topSenses = DEFAULTS.topSenses,
): Float64Array {
  const { K, V, theta, beta, pSense, pWord } = model;
  const out = new Float64Array(K);
  if (w === undefined) return out.fill(1 / K);
  const raw = new Float64Array(K);
  const pw = pWord[w];
  for (let z = 0; z < K; z++) {
    if (!(pSense[z] > 0)) continue;
    const v = theta[w * K + z] + (pw > 0 ? (beta[z * V + w] * pSense[z]) / pw : 0);
    raw[z] = v / pSense[z];
  }
  const order = Array.from({ length: K }, (_, z) => z)
    .filter((z) => raw[z] > 0)
    .sort((a, b) => raw[b] - raw[a] || a - b)
    .slice(0, Math.max(1, topSenses));
  let sum = 0;
  for (const z of order) sum += raw[z];
  if (!(sum > 0)) return out.fill(1 / K);
  for (const z of order) out[z] = raw[z] / sum;
  return out;
}

/**
 * The weighted context A: in-vocabulary tokens (already cleaned), each occurrence weighted by
 * a/(a + p(v)), normalised to sum 1. Returns vocabulary ids and weights (first-seen order).
 */
export function contextWeights(
  model: Word2SenseModel,
  index: Map<string, number>,
  tokens: readonly string[],
  smoothing = DEFAULTS.smoothing,
): { ids: Int32Array; weights: Float64Array } {
  const acc = new Map<number, number>();
  for (const t of tokens) {
    const v = index.get(t);
    if (v === undefined) continue;
    acc.set(v, (acc.get(v) ?? 0) + smoothing / (smoothing + model.pWord[v]));
  }
  let total = 0;
  for (const x of acc.values()) total += x;
  const ids = Int32Array.from(acc.keys());
  const weights = Float64Array.from(acc.values(), (x) => x / total);
  return { ids, weights };
}

/** Tokens of free text, cleaned the way the corpus was (lowercase, no accents, no edge punctuation). */
export function contextTokens(text: string): string[] {
  return cleanTokens(text);
}

/**
 * WordCtx2Sense for `word` in the cleaned `tokens` (which should include the target occurrence).
 * `index` is wordIndex(model). Pure typed-array arithmetic in float64.
 */
export function wordCtx2Sense(
  model: Word2SenseModel,
  index: Map<string, number>,
  word: string,
  tokens: readonly string[],
  options: ContextOptions = {},
): ContextResult {
  const o = { ...DEFAULTS, ...options };
  const { K, V, beta } = model;
  const w = index.get(word);
  const psi0 = initialSenseWeights(model, w, o.topSenses);
  const support = Int32Array.from(
    Array.from({ length: K }, (_, z) => z)
      .filter((z) => psi0[z] > 0)
      .sort((a, b) => psi0[b] - psi0[a] || a - b),
  );
  const S = support.length;
  const ctx = contextWeights(model, index, tokens, o.smoothing);
  // M[j][s] = β[support[s], v_j] for the usable context words.
  const rows: Float64Array[] = [];
  const A: number[] = [];
  for (let j = 0; j < ctx.ids.length; j++) {
    const v = ctx.ids[j];
    const row = new Float64Array(S);
    let mass = 0;
    for (let s = 0; s < S; s++) {
      row[s] = beta[support[s] * V + v];
      mass += row[s];
    }
    if (mass > 1e-10) {
      rows.push(row);
      A.push(ctx.weights[j]);
    }
  }
  const base = { psi0, support, contextWords: rows.length, oov: w === undefined };
  if (rows.length === 0)
    return { ...base, psi: Float64Array.from(psi0), converged: false, lipschitz: o.lipschitz, runs: 0 };

  const start = Float64Array.from(support, (z) => psi0[z]);
  const x = new Float64Array(S);
  const g = new Float64Array(S);
  const logK = Math.log(K);
  let L = o.lipschitz;
  for (let run = 1; run <= o.restarts; run++) {
    x.set(start);
    for (let t = 1; t <= o.iterations; t++) {
      g.fill(0);
      for (let j = 0; j < rows.length; j++) {
        const row = rows[j];
        let z = 0;
        for (let s = 0; s < S; s++) z += row[s] * x[s];
        const r = A[j] / z;
        for (let s = 0; s < S; s++) g[s] += row[s] * r;
      }
      const eta = Math.sqrt((2 * logK) / t) / L;
      let sum = 0;
      for (let s = 0; s < S; s++) {
        const grad = g[s] - o.lambda * (Math.log(x[s] / start[s]) + 1);
        x[s] *= Math.exp(eta * grad);
        sum += x[s];
      }
      for (let s = 0; s < S; s++) x[s] /= sum;
    }
    let total = 0;
    for (let s = 0; s < S; s++) total += x[s];
    if (Number.isFinite(total) && total !== 0) {
      if (Math.abs(1 - total) <= 0.01) {
        const psi = new Float64Array(K);
        for (let s = 0; s < S; s++) psi[support[s]] = x[s];
        return { ...base, psi, converged: true, lipschitz: L, runs: run };
      }
      // (The reference loops on with the same L here, which cannot change the outcome.)
      continue;
    }
    L *= 2;
  }
  return { ...base, psi: Float64Array.from(psi0), converged: false, lipschitz: L, runs: o.restarts };
}

/** p_D(d) = Σ_{z∈d} p_Z(z) over the merged senses. [Kmerged] */
export function mergedPrior(model: Word2SenseModel): Float64Array {
  const pD = new Float64Array(model.Kmerged);
  for (let z = 0; z < model.K; z++) pD[model.merge[z]] += model.pSense[z];
  return pD;
}

/** ψ over raw senses → merged senses, divided by p_D and L1-normalised (for similarity). [Kmerged] */
export function projectToMerged(
  model: Word2SenseModel,
  psi: ArrayLike<number>,
  pD: Float64Array = mergedPrior(model),
): Float64Array {
  const out = new Float64Array(model.Kmerged);
  for (let z = 0; z < model.K; z++) if (psi[z] > 0) out[model.merge[z]] += psi[z];
  let sum = 0;
  for (let d = 0; d < out.length; d++) {
    out[d] = pD[d] > 0 ? out[d] / pD[d] : 0;
    sum += out[d];
  }
  if (sum > 0) for (let d = 0; d < out.length; d++) out[d] /= sum;
  return out;
}

/** Raw sense with the largest weight (ties: lower id). */
export function argmaxSense(psi: ArrayLike<number>): number {
  let best = 0;
  for (let z = 1; z < psi.length; z++) if (psi[z] > psi[best]) best = z;
  return best;
}

/** The `n` most probable words of raw sense z under β[z,·] (ties: lower id). */
export function rawSenseTopWords(model: Word2SenseModel, z: number, n = 8): { word: string; p: number }[] {
  const { V, beta, vocab } = model;
  const row = beta.subarray(z * V, z * V + V);
  const top: number[] = [];
  for (let v = 0; v < V; v++) {
    if (top.length < n) {
      top.push(v);
      top.sort((a, b) => row[b] - row[a] || a - b);
    } else if (row[v] > row[top[n - 1]]) {
      top[n - 1] = v;
      top.sort((a, b) => row[b] - row[a] || a - b);
    }
  }
  return top.map((v) => ({ word: vocab[v], p: row[v] }));
}
