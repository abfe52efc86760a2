/**
 * 1-D landscape figures as standalone SVG: `renderCurveSvg` draws one or more curves J(α) on shared
 * axes (e.g. train and dev, pretrained and random origins), or — with `smallMultiples` — one panel per
 * series on shared scales (the layer-wise curves of Hao et al., coloured by depth). Non-finite values
 * break the line instead of the plot. Same conventions as the surface renderer: title, `<title>`/`<desc>`,
 * axes with ticks, legend, inline styles, reproducibility spec in `<metadata>`. It returns the SVG with
 * its layout: one plot per panel, so a screen can read the curves under the pointer.
 */
import { bottomAxis, leftAxis, linear } from './axes';
import { schemeTableau10 } from 'd3-scale-chromatic';
import { colormap, finiteExtent, valueTransform } from './colormap';
import { transformedAxis, type PlotLayout, type SvgLayout } from './layout';
import { el, escapeXml, jsonMetadata, num, svgRoot, text } from './svg';

export interface CurveSeries {
  name: string;
  x: readonly number[];
  y: readonly (number | null)[];
  color?: string;
  dashed?: boolean;
}

export interface CurveSvgSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly CurveSeries[];
  /** log10 y axis (non-positive values break the line). */
  log?: boolean;
  /** One panel per series, shared scales. */
  smallMultiples?: boolean;
  width?: number;
  height?: number;
  /** Reproducibility spec stored in `<metadata>`. */
  metadata?: unknown;
  /** Vertical reference lines, e.g. α = 0 (origin) and α = 1 (fine-tuned). */
  markersAt?: readonly { x: number; label: string }[];
}

/**
 * Default series colours: for small multiples, viridis by index (depth order for layer-wise curves, stopping
 * short of the pale yellow end); for curves on shared axes, the Tableau 10 categorical palette.
 */
export function seriesColors(n: number, byDepth = false): string[] {
  if (!byDepth) return Array.from({ length: n }, (_, k) => schemeTableau10[k % schemeTableau10.length]);
  const c = colormap('viridis');
  return Array.from({ length: n }, (_, k) => c(n === 1 ? 0.2 : 0.8 * (k / (n - 1))));
}

function linePath(
  xs: readonly number[],
  ys: readonly (number | null)[],
  px: (v: number) => number,
  py: (v: number) => number,
  fwd: (v: number) => number,
): string {
  let d = '';
  let pen = false;
  xs.forEach((xv, k) => {
    const v = ys[k];
    const t = v === null ? Number.NaN : fwd(v);
    if (!Number.isFinite(t) || !Number.isFinite(xv)) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${num(px(xv))},${num(py(t))}`;
    pen = true;
  });
  return d;
}

/** One panel of a curve figure: its plot (x maps α, y maps the plotted value, log or not) and the series it draws. */
export interface CurvePanel extends PlotLayout {
  /** Indices into `spec.series` of the curves drawn in this panel. */
  series: readonly number[];
}

/**
 * A rendered curve figure. `panels` holds one plot per panel (one on shared axes, one per series for
 * small multiples, in series order); the top-level `x`, `y`, `plotRect` are the first panel's. Every `y`
 * maps data values (the composition through log10 when `spec.log`).
 */
export interface CurveLayout extends SvgLayout {
  panels: readonly CurvePanel[];
}

/** Renders curves (see the file header). */
export function renderCurveSvg(spec: CurveSvgSpec): CurveLayout {
  const tr = valueTransform(Boolean(spec.log));
  const n = spec.series.length;
  const colors = seriesColors(n, Boolean(spec.smallMultiples));
  const allX = spec.series.flatMap((s) => s.x);
  const xExt: [number, number] = [Math.min(...allX), Math.max(...allX)];
  const yExt = finiteExtent(
    spec.series.flatMap((s) => s.y),
    tr,
  ) ?? [0, 1];
  const pad = (yExt[1] - yExt[0]) * 0.05 || 0.5;
  const yDom: [number, number] = [yExt[0] - pad, yExt[1] + pad];
  const body: string[] = [];
  const yFmt = tr.log ? (t: number) => Number(tr.inverse(t).toPrecision(3)).toString() : undefined;
  const panels: CurvePanel[] = [];

  const panel = (
    left: number,
    top: number,
    w: number,
    h: number,
    series: readonly { s: CurveSeries; color: string; index: number }[],
    showX: boolean,
    panelTitle?: string,
  ) => {
    const x = linear(xExt, [left, left + w]);
    const y = linear(yDom, [top + h, top]);
    panels.push({
      x,
      y: tr.log ? transformedAxis(y, tr.forward, tr.inverse) : y,
      plotRect: { left, top, width: w, height: h },
      series: series.map((item) => item.index),
    });
    const parts: string[] = [];
    for (const mk of spec.markersAt ?? []) {
      if (mk.x < xExt[0] || mk.x > xExt[1]) continue;
      parts.push(
        el('line', { x1: x(mk.x), x2: x(mk.x), y1: top, y2: top + h, stroke: '#9e9e9e', 'stroke-dasharray': '3 3' }),
      );
      parts.push(text(x(mk.x) + 3, top + 11, mk.label, { 'font-size': 10, fill: '#616161' }));
    }
    for (const { s, color } of series) {
      const d = linePath(s.x, s.y, x, y, tr.forward);
      parts.push(
        el('g', { class: 'series', 'aria-label': `series ${s.name}` }, [
          el('title', {}, escapeXml(s.name)),
          d
            ? el('path', {
                d,
                fill: 'none',
                stroke: color,
                'stroke-width': 2,
                'stroke-dasharray': s.dashed ? '5 3' : undefined,
              })
            : '',
          ...s.x.map((xv, k) => {
            const v = s.y[k];
            const t = v === null ? Number.NaN : tr.forward(v);
            return Number.isFinite(t) ? el('circle', { cx: x(xv), cy: y(t), r: 2.5, fill: color }) : '';
          }),
        ]),
      );
    }
    parts.push(
      el('rect', { x: left, y: top, width: w, height: h, fill: 'none', stroke: '#333333', 'stroke-width': 0.8 }),
    );
    if (showX) parts.push(bottomAxis(x, top + h, spec.xLabel, 5));
    parts.push(leftAxis(y, left, panelTitle ? '' : spec.yLabel, 4, yFmt));
    if (panelTitle)
      parts.push(text(left + 4, top - 4, panelTitle, { 'font-size': 11, 'font-weight': 'bold', fill: '#222222' }));
    return el('g', { class: 'panel' }, parts);
  };

  let width = spec.width ?? 640;
  let height = spec.height ?? 420;
  if (spec.smallMultiples && n > 1) {
    const cols = Math.min(4, Math.ceil(Math.sqrt(n)));
    const rows = Math.ceil(n / cols);
    const cw = 200;
    const chh = 130;
    width = spec.width ?? 80 + cols * (cw + 30);
    height = spec.height ?? 70 + rows * (chh + 56);
    const pw = (width - 80) / cols - 30;
    const ph = (height - 70) / rows - 56;
    spec.series.forEach((s, k) => {
      const c = k % cols;
      const r = Math.floor(k / cols);
      body.push(
        panel(
          64 + c * (pw + 30),
          62 + r * (ph + 56),
          pw,
          ph,
          [{ s, color: s.color ?? colors[k], index: k }],
          true,
          s.name,
        ),
      );
    });
    body.push(text(64, 44, `y: ${spec.yLabel}${tr.log ? ' (log scale)' : ''}`, { 'font-size': 11, fill: '#444444' }));
  } else {
    const m = { top: 48, right: 150, bottom: 56, left: 70 };
    body.push(
      panel(
        m.left,
        m.top,
        width - m.left - m.right,
        height - m.top - m.bottom,
        spec.series.map((s, k) => ({ s, color: s.color ?? colors[k], index: k })),
        true,
      ),
    );
    const legend = spec.series.map((s, k) =>
      el('g', { class: 'legend-item' }, [
        el('line', {
          x1: width - m.right + 14,
          x2: width - m.right + 38,
          y1: m.top + 8 + k * 18,
          y2: m.top + 8 + k * 18,
          stroke: s.color ?? colors[k],
          'stroke-width': 2,
          'stroke-dasharray': s.dashed ? '5 3' : undefined,
        }),
        text(width - m.right + 44, m.top + 12 + k * 18, s.name, { 'font-size': 11, fill: '#222222' }),
      ]),
    );
    body.push(el('g', { class: 'legend', 'aria-label': 'legend' }, legend));
  }
  body.unshift(text(64, 24, spec.title, { 'font-size': 15, 'font-weight': 'bold', fill: '#111111' }));
  body.push(
    jsonMetadata({
      kind: 'sensescape-curve-figure',
      log: tr.log,
      spec: spec.metadata ?? null,
      series: spec.series.map((s) => ({ name: s.name, x: s.x, y: s.y })),
    }),
  );
  const desc = `${spec.smallMultiples ? 'Small multiples' : 'Line chart'} of ${spec.yLabel} against ${spec.xLabel}: ${spec.series.map((s) => s.name).join(', ')}.`;
  const svg = svgRoot(width, height, spec.title, desc, body, 'sensescape-curve');
  return { svg, width, height, x: panels[0].x, y: panels[0].y, plotRect: panels[0].plotRect, panels };
}
