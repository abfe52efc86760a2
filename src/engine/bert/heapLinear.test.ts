/**
 * The SIMD Linear on the WASM heap (heapLinear.ts) against float64 loops: register-block row and
 * column tails (m and n not multiples of the block), relu, parts side by side (the Q/K/V projection),
 * a zero-row input; refusals (input width not a multiple of 4, a part that does not fit); and where
 * it is unavailable (the CPU backend).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { initNodeBackend } from '../node/backend';
import { mulberry32 } from '../util/random';
import { heapLinear, heapLinearAvailable, type LinearParts } from './heapLinear';
import { LINEAR_BLOCK } from './simd/linear';

beforeAll(async () => {
  await initNodeBackend();
  expect(tf.getBackend()).toBe('wasm');
});
afterAll(async () => {
  await tf.setBackend('wasm');
});

const rand = mulberry32(5);
const values = (n: number): Float32Array => Float32Array.from({ length: n }, () => rand() * 2 - 1);

/**
 * Float64 [x·W_pᵀ + b_p for each part p] side by side, relu'd when asked: [m · Σ n_p]; and per element
 * the worst-case bound of a float32 sum of k + 1 terms, (k + 1)·2⁻²⁴·(Σ|x_c·w_c| + |b|).
 */
function reference(
  x: Float32Array,
  m: number,
  k: number,
  parts: { w: Float32Array; b: Float32Array }[],
  relu: boolean,
) {
  const width = parts.reduce((a, p) => a + p.b.length, 0);
  const out = new Float64Array(m * width);
  const bound = new Float64Array(m * width);
  let col = 0;
  for (const { w, b } of parts) {
    const n = b.length;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = b[j];
        let abs = Math.abs(b[j]);
        for (let c = 0; c < k; c++) {
          s += x[i * k + c] * w[j * k + c];
          abs += Math.abs(x[i * k + c] * w[j * k + c]);
        }
        out[i * width + col + j] = relu ? Math.max(0, s) : s;
        bound[i * width + col + j] = (k + 1) * 2 ** -24 * abs;
      }
    col += n;
  }
  return { out, bound };
}

async function check(m: number, k: number, ns: number[], relu: boolean): Promise<void> {
  const xv = values(m * k);
  const pv = ns.map((n) => ({ w: values(n * k), b: values(n) }));
  const x = tf.tensor2d(xv, [m, k]);
  const parts: LinearParts[] = pv.map(({ w, b }) => ({ w: tf.tensor2d(w, [b.length, k]), b: tf.tensor1d(b) }));
  const y = heapLinear(x, parts, relu);
  try {
    expect(y.shape).toEqual([m, ns.reduce((a, n) => a + n, 0)]);
    const got = await y.data();
    const { out: want, bound } = reference(xv, m, k, pv, relu);
    want.forEach((v, i) => expect(Math.abs(got[i] - v), `element ${i}`).toBeLessThanOrEqual(bound[i]));
    if (relu) expect(Math.min(...got)).toBe(0);
  } finally {
    tf.dispose([x, y, ...parts.flatMap((p) => [p.w, p.b])]);
  }
}

describe('heapLinear on WASM', () => {
  it('is available for widths that are multiples of 4 only', () => {
    expect(heapLinearAvailable([32, 128])).toBe(true);
    expect(heapLinearAvailable([32, 30])).toBe(false);
  });

  it('equals float64 x·Wᵀ + b with row and column tails', async () => {
    const { rows, cols } = LINEAR_BLOCK;
    await check(2 * rows + 1, 12, [3 * cols + 3], false);
    await check(rows, 4, [cols], false);
    await check(1, 64, [1], false);
  });

  it('equals it over several panels of W (a wide K: W is read in column blocks that fit the cache)', async () => {
    await check(3, 4096, [70], false); // 512 KB panels of 32 rows of W: two full, one of 6
    await check(2, 4096, [32, 33], true);
  });

  it('applies relu and places parts side by side', async () => {
    await check(7, 32, [33], true);
    await check(5, 16, [8, 8, 8], false);
    await check(6, 8, [5, 3, 7], true);
  });

  it('leaves no tensors behind and handles zero rows', () => {
    const before = tf.memory().numTensors;
    const y = tf.tidy(() => heapLinear(tf.zeros([0, 8]), [{ w: tf.ones([3, 8]), b: tf.ones([3]) }]));
    expect(y.shape).toEqual([0, 3]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses an input width that is not a multiple of 4 and parts that do not fit', () => {
    tf.tidy(() => {
      expect(() => heapLinear(tf.zeros([2, 6]), [{ w: tf.zeros([3, 6]), b: tf.zeros([3]) }])).toThrow(/multiple of 4/);
      expect(() => heapLinear(tf.zeros([2, 8]), [{ w: tf.zeros([3, 4]), b: tf.zeros([3]) }])).toThrow(/do not fit/);
      expect(() => heapLinear(tf.zeros([2, 8]), [{ w: tf.zeros([3, 8]), b: tf.zeros([4]) }])).toThrow(/do not fit/);
    });
  });
});

describe('heapLinear on CPU', () => {
  it('is unavailable (no WASM heap): callers keep the tfjs path', async () => {
    expect(await tf.setBackend('cpu')).toBe(true);
    expect(heapLinearAvailable([32])).toBe(false);
    expect(() => tf.tidy(() => heapLinear(tf.zeros([1, 4]), [{ w: tf.zeros([1, 4]), b: tf.zeros([1]) }]))).toThrow(
      /unavailable/,
    );
  });
});
