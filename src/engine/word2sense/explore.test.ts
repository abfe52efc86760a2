import { describe, expect, it } from 'vitest';
import { classicalMds, SenseExplorer } from './explore';
import { bankModel, plantedModel } from '../../testing/contextPlanted';

describe('sense explorer queries', () => {
  const ex = new SenseExplorer(bankModel);

  it('merged distributions are p_Z-weighted mixtures of their raw senses and sum to 1', () => {
    for (let d = 0; d < bankModel.Kmerged; d++) {
      const dist = ex.distribution(d);
      expect(dist.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      const w = 1; // 'money'
      let want = 0;
      for (const z of ex.members[d])
        want += (bankModel.pSense[z] / ex.pMerged[d]) * bankModel.beta[z * bankModel.V + w];
      expect(dist[w]).toBeCloseTo(want, 9);
    }
  });

  it('λ = 1 ranks by probability; λ = 0 by lift β/p(w)', () => {
    const d = bankModel.merge[0];
    const byP = ex.topWords(d, 5, 1);
    for (let k = 1; k < byP.length; k++) expect(byP[k - 1].p).toBeGreaterThanOrEqual(byP[k].p);
    const byLift = ex.topWords(d, 5, 0);
    const lift = (s: { p: number; index: number }) => s.p / bankModel.pWord[s.index];
    for (let k = 1; k < byLift.length; k++) expect(lift(byLift[k - 1])).toBeGreaterThanOrEqual(lift(byLift[k]) - 1e-12);
  });

  it('finds words by prefix, most frequent first, and refuses unknown senses', () => {
    expect(ex.search('b')).toEqual(['bank']);
    expect(ex.search('')).toEqual([]);
    expect(() => ex.distribution(bankModel.Kmerged)).toThrow(/does not exist/);
  });

  it("a word's senses are its embedding row, heaviest first, and words-using agrees", () => {
    const senses = ex.wordSenses(0);
    expect(senses.reduce((a, s) => a + s.weight, 0)).toBeCloseTo(1, 5);
    for (let k = 1; k < senses.length; k++) expect(senses[k - 1].weight).toBeGreaterThanOrEqual(senses[k].weight);
    const users = ex.wordsUsing(senses[0].sense, 50);
    expect(users.some((u) => u.word === 'bank')).toBe(true);
  });

  it('word-intrusion questions: 4 top words of the sense and an intruder from its bottom half and another sense’s top 10%', () => {
    // 4 senses over 40 words, each concentrated on its own block of 10 words.
    const V = 40;
    const vocab = Array.from({ length: V }, (_, i) => `w${i}`);
    const beta = Array.from({ length: 4 }, (_, z) =>
      Array.from({ length: V }, (_, w) => (Math.floor(w / 10) === z ? 0.09 - 0.001 * (w % 10) : 0.0005 + 1e-6 * w)),
    );
    const theta = vocab.map((_, w) => Array.from({ length: 4 }, (_, z) => (Math.floor(w / 10) === z ? 0.85 : 0.05)));
    const m = plantedModel(
      vocab,
      beta,
      theta,
      vocab.map(() => 10),
    );
    const ex4 = new SenseExplorer(m);
    const qs = ex4.intrusionQuestions(3, 5);
    expect(qs.length).toBeGreaterThan(0);
    for (const q of qs) {
      expect(new Set(q.words).size).toBe(5);
      expect(q.words).toContain(q.intruder);
      const dist = ex4.distribution(q.sense);
      const ranked = Array.from(dist.keys())
        .sort((a, b) => dist[b] - dist[a] || a - b)
        .map((w) => m.vocab[w]);
      const top4 = ranked.slice(0, 4);
      expect(q.words.filter((w) => w !== q.intruder).sort()).toEqual([...top4].sort());
      expect(ranked.indexOf(q.intruder)).toBeGreaterThanOrEqual(V / 2);
    }
    expect(qs).toHaveLength(3);
    expect(ex4.intrusionQuestions(3, 5)).toEqual(qs); // seeded
  });

  it('classical MDS recovers points on a line up to sign', () => {
    const pts = [0, 1, 3, 7];
    const n = pts.length;
    const d2 = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) d2[i * n + j] = (pts[i] - pts[j]) ** 2;
    const { x, explained } = classicalMds(d2, n);
    const mean = pts.reduce((a, b) => a + b) / n;
    const sign = Math.sign(x[3] - x[0]);
    pts.forEach((p, i) => expect(sign * x[i]).toBeCloseTo(p - mean, 6));
    expect(explained).toBeCloseTo(1, 6);
  });
});

describe('neighbours and top-k', () => {
  it('neighbours equal a brute-force sparse JS scan; top-k equals a full sort', async () => {
    const { jsDivergenceSparse } = await import('../eval/divergence');
    const { embeddingRow } = await import('./model');
    const ex = new SenseExplorer(bankModel);
    for (const word of ['bank', 'river', 'money']) {
      const w = bankModel.vocab.indexOf(word);
      const got = await ex.neighbours(w, 5);
      const brute = bankModel.vocab
        .map((v, i) => ({ word: v, i, js: jsDivergenceSparse(embeddingRow(bankModel, w), embeddingRow(bankModel, i)) }))
        .filter((x) => x.i !== w)
        .sort((a, b) => a.js - b.js || a.i - b.i)
        .slice(0, 5);
      expect(got.map((n) => n.word)).toEqual(brute.map((n) => n.word));
      got.forEach((n, k) => expect(n.js).toBeCloseTo(brute[k].js, 7)); // float32 inputs, different summation order
    }
    const { topIndices } = await import('./explore');
    const v = Array.from({ length: 200 }, (_, i) => Math.sin(i * 7.3) + (i % 3 === 0 ? 0.5 : 0));
    const full = Array.from(v.keys()).sort((a, b) => v[b] - v[a] || a - b);
    expect(topIndices(v, 17)).toEqual(full.slice(0, 17));
    expect(topIndices(v, 500)).toEqual(full);
  });
});
