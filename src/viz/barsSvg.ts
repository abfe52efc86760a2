/**
 * Horizontal bar charts as standalone SVG: a word's sense weights, with sense labels and values,
 * returned with their layout (value axis, bar rows, plot rectangle).
 */
import { linear } from './axes';
import type { SvgLayout } from './layout';
import { categoryColor } from './palette';
import { el, escapeXml, jsonMetadata, num, svgRoot, text } from './svg';

export interface Bar {
  label: string;
  value: number;
  /** Palette index (e.g. the sense id) so a sense keeps its colour. */
  colorIndex?: number;
  /** Draw highlighted (e.g. a sense shared by two compared words). */
  highlight?: boolean;
}

export interface BarsSpec {
  title: string;
  bars: readonly Bar[];
  valueLabel: string;
  width?: number;
  metadata?: unknown;
  /** Diverging bars (negative values to the left), e.g. contextual minus context-free weights. */
  diverging?: boolean;
}

/**
 * A rendered bar chart: `x` maps a value to user units (the zero line is `x(0)`; diverging charts put
 * −max…max across the plot, others 0…max), `y` maps a bar index k to the top of its row (`y(k + 0.5)`
 * is the row's centre, `Math.floor(y.invert(py))` the row under a point), `plotRect` spans all rows.
 */
export type BarsLayout = SvgLayout;

/** Renders bars (see the file header). */
export function renderBarsSvg(spec: BarsSpec): BarsLayout {
  const width = spec.width ?? 420;
  const row = 20;
  const top = 34;
  const labelW = 150;
  const plotW = width - labelW - 60;
  const height = top + spec.bars.length * row + 28;
  const maxAbs = Math.max(1e-12, ...spec.bars.map((b) => Math.abs(b.value)));
  const zero = spec.diverging ? labelW + plotW / 2 : labelW;
  const scale = (spec.diverging ? plotW / 2 : plotW) / maxAbs;
  const body: string[] = [
    el('text', { x: 8, y: 18, 'font-size': 14, 'font-weight': 'bold', fill: '#222222' }, escapeXml(spec.title)),
  ];
  spec.bars.forEach((b, k) => {
    const y = top + k * row;
    const w = Math.abs(b.value) * scale;
    const x = b.value < 0 ? zero - w : zero;
    body.push(text(labelW - 6, y + 13, b.label, { 'font-size': 11, 'text-anchor': 'end', fill: '#222222' }));
    body.push(
      el('rect', {
        x: num(x),
        y: y + 3,
        width: num(Math.max(w, 0.5)),
        height: row - 6,
        fill: categoryColor(b.colorIndex ?? k),
        stroke: b.highlight ? '#000000' : 'none',
        'stroke-width': b.highlight ? 1.5 : 0,
        class: 'bar',
        'data-value': b.value,
      }),
    );
    body.push(
      text(b.value < 0 ? x - 4 : x + w + 4, y + 13, b.value.toFixed(3), {
        'font-size': 10,
        'text-anchor': b.value < 0 ? 'end' : 'start',
        fill: '#444444',
      }),
    );
  });
  body.push(el('line', { x1: zero, x2: zero, y1: top, y2: top + spec.bars.length * row, stroke: '#888888' }));
  body.push(
    text(zero + (spec.diverging ? 0 : plotW / 2), height - 8, spec.valueLabel, {
      'font-size': 11,
      'text-anchor': 'middle',
      fill: '#444444',
    }),
  );
  if (spec.metadata !== undefined) body.push(jsonMetadata(spec.metadata));
  const svg = svgRoot(
    width,
    height,
    spec.title,
    `${spec.bars.length} bars: ${spec.bars.map((b) => `${b.label} ${b.value.toFixed(3)}`).join('; ')}`,
    body,
    'sensescape-bars',
  );
  const n = spec.bars.length;
  return {
    svg,
    width,
    height,
    // The same affine maps the bars were drawn with: value v ends at zero + v·scale, row k starts at top + k·row.
    x: linear(
      [spec.diverging ? -maxAbs : 0, maxAbs],
      [spec.diverging ? zero - maxAbs * scale : zero, zero + maxAbs * scale],
    ),
    y: linear([0, Math.max(n, 1)], [top, top + Math.max(n, 1) * row]),
    plotRect: { left: spec.diverging ? zero - plotW / 2 : zero, top, width: plotW, height: n * row },
  };
}
