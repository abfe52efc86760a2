import { describe, expect, it } from 'vitest';
import { fromTriples } from '../text/csr';
import { buildModel } from '../word2sense/build';
import { evaluateEntailment } from './entailment';
import { evaluateSimilarity, neighbours, parsePairs, wordJs } from './similarity';
import { jsDivergence } from './divergence';
import { averagePrecision, spearman } from './stats';
import { wordIndex } from '../word2sense/model';

// a 5-word, 4-sense model with a fixed θ/β (values only need to be valid distributions)
const V = 5;
const K = 4;
const vocab = ['cat', 'dog', 'car', 'bus', 'animal'];
const theta = new Float32Array([
  0.7, 0.1, 0.1, 0.1, 0.6, 0.2, 0.1, 0.1, 0.1, 0.1, 0.7, 0.1, 0.1, 0.1, 0.6, 0.2, 0.4, 0.4, 0.1, 0.1,
]);
const beta = new Float32Array([
  0.4, 0.3, 0.05, 0.05, 0.2, 0.3, 0.4, 0.1, 0.1, 0.1, 0.05, 0.05, 0.4, 0.4, 0.1, 0.1, 0.1, 0.3, 0.3, 0.2,
]);
const counts = fromTriples(V, V, [0, 0, 1, 2, 2, 3, 4, 4], [1, 4, 0, 3, 2, 2, 0, 1], [3, 1, 3, 2, 1, 2, 1, 1]);
const model = buildModel({
  vocab,
  wordCounts: [4, 3, 3, 2, 2],
  counts,
  beta,
  theta,
  K,
  Kmerged: 4,
  nnz: 3,
  hyperparameters: {},
});

describe('parsePairs', () => {
  it('reads tab/space separated, CRLF, any case, skipping a header and comments', () => {
    const p = parsePairs(
      '\ufeffWord1\tWord2\tScore\r\n# comment\r\nCat\tDOG\t7.5\r\n\r\ncar  bus 3\nCafé dog 1e0',
      'x.txt',
    );
    expect(p.map((x) => [x.w1, x.w2, x.score])).toEqual([
      ['cat', 'dog', 7.5],
      ['car', 'bus', 3],
      ['cafe', 'dog', 1],
    ]);
  });
  it('names file and line of a bad row', () => {
    expect(() => parsePairs('a b 1\nc d x\n', 'bad.txt')).toThrow('bad.txt: line 2: score');
    expect(() => parsePairs('a b 1\nc\n', 'bad.txt')).toThrow('bad.txt: line 2: expected');
    expect(() => parsePairs('\n\n', 'empty.txt')).toThrow('empty.txt: no word pairs');
  });
});

describe('evaluateSimilarity', () => {
  it('Spearman of gold vs −JS, coverage, OOV as the uniform vector', () => {
    const pairs = parsePairs('cat dog 9\ncar bus 8\ncat car 2\ndog bus 1\ncat zebra 5\n', 's.txt');
    const r = evaluateSimilarity(model, pairs, 's.txt');
    expect(r.pairs).toBe(5);
    expect(r.covered).toBe(4);
    // independent recomputation with dense JS over the embedding rows
    const idx = wordIndex(model);
    const dense = (w: string) => {
      const out = new Array(model.Kmerged).fill(1 / model.Kmerged);
      const i = idx.get(w);
      if (i === undefined) return out;
      out.fill(0);
      for (let j = model.embedding.indptr[i]; j < model.embedding.indptr[i + 1]; j++)
        out[model.embedding.indices[j]] = model.embedding.values[j];
      return out;
    };
    const pred = pairs.map((p) => -jsDivergence(dense(p.w1), dense(p.w2)));
    expect(r.spearman).toBeCloseTo(
      spearman(
        pairs.map((p) => p.score),
        pred,
      ),
      12,
    );
    expect(r.spearman_covered).toBeCloseTo(spearman([9, 8, 2, 1], pred.slice(0, 4)), 12);
    expect(wordJs(model, idx, 'cat', 'cat')).toBe(0);
  });
});

describe('neighbours', () => {
  it('are the same for any block size and sorted by JS', async () => {
    const a = await neighbours(model, 'cat', 3, 4096);
    const b = await neighbours(model, 'cat', 3, 2);
    expect(b).toEqual(a);
    expect(a.map((n) => n.word)).not.toContain('cat');
    for (let i = 1; i < a.length; i++) expect(a[i].js).toBeGreaterThanOrEqual(a[i - 1].js);
    await expect(neighbours(model, 'zebra')).rejects.toThrow("'zebra' is not in the model's vocabulary");
  });
});

describe('evaluateEntailment', () => {
  it('AP and F1 in both KL directions', () => {
    const pairs = parsePairs('cat animal 1\ndog animal 1\ncar animal 0\nbus cat 0\n', 'e.tsv');
    const [fwd, bwd] = evaluateEntailment(model, pairs, 1e-4);
    expect(fwd.direction).toBe('KL(w1||w2)');
    expect(bwd.direction).toBe('KL(w2||w1)');
    expect(fwd.pairs).toBe(4);
    expect(fwd.covered).toBe(4);
    for (const r of [fwd, bwd]) {
      expect(r.ap).toBeGreaterThan(0);
      expect(r.ap).toBeLessThanOrEqual(1);
      expect(r.f1).toBeGreaterThan(0);
    }
    expect(averagePrecision([1, 1, 0, 0], [4, 3, 2, 1])).toBe(1);
  });
});
