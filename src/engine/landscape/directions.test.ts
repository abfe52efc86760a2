import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../node/backend';
import { checkpointFiles } from '../node/checkpoint';
import { gaussianStream, normalizeDirection, randomDirection } from './directions';
import { loadOriginCheckpoint } from './originCheckpoint';
import { disposeParamSet, norm, uploadParams } from './params';

const FIX = 'tests/fixtures/landscape';
const ref = JSON.parse(readFileSync(`${FIX}/reference.json`, 'utf8'));

beforeAll(async () => {
  await initNodeBackend();
});

describe('direction normalisation (hand-computed)', () => {
  it('filter: scales each row of d to the norm of the same row of θ0', async () => {
    // d rows: (3,4) norm 5, (1,0) norm 1; w rows: (0,5) norm 5, (2,0) norm 2 → (3,4), (2,0).
    const d = tf.tensor2d([
      [3, 4],
      [1, 0],
    ]);
    const w = tf.tensor2d([
      [0, 5],
      [2, 0],
    ]);
    const f = normalizeDirection(d, w, 'filter');
    const got = [...(await f.data())];
    [3, 4, 2, 0].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
    // layer: the whole tensor scaled by ‖w‖/‖d‖ = √29/√26.
    const l = normalizeDirection(d, w, 'layer');
    const s = Math.sqrt(29) / Math.sqrt(26);
    const gotL = [...(await l.data())];
    [3 * s, 4 * s, 1 * s, 0].forEach((v, i) => expect(gotL[i]).toBeCloseTo(v, 5));
    const n = normalizeDirection(d, w, 'none');
    expect([...(await n.data())]).toEqual([3, 4, 1, 0]);
    for (const t of [d, w, f, l, n]) t.dispose();
  });

  it('filter on an embedding-like [tokens, hidden] matrix normalises per token row; rank-3 uses the first axis', async () => {
    const d = tf.tensor3d([
      [
        [1, 1],
        [1, 1],
      ],
      [
        [0, 2],
        [0, 0],
      ],
    ]);
    const w = tf.tensor3d([
      [
        [0, 0],
        [0, 4],
      ],
      [
        [1, 0],
        [0, 0],
      ],
    ]);
    const f = normalizeDirection(d, w, 'filter');
    const got = [...(await f.data())];
    // row 0: d norm 2, w norm 4 → ×2; row 1: d norm 2, w norm 1 → ×0.5.
    [2, 2, 2, 2, 0, 1, 0, 0].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
    for (const t of [d, w, f]) t.dispose();
  });

  it('ignore bias-ln zeroes rank-1 tensors; without it they are scaled as one filter', async () => {
    const origin = new Map<string, tf.Tensor>([
      [
        'a.weight',
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
      ],
      ['a.bias', tf.tensor1d([3, 4])],
      ['LayerNorm.weight', tf.tensor1d([1, 1])],
    ]);
    const zeroed = randomDirection(origin, { seed: 1, normalize: 'filter', ignore: 'bias-ln' });
    expect([...(await zeroed.get('a.bias')!.data())]).toEqual([0, 0]);
    expect([...(await zeroed.get('LayerNorm.weight')!.data())]).toEqual([0, 0]);
    const kept = randomDirection(origin, { seed: 1, normalize: 'filter', ignore: 'none' });
    expect(await norm(kept, ['a.bias'])).toBeCloseTo(5, 4);
    // Same seed, same stream: the weight matrix is identical in both.
    expect([...(await kept.get('a.weight')!.data())]).toEqual([...(await zeroed.get('a.weight')!.data())]);
    disposeParamSet(origin);
    disposeParamSet(zeroed);
    disposeParamSet(kept);
  });
});

describe('random directions against the PyTorch reference generator', () => {
  it('reproduces the seeded Gaussian stream and the filter-normalised direction of the fixture origin', async () => {
    const origin = await loadOriginCheckpoint(await checkpointFiles(`${FIX}/origin`), 'origin');
    expect(origin.sha256).toBe(ref.checkpoints.origin.sha256);
    expect(origin.tensors.has('classifier.weight')).toBe(false);
    const r = ref.random;
    const shapes = new Map([...origin.tensors].map(([n, t]) => [n, t.shape]));
    const stream = gaussianStream(shapes, r.seed);
    expect([...stream.keys()][0]).toBe(r.firstName);
    [...stream.get(r.firstName)!.slice(0, 6)].forEach((v, i) => expect(v).toBe(r.firstValues[i]));

    const theta0 = uploadParams(origin.tensors);
    const before = tf.memory().numTensors;
    const d = randomDirection(theta0, { seed: r.seed, normalize: r.normalize, ignore: r.ignore });
    const probe = d.get(r.probe)!;
    const rows = tf.tidy(() => tf.norm(probe, 'euclidean', 1));
    const rowNorms = [...(await rows.data())];
    rows.dispose();
    rowNorms.forEach((v, i) => expect(v).toBeCloseTo(r.probeRowNorms[i], 5));
    const first = [...(await probe.data())].slice(0, probe.shape[1]);
    first.forEach((v, i) =>
      expect(Math.abs(v - r.probeFirstRow[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(r.probeFirstRow[i]))),
    );
    const total = await norm(d, [...d.keys()]);
    expect(Math.abs(total - r.norm) / r.norm).toBeLessThan(1e-5);
    disposeParamSet(d);
    expect(tf.memory().numTensors).toBe(before);
    disposeParamSet(theta0);
  });
});
