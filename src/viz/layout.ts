/**
 * What every `render…Svg` returns: the standalone SVG text together with the geometry it was drawn
 * with, so a screen that shows the SVG can map a pointer to data coordinates and place overlays
 * without re-deriving the plot (no `getBoundingClientRect` on parts of the figure, no second layout).
 *
 * Units: everything is in the figure's SVG user units, i.e. its viewBox `0 0 width height` (pixels of
 * the standalone file). A screen that shows the figure scaled maps client pixels to user units with
 * `pointerToFigure` (the rendered `<svg>` element's box and the default `xMidYMid meet`).
 */

/** A rectangle in SVG user units: the plotting area of a figure (inside its axes). */
export interface PlotRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * One axis of a figure: data value → SVG user units, and back with `invert`. A d3 linear scale satisfies
 * it; a log axis is the composition (value → log10 → position), so callers always pass data values.
 */
export interface AxisScale {
  (value: number): number;
  /** Position in user units → data value (the inverse of the call). */
  invert(position: number): number;
  /** The data interval drawn, as [value at range()[0], value at range()[1]]. */
  domain(): number[];
  /** The interval in user units the domain maps onto. */
  range(): number[];
}

/** A plotting area and its two axes (what a hover readout or an overlay needs). */
export interface PlotLayout {
  x: AxisScale;
  y: AxisScale;
  plotRect: PlotRect;
}

/** A rendered figure: the SVG text, its size in user units (width/height attributes, viewBox) and its main plot. */
export interface SvgLayout extends PlotLayout {
  svg: string;
  width: number;
  height: number;
}

/** A point in user units or in data units, depending on the function. */
export interface Point {
  x: number;
  y: number;
}

/** The on-screen box of the rendered `<svg>` element (a DOMRect satisfies it). */
export interface ClientBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Client pixels → the figure's user units, for an `<svg>` whose viewBox is `0 0 width height` drawn
 * into `box` with the default `preserveAspectRatio="xMidYMid meet"` (uniform scale, centred).
 */
export function pointerToFigure(
  figure: { width: number; height: number },
  clientX: number,
  clientY: number,
  box: ClientBox,
): Point {
  const s = Math.min(box.width / figure.width, box.height / figure.height);
  if (!(s > 0)) return { x: Number.NaN, y: Number.NaN };
  const ox = box.left + (box.width - figure.width * s) / 2;
  const oy = box.top + (box.height - figure.height * s) / 2;
  return { x: (clientX - ox) / s, y: (clientY - oy) / s };
}

/** Whether a point in user units lies inside the plot rectangle (edges included). */
export function insidePlot(rect: PlotRect, p: Point): boolean {
  return p.x >= rect.left && p.x <= rect.left + rect.width && p.y >= rect.top && p.y <= rect.top + rect.height;
}

/** User units → data coordinates through a plot's axes; `inside` says whether the point is in its plot rectangle. */
export function figureToData(plot: PlotLayout, p: Point): Point & { inside: boolean } {
  return { x: plot.x.invert(p.x), y: plot.y.invert(p.y), inside: insidePlot(plot.plotRect, p) };
}

/** The plot (of several, e.g. small multiples) whose rectangle holds the point, or null. */
export function plotAt<P extends PlotLayout>(plots: readonly P[], p: Point): P | null {
  return plots.find((q) => insidePlot(q.plotRect, p)) ?? null;
}

/** Index of the coordinate nearest to `value` (the first of ties); -1 for an empty list or a NaN value. */
export function nearestIndex(coords: readonly number[], value: number): number {
  let best = -1;
  let dist = Number.POSITIVE_INFINITY;
  coords.forEach((c, k) => {
    const d = Math.abs(c - value);
    if (d < dist) {
      dist = d;
      best = k;
    }
  });
  return best;
}

/**
 * An axis through a value transform: `base` maps transformed values (e.g. log10 of a loss) to user
 * units; the result maps data values. `inverse` undoes `forward`.
 */
export function transformedAxis(
  base: AxisScale,
  forward: (v: number) => number,
  inverse: (t: number) => number,
): AxisScale {
  const axis = (v: number) => base(forward(v));
  axis.invert = (position: number) => inverse(base.invert(position));
  axis.domain = () => base.domain().map(inverse);
  axis.range = () => base.range();
  return axis;
}
