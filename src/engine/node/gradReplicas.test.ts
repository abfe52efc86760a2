/**
 * gradReplicas.ts: the lazy pool follows the parameter layout — a second model with other shapes (a
 * regression head after a 2-label one) gets a new pool, and both give the in-thread gradients (1e-5);
 * one replica is the in-thread function itself; the cost rule picks one thread for tiny updates.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initNodeBackend } from './backend';
import { BertClassifier } from '../bert/model';
import { gradient, pointOf } from '../bert/grad';
import { autoGradThreads, lazyGradientPool } from './gradReplicas';
import { curvatureCase, relativeError } from '../../testing/curvature';

describe('lazyGradientPool', () => {
  it('starts a new pool for a new parameter layout and matches the in-thread gradient on each', async () => {
    await initNodeBackend('wasm');
    const cases = await Promise.all(['tiny-hess-gelu', 'tiny-hess-mse', 'tiny-hess-gelu'].map((n) => curvatureCase(n)));
    const models = cases.map((c) => BertClassifier.fromCheckpoint(c.ckpt));
    const lazy = lazyGradientPool(2);
    try {
      const shapes = models.map((m) => JSON.stringify([...m.params.values()].map((t) => t.shape)));
      expect(shapes[0]).not.toBe(shapes[1]); // the layouts differ, so the pool must be rebuilt
      for (const [k, c] of cases.entries()) {
        const point = pointOf(c.ckpt.config, models[k].params);
        const want = await gradient(point, c.batches);
        const got = await lazy.gradient(point, c.batches);
        expect(Math.abs(got.loss - want.loss) / Math.abs(want.loss), `loss, model ${k}`).toBeLessThan(1e-5);
        for (let t = 0; t < point.names.length; t++) {
          const w = (await want.grads[t].data()) as Float32Array;
          if (w.some((x) => Math.abs(x) > 1e-7))
            expect(
              relativeError((await got.grads[t].data()) as Float32Array, w),
              `${point.names[t]}, model ${k}`,
            ).toBeLessThan(1e-5);
        }
        tf.dispose([...want.grads, ...got.grads]);
      }
    } finally {
      await lazy.close();
      for (const m of models) m.dispose();
    }
    expect(lazyGradientPool(1).gradient).toBe(gradient);
    expect(autoGradThreads(cases[0].ckpt.config, 8, 1, 16)).toBe(1);
  }, 180_000);
});
