// The layout every renderer returns is the geometry it drew with: checked against the elements in
// the SVG text itself (plot rectangles, markers, points, bars, circles, words), plus the pointer maths.
import { describe, expect, it } from 'vitest';
import { checkXml } from '../testing/xmlCheck';
import { bowl } from '../testing/vizCases';
import { renderBarsSvg } from './barsSvg';
import { renderCloudSvg } from './cloud';
import { renderCurveSvg } from './curveSvg';
import { figureToData, insidePlot, nearestIndex, plotAt, pointerToFigure, type PlotRect } from './layout';
import { renderSenseMapSvg } from './senseMapSvg';
import { renderSurfaceSvg } from './surfaceSvg';
import { num } from './svg';

const rectOf = (a: Record<string, string>): PlotRect => ({
  left: Number(a.x),
  top: Number(a.y),
  width: Number(a.width),
  height: Number(a.height),
});
const rounded = (r: PlotRect) => ({
  left: Number(num(r.left)),
  top: Number(num(r.top)),
  width: Number(num(r.width)),
  height: Number(num(r.height)),
});

describe('pointer maths', () => {
  it('maps client pixels to user units through a scaled, letterboxed <svg> box', () => {
    const fig = { width: 640, height: 520 };
    expect(pointerToFigure(fig, 110, 60, { left: 10, top: 20, width: 640, height: 520 })).toEqual({ x: 100, y: 40 });
    // Drawn at half size: every client pixel is two user units.
    expect(pointerToFigure(fig, 10 + 50, 20 + 100, { left: 10, top: 20, width: 320, height: 260 })).toEqual({
      x: 100,
      y: 200,
    });
    // A box wider than the figure's aspect: scale by height, centred horizontally (xMidYMid meet).
    const p = pointerToFigure(fig, 0 + (1000 - 640) / 2 + 320, 260, { left: 0, top: 0, width: 1000, height: 520 });
    expect(p.x).toBeCloseTo(320, 9);
    expect(p.y).toBeCloseTo(260, 9);
    expect(Number.isNaN(pointerToFigure(fig, 1, 1, { left: 0, top: 0, width: 0, height: 0 }).x)).toBe(true);
  });

  it('finds the nearest coordinate and the plot under a point', () => {
    expect(nearestIndex([-1, -0.5, 0, 0.5, 1], 0.3)).toBe(3);
    expect(nearestIndex([-1, -0.5, 0, 0.5, 1], -7)).toBe(0);
    expect(nearestIndex([2, 1, 0], 0.9)).toBe(1);
    expect(nearestIndex([], 1)).toBe(-1);
    expect(nearestIndex([0, 1], Number.NaN)).toBe(-1);
    const rect = { left: 10, top: 10, width: 100, height: 50 };
    expect(insidePlot(rect, { x: 10, y: 60 })).toBe(true);
    expect(insidePlot(rect, { x: 9.9, y: 30 })).toBe(false);
    const a = { x: Object.assign((v: number) => v, { invert: (v: number) => v, domain: () => [0], range: () => [0] }) };
    const plots = [{ ...a, y: a.x, plotRect: rect, id: 'a' }];
    expect(plotAt(plots, { x: 50, y: 30 })?.id).toBe('a');
    expect(plotAt(plots, { x: 500, y: 30 })).toBeNull();
  });
});

describe('renderers return the geometry they drew', () => {
  it('surface: the plot rectangle, α/β axes and the θ markers', () => {
    const f = bowl();
    const fig = renderSurfaceSvg(f, { width: 700, height: 500 });
    const doc = checkXml(fig.svg);
    expect([fig.width, fig.height]).toEqual([700, 500]);
    const plot = doc.elements.find((e) => e.attrs.class === 'not-computed')!;
    expect(rectOf(plot.attrs)).toEqual(rounded(fig.plotRect));
    // The grid spans the plot corner to corner.
    expect(fig.x(f.x[0])).toBeCloseTo(fig.plotRect.left, 9);
    expect(fig.x(f.x.at(-1)!)).toBeCloseTo(fig.plotRect.left + fig.plotRect.width, 9);
    expect(fig.y(f.y[0])).toBeCloseTo(fig.plotRect.top + fig.plotRect.height, 9);
    expect(fig.y(f.y.at(-1)!)).toBeCloseTo(fig.plotRect.top, 9);
    // θ0 at (0, 0), θ1 at (1, 0), θ2 at (0, 1): drawn where the layout says, and mapped back.
    const circles = doc.elements.filter((e) => e.tag === 'circle' && e.attrs.r === '4.5');
    const at = [
      [0, 0],
      [1, 0],
      [0, 1],
    ];
    expect(circles.map((c) => [c.attrs.cx, c.attrs.cy])).toEqual(at.map(([a, b]) => [num(fig.x(a)), num(fig.y(b))]));
    const back = figureToData(fig, { x: fig.x(1), y: fig.y(0) });
    expect(back.inside).toBe(true);
    expect(back.x).toBeCloseTo(1, 9);
    expect(back.y).toBeCloseTo(0, 9);
    expect(figureToData(fig, { x: 1, y: 1 }).inside).toBe(false);
  });

  it('curves: one plot per panel, y through log10 when the axis is logarithmic', () => {
    const xs = [0, 0.5, 1];
    const fig = renderCurveSvg({
      title: 't',
      xLabel: 'α',
      yLabel: 'loss',
      log: true,
      series: [
        { name: 'a', x: xs, y: [10, 1, 0.1] },
        { name: 'b', x: xs, y: [2, 3, 4] },
      ],
    });
    const doc = checkXml(fig.svg);
    expect(fig.panels).toHaveLength(1);
    expect(fig.panels[0].series).toEqual([0, 1]);
    const frame = doc.elements.filter((e) => e.tag === 'rect' && e.attrs['stroke-width'] === '0.8');
    expect(frame.map((r) => rectOf(r.attrs))).toEqual([rounded(fig.plotRect)]);
    const dots = doc.elements.filter((e) => e.tag === 'circle').map((c) => [c.attrs.cx, c.attrs.cy]);
    expect(dots.slice(0, 3)).toEqual(xs.map((a, k) => [num(fig.x(a)), num(fig.y([10, 1, 0.1][k]))]));
    expect(fig.y.invert(fig.y(0.1))).toBeCloseTo(0.1, 12);
    expect(fig.y.domain()[0]).toBeLessThan(0.1);

    const multi = renderCurveSvg({
      title: 'm',
      xLabel: 'α',
      yLabel: 'loss',
      smallMultiples: true,
      series: ['e', 'l0', 'l1', 'l2', 'p'].map((name, k) => ({ name, x: xs, y: xs.map((a) => 1 - a * k * 0.1) })),
    });
    const frames = checkXml(multi.svg).elements.filter((e) => e.tag === 'rect' && e.attrs['stroke-width'] === '0.8');
    expect(frames.map((r) => rectOf(r.attrs))).toEqual(multi.panels.map((p) => rounded(p.plotRect)));
    expect(multi.panels.map((p) => p.series)).toEqual([[0], [1], [2], [3], [4]]);
    const third = multi.panels[2];
    const centre = { x: third.plotRect.left + 5, y: third.plotRect.top + 5 };
    expect(plotAt(multi.panels, centre)).toBe(third);
  });

  it('bars: the value axis and the rows', () => {
    for (const diverging of [false, true]) {
      const values = [0.6, -0.2, 0.3];
      const fig = renderBarsSvg({
        title: 'b',
        valueLabel: 'v',
        diverging,
        bars: values.map((value, k) => ({ label: `#${k}`, value })),
      });
      const bars = checkXml(fig.svg).elements.filter((e) => e.attrs.class === 'bar');
      bars.forEach((b, k) => {
        const v = values[k];
        const x0 = Math.min(fig.x(0), fig.x(v));
        expect(Number(b.attrs.x)).toBeCloseTo(x0, 1);
        expect(Number(b.attrs.x) + Number(b.attrs.width)).toBeCloseTo(Math.max(fig.x(0), fig.x(v)), 1);
        expect(Number(b.attrs.y)).toBeCloseTo(fig.y(k) + 3, 9);
        expect(Math.floor(fig.y.invert(Number(b.attrs.y)))).toBe(k);
      });
      expect(fig.x(0.6)).toBeCloseTo(fig.plotRect.left + fig.plotRect.width, 9);
      expect(fig.plotRect.height).toBeCloseTo(fig.y(3) - fig.y(0), 9);
    }
  });

  it('sense map: every circle where its point says, and the axes map back', () => {
    const map = {
      x: [0.1, -0.4, 0.35],
      y: [0.3, -0.1, 0.05],
      p: [0.5, 0.3, 0.2],
      labels: ['a', 'b', 'c'],
      explained: 0.5,
    };
    const fig = renderSenseMapSvg(map);
    const circles = checkXml(fig.svg).elements.filter((e) => e.attrs.class === 'map-sense');
    expect(circles).toHaveLength(3);
    for (const c of circles) {
      const p = fig.points[Number(c.attrs['data-sense'])];
      expect([c.attrs.cx, c.attrs.cy, c.attrs.r]).toEqual([num(p.cx), num(p.cy), num(p.r)]);
      expect(fig.x.invert(p.cx)).toBeCloseTo(map.x[p.sense], 12);
      expect(fig.y.invert(p.cy)).toBeCloseTo(map.y[p.sense], 12);
      expect(insidePlot(fig.plotRect, { x: p.cx, y: p.cy })).toBe(true);
    }
    const single = renderSenseMapSvg({ x: [2], y: [2], p: [1], labels: ['x'], explained: 1 });
    expect(single.x.domain()).toEqual([2, 3]);
    expect(single.points[0].cx).toBe(single.plotRect.left);
  });

  it('cloud: words at the mapped cloud coordinates', () => {
    const placed = [
      { text: 'a', weight: 1, size: 20, x: -10, y: 5, rotate: 0 },
      { text: 'b', weight: 0.5, size: 12, x: 30, y: -20, rotate: 0 },
    ];
    const fig = renderCloudSvg(placed, { title: 't', subtitle: 's' });
    const words = checkXml(fig.svg).elements.filter((e) => e.attrs.class === 'cloud-word');
    expect(words.map((w) => [w.attrs.x, w.attrs.y])).toEqual(placed.map((p) => [num(fig.x(p.x)), num(fig.y(p.y))]));
    expect(fig.height).toBe(fig.plotRect.top + fig.plotRect.height);
  });
});
