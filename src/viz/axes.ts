/**
 * Axes with ticks for SVG figures: a linear d3 scale per axis, nice ticks, tick labels and an axis
 * title, written as plain SVG (d3 supplies the maths, not the DOM).
 */
import { format } from 'd3-format';
import { scaleLinear, type ScaleLinear } from 'd3-scale';
import { el, text } from './svg';

export type Linear = ScaleLinear<number, number>;

export function linear(domain: [number, number], range: [number, number]): Linear {
  const d: [number, number] = domain[0] === domain[1] ? [domain[0] - 0.5, domain[1] + 0.5] : domain;
  return scaleLinear().domain(d).range(range);
}

const AXIS_STYLE = { stroke: '#333333', 'stroke-width': 1, fill: 'none' };
const LABEL = { 'font-size': 11, fill: '#222222' };

/** A bottom axis at y = `at`, with ticks and a centred title. */
export function bottomAxis(x: Linear, at: number, title: string, ticks = 6): string {
  const [r0, r1] = x.range();
  const fmt = x.tickFormat(ticks);
  const parts = [el('path', { d: `M${r0},${at}H${r1}`, ...AXIS_STYLE })];
  for (const t of x.ticks(ticks)) {
    const px = x(t);
    parts.push(el('line', { x1: px, x2: px, y1: at, y2: at + 5, stroke: '#333333' }));
    parts.push(text(px, at + 17, fmt(t), { ...LABEL, 'text-anchor': 'middle' }));
  }
  parts.push(text((r0 + r1) / 2, at + 36, title, { 'font-size': 12, fill: '#111111', 'text-anchor': 'middle' }));
  return el('g', { class: 'axis axis-x', 'aria-label': `x axis: ${title}` }, parts);
}

/** A left axis at x = `at`, with ticks and a rotated title. */
export function leftAxis(y: Linear, at: number, title: string, ticks = 6, tickFormat?: (v: number) => string): string {
  const [r0, r1] = y.range();
  const fmt = tickFormat ?? y.tickFormat(ticks);
  const parts = [el('path', { d: `M${at},${r0}V${r1}`, ...AXIS_STYLE })];
  for (const t of y.ticks(ticks)) {
    const py = y(t);
    parts.push(el('line', { x1: at - 5, x2: at, y1: py, y2: py, stroke: '#333333' }));
    parts.push(text(at - 8, py + 4, fmt(t), { ...LABEL, 'text-anchor': 'end' }));
  }
  const mid = (r0 + r1) / 2;
  parts.push(
    text(at - 44, mid, title, {
      'font-size': 12,
      fill: '#111111',
      'text-anchor': 'middle',
      transform: `rotate(-90 ${at - 44} ${mid})`,
    }),
  );
  return el('g', { class: 'axis axis-y', 'aria-label': `y axis: ${title}` }, parts);
}

/** A compact number format for values shown on colour bars and isoline labels. */
export function valueFormat(span: number): (v: number) => string {
  const f = span >= 100 ? format('.0f') : span >= 1 ? format('.3~g') : format('.3~g');
  return (v) => f(v);
}
