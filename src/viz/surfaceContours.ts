/**
 * The contour maths of the surface renderer: which sub-grid of a (possibly partial) surface is drawn,
 * and the filled bands, isolines and isoline labels d3-contour makes of it, as SVG path elements in the
 * figure's user units. Thresholds are over finite values only, so a diverged (NaN/∞) point is a hole
 * in its band rather than a broken plot. The document around them (axes, colour bar, markers,
 * metadata) is `surfaceSvg.ts`.
 */
import { contours } from 'd3-contour';
import { valueFormat, type Linear } from './axes';
import type { ValueTransform } from './colormap';
import type { PlotRect } from './layout';
import { el, num, text } from './svg';

/** Grid indices drawn: every `stride`-th column (`is`) and row (`js`), plus the last when computed. */
export interface SubGrid {
  is: number[];
  js: number[];
  stride: number;
}

/** The finest sub-grid (every stride-th index, plus the last when computed) whose points are all computed. */
export function completeSubGrid(grid: (number | null)[][]): SubGrid | null {
  const ny = grid.length;
  const nx = grid[0]?.length ?? 0;
  const maxStride = Math.max(1, 2 ** Math.ceil(Math.log2(Math.max(nx, ny, 2))));
  for (let s = 1; s <= maxStride; s *= 2) {
    const pick = (n: number) => {
      const out: number[] = [];
      for (let k = 0; k < n; k += s) out.push(k);
      return out;
    };
    let is = pick(nx);
    let js = pick(ny);
    const ok = js.every((j) => is.every((i) => grid[j][i] !== null));
    if (!ok) continue;
    // Extend to the last row/column when it is computed too (non-uniform last step is handled by the mapping).
    if (is.at(-1) !== nx - 1 && js.every((j) => grid[j][nx - 1] !== null)) is = [...is, nx - 1];
    if (js.at(-1) !== ny - 1 && is.every((i) => grid[ny - 1][i] !== null)) js = [...js, ny - 1];
    if (is.length >= 2 && js.length >= 2) return { is, js, stride: s };
    return null;
  }
  return null;
}

/** Piecewise-linear map from a (fractional) sub-grid index to a data coordinate. */
function indexToCoord(coords: readonly number[]): (g: number) => number {
  return (g) => {
    const k = Math.min(Math.max(g, 0), coords.length - 1);
    const lo = Math.floor(k);
    const hi = Math.min(lo + 1, coords.length - 1);
    return coords[lo] + (k - lo) * (coords[hi] - coords[lo]);
  };
}

function ringPath(ring: number[][], px: (g: number) => number, py: (g: number) => number): string {
  return ring.map(([gx, gy], k) => `${k === 0 ? 'M' : 'L'}${num(px(gx - 0.5))},${num(py(gy - 0.5))}`).join('') + 'Z';
}

/** What `contourLayers` draws from: one quantity's grid, its drawn sub-grid, the bands and the figure's axes. */
export interface ContourInput {
  /** Values row-major, [ny][nx], null where not computed (raw values, before the transform). */
  grid: (number | null)[][];
  /** Grid coordinates along x (nx) and y (ny), in data units. */
  xs: readonly number[];
  ys: readonly number[];
  sub: SubGrid;
  /** Band lower edges in transformed units, ascending; the last band runs to `hi`. */
  thresholds: number[];
  /** The colour domain in transformed units. */
  lo: number;
  hi: number;
  tr: ValueTransform;
  colorOf: (t: number) => string;
  x: Linear;
  y: Linear;
  plotRect: PlotRect;
  isolines: boolean;
}

/** Filled bands, isolines (every threshold but the lowest) and labels on every other isoline, as SVG elements. */
export function contourLayers(c: ContourInput): { bands: string[]; lines: string[]; labels: string[] } {
  const { sub, thresholds, hi, tr, x, y, plotRect: r } = c;
  const sx = sub.is.map((i) => c.xs[i]);
  const sy = sub.js.map((j) => c.ys[j]);
  const values = new Array<number>(sub.is.length * sub.js.length);
  sub.js.forEach((j, b) =>
    sub.is.forEach((i, a) => {
      const v = c.grid[j][i];
      values[b * sub.is.length + a] = v === null ? Number.NaN : tr.forward(v);
    }),
  );
  const gen = contours().size([sub.is.length, sub.js.length]).thresholds(thresholds);
  const polys = gen(values);
  const px = (g: number) => x(indexToCoord(sx)(g));
  const py = (g: number) => y(indexToCoord(sy)(g));
  const bands: string[] = [];
  const lines: string[] = [];
  const labels: string[] = [];
  const fmt = valueFormat(Math.abs(tr.inverse(hi) - tr.inverse(c.lo)));
  polys.forEach((poly, k) => {
    const next = k + 1 < thresholds.length ? thresholds[k + 1] : hi;
    const d = poly.coordinates.map((polygon) => polygon.map((ring) => ringPath(ring, px, py)).join('')).join('');
    if (d === '') return;
    bands.push(
      el('path', {
        d,
        fill: c.colorOf((poly.value + next) / 2),
        stroke: 'none',
        'fill-rule': 'evenodd',
        class: 'band',
        'data-threshold': tr.inverse(poly.value),
      }),
    );
    if (k === 0 || !c.isolines) return;
    lines.push(
      el('path', {
        d,
        fill: 'none',
        stroke: '#ffffff',
        'stroke-opacity': 0.55,
        'stroke-width': 0.8,
        class: 'isoline',
        'data-value': tr.inverse(poly.value),
      }),
    );
    if (k % 2 === 1) {
      // Label the longest ring of every other isoline at its middle point.
      // (interior points only: rings also run along the plot border, which is no place for a label).
      const nxs = sub.is.length;
      const nys = sub.js.length;
      let best: number[][] = [];
      for (const polygon of poly.coordinates) {
        for (const ring of polygon) {
          const inner = ring.filter(([gx, gy]) => gx > 0.5 && gx < nxs - 0.5 && gy > 0.5 && gy < nys - 0.5);
          if (inner.length > best.length) best = inner;
        }
      }
      if (best.length >= 3) {
        const [gx, gy] = best[Math.floor(best.length / 2)];
        const lx = px(gx - 0.5);
        const ly = py(gy - 0.5);
        if (lx > r.left + 12 && lx < r.left + r.width - 12 && ly > r.top + 10 && ly < r.top + r.height - 6) {
          labels.push(
            text(lx, ly + 3, fmt(tr.inverse(poly.value)), {
              'font-size': 9,
              fill: '#111111',
              'text-anchor': 'middle',
              stroke: '#ffffff',
              'stroke-width': 2.5,
              'paint-order': 'stroke',
              class: 'isoline-label',
            }),
          );
        }
      }
    }
  });
  return { bands, lines, labels };
}
