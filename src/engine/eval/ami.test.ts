/**
 * Adjusted mutual information against scikit-learn 1.2's adjusted_mutual_info_score (arithmetic
 * normalisation) on seeded label pairs and edge cases (tools/landscape/senses_cluster_reference.py).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { adjustedMutualInfo, lnGamma } from './ami';

const ref = JSON.parse(readFileSync('tests/fixtures/landscape/senses/clusters.json', 'utf8')) as {
  ami: { u: number[]; v: number[]; ami: number }[];
};

describe('adjusted mutual information vs sklearn', () => {
  ref.ami.forEach((p, i) =>
    it(`pair ${i} (n=${p.u.length})`, () => {
      expect(Math.abs(adjustedMutualInfo(p.u, p.v) - p.ami)).toBeLessThan(1e-10);
    }),
  );
  it('is symmetric and label-name free', () => {
    const u = ['a', 'a', 'b', 'b', 'c', 'a'];
    const v = [1, 1, 2, 3, 3, 1];
    expect(adjustedMutualInfo(u, v)).toBeCloseTo(adjustedMutualInfo(v, u), 12);
  });
  it('lnGamma matches factorials', () => {
    let f = 0;
    for (let k = 1; k < 60; k++) {
      f += Math.log(k);
      expect(Math.abs(lnGamma(k + 1) - f)).toBeLessThan(1e-12 * Math.max(1, f));
    }
  });
});
