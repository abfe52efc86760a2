/**
 * Lexical entailment with Word2Sense embeddings: KL divergence between the two words' sense
 * distributions, in both directions. A hyponym's senses should be covered by its hypernym's, so a
 * small KL(w1‖w2) suggests w1 ⊨ w2; the score is −KL. Sparse embeddings have zeros, so both
 * vectors are ε-smoothed over all K' merged senses and renormalised: p̃ = (p + ε)/(1 + K'ε)
 * (default ε = 1e-4). OOV words get the uniform vector. Reports average precision (sklearn's
 * definition) and best F1 over the labelled pairs.
 */
import { embeddingOf, wordIndex, type Word2SenseModel } from '../word2sense/model';
import { klDivergence } from './divergence';
import { averagePrecision, bestF1 } from './stats';
import type { WordPair } from './similarity';

/** Dense ε-smoothed, renormalised copy of a sparse distribution over n entries. */
export function smoothDense(
  v: { indices: ArrayLike<number>; values: ArrayLike<number> },
  n: number,
  epsilon: number,
): Float64Array {
  const out = new Float64Array(n).fill(epsilon);
  for (let j = 0; j < v.indices.length; j++) out[v.indices[j]] += v.values[j];
  const z = 1 + n * epsilon;
  for (let i = 0; i < n; i++) out[i] /= z;
  return out;
}

/** KL(p̃‖q̃) with the smoothing above. */
export function smoothedKl(
  p: { indices: ArrayLike<number>; values: ArrayLike<number> },
  q: { indices: ArrayLike<number>; values: ArrayLike<number> },
  n: number,
  epsilon: number,
): number {
  return klDivergence(smoothDense(p, n, epsilon), smoothDense(q, n, epsilon));
}

export interface EntailmentResult {
  direction: 'KL(w1||w2)' | 'KL(w2||w1)';
  pairs: number;
  covered: number;
  ap: number | null;
  f1: number | null;
}

/** Scores labelled pairs (score > 0 = entails) in both KL directions. */
export function evaluateEntailment(
  model: Word2SenseModel,
  pairs: readonly WordPair[],
  epsilon = 1e-4,
): EntailmentResult[] {
  const index = wordIndex(model);
  const labels = pairs.map((p) => (p.score > 0 ? 1 : 0));
  const fwd: number[] = [];
  const bwd: number[] = [];
  let covered = 0;
  for (const p of pairs) {
    const a = embeddingOf(model, index, p.w1);
    const b = embeddingOf(model, index, p.w2);
    if (!a.oov && !b.oov) covered++;
    fwd.push(-smoothedKl(a, b, model.Kmerged, epsilon));
    bwd.push(-smoothedKl(b, a, model.Kmerged, epsilon));
  }
  const fin = (x: number) => (Number.isFinite(x) ? x : null);
  return [
    {
      direction: 'KL(w1||w2)',
      pairs: pairs.length,
      covered,
      ap: fin(averagePrecision(labels, fwd)),
      f1: fin(bestF1(labels, fwd)),
    },
    {
      direction: 'KL(w2||w1)',
      pairs: pairs.length,
      covered,
      ap: fin(averagePrecision(labels, bwd)),
      f1: fin(bestF1(labels, bwd)),
    },
  ];
}
