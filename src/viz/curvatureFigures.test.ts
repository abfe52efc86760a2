// The curvature figures drawn from service-shaped reports: one scatter point per row that has the
// gap, the correlation note from the report, the density curve and per-block bars; the measure list
// the app's layers use equals the engine's (tests/curvature-measures.test.ts: viz may not import engine values).
import { describe, expect, it } from 'vitest';
import type { FlatnessReport } from '../engine/landscape/services/flatness';
import type { HessianReport } from '../engine/landscape/services/curvature';
import { correlationNote, renderFlatnessScatter, renderHessianDensity, renderHessianGroups } from './curvatureFigures';

const row = (name: string, trace: number, gap: number, gapAcc: number | null) => ({
  name,
  train_loss: 0.5,
  train_accuracy: gapAcc === null ? null : 0.9,
  dev_loss: 0.5 + gap,
  dev_accuracy: gapAcc === null ? null : 0.9 - gapAcc,
  gap_loss: gap,
  gap_accuracy: gapAcc,
  eigenvalue: 2 * trace,
  trace,
  trace_stderr: 0.1,
  epsilon_sharpness: 0.01,
  random_direction_rise: 0.001,
  curve_curvature: null,
  basin_width: null,
  basin: null,
});

const flat: FlatnessReport = {
  rows: [row('a', 1, 0.1, 0.05), row('b', 3, 0.4, null), row('c', 2, 0.2, 0.1)],
  correlations: [{ measure: 'trace', gap: 'gap_loss', spearman: 1, kendall: 1, n: 3 }],
  examples: { train: 8, dev: 8 },
  settings: {
    epsilon: 1e-3,
    radius: 0.1,
    directions: 5,
    ascentSteps: 5,
    iters: 10,
    tol: 1e-3,
    traceSamples: 4,
    curveSpan: 1,
    curveStep: 0.1,
    basinDelta: 0.1,
    origins: [null, null, null],
    seed: 0,
  },
};

describe('curvature figures', () => {
  it('draws one point per row with the gap and prints the correlation', () => {
    const loss = renderFlatnessScatter(flat, 'trace', 'gap_loss');
    expect(loss.svg.match(/<circle/g)).toHaveLength(3);
    expect(loss.svg).toContain('Spearman ρ 1.00, Kendall τ 1.00 (n = 3)');
    expect(correlationNote(flat, 'trace')).toBe('Spearman ρ 1.00, Kendall τ 1.00 (n = 3)');
    const acc = renderFlatnessScatter(flat, 'trace', 'gap_accuracy');
    expect(acc.svg.match(/<circle/g)).toHaveLength(2); // b has no accuracy gap
    expect(acc.svg).toContain('no correlation');
    // The layout maps data to the plotted point: a's trace lies left of b's.
    expect(loss.x(1)).toBeLessThan(loss.x(3));
  });

  it('draws the density and the per-block bars, or nothing when the report has none', () => {
    const base: HessianReport = {
      loss: 0.5,
      gradient_norm: 1,
      parameters: 10,
      examples: 4,
      eigenvalues: [3, -1],
      trace: { estimate: 2, stderr: 0.5, samples: 4 },
      settings: { top: 2, iters: 10, tol: 1e-3, traceSamples: 4, seed: 0, hvps: 30 },
    };
    expect(renderHessianDensity(base, 'm')).toBeNull();
    expect(renderHessianGroups(base, 'm')).toBeNull();
    const full: HessianReport = {
      ...base,
      density: { grid: [-1, 0, 1, 2, 3], values: [0.1, 0.2, 0.1, 0, 0.3], vectors: 1, steps: 5 },
      groups: [
        { name: 'embeddings', parameters: 6, eigenvalue: 0.5, trace: { estimate: 1, stderr: 0.1, samples: 4 } },
        { name: 'classifier', parameters: 4, eigenvalue: -2, trace: { estimate: 1, stderr: 0.1, samples: 4 } },
      ],
    };
    const d = renderHessianDensity(full, 'm')!;
    expect(d.svg).toContain('SLQ, 1 vector(s) × 5 steps');
    const g = renderHessianGroups(full, 'm')!;
    expect(g.svg).toContain('embeddings (6)');
    expect(g.svg).toContain('classifier (4)');
  });
});
