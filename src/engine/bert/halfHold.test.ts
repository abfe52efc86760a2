// Holding checkpoints as F16: F16-representable weights round-trip exactly, F32 weights are rounded to
// nearest even with the reported relative change, and a weight beyond F16's range is refused by name.
import { describe, expect, it } from 'vitest';
import { f16ToF32, f32ToF16 } from '../io/safetensors';
import { InputError } from '../util/errors';
import type { LoadedCheckpoint } from './checkpoint';
import { holdAsHalf, widenHalfHeld } from './halfHold';

function ckptOf(tensors: Record<string, number[]>): LoadedCheckpoint {
  return {
    name: 'tiny',
    config: {} as LoadedCheckpoint['config'],
    tensors: new Map(Object.entries(tensors).map(([n, v]) => [n, { shape: [v.length], data: Float32Array.from(v) }])),
    weightFiles: [],
    sha256: 'x',
    dtype: 'F32',
    tensorDtypes: new Map(),
  };
}

describe('holdAsHalf / widenHalfHeld', () => {
  it('holds F16-representable weights exactly (rounded false, change 0)', () => {
    const c = ckptOf({ a: [0.5, -2, 1024, 2 ** -24, 0], b: [3.140625] });
    const h = holdAsHalf(c);
    expect(h.rounded).toBe(false);
    expect(h.relativeChange).toBe(0);
    const w = widenHalfHeld(h);
    for (const [n, t] of c.tensors) expect(Array.from(w.tensors.get(n)!.data)).toEqual(Array.from(t.data));
    expect(w.name).toBe('tiny');
    expect(w.sha256).toBe('x');
  });

  it('rounds F32 weights to nearest even and reports ‖Δθ‖/‖θ‖', () => {
    const x = [0.1, -0.3333, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 1234.567];
    const h = holdAsHalf(ckptOf({ a: x }));
    const f = Float32Array.from(x);
    const back = f16ToF32(f32ToF16(f));
    expect(Array.from(widenHalfHeld(h).tensors.get('a')!.data)).toEqual(Array.from(back));
    expect(back[2]).toBe(1); // a tie goes to the even mantissa
    expect(back[3]).toBe(1 + 4 * 2 ** -11);
    let d2 = 0;
    let n2 = 0;
    f.forEach((v, i) => ((d2 += (back[i] - v) ** 2), (n2 += v * v)));
    expect(h.rounded).toBe(true);
    expect(h.relativeChange).toBeCloseTo(Math.sqrt(d2 / n2), 12);
    expect(h.relativeChange).toBeLessThan(2 ** -11);
  });

  it('refuses a weight beyond F16 range, naming the tensor', () => {
    expect(() => holdAsHalf(ckptOf({ ok: [1], big: [70000] }))).toThrow(InputError);
    expect(() => holdAsHalf(ckptOf({ ok: [1], big: [70000] }))).toThrow(/big holds 70000, beyond F16/);
  });
});
