/**
 * The WebAssembly SIMD sparse kernels against the typed-array loops and a float64 formula written
 * here, on random rows (K not a multiple of 4, padded; a row with one non-zero; an empty row; a dot
 * that underflows to the 1e-30 floor).
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../util/random';
import { scalarKernels, simdKernels, type SparseKernels } from './sparseKernels';

const ELEMENTS = 1 << 16;

/** Fills both arenas alike: β̃ [V, Kp] at 0, θ̃ at `theta`, idx/val of n non-zeros. */
function fill(ks: SparseKernels[], V: number, K: number, n: number, seed: number) {
  const rand = mulberry32(seed);
  const kp = Math.ceil(K / 8) * 8;
  const beta = 0;
  const theta = V * kp;
  const idx = theta + kp;
  const val = idx + n;
  const out = val + n;
  const stats = out + kp + n;
  const b = Float32Array.from({ length: V * kp }, (_, i) => (i % kp < K ? rand() : 0));
  const t = Float32Array.from({ length: kp }, (_, k) => (k < K ? rand() : 0));
  const cols = Int32Array.from({ length: n }, () => Math.floor(rand() * V));
  cols[0] = V - 1;
  const vals = Float32Array.from({ length: n }, () => 1 + Math.floor(rand() * 5));
  for (let c = 0; c < kp; c++) b[(V - 1) * kp + c] = 0; // a column whose dot underflows: the floor applies
  for (const k of ks) {
    k.f32.set(b, beta);
    k.f32.set(t, theta);
    k.i32.set(cols, idx);
    k.f32.set(vals, val);
    k.f32.fill(0.5, stats, stats + V * kp);
  }
  return { kp, beta, theta, idx, val, out, stats, b, t, cols, vals };
}

describe('sparse LDA kernels', () => {
  const simd = simdKernels(ELEMENTS);
  const scalar = scalarKernels(ELEMENTS);

  it('SIMD is available in Node and equals the scalar loops and a float64 formula', () => {
    expect(simd).not.toBeNull();
    for (const [V, K, n] of [
      [30, 7, 11],
      [50, 12, 1],
      [40, 33, 0],
      [64, 300, 25],
    ]) {
      const ks = [simd!, scalar];
      const L = fill(ks, V, K, n, V * 31 + K);
      const ref64 = new Float64Array(L.kp);
      const stats64 = new Float64Array(V * L.kp).fill(0.5);
      const dots = new Float64Array(n);
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += L.t[k] * L.b[L.cols[j] * L.kp + k];
        dots[j] = s;
        const q = L.vals[j] / Math.max(s, 1e-30);
        for (let k = 0; k < K; k++) {
          ref64[k] += q * L.b[L.cols[j] * L.kp + k];
          stats64[L.cols[j] * L.kp + k] += q * L.t[k];
        }
      }
      for (const k of ks) {
        k.rowRound(L.theta, L.beta, L.kp, L.idx, L.val, n, L.out);
        for (let i = 0; i < L.kp; i++)
          expect(Math.abs(k.f32[L.out + i] - ref64[i])).toBeLessThan(1e-5 * (1 + Math.abs(ref64[i])));
        k.rowDots(L.theta, L.beta, L.kp, L.idx, n, L.out);
        for (let j = 0; j < n; j++) expect(Math.abs(k.f32[L.out + j] - dots[j])).toBeLessThan(1e-5 * (1 + dots[j]));
        k.rowStats(L.theta, L.beta, L.kp, L.idx, L.val, n, L.stats);
        for (let i = 0; i < V * L.kp; i++) {
          const want = stats64[i];
          // the floored column gets q = v / 1e-30 — compare relatively
          expect(Math.abs(k.f32[L.stats + i] - want)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want)));
        }
      }
      if (n > 1) expect(Math.max(...Array.from(ref64))).toBeGreaterThan(0);
    }
  });
});
