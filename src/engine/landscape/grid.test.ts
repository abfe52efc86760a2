import { describe, expect, it } from 'vitest';
import {
  axisValues,
  coarseToFineOrder,
  coarseToFineOrder1D,
  parseAxis,
  parseGrid,
  parseNumberList,
  parsePoints,
  parseShard,
  shardPoints,
} from './grid';

describe('grids', () => {
  it('axis values hit both ends exactly', () => {
    expect(axisValues({ min: -1, max: 2, n: 4 })).toEqual([-1, 0, 1, 2]);
    expect(axisValues({ min: 0.5, max: 0.5, n: 1 })).toEqual([0.5]);
    expect(axisValues(parseAxis('-0.5:1.5:21')).at(-1)).toBe(1.5);
  });

  it('coarse-to-fine order is a permutation that starts on the coarse sub-grid and ends on the finest', () => {
    for (const [nx, ny] of [
      [21, 21],
      [5, 3],
      [1, 1],
      [2, 7],
      [33, 17],
    ]) {
      const order = coarseToFineOrder(nx, ny);
      expect(order.length).toBe(nx * ny);
      expect(new Set(order.map((p) => p.j * nx + p.i)).size).toBe(nx * ny);
    }
    const o = coarseToFineOrder(21, 21);
    expect(o[0]).toEqual({ i: 0, j: 0 });
    // The first 9 points are the stride-16 sub-grid {0, 16}² plus stride 8 rows/cols… all even.
    const strides = o.map(({ i, j }) => Math.min(i === 0 ? 64 : i & -i, j === 0 ? 64 : j & -j));
    for (let k = 1; k < strides.length; k++) expect(strides[k]).toBeLessThanOrEqual(strides[k - 1]);
    expect(o.slice(0, 4).every(({ i, j }) => i % 16 === 0 && j % 16 === 0)).toBe(true);
    expect(o.slice(-100).every(({ i, j }) => i % 2 === 1 || j % 2 === 1)).toBe(true);
    expect(coarseToFineOrder1D(5)).toEqual([0, 4, 2, 1, 3]);
  });

  it('shards partition the points and each gets its share of every level', () => {
    const order = coarseToFineOrder(21, 21);
    const shards = [1, 2, 3, 4].map((index) => shardPoints(order, { index, count: 4 }));
    const all = shards
      .flat()
      .map((p) => p.j * 21 + p.i)
      .sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 441 }, (_, k) => k));
    for (const s of shards) expect(Math.abs(s.length - 441 / 4)).toBeLessThanOrEqual(1);
    // The first 8 points (coarse) are spread over all 4 shards.
    expect(new Set(order.slice(0, 8).map((_, p) => p % 4)).size).toBe(4);
    expect(shardPoints(order, { index: 1, count: 1 })).toEqual(order);
  });

  it('parsers give one-line errors', () => {
    expect(parseGrid('-1:1:3,0:2:5')).toEqual({ x: { min: -1, max: 1, n: 3 }, y: { min: 0, max: 2, n: 5 } });
    expect(() => parseGrid('-1:1:3')).toThrow(/XMIN:XMAX:NX,YMIN:YMAX:NY/);
    expect(() => parseAxis('1:0:3')).toThrow(/MAX must be greater/);
    expect(() => parseAxis('0:1:2.5')).toThrow(/integer/);
    expect(parseNumberList('0, 0.5,1')).toEqual([0, 0.5, 1]);
    expect(() => parseNumberList('0,,1')).toThrow();
    expect(parsePoints('0:0,1.5:-2')).toEqual([
      { x: 0, y: 0 },
      { x: 1.5, y: -2 },
    ]);
    expect(() => parsePoints('1:2:3')).toThrow(/x:y/);
    expect(parseShard('3/8')).toEqual({ index: 3, count: 8 });
    expect(() => parseShard('0/8')).toThrow(/between 1 and N/);
    expect(() => parseShard('9/8')).toThrow();
  });
});
