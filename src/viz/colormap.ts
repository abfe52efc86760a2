/**
 * Colour maps and value scales for landscapes: perceptually uniform viridis / cividis
 * (d3-scale-chromatic), linear or log10 value scales whose domain comes from FINITE values only (a
 * diverged NaN/∞ point or a non-positive value on a log scale never breaks a plot).
 */
import { interpolateCividis, interpolateViridis } from 'd3-scale-chromatic';

export type ColormapName = 'viridis' | 'cividis';

export function colormap(name: ColormapName): (t: number) => string {
  return name === 'cividis' ? interpolateCividis : interpolateViridis;
}

/** Value ↔ plotting space (identity or log10). */
export interface ValueTransform {
  log: boolean;
  forward(v: number): number;
  inverse(t: number): number;
}

export function valueTransform(log: boolean): ValueTransform {
  return log
    ? { log, forward: (v) => (v > 0 ? Math.log10(v) : Number.NaN), inverse: (t) => 10 ** t }
    : { log, forward: (v) => v, inverse: (t) => t };
}

/** [min, max] of the finite transformed values, or null when there are none. */
export function finiteExtent(values: Iterable<number | null>, tr: ValueTransform): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === null) continue;
    const t = tr.forward(v);
    if (!Number.isFinite(t)) continue;
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  return lo <= hi ? [lo, hi] : null;
}
