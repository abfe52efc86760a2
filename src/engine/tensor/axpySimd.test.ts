/**
 * The SIMD axpy (axpySimd.ts) stores exactly what the scalar JavaScript loop stores (the same f64
 * arithmetic, one rounding): one and two directions, lengths that are and are not multiples of 4,
 * unaligned offsets, coefficients that round differently in f32 and f64, and zero/negative values;
 * and strided rows (each row as the loop, nothing written between rows).
 */
import { describe, expect, it } from 'vitest';
import { axpy } from '../bert/hostRuns';
import { axpyKernel } from './axpySimd';
import { mulberry32 } from '../util/random';

describe('axpyKernel', () => {
  const memory = new WebAssembly.Memory({ initial: 4 });
  const kernel = axpyKernel(memory)!;
  const f32 = new Float32Array(memory.buffer);
  const r = mulberry32(5);
  const fill = (off: number, n: number) => {
    for (let i = 0; i < n; i++) f32[off + i] = (r() - 0.5) * 10 ** Math.floor(r() * 6 - 3);
  };

  it('is available where WebAssembly SIMD is', () => {
    expect(typeof kernel).toBe('function');
  });

  for (const [n, dirs] of [
    [1, 1],
    [7, 2],
    [64, 1],
    [1001, 2],
    [4096, 2],
  ] as const)
    it(`${n} floats, ${dirs} direction(s): bit for bit the JavaScript loop`, () => {
      const [base, x, y, dst] = [1, 5003, 10007, 15013]; // float offsets, some unaligned to 16 bytes
      fill(base, n);
      fill(x, n);
      fill(y, n);
      const cs = [0.1 + r(), -Math.PI / 3];
      const want = new Float32Array(n);
      const srcs = dirs === 1 ? [f32.subarray(x)] : [f32.subarray(x), f32.subarray(y)];
      axpy(want, 0, f32.subarray(base), srcs, cs.slice(0, dirs), 0, n);
      f32.fill(0, dst, dst + n + 1);
      kernel(4 * dst, 4 * base, 4 * x, 4 * y, n, cs[0], cs[1], dirs);
      expect(f32.subarray(dst, dst + n)).toEqual(want);
      expect(f32[dst + n]).toBe(0); // nothing written past n
    });

  it('rows with strides: each row as the JavaScript loop, the gaps between rows untouched', () => {
    const [rows, n, dGap, sGap] = [5, 7, 9, 3]; // floats between rows beyond n
    const [base, x, y, dst] = [20001, 21003, 22005, 23007];
    const total = rows * (n + sGap);
    fill(base, total);
    fill(x, total);
    fill(y, total);
    f32.fill(-7, dst, dst + rows * (n + dGap));
    const cs = [0.37, -2.5];
    kernel(4 * dst, 4 * base, 4 * x, 4 * y, n, cs[0], cs[1], 2, rows, 4 * (n + dGap), 4 * (n + sGap));
    for (let row = 0; row < rows; row++) {
      const so = row * (n + sGap);
      const want = new Float32Array(n);
      axpy(want, 0, f32.subarray(base + so), [f32.subarray(x + so), f32.subarray(y + so)], cs, 0, n);
      const at = dst + row * (n + dGap);
      expect(f32.subarray(at, at + n)).toEqual(want);
      expect(Array.from(f32.subarray(at + n, at + n + dGap))).toEqual(new Array<number>(dGap).fill(-7));
    }
  });
});
