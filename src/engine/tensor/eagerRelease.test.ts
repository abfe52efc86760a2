/**
 * Eager release of intermediate gradients: the same gradients bit for bit as tfjs's own backprop,
 * with far fewer tensors alive during the backward pass of a long chain (the negative control is the
 * same chain without it, whose live count grows with the chain); a kept `dy` is left alone, and
 * nested (second-order) gradients are unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../node/backend';
import { withEagerRelease } from './eagerRelease';
import { registerGradients } from './gradients';

const CHAIN = 40;

beforeAll(async () => {
  await initNodeBackend();
  registerGradients();
});

/** Gradient of Σ tanh∘…∘tanh(x · w) (CHAIN tanh) w.r.t. x and w, and the most tensors alive during its backward pass. */
async function chain(eager: boolean): Promise<{ grads: number[][]; peak: number }> {
  const x = tf.keep(tf.linspace(-1, 1, 1000));
  const w = tf.keep(tf.scalar(0.7));
  // The most tensors alive during the backward pass (after the forward's tape ends).
  const engine = tf.engine() as unknown as { trackTensor(...a: unknown[]): void; endTape(): void };
  const [track, endTape] = [engine.trackTensor, engine.endTape];
  let peak = 0;
  let backward = false;
  engine.endTape = function (this: unknown) {
    endTape.call(this);
    backward = true;
  };
  engine.trackTensor = function (this: unknown, ...a: unknown[]) {
    track.apply(this, a);
    if (backward) peak = Math.max(peak, tf.memory().numTensors);
  };
  const run = () =>
    tf.tidy(() => {
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => {
        let y = tf.mul(a, b);
        for (let i = 0; i < CHAIN; i++) y = tf.tanh(y);
        return tf.sum(y);
      })([x, w]);
      return g.map((t) => tf.keep(t));
    });
  let grads: tf.Tensor[];
  try {
    grads = eager ? withEagerRelease(run) : run();
  } finally {
    delete (engine as Partial<typeof engine>).trackTensor;
    delete (engine as Partial<typeof engine>).endTape;
  }
  const out = await Promise.all(grads.map(async (t) => Array.from(await t.data())));
  tf.dispose([...grads, x, w]);
  return { grads: out, peak };
}

describe('withEagerRelease', () => {
  for (const backend of ['wasm', 'cpu'])
    it(`gives tfjs's gradients with fewer tensors alive on ${backend}`, async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      const before = tf.memory().numTensors;
      const plain = await chain(false);
      const eager = await chain(true);
      expect(eager.grads).toEqual(plain.grads);
      // Without release every tanh's output gradient stays until the end: ≥ CHAIN more tensors at once.
      expect(plain.peak - eager.peak).toBeGreaterThanOrEqual(CHAIN - 5);
      expect(tf.memory().numTensors).toBe(before);
    });

  it('leaves a kept dy and second-order gradients alone', async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
    const x = tf.keep(tf.tensor1d([0.3, -1.2, 2]));
    const dy = tf.keep(tf.tensor1d([1, 2, 3]));
    const first = withEagerRelease(() => tf.tidy(() => tf.keep(tf.grad((a: tf.Tensor) => tf.tanh(tf.tanh(a)))(x, dy))));
    expect(dy.isDisposed).toBe(false);
    const second = (eager: boolean) => {
      const f = () =>
        tf.tidy(() => {
          // d/dx of (d/dx Σ tanh(x³)) · 1: a nested gradient, taken through the inner backward's ops.
          const inner = (a: tf.Tensor) => tf.sum(tf.grad((b: tf.Tensor) => tf.sum(tf.tanh(tf.pow(b, 3))))(a));
          return tf.keep(tf.grad(inner)(x));
        });
      return eager ? withEagerRelease(f) : f();
    };
    const [a, b] = [second(false), second(true)];
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([first, a, b, x, dy]);
  });
});
