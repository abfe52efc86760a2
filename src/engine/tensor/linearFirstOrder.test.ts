/**
 * The first-order Linear node against the same Linear from plain ops on WASM: the value bit for bit,
 * the gradients with respect to x, W and b equal to float32 rounding (dW is computed as dyᵀ·x rather
 * than (xᵀ·dy)ᵀ, the same products), and no weight-sized tensor left on the tape (the negative
 * control: the plain ops keep Wᵀ).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../node/backend';
import { mulberry32 } from '../util/random';
import { registerGradients } from './gradients';
import { linearFirstOrder } from './linearFirstOrder';
import { matMulFast } from './matmul';
import { withSharedIdentity } from './sharedIdentity';

const [ROWS, IN, OUT] = [9, 48, 40];

function rand(seed: number, shape: number[]): tf.Tensor {
  const r = mulberry32(seed);
  return tf.keep(
    tf.tensor(
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() - 0.5),
      shape,
    ),
  );
}

beforeAll(async () => {
  expect((await initNodeBackend('wasm')).backend).toBe('wasm');
  registerGradients();
});

/** Value, gradients and the number of OUT × IN or IN × OUT tensors alive at the end of the forward pass. */
async function run(first: boolean) {
  const [x, w, b] = [rand(1, [ROWS, IN]), rand(2, [OUT, IN]), rand(3, [OUT])];
  const engine = tf.engine() as unknown as { endTape(): void; trackTensor(...a: unknown[]): void };
  const made: tf.Tensor[] = [];
  const [endTape, track] = [engine.endTape, engine.trackTensor];
  let weightSized = -1;
  engine.trackTensor = function (this: unknown, ...a: unknown[]) {
    made.push(a[0] as tf.Tensor);
    track.apply(this, a);
  };
  engine.endTape = function (this: unknown) {
    weightSized = new Set(
      made.filter((t) => !t.isDisposed && t.size === OUT * IN && t.dataId !== w.dataId).map((t) => t.dataId),
    ).size;
    endTape.call(this);
  };
  try {
    const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => {
      const y = first
        ? linearFirstOrder(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D)
        : tf.add(matMulFast(xx as tf.Tensor2D, ww as tf.Tensor2D, false, true), bb);
      return tf.sum(tf.mul(tf.square(y), 0.5)); // dL/dy = y
    };
    const r = withSharedIdentity(() => tf.tidy(() => tf.valueAndGrads(f)([x, w, b])));
    const out = {
      value: (await r.value.data())[0],
      grads: await Promise.all(r.grads.map(async (g) => Float32Array.from(await g.data()))),
      weightSized,
    };
    tf.dispose([r.value, ...r.grads, x, w, b]);
    return out;
  } finally {
    delete (engine as Partial<typeof engine>).endTape;
    delete (engine as Partial<typeof engine>).trackTensor;
  }
}

describe('linearFirstOrder', () => {
  it('equals the plain Linear and keeps no weight-sized tensor on the tape', async () => {
    const plain = await run(false);
    const first = await run(true);
    expect(first.value).toBe(plain.value);
    first.grads.forEach((g, i) => {
      const ref = plain.grads[i];
      let err = 0;
      let norm = 0;
      for (let j = 0; j < g.length; j++) {
        err = Math.max(err, Math.abs(g[j] - ref[j]));
        norm = Math.max(norm, Math.abs(ref[j]));
      }
      expect(err).toBeLessThanOrEqual(1e-6 * norm);
    });
    expect(plain.weightSized).toBeGreaterThanOrEqual(1); // Wᵀ saved by the product
    expect(first.weightSized).toBe(0);
  });
});
