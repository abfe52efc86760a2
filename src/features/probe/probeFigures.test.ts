/** The probe's figure helpers on a small made-up result: cell hit-testing through the heatmap's layout, CSV, reference line. */
import { describe, expect, it } from 'vitest';
import type { SensesData } from '../../engine/landscape/services/senses';
import { cellAt, heatmapFigure, metricsOf, probeCsv, referenceFigure } from './probeFigures';

const r: SensesData = {
  task: 'semeval2010',
  layers: [0, 2],
  alphas: [0, 0.5, 1],
  scores: {
    f_score: [
      [0.1, 0.2, 0.3],
      [0.4, null, 0.6],
    ],
    v_measure: [
      [0.01, 0.02, 0.03],
      [0.04, 0.05, 0.06],
    ],
  },
  w2s_agreement: [
    [0, 0.1, 0.2],
    [0.3, 0.4, 0.5],
  ],
  w2s_baseline: { f_score: 0.25, v_measure: 0.02 },
  instances: 10,
  targets: 2,
  clusters: 2,
  spec: {},
};

describe('probe figures', () => {
  it('maps each cell centre of the heatmap back to its layer and column', () => {
    const fig = heatmapFigure(r, 'f_score');
    r.layers.forEach((layer, row) =>
      r.alphas!.forEach((_, col) =>
        expect(cellAt(r, fig, { x: fig.x(col + 0.5), y: fig.y(row + 0.5) })).toEqual({ layer, col }),
      ),
    );
    expect(cellAt(r, fig, { x: 1, y: 1 })).toBeNull();
  });

  it('writes every cell and the baseline in the CSV', () => {
    const lines = probeCsv(r).trim().split('\n');
    expect(metricsOf(r)).toEqual(['f_score', 'v_measure', 'w2s_agreement']);
    expect(lines).toHaveLength(1 + 3 * 2 * 3 + 2);
    expect(lines).toContain('f_score,2,0.5,');
    expect(lines).toContain('w2s_agreement,2,1,0.5');
    expect(lines).toContain('w2s_baseline:f_score,,,0.25');
  });

  it('draws the Word2Sense baseline as a dashed reference line only when the metric has one', () => {
    expect(referenceFigure(r, 'f_score')!.svg).toContain('Word2Sense (same instances)');
    expect(referenceFigure(r, 'w2s_agreement')!.svg).not.toContain('Word2Sense (same instances)');
  });
});
