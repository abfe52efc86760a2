/**
 * addMany (the WebGPU-safe replacement of tf.addN, see its header) equals a float64 sum for 1–41
 * tensors (41: the BERT classifier's parameter count in the curvature tests), and its gradient is
 * one for every input, as AddN's.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { addMany } from './addMany';
import { registerGradients } from './gradients';

describe('addMany', () => {
  it('equals the float64 sum for every count from 1 to 41, and returns a tensor the caller may dispose', async () => {
    await tf.setBackend('cpu');
    for (let n = 1; n <= 41; n++) {
      const values = Array.from({ length: n }, (_, i) => [i + 1, -2 * i - 1, 0.5 * i * i + 1]);
      const ts = values.map((v) => tf.tensor1d(v));
      const s = addMany(ts);
      const want = [0, 1, 2].map((j) => values.reduce((a, v) => a + v[j], 0));
      expect(Array.from(await s.data())).toEqual(want);
      s.dispose();
      expect(ts.every((t) => !t.isDisposed)).toBe(true);
      tf.dispose(ts);
    }
    expect(() => addMany([])).toThrow(/no tensors/);
  });

  it('has AddN’s gradient: one for every input', async () => {
    await tf.setBackend('cpu');
    registerGradients();
    const xs = Array.from({ length: 9 }, (_, i) => tf.scalar(i));
    const g = tf.grads((...ys: tf.Tensor[]) => tf.mul(addMany(ys), 3) as tf.Scalar)(xs);
    expect(await Promise.all(g.map(async (t) => (await t.data())[0]))).toEqual(Array(9).fill(3));
  });
});
