/**
 * From fitted LDA factors to a complete {@link Word2SenseModel}: p(w) from the counts, p_Z, sense
 * merging (√JS average linkage) and the Eq. 2 embedding.
 */
import type { CsrCounts } from '../text/csr';
import { rowSums } from '../text/csr';
import { CancelToken } from '../util/cancel';
import { buildEmbedding, senseMarginal } from './embedding';
import { averageLinkage, sqrtJsDistances } from './merge';
import type { Word2SenseModel } from './model';

export interface BuildInput {
  vocab: string[];
  wordCounts: number[];
  counts: CsrCounts;
  beta: Float32Array; // [K*V]
  theta: Float32Array; // [V*K]
  K: number;
  /** K' (default round(0.75 K)). */
  Kmerged?: number;
  /** µ (default 75, at most K'). */
  nnz?: number;
  hyperparameters: Record<string, unknown>;
  cancel?: CancelToken;
}

/** p(w) = Σ_c C[w,c] / Σ C. */
export function wordMarginal(counts: CsrCounts): Float32Array {
  const rs = rowSums(counts);
  let total = 0;
  for (const r of rs) total += r;
  return Float32Array.from(rs, (r) => r / total);
}

/** Merge map only (for callers that already have distances or want a different K'). */
export async function mergeSenses(
  beta: Float32Array,
  K: number,
  V: number,
  Kmerged: number,
  cancel?: CancelToken,
): Promise<Int32Array> {
  if (Kmerged >= K) return Int32Array.from({ length: K }, (_, i) => i);
  return averageLinkage(await sqrtJsDistances(beta, K, V, cancel), K, Kmerged);
}

/** Builds the model (synchronous maths apart from the cancellable distance pass). */
export async function buildModelAsync(inp: BuildInput): Promise<Word2SenseModel> {
  const V = inp.vocab.length;
  const K = inp.K;
  const Kmerged = Math.max(1, Math.min(K, inp.Kmerged ?? Math.round(0.75 * K)));
  const merge = await mergeSenses(inp.beta, K, V, Kmerged, inp.cancel);
  return assemble(inp, merge, Kmerged);
}

/** Synchronous variant (small models, tests, benches). */
export function buildModel(inp: BuildInput): Word2SenseModel {
  const V = inp.vocab.length;
  const K = inp.K;
  const Kmerged = Math.max(1, Math.min(K, inp.Kmerged ?? Math.round(0.75 * K)));
  let merge: Int32Array;
  if (Kmerged >= K) merge = Int32Array.from({ length: K }, (_, i) => i);
  else {
    const d = new Float64Array(K * K);
    for (let i = 0; i < K; i++)
      for (let j = i + 1; j < K; j++) d[i * K + j] = d[j * K + i] = Math.sqrt(jsRows(inp.beta, i, j, V));
    merge = averageLinkage(d, K, Kmerged);
  }
  return assemble(inp, merge, Kmerged);
}

function jsRows(beta: Float32Array, i: number, j: number, V: number): number {
  let s = 0;
  for (let c = 0; c < V; c++) {
    const p = beta[i * V + c];
    const q = beta[j * V + c];
    const m = 0.5 * (p + q);
    if (p > 0) s += p * Math.log(p / m);
    if (q > 0) s += q * Math.log(q / m);
  }
  return Math.max(0, 0.5 * s);
}

function assemble(inp: BuildInput, merge: Int32Array, Kmerged: number): Word2SenseModel {
  const V = inp.vocab.length;
  const K = inp.K;
  const pWord = wordMarginal(inp.counts);
  const pSense = senseMarginal(inp.theta, pWord, V, K);
  const nnz = Math.min(inp.nnz ?? 75, Kmerged);
  const embedding = buildEmbedding({ beta: inp.beta, theta: inp.theta, pWord, pSense, merge, V, K, Kmerged, nnz });
  return {
    vocab: inp.vocab,
    wordCounts: inp.wordCounts,
    V,
    K,
    Kmerged,
    beta: inp.beta,
    theta: inp.theta,
    pWord,
    pSense,
    merge,
    embedding,
    hyperparameters: { ...inp.hyperparameters, K, Kmerged, nnz },
  };
}
