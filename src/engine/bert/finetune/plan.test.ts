/** The fine-tuning plan: each epoch is one seeded permutation, cut into micro-batches, computed once per epoch. */
import { describe, expect, it } from 'vitest';
import { seededPermutation } from '../../util/random';
import { epochOrder, microBatch, mixSeed, totalSteps } from './plan';

describe('fine-tuning plan', () => {
  const o = { examples: 10, batch: 4, accumulate: 1, epochs: 2, shuffle: true, seed: 3 };

  it('micro-batches cover each epoch once, in the seeded order, the last one short', () => {
    expect(totalSteps(o)).toBe(6);
    for (const epoch of [0, 1]) {
      const perm = Array.from(seededPermutation(10, mixSeed(3, epoch, 0x5a1e)));
      const got = [0, 1, 2].flatMap((j) => microBatch(o, epoch * 3 + j));
      expect(got).toEqual(perm);
      expect(microBatch(o, epoch * 3 + 2)).toHaveLength(2);
    }
    expect(microBatch(o, 0)).not.toEqual(microBatch(o, 3));
    expect(microBatch({ ...o, shuffle: false }, 1)).toEqual([4, 5, 6, 7]);
  });

  it('the epoch order is computed once per epoch and is the same whatever was asked in between', () => {
    const a = epochOrder(10, 3, 0);
    expect(epochOrder(10, 3, 0)).toBe(a); // cached: the same array, not a recomputation
    const b = epochOrder(10, 3, 1);
    expect(b).not.toBe(a);
    expect(Array.from(epochOrder(10, 3, 0))).toEqual(Array.from(a));
    expect(Array.from(epochOrder(10, 4, 0))).not.toEqual(Array.from(a));
  });
});
