/**
 * withSharedIdentity (sharedIdentity.ts) on WASM: inside, a clone shares its input's data (and outlives
 * it by the reference count, with nothing leaked); outside and after a throw, WASM's copying clone is
 * back; a second derivative computed inside equals the one computed outside bit for bit.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initNodeBackend } from '../node/backend';
import { registerGradients } from './gradients';
import { withSharedIdentity } from './sharedIdentity';

beforeAll(async () => {
  await initNodeBackend();
  expect(tf.getBackend()).toBe('wasm');
  registerGradients();
});

describe('withSharedIdentity', () => {
  it('shares data inside, copies outside, and frees shared data once both tensors are gone', async () => {
    const before = tf.memory().numBytes;
    const x = tf.tensor1d([1, 2, 3]);
    const shared = withSharedIdentity(() => tf.clone(x));
    expect(shared.dataId).toBe(x.dataId);
    const copied = tf.clone(x);
    expect(copied.dataId).not.toBe(x.dataId);
    x.dispose();
    expect(Array.from(await shared.data())).toEqual([1, 2, 3]);
    shared.dispose();
    copied.dispose();
    expect(tf.memory().numBytes).toBe(before);
  });
  it('puts the copying kernel back when the function throws', () => {
    const x = tf.tensor1d([1]);
    expect(() =>
      withSharedIdentity(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    const c = tf.clone(x);
    expect(c.dataId).not.toBe(x.dataId);
    tf.dispose([x, c]);
  });
  it('gives the same second derivative as the copying clone', async () => {
    const v = tf.tensor1d([0.3, -1.1, 0.7, 2]);
    const f = (x: tf.Tensor) => tf.sum(tf.mul(tf.tanh(tf.matMul(tf.reshape(x, [2, 2]), tf.reshape(x, [2, 2]))), 3));
    const hv = () =>
      tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.grad(f)(x), v)))(tf.tensor1d([0.5, -0.2, 1.5, 0.1])));
    const a = await hv().data();
    const b = await withSharedIdentity(hv).data();
    expect(Array.from(a).some((z) => z !== 0)).toBe(true);
    expect(Array.from(b)).toEqual(Array.from(a));
  });
});
