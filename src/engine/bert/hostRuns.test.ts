/**
 * fillRun (hostRuns.ts) against widening first and subtracting after, for every combination of F32
 * and F16 operands, at offsets: bit for bit, including F16 subnormals, infinities' neighbours and
 * signed zeros.
 */
import { describe, expect, it } from 'vitest';
import { f16ToF32 } from '../io/safetensors';
import { mulberry32 } from '../util/random';
import { fillRun } from './hostRuns';

const rand = mulberry32(3);
const N = 300;
const halves = (): Uint16Array =>
  Uint16Array.from({ length: N }, (_, i) =>
    i < 8 ? [0, 0x8000, 1, 0x83ff, 0x7bff, 0xfbff, 0x3c00, 0x0400][i] : (rand() * 0x7c00) | (rand() < 0.5 ? 0x8000 : 0),
  );
const floats = (): Float32Array => Float32Array.from({ length: N }, () => (rand() - 0.5) * 10);
const wide = (x: Float32Array | Uint16Array): Float32Array => (x instanceof Uint16Array ? f16ToF32(x) : x);

describe('fillRun', () => {
  const cases = [
    ['F32', floats(), undefined],
    ['F16', halves(), undefined],
    ['F32 − F32', floats(), floats()],
    ['F16 − F16', halves(), halves()],
    ['F32 − F16', floats(), halves()],
    ['F16 − F32', halves(), floats()],
  ] as const;
  for (const [name, src, sub] of cases)
    it(`${name}: the widened values (minus the widened sub), bit for bit, at offsets`, () => {
      const [o, s, n] = [5, 17, 250];
      const out = new Float32Array(N).fill(7);
      fillRun(out, o, src, sub, s, n);
      const a = wide(src);
      const b = sub && wide(sub);
      const want = new Float32Array(N).fill(7);
      for (let i = 0; i < n; i++) want[o + i] = b ? a[s + i] - b[s + i] : a[s + i];
      expect(out).toEqual(want);
      expect(Object.is(out[o - 1], 7) && Object.is(out[o + n], 7)).toBe(true);
    });
});
