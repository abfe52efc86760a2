/**
 * The map of senses as a standalone SVG (export path of the explorer's map): one circle per merged
 * sense at its MDS coordinates, area ∝ p(sense), the largest senses labelled by id and top word,
 * each circle titled for screen readers and tooltips, the layout facts in `<metadata>`.
 */
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

export function renderSenseMapSvg(
  map: SenseMapData,
  opts: { width?: number; height?: number; labelled?: number; title?: string } = {},
): string {
  const width = opts.width ?? 720;
  const height = opts.height ?? 520;
  const top = 40;
  const pad = 24;
  const n = map.x.length;
  const [x0, x1] = [Math.min(...map.x), Math.max(...map.x)];
  const [y0, y1] = [Math.min(...map.y), Math.max(...map.y)];
  const pMax = Math.max(...map.p, 1e-12);
  const px = (v: number) => pad + ((v - x0) / (x1 - x0 || 1)) * (width - 2 * pad);
  const py = (v: number) => top + pad + ((v - y0) / (y1 - y0 || 1)) * (height - top - 2 * pad);
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
  return svgRoot(
    width,
    height,
    title,
    `${n} senses placed by classical MDS; the ${labelled.length} most probable are labelled.`,
    body,
    'sensescape-map',
  );
}
