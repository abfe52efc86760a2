/**
 * The map of senses as a standalone SVG — the screen and the export of the explorer's map draw this
 * one string: one circle per merged sense at its MDS coordinates, area ∝ p(sense), the largest senses
 * labelled by id and top word, each circle titled for screen readers and tooltips, the layout facts in
 * `<metadata>`. Returned with its layout (MDS axes, plot rectangle, each sense's circle).
 */
import type { AxisScale, SvgLayout } from './layout';
import { categoryColor } from './palette';
import { el, escapeXml, jsonMetadata, num, svgRoot, text } from './svg';

export interface SenseMapData {
  x: readonly number[];
  y: readonly number[];
  /** p(sense) of each merged sense. */
  p: readonly number[];
  labels: readonly string[];
  /** Variance fraction the two MDS axes explain. */
  explained: number;
}

/** A sense's circle in the map, in user units. */
export interface SenseMapPoint {
  sense: number;
  cx: number;
  cy: number;
  r: number;
}

/**
 * A rendered map: `x` and `y` map MDS coordinates to user units (y grows downward, as drawn),
 * `plotRect` is the padded area the coordinates' extent spans, `points[d]` is sense d's circle.
 * The circles are `circle.map-sense[data-sense=d]` inside `g.senses`, the labels in `g.labels`.
 */
export interface SenseMapLayout extends SvgLayout {
  points: readonly SenseMapPoint[];
}

/** v ↦ r0 + ((v − d0) / span) · rspan (span 1 when the data extent is a point), with its inverse. */
function affineAxis(d0: number, d1: number, r0: number, rspan: number): AxisScale {
  const span = d1 - d0 || 1;
  const axis = (v: number) => r0 + ((v - d0) / span) * rspan;
  axis.invert = (position: number) => d0 + ((position - r0) / rspan) * span;
  axis.domain = () => [d0, d0 + span];
  axis.range = () => [r0, r0 + rspan];
  return axis;
}

/** Renders the map (see the file header). */
export function renderSenseMapSvg(
  map: SenseMapData,
  opts: { width?: number; height?: number; labelled?: number; title?: string } = {},
): SenseMapLayout {
  const width = opts.width ?? 720;
  const height = opts.height ?? 520;
  const top = 40;
  const pad = 24;
  const n = map.x.length;
  const [x0, x1] = [Math.min(...map.x), Math.max(...map.x)];
  const [y0, y1] = [Math.min(...map.y), Math.max(...map.y)];
  const pMax = Math.max(...map.p, 1e-12);
  const px = affineAxis(x0, x1, pad, width - 2 * pad);
  const py = affineAxis(y0, y1, top + pad, height - top - 2 * pad);
  const r = (p: number) => 2 + 14 * Math.sqrt(p / pMax);
  const order = Array.from({ length: n }, (_, d) => d).sort((a, b) => map.p[a] - map.p[b]); // small on top
  const circles = order.map((d) =>
    el(
      'circle',
      {
        cx: num(px(map.x[d])),
        cy: num(py(map.y[d])),
        r: num(r(map.p[d])),
        fill: categoryColor(d),
        'fill-opacity': 0.5,
        class: 'map-sense',
        'data-sense': d,
      },
      el('title', {}, escapeXml(`${map.labels[d]} · p = ${map.p[d].toFixed(5)}`)),
    ),
  );
  const labelled = [...order].reverse().slice(0, opts.labelled ?? 25);
  const labels = labelled.map((d) =>
    text(px(map.x[d]), py(map.y[d]) - r(map.p[d]) - 2, map.labels[d], {
      'font-size': 10,
      'text-anchor': 'middle',
      fill: '#222222',
      stroke: '#ffffff',
      'stroke-width': 2.5,
      'paint-order': 'stroke',
    }),
  );
  const title = opts.title ?? `Map of ${n} senses`;
  const body = [
    el('text', { x: 8, y: 18, 'font-size': 14, 'font-weight': 'bold', fill: '#222222' }, escapeXml(title)),
    el(
      'text',
      { x: 8, y: 33, 'font-size': 11, fill: '#555555' },
      escapeXml(
        `classical MDS of √JS between sense word distributions (${(100 * map.explained).toFixed(1)}% of variance); circle area ∝ p(sense)`,
      ),
    ),
    el('g', { class: 'senses' }, circles),
    el('g', { class: 'labels' }, labels),
    jsonMetadata({
      senses: n,
      explained: map.explained,
      method: 'classical MDS on sqrt(JS) between merged-sense word distributions',
    }),
  ];
  const svg = svgRoot(
    width,
    height,
    title,
    `${n} senses placed by classical MDS; the ${labelled.length} most probable are labelled.`,
    body,
    'sensescape-map',
  );
  const points = map.x.map((_, d) => ({ sense: d, cx: px(map.x[d]), cy: py(map.y[d]), r: r(map.p[d]) }));
  const plotRect = { left: pad, top: top + pad, width: width - 2 * pad, height: height - top - 2 * pad };
  return { svg, width, height, x: px, y: py, plotRect, points };
}
