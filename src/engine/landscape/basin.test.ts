/** The 1-D flatness measures against closed forms: a parabola's curvature and basin, censoring, interpolation. */
import { describe, expect, it } from 'vitest';
import { basinWidth, curvatureAtOne, gridAroundOne } from './basin';

describe('basin width and curvature of a 1-D curve', () => {
  it('give a parabola’s exact curvature and basin, interpolating the crossings', () => {
    const alphas = gridAroundOne(1, 0.1);
    expect(alphas).toHaveLength(21);
    expect(alphas[10]).toBe(1);
    const c = 3;
    const loss = alphas.map((a) => 0.5 + c * (a - 1) ** 2);
    expect(curvatureAtOne(alphas, loss)).toBeCloseTo(2 * c, 9);
    // J ≤ J(1) + δ ⇔ |α − 1| ≤ √(δ/c); linear interpolation between grid points overestimates slightly
    const b = basinWidth(alphas, loss, 0.12);
    expect(b.censored).toEqual({ left: false, right: false });
    expect(b.width).toBeGreaterThan(2 * Math.sqrt(0.12 / c) - 0.01);
    expect(b.width).toBeLessThan(2 * Math.sqrt(0.12 / c) + 0.02);
    expect(b.left + b.right).toBeCloseTo(2, 9); // symmetric
  });

  it('say where the scanned range ended the basin, and refuse grids without α = 1', () => {
    const alphas = gridAroundOne(0.5, 0.25); // 0.5 … 1.5
    const b = basinWidth(alphas, [5, 1, 0, 0.01, 0.02], 0.1);
    expect(b.censored).toEqual({ left: false, right: true });
    expect(b.right).toBe(1.5);
    expect(b.left).toBeCloseTo(1 - (0.1 / 1) * 0.25, 12); // J crosses 0.1 a tenth of the way to α = 0.75
    expect(() => basinWidth([0, 0.5], [1, 2], 0.1)).toThrow(/contain 1/);
    expect(() => curvatureAtOne([0, 1], [1, 2])).toThrow(/each side/);
  });
});
