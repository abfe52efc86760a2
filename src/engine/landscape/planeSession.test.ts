/**
 * The in-thread plane session (planeSession.ts), as the app's worker uses it on WASM: through the
 * curve and surface services it gives the device session's values bit for bit, with the checkpoints
 * untouched (the app keeps them in its tray); it declines random directions, partial Q/K/V layers and
 * other backends; and its replica leaves no tensors behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../node/backend';
import { localPlaneOpener, planeSupported } from './planeSession';
import { runCurve } from './services/curve';
import { runSurfacePoints, type SurfaceRequest } from './services/surface';
import { randomBertCheckpoint, randomPreparedData, type RandomBertShape } from '../../testing/randomBert';

const SHAPE: RandomBertShape = { layers: 2, hidden: 64, vocab: 600, heads: 2 };
const t1 = randomBertCheckpoint('t1', SHAPE, 41);
const origin = randomBertCheckpoint('origin', SHAPE, 42, { base: t1, noise: 0.02 });
origin.tensors.delete('classifier.weight');
origin.tensors.delete('classifier.bias');
const t2 = randomBertCheckpoint('t2', SHAPE, 43, { base: t1, noise: 0.02 });
const data = randomPreparedData(SHAPE.vocab, 2, 3, 12, 4);

beforeAll(async () => {
  await initNodeBackend();
});
afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('in-thread plane session', () => {
  it('curve and Hao surface points equal the device session bit for bit; no tensors left; checkpoints kept', async () => {
    const alphas = [-1, 0, 0.3, 1, 2];
    const req = { origin, toward: t1, head: t1, datasets: [data], alphas };
    const want = await runCurve(req);
    const before = tf.memory().numTensors;
    const got = await runCurve(req, { openSession: localPlaneOpener() });
    expect(tf.memory().numTensors).toBe(before);
    expect(got[0].loss).toEqual(want[0].loss);
    expect(got[0].accuracy).toEqual(want[0].accuracy);
    expect(origin.tensors.size).toBeGreaterThan(0);
    const s: SurfaceRequest = { origin, head: t1, x: t1, y: t2, data, seed: 0, normalize: 'filter', ignore: 'bias-ln' };
    const points = [
      { x: 0, y: 0 },
      { x: 0.5, y: -0.25 },
      { x: 1.5, y: 1 },
    ];
    expect(await runSurfacePoints(s, points, { openSession: localPlaneOpener() })).toEqual(
      await runSurfacePoints(s, points),
    );
  });

  it('declines random directions, a partly moving Q/K/V layer and the CPU backend', async () => {
    const req = { origin, head: t1, others: [], directions: [t1], randomDirections: 0, batches: [data.batches] };
    expect(planeSupported(req)).toBe(true);
    expect(planeSupported({ ...req, randomDirections: 1 })).toBe(false);
    const partial = { ...origin, tensors: new Map(origin.tensors) };
    partial.tensors.delete('encoder.layer.0.attention.self.value.bias');
    expect(planeSupported({ ...req, origin: partial })).toBe(false);
    await tf.setBackend('cpu');
    try {
      expect(planeSupported(req)).toBe(false);
      expect(await localPlaneOpener()(req)).toBeNull();
    } finally {
      await tf.setBackend('wasm');
    }
  });
});
