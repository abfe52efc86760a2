/**
 * A small planted Word2Sense model for tests and demos: "bank" with a finance sense and a river
 * sense plus a function-word sense, so the right sense of "bank" is known from its context.
 */
import { buildEmbedding } from '../engine/word2sense/embedding';
import type { Word2SenseModel } from '../engine/word2sense/model';

/** A model from explicit β [K×V] and θ [V×K] (p(w) from counts, p_Z = Σ p(w)θ). */
export function plantedModel(
  vocab: string[],
  beta: number[][],
  theta: number[][],
  counts: number[],
  merge?: number[],
): Word2SenseModel {
  const V = vocab.length;
  const K = beta.length;
  const total = counts.reduce((a, b) => a + b, 0);
  const pWord = Float32Array.from(counts, (c) => c / total);
  const pSense = new Float32Array(K);
  for (let w = 0; w < V; w++) for (let z = 0; z < K; z++) pSense[z] += pWord[w] * theta[w][z];
  const m = Int32Array.from(merge ?? beta.map((_, z) => z));
  const Kmerged = Math.max(...m) + 1;
  const b = Float32Array.from(beta.flat());
  const t = Float32Array.from(theta.flat());
  const embedding = buildEmbedding({ beta: b, theta: t, pWord, pSense, merge: m, V, K, Kmerged, nnz: Kmerged });
  return {
    vocab,
    wordCounts: counts,
    V,
    K,
    Kmerged,
    beta: b,
    theta: t,
    pWord,
    pSense,
    merge: m,
    embedding,
    hyperparameters: {},
  };
}

// Two senses of "bank" (money / river) plus a function-word sense.
export const vocab = ['bank', 'money', 'loan', 'deposit', 'river', 'water', 'shore', 'fish', 'the', 'a'];
const norm = (r: number[]) => r.map((x) => x / r.reduce((a, b) => a + b, 0));
export const beta = [
  norm([3, 5, 4, 4, 0.01, 0.01, 0.01, 0.01, 1, 1]), // finance
  norm([3, 0.01, 0.01, 0.01, 5, 5, 4, 4, 1, 1]), // river
  norm([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 8, 8]), // function words
];
export const theta = [
  [0.45, 0.45, 0.1],
  [0.9, 0.05, 0.05],
  [0.9, 0.05, 0.05],
  [0.9, 0.05, 0.05],
  [0.05, 0.9, 0.05],
  [0.05, 0.9, 0.05],
  [0.05, 0.9, 0.05],
  [0.05, 0.9, 0.05],
  [0.05, 0.05, 0.9],
  [0.05, 0.05, 0.9],
];
export const bankModel = plantedModel(vocab, beta, theta, [50, 30, 20, 20, 30, 40, 10, 20, 400, 300]);
export const bankIndex = new Map(vocab.map((w, i) => [w, i]));
