/**
 * The hand-assembled WebAssembly SIMD kernels (gemmSimd.ts) against plain float64 loops — odd sizes,
 * strides, tails — and host attention (hostAttention.ts) against a float64 attention (and the same
 * attention in tfjs ops, as BertClassifier's GPU path does it, as a cross-check of the reference),
 * with padding masks, a sequence length that is not a multiple of 4, head size 64, and the
 * [CLS]-only variant. Errors are relative to the largest |output|.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initNodeBackend } from '../node/backend';
import { mulberry32 } from '../util/random';
import { SimdGemm } from './gemmSimd';
import { attentionFloats, hostAttention } from './hostAttention';

const FLOAT32_MIN = -3.4028234663852886e38;
let gemm: SimdGemm;

beforeAll(async () => {
  await initNodeBackend();
  const g = SimdGemm.create();
  expect(g).not.toBeNull(); // Node 20 has WebAssembly SIMD
  gemm = g!;
});

function fillRandom(f: Float32Array, from: number, n: number, rand: () => number): void {
  for (let i = 0; i < n; i++) f[from + i] = rand() * 2 - 1;
}

describe('SimdGemm kernels', () => {
  it('gemmNT: A·Bᵀ / div with strides, 4-column blocks and tails', () => {
    const rand = mulberry32(1);
    for (const [M, N, K] of [
      [1, 1, 4],
      [3, 7, 8],
      [5, 13, 64],
      [2, 4, 12],
    ]) {
      const as = K + 3,
        bs = K + 5,
        os = N + 2;
      const a = 0,
        b = 4000,
        out = 9000;
      gemm.reserve(20000);
      const f = gemm.f32;
      fillRandom(f, 0, 9000, rand);
      const guard = f[out + (M - 1) * os + N];
      gemm.gemmNT(a, as, b, bs, out, os, M, N, K, 3);
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += f[a + i * as + k] * f[b + j * bs + k];
          expect(Math.abs(f[out + i * os + j] - s / 3)).toBeLessThan(1e-5 * Math.max(1, Math.abs(s)));
        }
      }
      expect(f[out + (M - 1) * os + N]).toBe(guard); // nothing written past the last column
    }
    expect(() => gemm.gemmNT(0, 4, 0, 4, 0, 4, 1, 1, 6)).toThrow(/multiple of 4/);
  });

  it('gemmNN: A·B with 16- and 4-column passes', () => {
    const rand = mulberry32(2);
    for (const [M, N, K] of [
      [1, 4, 1],
      [3, 20, 7],
      [4, 64, 37],
      [2, 36, 5],
    ]) {
      const as = K + 1,
        bs = N + 4,
        os = N + 8;
      const a = 0,
        b = 1000,
        out = 8000;
      gemm.reserve(20000);
      const f = gemm.f32;
      fillRandom(f, 0, 8000, rand);
      gemm.gemmNN(a, as, b, bs, out, os, M, N, K);
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += f[a + i * as + k] * f[b + k * bs + j];
          expect(Math.abs(f[out + i * os + j] - s)).toBeLessThan(1e-5 * Math.max(1, Math.abs(s)));
        }
      }
    }
  });

  it('softmaxRows: masked keys and padding get exactly 0; probabilities within 1e-5 relative down to 1e-37', () => {
    const rand = mulberry32(3);
    const n = 20,
      rows = 4,
      s = 0,
      madd = 200,
      keep = 300;
    gemm.reserve(1000);
    const f = gemm.f32;
    for (let j = 0; j < n; j++) {
      const k = j < 17 && j % 5 !== 2;
      f[madd + j] = k ? 0 : FLOAT32_MIN;
      f[keep + j] = k ? 1 : 0;
    }
    for (let i = 0; i < rows * n; i++) f[s + i] = (rand() * 2 - 1) * 30;
    const orig = f.slice(s, s + rows * n);
    gemm.softmaxRows(s, rows, n, madd, keep);
    for (let r = 0; r < rows; r++) {
      let max = -Infinity;
      for (let j = 0; j < n; j++) if (f[keep + j]) max = Math.max(max, orig[r * n + j]);
      const e = Array.from({ length: n }, (_, j) => (f[keep + j] ? Math.exp(orig[r * n + j] - max) : 0));
      const sum = e.reduce((x, y) => x + y, 0);
      for (let j = 0; j < n; j++) {
        const got = f[s + r * n + j];
        if (!f[keep + j]) expect(got).toBe(0);
        else expect(Math.abs(got - e[j] / sum)).toBeLessThan(1e-5 * (e[j] / sum) + 1e-37);
      }
    }
  });
});

/** erfc(z) for z ≥ 0 by Simpson's rule on 2/√π·e^(−t²) over [z, z + 9] (float64; no cancellation in the tail). */
function erfc64(z: number): number {
  const n = 4000;
  const h = 9 / n;
  let acc = 0;
  for (let i = 0; i <= n; i++) {
    const t = z + i * h;
    acc += (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * Math.exp(-t * t);
  }
  return ((acc * h) / 3) * (2 / Math.sqrt(Math.PI));
}

describe('geluErf', () => {
  it('is 0.5·x·(1 + erf(x/√2)) within 1e-6 absolute on [−8, 8], 1e-5 relative where |GELU| ≥ 1e-12', () => {
    const xs = Array.from({ length: 803 }, (_, i) => Math.fround(-8 + i * 0.02 + 0.0037));
    gemm.reserve(1000);
    const f = gemm.f32;
    xs.forEach((x, i) => (f[i] = x));
    f[xs.length] = 12345; // the padding past n may be overwritten, nothing beyond it
    f[xs.length + 1] = 777;
    gemm.geluErf(0, xs.length);
    xs.forEach((x, i) => {
      const c = erfc64(Math.abs(x) / Math.SQRT2);
      const want = 0.5 * x * (x >= 0 ? 2 - c : c);
      expect(Math.abs(f[i] - want)).toBeLessThan(1e-6);
      if (Math.abs(want) >= 1e-12) expect(Math.abs(f[i] - want) / Math.abs(want)).toBeLessThan(1e-5);
    });
    expect(f[xs.length + 1]).toBe(777); // 803 → 804: one float of padding
  });
});

/** Attention with tfjs ops, HF's formulation (the GPU path of BertClassifier). */
function tfAttention(
  qkv: Float32Array,
  mask: Int32Array,
  B: number,
  L: number,
  H: number,
  nh: number,
  clsOnly: boolean,
): tf.Tensor2D {
  return tf.tidy(() => {
    const d = H / nh;
    const all = tf.tensor2d(qkv, [B * L, 3 * H]);
    const [q0, k0, v0] = tf.split(all, 3, 1);
    const rows = clsOnly ? 1 : L;
    const q1 = clsOnly ? tf.gather(q0, tf.range(0, B * L, L, 'int32')) : q0;
    const heads = (t: tf.Tensor, r: number): tf.Tensor3D =>
      tf.reshape(tf.transpose(tf.reshape(t, [B, r, nh, d]), [0, 2, 1, 3]), [B * nh, r, d]);
    const maskAdd = tf.reshape(tf.mul(tf.sub(1, tf.tensor1d(Float32Array.from(mask))), FLOAT32_MIN), [B, 1, 1, L]);
    const scores = tf.add(
      tf.reshape(tf.div(tf.matMul(heads(q1, rows), heads(k0, L), false, true), Math.sqrt(d)), [B, nh, rows, L]),
      maskAdd,
    );
    const probs = tf.reshape(tf.softmax(scores), [B * nh, rows, L]);
    return tf.reshape(tf.transpose(tf.reshape(tf.matMul(probs, heads(v0, L)), [B, nh, rows, d]), [0, 2, 1, 3]), [
      B * rows,
      H,
    ]) as tf.Tensor2D;
  });
}

/** Attention in float64 (independent reference): softmax(QKᵀ/√d + mask)·V per example and head. */
function attention64(
  qkv: Float32Array,
  mask: Int32Array,
  B: number,
  L: number,
  H: number,
  nh: number,
  clsOnly: boolean,
): Float64Array {
  const d = H / nh;
  const rows = clsOnly ? 1 : L;
  const out = new Float64Array(B * rows * H);
  const at = (b: number, i: number, part: number, h: number, c: number): number =>
    qkv[(b * L + i) * 3 * H + part * H + h * d + c];
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < nh; h++) {
      for (let i = 0; i < rows; i++) {
        const s = Array.from({ length: L }, (_, j) => {
          let dot = 0;
          for (let c = 0; c < d; c++) dot += at(b, i, 0, h, c) * at(b, j, 1, h, c);
          return mask[b * L + j] ? dot / Math.sqrt(d) : -Infinity;
        });
        const max = Math.max(...s);
        const e = s.map((x) => Math.exp(x - max));
        const sum = e.reduce((x, y) => x + y, 0);
        for (let c = 0; c < d; c++) {
          let acc = 0;
          for (let j = 0; j < L; j++) acc += (e[j] / sum) * at(b, j, 2, h, c);
          out[(b * rows + i) * H + h * d + c] = acc;
        }
      }
    }
  }
  return out;
}

describe('hostAttention', () => {
  for (const [B, L, H, nh] of [
    [3, 37, 128, 2],
    [2, 8, 32, 4],
  ]) {
    for (const clsOnly of [false, true]) {
      it(`matches float64 attention (and tfjs ops): B ${B}, L ${L}, H ${H}, ${nh} heads${clsOnly ? ', [CLS] queries only' : ''}`, async () => {
        const rand = mulberry32(B * 100 + L);
        const qkv = Float32Array.from({ length: B * L * 3 * H }, () => (rand() * 2 - 1) * 2);
        const mask = new Int32Array(B * L);
        for (let b = 0; b < B; b++) for (let j = 0; j < L; j++) mask[b * L + j] = j < L - 5 * b ? 1 : 0; // padded rows
        const want = tfAttention(qkv, mask, B, L, H, nh, clsOnly);
        const viaTf = await want.data();
        want.dispose();
        const exact = attention64(qkv, mask, B, L, H, nh, clsOnly);
        const shape = { batch: B, seqLen: L, hidden: H, heads: nh };
        gemm.reserve(attentionFloats(shape, clsOnly));
        gemm.f32.fill(Number.NaN); // nothing but the projections may be read
        gemm.f32.set(qkv, 0);
        const got = hostAttention(gemm, mask, shape, clsOnly);
        expect(got.length).toBe(exact.length);
        const scale = exact.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        let worst = 0;
        let worstTf = 0;
        for (let i = 0; i < exact.length; i++) {
          worst = Math.max(worst, Math.abs(got[i] - exact[i]) / scale);
          worstTf = Math.max(worstTf, Math.abs(viaTf[i] - exact[i]) / scale);
        }
        expect(worstTf).toBeLessThan(1e-5); // the reference itself agrees with tfjs
        expect(worst).toBeLessThan(1e-5);
      });
    }
  }
});
