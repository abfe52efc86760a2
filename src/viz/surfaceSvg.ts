/**
 * THE render path for 2-D loss landscapes, shared by `sensescape landscape render` and the app's screen
 * and SVG export: `renderSurfaceSvg(surface, options) → SurfaceLayout`, a standalone, self-contained SVG
 * with filled contour bands (d3-contour, thresholds over finite values only; `surfaceContours.ts`),
 * labelled isolines, axes with ticks, a colour bar (viridis/cividis, linear or log), θ0/θ1/θ2 markers, an
 * optional trajectory overlay with checkpoint labels, title, `<title>`/`<desc>` ARIA labelling, inline
 * styles, and the full reproducibility spec (checkpoint SHA-256s, data hash, seed, directions, grid) in
 * `<metadata>` — together with the plot geometry it was drawn with (α/β axes, plot rectangle).
 *
 * Partial surfaces (coarse-to-fine runs in progress, single shards) are drawn from the finest complete
 * sub-grid (every 2^k-th point), so a usable picture appears early; diverged (NaN/∞) points become
 * holes instead of breaking the plot.
 */
import { ticks as d3ticks } from 'd3-array';
import type { SurfaceFile, DirectionSpec } from '../engine/io/surfaceFile';
import { bottomAxis, leftAxis, linear, valueFormat, type Linear } from './axes';
import { colormap, finiteExtent, valueTransform, type ColormapName, type ValueTransform } from './colormap';
import type { PlotRect, SvgLayout } from './layout';
import { completeSubGrid, contourLayers } from './surfaceContours';
import { el, escapeXml, jsonMetadata, num, svgRoot, text } from './svg';

/** A point of an optimisation trajectory in surface coordinates (the JSON of `landscape trajectory`). */
export interface TrajectoryOverlayPoint {
  checkpoint: string;
  alpha: number;
  beta: number;
  loss?: number | null;
}

export interface SurfaceSvgOptions {
  /** Which values to draw (default loss). */
  quantity?: 'loss' | 'accuracy';
  /** log10 colour scale (loss only; non-positive values become holes). */
  log?: boolean;
  colormap?: ColormapName;
  width?: number;
  height?: number;
  title?: string;
  /** Approximate number of filled bands (default 14). */
  levels?: number;
  /** Draw labelled isolines (default true). */
  isolines?: boolean;
  /** θ0/θ1/θ2 markers (default true). */
  markers?: boolean;
  trajectory?: readonly TrajectoryOverlayPoint[];
  /** Fix the colour domain (in value units), e.g. to share one scale between two surfaces. */
  domain?: [number, number];
}

function directionLabel(d: DirectionSpec, axis: 'x' | 'y'): string {
  const sym = axis === 'x' ? 'α' : 'β';
  if (d.kind === 'checkpoint')
    return `${sym} · (θ${axis === 'x' ? '1' : '2'} − θ0), θ${axis === 'x' ? '1' : '2'} = ${d.checkpoint.name}`;
  return `${sym} · random direction (seed ${d.seed}, ${d.normalize}-normalised${d.ignore === 'bias-ln' ? ', biases/LN zeroed' : ''})`;
}

/**
 * A rendered surface: `x` maps α and `y` maps β (data units of the surface's axes) to user units, and
 * `plotRect` is the area inside the axes that the grid spans (corner to corner: the first and last grid
 * coordinates lie on its edges).
 */
export type SurfaceLayout = SvgLayout;

/** Renders a surface file as a standalone SVG with its layout (see the file header). */
export function renderSurfaceSvg(surface: SurfaceFile, options: SurfaceSvgOptions = {}): SurfaceLayout {
  const quantity = options.quantity ?? 'loss';
  const width = options.width ?? 640;
  const height = options.height ?? 520;
  const spec = surface.spec;
  const tr: ValueTransform = valueTransform(Boolean(options.log) && quantity === 'loss');
  const grid = surface.values[quantity];
  const nx = surface.x.length;
  const ny = surface.y.length;
  const computed = grid.reduce((s, row) => s + row.filter((v) => v !== null).length, 0);
  const title =
    options.title ??
    `${quantity === 'loss' ? 'Loss' : 'Accuracy'} surface around ${spec.origin.name} (${spec.data.split}, ${spec.data.examples} examples)`;

  const m = { top: 48, right: 110, bottom: 56, left: 64 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const x: Linear = linear([surface.x[0], surface.x[nx - 1]], [m.left, m.left + pw]);
  const y: Linear = linear([surface.y[0], surface.y[ny - 1]], [m.top + ph, m.top]);
  const plotRect: PlotRect = { left: m.left, top: m.top, width: pw, height: ph };

  const flat: (number | null)[] = grid.flat();
  const ext = options.domain
    ? ([tr.forward(options.domain[0]), tr.forward(options.domain[1])] as [number, number])
    : finiteExtent(flat, tr);
  const cmap = colormap(options.colormap ?? 'viridis');
  const body: string[] = [];
  body.push(
    el('rect', { x: m.left, y: m.top, width: pw, height: ph, fill: '#e8e8e8', stroke: 'none', class: 'not-computed' }),
  );
  const clipId = 'sensescape-plot-clip';
  body.push(el('defs', {}, el('clipPath', { id: clipId }, el('rect', { x: m.left, y: m.top, width: pw, height: ph }))));

  let thresholds: number[] = [];
  let colorOf = (_t: number) => '#cccccc';
  const sub = completeSubGrid(grid);
  if (ext && Number.isFinite(ext[0]) && Number.isFinite(ext[1])) {
    const [lo, hi] = ext[0] === ext[1] ? [ext[0] - 0.5, ext[1] + 0.5] : ext;
    const levels = options.levels ?? 14;
    thresholds = d3ticks(lo, hi, levels).filter((t) => t > lo && t < hi);
    // With a fixed domain, values below it still get the lowest band (clamped colour), not a hole.
    const actual = finiteExtent(flat, tr);
    thresholds = [actual && actual[0] < lo ? actual[0] : lo, ...thresholds];
    colorOf = (t: number) => cmap(Math.min(1, Math.max(0, (t - lo) / (hi - lo))));
    if (sub) {
      const { bands, lines, labels } = contourLayers({
        grid,
        xs: surface.x,
        ys: surface.y,
        sub,
        thresholds,
        lo,
        hi,
        tr,
        colorOf,
        x,
        y,
        plotRect,
        isolines: options.isolines !== false,
      });
      body.push(
        el(
          'g',
          { class: 'contours', 'clip-path': `url(#${clipId})`, 'aria-label': `filled contour bands of ${quantity}` },
          [...bands, ...lines],
        ),
      );
      body.push(el('g', { class: 'isoline-labels' }, labels));
    }
    // Computed points (small dots) when the picture is still partial.
    if (computed < nx * ny) {
      const dots: string[] = [];
      for (let j = 0; j < ny; j++)
        for (let i = 0; i < nx; i++)
          if (grid[j][i] !== null)
            dots.push(
              el('circle', { cx: x(surface.x[i]), cy: y(surface.y[j]), r: 1.6, fill: '#333333', 'fill-opacity': 0.6 }),
            );
      body.push(el('g', { class: 'computed-points' }, dots));
    }
    body.push(colorBar(lo, hi, thresholds, colorOf, tr, m.left + pw + 24, m.top, ph, quantity));
  }

  // Diverged points: red crosses.
  const crosses: string[] = [];
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const v = grid[j][i];
      if (v !== null && !Number.isFinite(tr.forward(v))) {
        const cx = x(surface.x[i]);
        const cy = y(surface.y[j]);
        crosses.push(
          el('path', {
            d: `M${num(cx - 3)},${num(cy - 3)}L${num(cx + 3)},${num(cy + 3)}M${num(cx - 3)},${num(cy + 3)}L${num(cx + 3)},${num(cy - 3)}`,
            stroke: '#c62828',
            'stroke-width': 1.2,
          }),
        );
      }
    }
  }
  if (crosses.length)
    body.push(el('g', { class: 'diverged', 'aria-label': `${crosses.length} diverged points` }, crosses));

  body.push(bottomAxis(x, m.top + ph, directionLabel(spec.x, 'x')));
  body.push(leftAxis(y, m.left, directionLabel(spec.y, 'y')));
  body.push(
    el('rect', { x: m.left, y: m.top, width: pw, height: ph, fill: 'none', stroke: '#333333', 'stroke-width': 1 }),
  );

  if (options.markers !== false) body.push(markers(spec, x, y, m, pw, ph));
  if (options.trajectory?.length) body.push(trajectoryOverlay(options.trajectory, x, y));

  body.push(text(m.left, 22, title, { 'font-size': 15, 'font-weight': 'bold', fill: '#111111' }));
  const sub2 = `${computed} of ${nx * ny} points${sub && sub.stride > 1 ? ` (drawn from every ${ordinal(sub.stride)})` : ''} · ${spec.software} · data ${spec.data.file} sha256 ${spec.data.sha256.slice(0, 12)}…`;
  body.push(text(m.left, 38, sub2, { 'font-size': 10, fill: '#555555' }));
  body.push(
    jsonMetadata({
      kind: 'sensescape-surface-figure',
      quantity,
      log: tr.log,
      spec,
      computedPoints: computed,
      totalPoints: nx * ny,
    }),
  );

  const desc = `Contour plot of ${quantity} over x in [${surface.x[0]}, ${surface.x[nx - 1]}] and y in [${surface.y[0]}, ${surface.y[ny - 1]}], origin ${spec.origin.name} (sha256 ${spec.origin.sha256}), ${computed} of ${nx * ny} points computed.`;
  return { svg: svgRoot(width, height, title, desc, body), width, height, x, y, plotRect };
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix =
    tens >= 11 && tens <= 13 ? 'th' : (({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th');
  return `${n}${suffix}`;
}

function colorBar(
  lo: number,
  hi: number,
  thresholds: number[],
  colorOf: (t: number) => string,
  tr: ValueTransform,
  left: number,
  top: number,
  h: number,
  quantity: string,
): string {
  const w = 14;
  const s = linear([lo, hi], [top + h, top]);
  const parts: string[] = [];
  const edges = [...thresholds, hi].map((e) => Math.min(hi, Math.max(lo, e)));
  for (let k = 0; k + 1 < edges.length; k++) {
    const y0 = s(edges[k + 1]);
    const y1 = s(edges[k]);
    parts.push(
      el('rect', {
        x: left,
        y: y0,
        width: w,
        height: Math.max(0.5, y1 - y0),
        fill: colorOf((edges[k] + edges[k + 1]) / 2),
        stroke: 'none',
      }),
    );
  }
  parts.push(
    el('rect', { x: left, y: top, width: w, height: h, fill: 'none', stroke: '#333333', 'stroke-width': 0.8 }),
  );
  const fmt = valueFormat(Math.abs(tr.inverse(hi) - tr.inverse(lo)));
  const ticks = tr.log ? logTicks(lo, hi) : s.ticks(6);
  for (const t of ticks) {
    const py = s(t);
    parts.push(el('line', { x1: left + w, x2: left + w + 4, y1: py, y2: py, stroke: '#333333' }));
    parts.push(text(left + w + 7, py + 4, fmt(tr.inverse(t)), { 'font-size': 10, fill: '#222222' }));
  }
  const label = `${quantity}${tr.log ? ' (log scale)' : ''}`;
  parts.push(text(left + w / 2, top - 8, label, { 'font-size': 11, fill: '#111111', 'text-anchor': 'middle' }));
  return el('g', { class: 'colorbar', 'aria-label': `colour bar: ${label}` }, parts);
}

/** Ticks in log10 space: decades when the range spans them, else linear ticks of log values. */
function logTicks(lo: number, hi: number): number[] {
  const decades = [];
  for (let e = Math.ceil(lo); e <= Math.floor(hi); e++) decades.push(e);
  if (decades.length >= 2) return decades;
  return d3ticks(10 ** lo, 10 ** hi, 5)
    .map((v) => Math.log10(v))
    .filter((t) => t >= lo && t <= hi);
}

function markers(
  spec: SurfaceFile['spec'],
  x: Linear,
  y: Linear,
  m: { top: number; left: number },
  pw: number,
  ph: number,
): string {
  const out: string[] = [];
  const inside = (px: number, py: number) =>
    px >= m.left - 0.5 && px <= m.left + pw + 0.5 && py >= m.top - 0.5 && py <= m.top + ph + 0.5;
  const put = (cx: number, cy: number, label: string, sha: string) => {
    const px = x(cx);
    const py = y(cy);
    if (!inside(px, py)) return;
    out.push(
      el('g', { class: 'marker', 'aria-label': `${label} at (${cx}, ${cy})` }, [
        el('title', {}, escapeXml(`${label} (sha256 ${sha})`)),
        el('circle', { cx: px, cy: py, r: 4.5, fill: '#ffffff', stroke: '#111111', 'stroke-width': 1.5 }),
        text(px + 7, py - 6, label, {
          'font-size': 12,
          'font-weight': 'bold',
          fill: '#111111',
          stroke: '#ffffff',
          'stroke-width': 3,
          'paint-order': 'stroke',
        }),
      ]),
    );
  };
  put(0, 0, `θ0 ${spec.origin.name}`, spec.origin.sha256);
  if (spec.x.kind === 'checkpoint') put(1, 0, `θ1 ${spec.x.checkpoint.name}`, spec.x.checkpoint.sha256);
  if (spec.y.kind === 'checkpoint') put(0, 1, `θ2 ${spec.y.checkpoint.name}`, spec.y.checkpoint.sha256);
  return el('g', { class: 'markers' }, out);
}

function trajectoryOverlay(points: readonly TrajectoryOverlayPoint[], x: Linear, y: Linear): string {
  const path = [{ alpha: 0, beta: 0 }, ...points]
    .map((p, k) => `${k === 0 ? 'M' : 'L'}${num(x(p.alpha))},${num(y(p.beta))}`)
    .join('');
  const parts = [
    el('path', { d: path, fill: 'none', stroke: '#d84315', 'stroke-width': 1.8, 'stroke-dasharray': '4 2' }),
  ];
  for (const p of points) {
    const px = x(p.alpha);
    const py = y(p.beta);
    const lossText = p.loss === undefined || p.loss === null ? '' : `, loss ${Number(p.loss).toPrecision(4)}`;
    parts.push(
      el('g', { class: 'trajectory-point' }, [
        el(
          'title',
          {},
          escapeXml(`${p.checkpoint}: α ${p.alpha.toPrecision(4)}, β ${p.beta.toPrecision(4)}${lossText}`),
        ),
        el('circle', { cx: px, cy: py, r: 3.5, fill: '#d84315', stroke: '#ffffff', 'stroke-width': 1 }),
        text(px + 6, py + 12, p.checkpoint, {
          'font-size': 10,
          fill: '#bf360c',
          stroke: '#ffffff',
          'stroke-width': 2.5,
          'paint-order': 'stroke',
        }),
      ]),
    );
  }
  return el('g', { class: 'trajectory', 'aria-label': `optimisation trajectory, ${points.length} checkpoints` }, parts);
}
