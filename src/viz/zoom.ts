/**
 * The one zoom/pan behaviour of the app's figures: d3-zoom wrapped as create → update → destroy, for a
 * screen to attach in an effect to a figure it shows from its SVG text. Wheel zooms, drag pans, a
 * double-click zooms in; the transform is written to the `transform` attribute of the figure's plot
 * groups (`targets`, a selector inside the `<svg>`), so titles, axes and legends stay put. Transforms
 * are in the figure's user units (d3-zoom's extent is the `<svg>`'s viewBox). Browser-only (DOM
 * events); the CLI never imports this module.
 */
import { select, type Selection } from 'd3-selection';
import { zoom, zoomTransform, type ZoomBehavior, type ZoomTransform } from 'd3-zoom';

export interface ZoomOptions {
  /** CSS selector, inside the `<svg>`, of the groups the transform moves (e.g. `'g.senses, g.labels'`). */
  targets: string;
  /** Smallest and largest zoom factor (default [0.5, 40]). */
  scaleExtent?: [number, number];
}

export interface ZoomHandle {
  /** New options (another extent, other targets); keeps the current transform, clamped into the extent, and re-applies it. */
  update(options: Partial<ZoomOptions>): void;
  /** Removes the listeners; the targets keep their last transform attribute. */
  destroy(): void;
}

/**
 * Attaches zoom and pan to `svg`. The transform starts as the one d3-zoom last stored on the element
 * (identity for a fresh element), so an effect that runs twice (React StrictMode) does not jump.
 */
export function createZoom(svg: SVGSVGElement, options: ZoomOptions): ZoomHandle {
  let opts: ZoomOptions = { ...options };
  const root: Selection<SVGSVGElement, unknown, null, undefined> = select(svg);
  const apply = (t: ZoomTransform) => {
    const value = t.k === 1 && t.x === 0 && t.y === 0 ? null : t.toString();
    svg.querySelectorAll(opts.targets).forEach((g) => {
      if (value === null) g.removeAttribute('transform');
      else g.setAttribute('transform', value);
    });
  };
  const behaviour: ZoomBehavior<SVGSVGElement, unknown> = zoom<SVGSVGElement, unknown>()
    .scaleExtent(opts.scaleExtent ?? [0.5, 40])
    .on('zoom', (event: { transform: ZoomTransform }) => apply(event.transform));
  root.call(behaviour);
  apply(zoomTransform(svg));
  return {
    update(next) {
      opts = { ...opts, ...next };
      behaviour.scaleExtent(opts.scaleExtent ?? [0.5, 40]);
      // Clamps the stored transform into a new extent and writes it to the (possibly new) targets.
      root.call(behaviour.transform, zoomTransform(svg));
    },
    destroy() {
      root.on('.zoom', null);
    },
  };
}
