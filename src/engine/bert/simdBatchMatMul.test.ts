/**
 * The SIMD BatchMatMul kernel installed over tfjs-backend-wasm's (simdBatchMatMul.ts) and the
 * flag-free 2-D products of tensor/matmul.ts, against float64 loops: every transpose combination,
 * K not a multiple of 4, batch broadcasting (one side 1), rank-4 batch dims, a zero-size side, and a
 * gradient through the kernel equal to the same gradient on the CPU backend.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initNodeBackend } from '../node/backend';
import { mulberry32 } from '../util/random';
import { matMulFast } from '../tensor/matmul';
import { installSimdBatchMatMul } from './simdBatchMatMul';
import { registerGradients } from '../tensor/gradients';

beforeAll(async () => {
  await initNodeBackend();
  expect(tf.getBackend()).toBe('wasm');
  expect(installSimdBatchMatMul()).toBe(true);
  registerGradients();
});

const rand = mulberry32(11);
const randomValues = (shape: number[]): Float32Array =>
  Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => rand() * 2 - 1);
const randomTensor = (shape: number[]): tf.Tensor => tf.tensor(randomValues(shape), shape);

/** Float64 a·b with the flags and equal-or-1 batch broadcasting; shape [...batch, m, n]. */
async function reference(
  a: tf.Tensor,
  b: tf.Tensor,
  ta: boolean,
  tb: boolean,
): Promise<{ values: Float64Array; shape: number[] }> {
  const A = await a.data();
  const B = await b.data();
  const ra = a.rank;
  const rb = b.rank;
  const m = ta ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = ta ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = tb ? b.shape[rb - 2] : b.shape[rb - 1];
  const oa = a.shape.slice(0, -2);
  const ob = b.shape.slice(0, -2);
  const batchA = oa.reduce((p, d) => p * d, 1);
  const batchB = ob.reduce((p, d) => p * d, 1);
  const batch = Math.max(batchA, batchB);
  const out = new Float64Array(batch * m * n);
  for (let z = 0; z < batch; z++) {
    const za = batchA === 1 ? 0 : z;
    const zb = batchB === 1 ? 0 : z;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) {
          const av = ta ? A[za * m * k + q * m + i] : A[za * m * k + i * k + q];
          const bv = tb ? B[zb * n * k + j * k + q] : B[zb * n * k + q * n + j];
          s += av * bv;
        }
        out[z * m * n + i * n + j] = s;
      }
  }
  return { values: out, shape: [...(batchA >= batchB ? oa : ob), m, n] };
}

async function expectClose(got: tf.Tensor, want: Promise<{ values: Float64Array; shape: number[] }>): Promise<void> {
  const w = await want;
  expect(got.shape).toEqual(w.shape);
  const g = await got.data();
  let scale = 1e-30;
  for (const v of w.values) scale = Math.max(scale, Math.abs(v));
  let err = 0;
  for (let i = 0; i < g.length; i++) err = Math.max(err, Math.abs(g[i] - w.values[i]));
  expect(err / scale).toBeLessThan(1e-6);
}

describe('SIMD BatchMatMul on the WASM backend', () => {
  const cases: [string, number[], number[], boolean, boolean][] = [
    ['batched NN, attention p·v', [6, 7, 9], [6, 9, 8], false, false],
    ['batched NT, attention q·kᵀ', [6, 7, 8], [6, 9, 8], false, true],
    ['batched TN (K = 7)', [6, 7, 5], [6, 7, 3], true, false],
    ['batched TT (K = 5)', [4, 5, 3], [4, 6, 5], true, true],
    ['2-D with transposeA', [13, 6], [13, 10], true, false],
    ['2-D with transposeB (K = 3)', [5, 3], [4, 3], false, true],
    ['broadcast batch of a', [1, 5, 8], [3, 8, 6], false, false],
    ['broadcast batch of b', [2, 3, 5, 8], [8, 6], false, false],
    ['rank 4, one-row queries', [2, 3, 1, 8], [2, 3, 9, 8], false, true],
  ];
  it.each(cases)('%s equals a float64 product', async (_name, sa, sb, ta, tb) => {
    const a = randomTensor(sa);
    const b = randomTensor(sb);
    await expectClose(tf.matMul(a, b, ta, tb), reference(a, b, ta, tb));
    tf.dispose([a, b]);
  });
  it('a zero-size side gives an empty result of the right shape', () => {
    const r = tf.matMul(tf.zeros([3, 0, 4]), tf.zeros([3, 4, 5]));
    expect(r.shape).toEqual([3, 0, 5]);
  });
  it('matMulFast equals the flagged product for every 2-D combination', async () => {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      const a = randomTensor(ta ? [11, 7] : [7, 11]);
      const b = randomTensor(tb ? [5, 11] : [11, 5]);
      await expectClose(matMulFast(a, b, ta, tb), reference(a, b, ta, tb));
    }
  });
  it('a gradient through batched products equals the CPU backend’s', async () => {
    const sa = [4, 6, 8];
    const sb = [4, 7, 8];
    const av = randomValues(sa);
    const bv = randomValues(sb);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.matMul(tf.softmax(tf.matMul(a, b, false, true)), b)));
    const grads = () =>
      Promise.all(
        tf
          .grads(f)([tf.tensor(av, sa), tf.tensor(bv, sb)])
          .map(async (g) => (await g.data()) as Float32Array),
      );
    const wasm = await grads();
    await initNodeBackend('cpu');
    const cpu = await grads();
    await initNodeBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    for (let i = 0; i < 2; i++) {
      const scale = Math.max(...cpu[i].map(Math.abs));
      const err = Math.max(...wasm[i].map((v, j) => Math.abs(v - cpu[i][j])));
      expect(err / scale).toBeLessThan(1e-5);
    }
  });
});
