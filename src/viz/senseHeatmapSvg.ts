/**
 * The sense probe as a standalone SVG heatmap: one metric of a `landscape senses` result, layers
 * (rows, embeddings at the bottom) × positions (columns: α along the path, or checkpoints), viridis,
 * each cell labelled with its value; the Word2Sense baseline, when present, in the subtitle. Returned
 * with its layout (x: column index → centre, y: layer → row centre), the spec in `<metadata>`.
 */
import { linear } from './axes';
import { colormap, finiteExtent, valueTransform } from './colormap';
import type { SvgLayout } from './layout';
import { el, escapeXml, jsonMetadata, num, svgRoot, text } from './svg';

/** What the heatmap reads from a `landscape senses` result. */
export interface SenseHeatmapData {
  task: string;
  layers: number[];
  alphas?: number[];
  checkpoints?: string[];
  scores: Record<string, (number | null)[][]>;
  w2s_agreement?: (number | null)[][];
  w2s_baseline?: Record<string, number | null>;
  spec?: unknown;
}

export interface SenseHeatmapOptions {
  /** A key of `scores`, or `w2s_agreement` (default: the first score). */
  metric?: string;
  title?: string;
  width?: number;
  height?: number;
}

/** Renders one metric (see the file header). */
export function renderSenseHeatmapSvg(data: SenseHeatmapData, opts: SenseHeatmapOptions = {}): SvgLayout {
  const metric = opts.metric ?? Object.keys(data.scores)[0];
  const grid = metric === 'w2s_agreement' ? data.w2s_agreement : data.scores[metric];
  if (!grid) throw new Error(`no '${metric}' in this senses result (have ${Object.keys(data.scores).join(', ')})`);
  const cols = data.alphas?.map((a) => `${+a.toPrecision(4)}`) ?? data.checkpoints ?? [];
  const rows = data.layers;
  const width = opts.width ?? Math.max(360, 120 + 64 * cols.length);
  const height = opts.height ?? Math.max(220, 110 + 36 * rows.length);
  const plot = { left: 70, top: 56, width: width - 90, height: height - 110 };
  const x = linear([0, cols.length], [plot.left, plot.left + plot.width]);
  const y = linear([rows.length, 0], [plot.top, plot.top + plot.height]);
  const ext = finiteExtent(grid.flat(), valueTransform(false)) ?? [0, 1];
  const span = ext[1] - ext[0] || 1;
  const color = colormap('viridis');
  const body: string[] = [
    el(
      'text',
      { x: 8, y: 20, 'font-size': 14, 'font-weight': 'bold', fill: '#222222' },
      escapeXml(opts.title ?? `${data.task}: ${metric} by layer and ${data.alphas ? 'α' : 'checkpoint'}`),
    ),
  ];
  const base = data.w2s_baseline?.[metric];
  if (base !== undefined && base !== null)
    body.push(
      text(8, 38, `Word2Sense on the same instances: ${base.toFixed(4)}`, { 'font-size': 11, fill: '#444444' }),
    );
  const cw = plot.width / Math.max(1, cols.length);
  const rh = plot.height / Math.max(1, rows.length);
  rows.forEach((layer, r) => {
    body.push(
      text(plot.left - 6, y(r + 0.5) + 4, layer === 0 ? 'emb 0' : `${layer}`, {
        'font-size': 11,
        'text-anchor': 'end',
        fill: '#222222',
      }),
    );
    cols.forEach((_, c) => {
      const v = grid[r]?.[c] ?? null;
      const t = v === null ? 0 : (v - ext[0]) / span;
      body.push(
        el('rect', {
          x: num(x(c)),
          y: num(y(r + 1)),
          width: num(cw),
          height: num(rh),
          fill: v === null ? '#dddddd' : color(t),
          stroke: '#ffffff',
          'data-layer': layer,
          'data-col': c,
          'data-value': v === null ? 'null' : String(v),
        }),
      );
      if (v !== null)
        body.push(
          text(x(c + 0.5), y(r + 0.5) + 4, v.toFixed(3), {
            'font-size': 10,
            'text-anchor': 'middle',
            fill: t > 0.6 ? '#222222' : '#ffffff',
          }),
        );
    });
  });
  cols.forEach((label, c) =>
    body.push(
      text(x(c + 0.5), plot.top + plot.height + 16, label, {
        'font-size': 11,
        'text-anchor': 'middle',
        fill: '#222222',
      }),
    ),
  );
  body.push(
    text(
      plot.left + plot.width / 2,
      plot.top + plot.height + 36,
      data.alphas ? 'α  (θ = θ0 + α·(θ1 − θ0))' : 'checkpoint',
      { 'font-size': 12, 'text-anchor': 'middle', fill: '#222222' },
    ),
  );
  body.push(
    text(14, plot.top + plot.height / 2, 'layer', {
      'font-size': 12,
      'text-anchor': 'middle',
      fill: '#222222',
      transform: `rotate(-90 14 ${num(plot.top + plot.height / 2)})`,
    }),
  );
  body.push(
    text(width - 8, height - 8, `${metric}: ${ext[0].toFixed(3)} (dark) … ${ext[1].toFixed(3)} (light)`, {
      'font-size': 10,
      'text-anchor': 'end',
      fill: '#444444',
    }),
  );
  body.push(
    jsonMetadata({
      analysis: 'senses',
      task: data.task,
      metric,
      layers: rows,
      alphas: data.alphas,
      checkpoints: data.checkpoints,
      spec: data.spec ?? null,
    }),
  );
  const svg = svgRoot(
    width,
    height,
    `${data.task} ${metric} heatmap`,
    `Sense probe: ${metric} per layer (rows) and position (columns).`,
    body,
  );
  return { svg, width, height, x, y, plotRect: plot };
}
