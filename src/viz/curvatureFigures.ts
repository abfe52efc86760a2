/**
 * The curvature figures (issue 16), built from the engine services' JSON: flatness against the
 * generalisation gap (scatter, rank correlations in the note), the Hessian's spectral density (SLQ,
 * a curve) and the per-block top eigenvalues (diverging bars: eigenvalues can be negative). One
 * place for them, so `sensescape landscape flatness --svg` / `landscape hessian --svg` and the app's
 * Curvature panel draw (and export) the same SVG from the same numbers.
 */
import type { HessianReport } from '../engine/landscape/services/curvature';
import type { FlatnessCorrelation, FlatnessReport } from '../engine/landscape/services/flatness';
import { renderBarsSvg, type BarsLayout } from './barsSvg';
import { renderCurveSvg, type CurveLayout } from './curveSvg';
import type { SvgLayout } from './layout';
import { renderScatterSvg } from './scatterSvg';

export type FlatnessMeasure = FlatnessCorrelation['measure'];
export type FlatnessGap = FlatnessCorrelation['gap'];

/** The measures of the flatness table (the engine's FLATNESS_MEASURES, for layers that may not import it). */
export const FLATNESS_MEASURE_NAMES: readonly FlatnessMeasure[] = [
  'eigenvalue',
  'trace',
  'epsilon_sharpness',
  'random_direction_rise',
  'curve_curvature',
  'basin_width',
];

const GAP_LABEL: Record<FlatnessGap, string> = {
  gap_loss: 'gap: dev loss − train loss',
  gap_accuracy: 'gap: train accuracy − dev accuracy',
};

/** "ρ 0.60" style number, or — for a missing correlation. */
const fmt = (v: number | null) => (v === null ? '—' : v.toFixed(2));

/** The correlation line of one measure and gap, e.g. "Spearman ρ 0.60, Kendall τ 0.40 (n = 5)". */
export function correlationNote(r: FlatnessReport, measure: FlatnessMeasure, gap: FlatnessGap = 'gap_loss'): string {
  const c = r.correlations.find((x) => x.measure === measure && x.gap === gap);
  return c ? `Spearman ρ ${fmt(c.spearman)}, Kendall τ ${fmt(c.kendall)} (n = ${c.n})` : 'no correlation';
}

/** One point per checkpoint: `measure` (x, on the training examples) against the gap (y); rows without either are left out. */
export function renderFlatnessScatter(
  r: FlatnessReport,
  measure: FlatnessMeasure,
  gap: FlatnessGap = 'gap_loss',
): SvgLayout {
  const rows = r.rows.filter((row) => row[gap] !== null && row[measure] !== null);
  return renderScatterSvg({
    title: `${measure} against the generalisation gap`,
    points: rows.map((row) => ({ label: row.name, x: row[measure] as number, y: row[gap] as number })),
    xLabel: `${measure} (train, ${r.examples.train} examples)`,
    yLabel: GAP_LABEL[gap],
    note: correlationNote(r, measure, gap),
    metadata: { analysis: 'flatness', measure, gap, rows: r.rows, correlations: r.correlations, settings: r.settings },
  });
}

/** The SLQ spectral density as a curve over the eigenvalue grid; null when the report has none. */
export function renderHessianDensity(r: HessianReport, name: string): CurveLayout | null {
  if (!r.density) return null;
  return renderCurveSvg({
    title: `Hessian spectral density of ${name}`,
    xLabel: `eigenvalue (${r.examples} examples; SLQ, ${r.density.vectors} vector(s) × ${r.density.steps} steps)`,
    yLabel: 'density',
    series: [{ name, x: r.density.grid, y: r.density.values }],
    metadata: { analysis: 'hessian', checkpoint: name, density: r.density, settings: r.settings },
  });
}

/** Each block's eigenvalue of largest magnitude, embeddings first; null when the report has no groups. */
export function renderHessianGroups(r: HessianReport, name: string): BarsLayout | null {
  if (!r.groups) return null;
  return renderBarsSvg({
    title: `Top eigenvalue per block of the Hessian, ${name}`,
    bars: r.groups.map((g, k) => ({ label: `${g.name} (${g.parameters})`, value: g.eigenvalue, colorIndex: k })),
    valueLabel: `λ of largest magnitude (${r.examples} examples)`,
    diverging: r.groups.some((g) => g.eigenvalue < 0),
    metadata: { analysis: 'hessian', checkpoint: name, groups: r.groups, settings: r.settings },
  });
}
