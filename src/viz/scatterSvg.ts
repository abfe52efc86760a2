/**
 * A labelled scatter plot as standalone SVG — a flatness measure (x) against the generalisation gap
 * (y), one point per checkpoint, with a note line (the rank correlations) — returned with its layout.
 * Used by `sensescape landscape flatness --svg`.
 */
import { bottomAxis, leftAxis, linear } from './axes';
import type { SvgLayout } from './layout';
import { categoryColor } from './palette';
import { el, escapeXml, jsonMetadata, num, svgRoot, text } from './svg';

export interface ScatterPoint {
  label: string;
  x: number;
  y: number;
}

export interface ScatterSpec {
  title: string;
  points: readonly ScatterPoint[];
  xLabel: string;
  yLabel: string;
  /** A line under the title, e.g. "Spearman ρ 0.60, Kendall τ 0.40 (n = 5)". */
  note?: string;
  width?: number;
  height?: number;
  metadata?: unknown;
}

/** Renders the scatter (see the file header); `x`/`y` of the layout map data to user units. */
export function renderScatterSvg(spec: ScatterSpec): SvgLayout {
  const width = spec.width ?? 480;
  const height = spec.height ?? 360;
  const rect = { left: 70, top: 52, width: width - 70 - 24, height: height - 52 - 56 };
  const pad = (lo: number, hi: number): [number, number] => {
    const span = hi - lo || Math.abs(hi) || 1;
    return [lo - 0.08 * span, hi + 0.08 * span];
  };
  const xs = spec.points.map((p) => p.x);
  const ys = spec.points.map((p) => p.y);
  const x = linear(pad(Math.min(...xs), Math.max(...xs)), [rect.left, rect.left + rect.width]).nice();
  const y = linear(pad(Math.min(...ys), Math.max(...ys)), [rect.top + rect.height, rect.top]).nice();
  const body: string[] = [
    el('text', { x: 8, y: 18, 'font-size': 14, 'font-weight': 'bold', fill: '#222222' }, escapeXml(spec.title)),
  ];
  if (spec.note) body.push(text(8, 36, spec.note, { 'font-size': 11, fill: '#444444' }));
  body.push(bottomAxis(x, rect.top + rect.height, spec.xLabel));
  body.push(leftAxis(y, rect.left, spec.yLabel));
  spec.points.forEach((p, k) => {
    const px = x(p.x);
    const py = y(p.y);
    body.push(
      el('circle', {
        cx: num(px),
        cy: num(py),
        r: 5,
        fill: categoryColor(k),
        stroke: '#222222',
        class: 'point',
        'data-x': String(p.x),
        'data-y': String(p.y),
      }),
    );
    body.push(text(px + 7, py - 6, p.label, { 'font-size': 10, fill: '#222222' }));
  });
  if (spec.metadata !== undefined) body.push(jsonMetadata(spec.metadata));
  const svg = svgRoot(
    width,
    height,
    spec.title,
    `${spec.points.length} points (${spec.xLabel} against ${spec.yLabel}): ${spec.points.map((p) => `${p.label} (${p.x.toPrecision(4)}, ${p.y.toPrecision(4)})`).join('; ')}`,
    body,
    'sensescape-scatter',
  );
  return { svg, width, height, x, y, plotRect: rect };
}
