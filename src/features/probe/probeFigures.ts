/**
 * The sense probe's figures and exports, pure functions of a `landscape senses` result: the heatmap
 * (the CLI's `landscape render` renderer, so the app's SVG equals the CLI's for the same JSON), the
 * scores along α per layer with Word2Sense's score on the same instances as a dashed reference line,
 * the studio's 1D curve on the same α, and the long-format CSV.
 */
import type { CurveData } from '../../engine/landscape/services/curve';
import type { SensesData } from '../../engine/landscape/services/senses';
import { renderCurveSvg, type CurveLayout } from '../../viz/curveSvg';
import { renderSenseHeatmapSvg } from '../../viz/senseHeatmapSvg';
import type { SvgLayout } from '../../viz/layout';

/** The metrics a result can show: its scores, then the agreement with Word2Sense when present. */
export function metricsOf(r: SensesData): string[] {
  return [...Object.keys(r.scores), ...(r.w2s_agreement ? ['w2s_agreement'] : [])];
}

/** The grid [layer][position] of one metric. */
export function gridOf(r: SensesData, metric: string): (number | null)[][] {
  return (metric === 'w2s_agreement' ? r.w2s_agreement : r.scores[metric]) ?? [];
}

/** The heatmap, drawn exactly as `sensescape landscape render RESULT.json --metric M` draws it. */
export function heatmapFigure(r: SensesData, metric: string): SvgLayout {
  return renderSenseHeatmapSvg(r, { metric });
}

/** One metric along α, a line per layer; Word2Sense's own score on the same instances as a dashed line. */
export function referenceFigure(r: SensesData, metric: string): CurveLayout | null {
  const x = r.alphas;
  if (!x?.length) return null;
  const grid = gridOf(r, metric);
  const base = r.w2s_baseline?.[metric];
  return renderCurveSvg({
    title: `${metric} along the path, per layer`,
    xLabel: 'α (0 = origin, 1 = fine-tuned)',
    yLabel: metric,
    width: 520,
    height: 320,
    series: [
      ...r.layers.map((layer, li) => ({ name: layer === 0 ? 'embeddings' : `layer ${layer}`, x, y: grid[li] ?? [] })),
      ...(base !== undefined && base !== null
        ? [{ name: 'Word2Sense (same instances)', x, y: x.map(() => base), dashed: true, color: '#444444' }]
        : []),
    ],
    markersAt: [
      { x: 0, label: 'θ0' },
      { x: 1, label: 'θ1' },
    ],
    metadata: { analysis: 'senses', metric, w2s_baseline: r.w2s_baseline ?? null, spec: r.spec },
  });
}

/** The studio's 1D curves (loss along the same α), as the curve view draws them. */
export function curveFigure(series: readonly { key: string; label: string; data: CurveData }[]): CurveLayout | null {
  if (series.length === 0) return null;
  return renderCurveSvg({
    title: 'Loss along θ0 + α·(θ1 − θ0)',
    xLabel: 'α (0 = origin, 1 = fine-tuned)',
    yLabel: 'loss',
    width: 520,
    height: 320,
    series: series.map((s) => ({
      name: s.label,
      x: s.data.alphas,
      y: s.data.loss,
      dashed: s.key.startsWith('random'),
    })),
    markersAt: [
      { x: 0, label: 'θ0' },
      { x: 1, label: 'θ1' },
    ],
    metadata: series.map((s) => ({ series: s.label, spec: s.data.spec })),
  });
}

/** Long format: `metric,layer,position,value`; the Word2Sense baseline as `w2s_baseline:METRIC` with no layer. */
export function probeCsv(r: SensesData): string {
  const cols = r.alphas ?? r.checkpoints ?? [];
  const rows = ['metric,layer,position,value'];
  for (const m of metricsOf(r))
    gridOf(r, m).forEach((row, li) =>
      cols.forEach((c, p) => rows.push(`${m},${r.layers[li]},${c},${row[p] === null ? '' : row[p]}`)),
    );
  for (const [m, v] of Object.entries(r.w2s_baseline ?? {})) rows.push(`w2s_baseline:${m},,,${v ?? ''}`);
  return `${rows.join('\n')}\n`;
}

/** The cell under a point of the heatmap (column = position index, layer = its value), or null. */
export function cellAt(
  r: SensesData,
  fig: SvgLayout,
  at: { x: number; y: number },
): { layer: number; col: number } | null {
  const { left, top, width, height } = fig.plotRect;
  if (at.x < left || at.x > left + width || at.y < top || at.y > top + height) return null;
  const col = Math.floor(fig.x.invert(at.x));
  const row = Math.floor(fig.y.invert(at.y));
  const cols = (r.alphas ?? r.checkpoints ?? []).length;
  if (col < 0 || col >= cols || row < 0 || row >= r.layers.length) return null;
  return { layer: r.layers[row], col };
}
