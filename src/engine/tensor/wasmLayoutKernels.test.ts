/**
 * The column-sum and 2-D transpose kernels against tfjs-backend-wasm's own, bit for bit, on shapes
 * that are not multiples of the tile (and one row, one column), with keepDims, negative axes, and
 * int32 transposes; the shapes they do not take (other axes, ranks, permutations) still give the
 * original kernels' results. The kernels registered after installation are checked to be new ones.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../node/backend';
import { mulberry32 } from '../util/random';
import { installWasmLayoutKernels, uninstallWasmLayoutKernels } from './wasmLayoutKernels';

function randomTensor(seed: number, shape: number[], dtype: 'float32' | 'int32' = 'float32'): tf.Tensor {
  const r = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return dtype === 'int32'
    ? tf.tensor(
        Int32Array.from({ length: n }, () => Math.floor(r() * 1000) - 500),
        shape,
        'int32',
      )
    : tf.tensor(
        Float32Array.from({ length: n }, () => (r() - 0.5) * 10 ** Math.floor(r() * 6)),
        shape,
      );
}

/** Every case: what it computes, as plain arrays. */
function cases(): Promise<number[][]> {
  const out: tf.Tensor[] = tf.tidy(() => {
    const res: tf.Tensor[] = [];
    const shapes = [
      [1024, 256],
      [67, 45],
      [1, 9],
      [300, 1],
      [33, 32],
    ];
    shapes.forEach((s, k) => {
      const x = randomTensor(k + 1, s);
      res.push(tf.sum(x, 0), tf.sum(x, 0, true), tf.sum(x, -2), tf.transpose(x));
      res.push(tf.sum(x, 1), tf.sum(x), tf.transpose(randomTensor(k + 10, s, 'int32')));
    });
    const x3 = randomTensor(99, [4, 5, 6]);
    res.push(tf.sum(x3, 0), tf.transpose(x3, [0, 2, 1]), tf.transpose(x3));
    return res.map((t) => tf.keep(t));
  });
  return Promise.all(
    out.map(async (t) => {
      const v = Array.from(await t.data());
      t.dispose();
      return v;
    }),
  );
}

beforeAll(async () => {
  expect((await initNodeBackend('wasm')).backend).toBe('wasm');
});

describe('installWasmLayoutKernels', () => {
  it('gives the original kernels’ results bit for bit', async () => {
    // The backend ladder installed them; compute the expected values with tfjs's own kernels.
    const installed = [tf.getKernel('Sum', 'wasm')?.kernelFunc, tf.getKernel('Transpose', 'wasm')?.kernelFunc];
    uninstallWasmLayoutKernels();
    const before = [tf.getKernel('Sum', 'wasm')?.kernelFunc, tf.getKernel('Transpose', 'wasm')?.kernelFunc];
    expect(before[0]).not.toBe(installed[0]);
    expect(before[1]).not.toBe(installed[1]);
    const expected = await cases();
    expect(installWasmLayoutKernels()).toBe(true);
    expect(tf.getKernel('Sum', 'wasm')?.kernelFunc).not.toBe(before[0]);
    expect(tf.getKernel('Transpose', 'wasm')?.kernelFunc).not.toBe(before[1]);
    const got = await cases();
    expect(got.length).toBe(expected.length);
    got.forEach((g, i) => expect(g).toEqual(expected[i]));
  });
});
