/**
 * A gradient whose forward pass throws leaves its tape's saved tensors on the engine (the negative
 * control counts them); releaseAbandonedTape frees them and the next gradient works. Inside an
 * outer gradient it leaves the outer tape alone.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { releaseAbandonedTape } from './abandonedTape';
import { registerGradients } from './gradients';

beforeAll(async () => {
  expect(await tf.setBackend('cpu')).toBe(true);
  registerGradients();
});

const x = () => tf.linspace(-1, 1, 100);

describe('releaseAbandonedTape', () => {
  it('frees the saved tensors of a gradient that threw', () => {
    const xs = tf.keep(x());
    const before = tf.memory().numTensors;
    expect(() =>
      tf.grad((v: tf.Tensor) => {
        const y = tf.tanh(tf.exp(tf.mul(v, v))); // exp and tanh save tensors for backward
        if (y.size > 0) throw new Error('boom');
        return tf.sum(y);
      })(xs),
    ).toThrow('boom');
    const leaked = tf.memory().numTensors - before;
    expect(leaked).toBeGreaterThan(0); // the negative control: tfjs keeps them
    expect(releaseAbandonedTape()).toBe(leaked);
    expect(tf.memory().numTensors).toBe(before);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(v, v)))(xs);
    expect(g.shape).toEqual([100]);
    tf.dispose([g, xs]);
  });

  it('does nothing while an outer gradient is running', async () => {
    const xs = tf.keep(x());
    let freedInside = -1;
    const g = tf.grad((v: tf.Tensor) => {
      const y = tf.exp(v);
      freedInside = releaseAbandonedTape();
      return tf.sum(y);
    })(xs);
    expect(freedInside).toBe(0);
    const want = tf.exp(xs);
    expect(Array.from(await g.data())).toEqual(Array.from(await want.data()));
    tf.dispose([g, xs, want]);
    expect(releaseAbandonedTape()).toBe(0);
  });
});
