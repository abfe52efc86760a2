/**
 * Average linkage on cosine distance and the maxclust cut against scipy 1.10
 * (tools/landscape/senses_cluster_reference.py): the linkage matrix (children, sizes, heights to
 * 1e-12) and fcluster's labels for every K, on seeded vectors and on sets with exact ties
 * (duplicated rows, a symmetric square). n = 2 is not compared (scipy reads uninitialised memory).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { averageLinkage, clusterCosineAverage, cosineDistances, fclusterMaxclust } from './averageLinkage';

interface Case {
  name: string;
  x: number[][];
  Z: number[][];
  maxclust: Record<string, number[]>;
}
const ref = JSON.parse(readFileSync('tests/fixtures/landscape/senses/clusters.json', 'utf8')) as { linkage: Case[] };

describe('average linkage (cosine) vs scipy', () => {
  for (const c of ref.linkage) {
    const n = c.x.length;
    const dim = c.x[0].length;
    if (n === 2) continue;
    it(`${c.name}: linkage matrix and maxclust labels`, () => {
      const Z = averageLinkage(cosineDistances(c.x.flat(), n, dim), n);
      expect(Z.map((r) => [r.a, r.b, r.size])).toEqual(c.Z.map((r) => [r[0], r[1], r[3]]));
      Z.forEach((r, i) => expect(Math.abs(r.height - c.Z[i][2])).toBeLessThan(1e-12));
      for (const [k, labels] of Object.entries(c.maxclust))
        expect(Array.from(fclusterMaxclust(Z, n, Number(k))), `K=${k}`).toEqual(labels);
    });
  }

  it('edge cases: no points, one point, two points', () => {
    expect(Array.from(clusterCosineAverage([], 0, 3, 2))).toEqual([]);
    expect(Array.from(clusterCosineAverage([1, 2, 3], 1, 3, 2))).toEqual([1]);
    expect(Array.from(clusterCosineAverage([1, 0, 0, 1], 2, 2, 2))).toEqual([1, 2]);
    expect(Array.from(clusterCosineAverage([1, 0, 0, 1], 2, 2, 1))).toEqual([1, 1]);
  });
});
