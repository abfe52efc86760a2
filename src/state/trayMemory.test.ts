// The tray's memory line: held bytes per dtype, what an analysis adds, and the warning against the
// device's reported memory (none when the browser does not report it).
import { describe, expect, it } from 'vitest';
import { trayMemory } from './trayMemory';

const BASE = 109_482_240;
const f32 = { parameters: BASE, hold: { dtype: 'F32' as const, bytes: 4 * BASE, rounded: false, relativeChange: 0 } };
const f16 = { parameters: BASE, hold: { dtype: 'F16' as const, bytes: 2 * BASE, rounded: true, relativeChange: 1e-4 } };

describe('trayMemory', () => {
  it('sums the held bytes and sizes an analysis by the largest checkpoint', () => {
    const m = trayMemory([f32, f16, f16]);
    expect(m.heldBytes).toBe(8 * BASE);
    expect(m.analysisBytes).toBe(16 * BASE);
    expect(m.tight).toBe(false);
    expect(m.message).not.toContain('device');
  });

  it('warns past half the reported device memory and suggests F16 only when something is F32', () => {
    const three = trayMemory([f32, f32, f32], 4);
    expect(three.tight).toBe(true);
    expect(three.message).toContain('This device reports 4 GB');
    expect(three.message).toContain('hold the weights as F16');
    const halves = trayMemory([f16, f16, f16], 2);
    expect(halves.tight).toBe(true);
    expect(halves.message).not.toContain('as F16');
    expect(trayMemory([f16, f16, f16], 8).tight).toBe(false);
    expect(trayMemory([], 8)).toMatchObject({ heldBytes: 0, analysisBytes: 0, tight: false });
  });
});
