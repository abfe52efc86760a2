import { describe, expect, it } from 'vitest';
import fixtures from '../../../tests/fixtures/w2s/eval.json';
import { jsDivergence, jsDivergenceSparse, klDivergence } from './divergence';
import { smoothDense, smoothedKl } from './entailment';

function toSparse(v: number[]): { indices: number[]; values: number[] } {
  const indices: number[] = [];
  const values: number[] = [];
  v.forEach((x, i) => {
    if (x > 0) {
      indices.push(i);
      values.push(x);
    }
  });
  return { indices, values };
}

describe('divergences against scipy (tools/w2s/make_eval_fixtures.py)', () => {
  it('JS (dense and sparse) equals scipy jensenshannon² (natural log)', () => {
    for (const f of fixtures.js) {
      expect(jsDivergence(f.p, f.q)).toBeCloseTo(f.js, 12);
      expect(jsDivergenceSparse(toSparse(f.p), toSparse(f.q))).toBeCloseTo(f.js, 12);
    }
  });
  it('ε-smoothed KL equals scipy.stats.entropy on the smoothed vectors, both directions', () => {
    for (const f of fixtures.kl) {
      const n = f.p.length;
      expect(smoothedKl(toSparse(f.p), toSparse(f.q), n, f.epsilon)).toBeCloseTo(f.kl, 10);
      expect(smoothedKl(toSparse(f.q), toSparse(f.p), n, f.epsilon)).toBeCloseTo(f.kl_rev, 10);
      expect(
        klDivergence(smoothDense(toSparse(f.p), n, f.epsilon), smoothDense(toSparse(f.q), n, f.epsilon)),
      ).toBeCloseTo(f.kl, 10);
    }
  });
  it('JS is symmetric, zero on equal inputs, at most ln 2', () => {
    expect(jsDivergence([1, 0], [0, 1])).toBeCloseTo(Math.LN2, 14);
    expect(jsDivergence([0.3, 0.7], [0.3, 0.7])).toBe(0);
  });
});
