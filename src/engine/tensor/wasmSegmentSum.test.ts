/**
 * The WASM `UnsortedSegmentSum` kernel (wasmSegmentSum.ts) against a float64 loop and the CPU backend's
 * kernel: duplicate ids, ids out of range (dropped), empty segments, rows of rank 2, int32 values; and
 * gather's first and second derivatives through it equal to the CPU backend's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initNodeBackend } from '../node/backend';
import { mulberry32 } from '../util/random';
import { registerGradients } from './gradients';
import { installWasmSegmentSum } from './wasmSegmentSum';

beforeAll(async () => {
  await initNodeBackend();
  expect(tf.getBackend()).toBe('wasm');
  installWasmSegmentSum();
  registerGradients();
});

const rand = mulberry32(5);
const values = (n: number): Float32Array => Float32Array.from({ length: n }, () => rand() * 2 - 1);

/** Float64 Σ of x's rows (rows = ids.length, each `inner` long) per segment. */
function reference(x: ArrayLike<number>, ids: ArrayLike<number>, segments: number, inner: number): Float64Array {
  const out = new Float64Array(segments * inner);
  for (let r = 0; r < ids.length; r++) {
    if (ids[r] < 0 || ids[r] >= segments) continue;
    for (let j = 0; j < inner; j++) out[ids[r] * inner + j] += x[r * inner + j];
  }
  return out;
}

/** Runs `f` on the CPU backend, then comes back to WASM. */
async function onCpu<T>(f: () => Promise<T>): Promise<T> {
  await initNodeBackend('cpu');
  try {
    return await f();
  } finally {
    await initNodeBackend('wasm');
  }
}

describe('UnsortedSegmentSum on WASM', () => {
  it('equals a float64 loop and the CPU kernel (duplicates, out-of-range ids, empty segments)', async () => {
    const ids = Int32Array.from([3, 0, 3, -1, 2, 9, 3, 0]);
    const x = values(ids.length * 5);
    const run = () => tf.unsortedSegmentSum(tf.tensor2d(x, [ids.length, 5]), tf.tensor1d(ids, 'int32'), 6).data();
    const wasm = await run();
    const cpu = await onCpu(run);
    const ref = reference(x, ids, 6, 5);
    expect(wasm.length).toBe(30);
    for (let i = 0; i < ref.length; i++) expect(Math.abs(wasm[i] - ref[i])).toBeLessThan(1e-6);
    expect(Array.from(wasm)).toEqual(Array.from(cpu)); // rows summed in the same order: the same float32s
    expect(Array.from(wasm.slice(5, 10))).toEqual([0, 0, 0, 0, 0]); // segment 1 has no rows
  });
  it('sums rows of higher rank and int32 values', async () => {
    const ids = tf.tensor1d([1, 0, 1], 'int32');
    const x = tf.tensor3d(
      Int32Array.from({ length: 12 }, (_, i) => i),
      [3, 2, 2],
      'int32',
    );
    const out = tf.unsortedSegmentSum(x, ids, 3);
    expect(out.shape).toEqual([3, 2, 2]);
    expect(out.dtype).toBe('int32');
    expect(Array.from(await out.data())).toEqual([4, 5, 6, 7, 8, 10, 12, 14, 0, 0, 0, 0]);
  });
  it('gives gather the CPU backend’s first and second derivatives', async () => {
    const table = values(7 * 4);
    const ids = Int32Array.from([2, 5, 2, 0, 6, 2]);
    const w = values(ids.length * 4);
    const v = values(7 * 4);
    // L(T) = Σ tanh(gather(T, ids)) ⊙ w; H·v by differentiating ∇L · v again.
    const loss = (t: tf.Tensor) =>
      tf.sum(tf.mul(tf.tanh(tf.gather(t, tf.tensor1d(ids, 'int32'))), tf.tensor2d(w, [ids.length, 4])));
    const run = async () => {
      const t = tf.tensor2d(table, [7, 4]);
      const g = tf.grad(loss)(t);
      const hv = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.grad(loss)(x), tf.tensor2d(v, [7, 4]))))(t);
      return [await g.data(), await hv.data()];
    };
    const wasm = await run();
    const cpu = await onCpu(run);
    for (let k = 0; k < 2; k++) {
      const scale = Math.max(...Array.from(cpu[k], Math.abs));
      expect(scale).toBeGreaterThan(0);
      const err = Math.max(...Array.from(wasm[k], (a, i) => Math.abs(a - cpu[k][i])));
      expect(err / scale).toBeLessThan(1e-6);
    }
  });
});
