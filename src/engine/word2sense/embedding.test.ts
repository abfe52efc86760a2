import { describe, expect, it } from 'vitest';
import { fromTriples } from '../text/csr';
import { buildModel } from './build';
import { buildEmbedding, senseMarginal } from './embedding';
import { averageLinkage, sqrtJsDistances } from './merge';

// Hand example (worked out in the comments; scipy's jensenshannon gives the √JS values).
// C = [[1,3],[3,3]] → p(w) = [0.4, 0.6].  θ = [[.5,.25,.25],[.1,.3,.6]] → p_Z = [.26,.28,.46].
// β = [[.8,.2],[.5,.5],[.1,.9]]: √JS(0,1) = .22510, √JS(1,2) = .31898, √JS(0,2) = .52478 → with
// K' = 2 senses 0 and 1 merge: merge = [0,0,1], p_D = [.54, .46].
// v̂(w0) = θ0 + β[:,0]·p_Z/0.4 = [1.02, .60, .365] → merged [1.62, .365] / p_D = [3, .79348]
//   → L1 [.790831, .209169]; with µ = 1 only merged sense 0 stays: [1].
// v̂(w1) = θ1 + β[:,1]·p_Z/0.6 = [.186667, .533333, 1.29] → [.72, 1.29] / p_D → [.322242, .677758].
const counts = fromTriples(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [1, 3, 3, 3]);
const theta = new Float32Array([0.5, 0.25, 0.25, 0.1, 0.3, 0.6]);
const beta = new Float32Array([0.8, 0.2, 0.5, 0.5, 0.1, 0.9]);

describe('Eq. 2 embedding, merging and truncation (hand example)', () => {
  it('p_Z and √JS distances', async () => {
    const pz = senseMarginal(theta, new Float32Array([0.4, 0.6]), 2, 3);
    expect([...pz].map((x) => +x.toFixed(6))).toEqual([0.26, 0.28, 0.46]);
    const d = await sqrtJsDistances(beta, 3, 2);
    expect(d[1]).toBeCloseTo(0.22510405812771545, 6);
    expect(d[5]).toBeCloseTo(0.31898154347735663, 6);
    expect(d[2]).toBeCloseTo(0.5247819692489162, 6);
    expect([...averageLinkage(d, 3, 2)]).toEqual([0, 0, 1]);
  });

  it('full model: merge, ÷ p_D, L1', () => {
    const m = buildModel({
      vocab: ['a', 'b'],
      wordCounts: [4, 6],
      counts,
      beta,
      theta,
      K: 3,
      Kmerged: 2,
      hyperparameters: {},
    });
    expect([...m.pWord].map((x) => +x.toFixed(6))).toEqual([0.4, 0.6]);
    expect([...m.merge]).toEqual([0, 0, 1]);
    expect([...m.embedding.indptr]).toEqual([0, 2, 4]);
    expect([...m.embedding.indices]).toEqual([0, 1, 0, 1]);
    const want = [0.7908309455587392, 0.20916905444126072, 0.32224168126094566, 0.6777583187390542];
    m.embedding.values.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    expect(m.hyperparameters).toMatchObject({ K: 3, Kmerged: 2, nnz: 2 });
  });

  it('top-µ truncation keeps the largest merged senses and renormalises', () => {
    const e = buildEmbedding({
      beta,
      theta,
      pWord: new Float32Array([0.4, 0.6]),
      pSense: new Float32Array([0.26, 0.28, 0.46]),
      merge: new Int32Array([0, 0, 1]),
      V: 2,
      K: 3,
      Kmerged: 2,
      nnz: 1,
    });
    expect([...e.indptr]).toEqual([0, 1, 2]);
    expect([...e.indices]).toEqual([0, 1]);
    expect([...e.values]).toEqual([1, 1]);
  });

  it('average linkage uses the mean of member distances (Lance–Williams)', () => {
    // points on a line at 0, 1, 3, 10: merge {0,1}, then {0,1}–3 (avg 2.5) vs 3–10 (7) → {0,1,3}
    const x = [0, 1, 3, 10];
    const d = new Float64Array(16);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) d[i * 4 + j] = Math.abs(x[i] - x[j]);
    expect([...averageLinkage(d, 4, 3)]).toEqual([0, 0, 1, 2]);
    expect([...averageLinkage(d, 4, 2)]).toEqual([0, 0, 0, 1]);
    expect([...averageLinkage(d, 4, 1)]).toEqual([0, 0, 0, 0]);
  });
});
