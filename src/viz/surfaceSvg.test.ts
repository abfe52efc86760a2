import { describe, expect, it } from 'vitest';
import { renderCurveSvg } from './curveSvg';
import { renderSurfaceSvg } from './surfaceSvg';
import { completeSubGrid } from './surfaceContours';
import { checkXml } from '../testing/xmlCheck';
import { demoSpec } from '../testing/landscape';
import { blankSurface as createSurface, bowl, setPoint } from '../testing/vizCases';

describe('renderSurfaceSvg', () => {
  it('writes well-formed standalone SVG with bands, isolines, axes, colour bar, markers and the spec in metadata', () => {
    const f = bowl();
    const svg = renderSurfaceSvg(f, {
      trajectory: [
        { checkpoint: 'step-100', alpha: 0.3, beta: 0.2, loss: 0.7 },
        { checkpoint: 'step-200', alpha: 0.8, beta: 0.1 },
      ],
    }).svg;
    const doc = checkXml(svg);
    expect(doc.root).toBe('svg');
    const root = doc.elements[0];
    expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect(root.attrs['aria-labelledby']).toContain('title');
    const byClass = (c: string) => doc.elements.filter((e) => (e.attrs.class ?? '').split(' ').includes(c));
    expect(byClass('band').length).toBeGreaterThan(5);
    expect(byClass('isoline').length).toBeGreaterThan(3);
    expect(byClass('isoline-label').length).toBeGreaterThan(0);
    expect(byClass('axis-x').length).toBe(1);
    expect(byClass('axis-y').length).toBe(1);
    expect(byClass('colorbar').length).toBe(1);
    expect(byClass('marker').length).toBe(3);
    expect(byClass('trajectory-point').length).toBe(2);
    expect(byClass('diverged').length).toBe(1);
    // Every path's data is numeric (no NaN leaked from the hole).
    for (const p of doc.elements.filter((e) => e.tag === 'path'))
      expect(p.attrs.d).not.toMatch(/NaN|Infinity|undefined/);
    const meta = doc.elements.find((e) => e.tag === 'metadata')!;
    const spec = JSON.parse(meta.text);
    expect(spec.spec.origin.sha256).toBe('a'.repeat(64));
    expect(spec.spec.x.checkpoint.name).toBe('ft-a <A&B>');
    expect(spec.spec.data.sha256).toBe('c'.repeat(64));
    expect(doc.elements.find((e) => e.tag === 'title')!.text).toMatch(/Loss surface around origin/);
  });

  it('log scale, accuracy, cividis and a shared domain all render; all-NaN and partial surfaces do not break', () => {
    const f = bowl();
    for (const opts of [
      { log: true },
      { quantity: 'accuracy' as const, colormap: 'cividis' as const },
      { domain: [0, 10] as [number, number] },
    ]) {
      const doc = checkXml(renderSurfaceSvg(f, opts).svg);
      expect(doc.counts.get('path')!).toBeGreaterThan(5);
    }
    // A fixed domain narrower than the data: values below it take the lowest band, the colour bar stays inside its box.
    const narrow = checkXml(renderSurfaceSvg(f, { domain: [1, 2] }).svg);
    const bar = narrow.elements.filter((e) => e.tag === 'rect' && e.attrs.width === '14');
    expect(bar.length).toBeGreaterThan(3);
    const top = Math.min(...bar.map((r) => Number(r.attrs.y)));
    const bottom = Math.max(...bar.map((r) => Number(r.attrs.y) + Number(r.attrs.height)));
    expect(bottom - top).toBeLessThanOrEqual(Number(bar.find((r) => r.attrs.fill === 'none')!.attrs.height) + 0.5);
    const empty = createSurface(demoSpec());
    expect(checkXml(renderSurfaceSvg(empty).svg).root).toBe('svg');
    const nan = createSurface(demoSpec());
    for (let j = 0; j < 2; j++) for (let i = 0; i < 3; i++) setPoint(nan, i, j, Number.NaN, 0);
    expect(checkXml(renderSurfaceSvg(nan).svg).root).toBe('svg');
    // Partial (coarse-to-fine in progress): only the stride-4 sub-grid is computed.
    const full = bowl(17, 17, false);
    const part = createSurface(full.spec);
    for (let j = 0; j < 17; j += 4) for (let i = 0; i < 17; i += 4) setPoint(part, i, j, full.values.loss[j][i]!, 0);
    expect(completeSubGrid(part.values.loss)).toEqual({ is: [0, 4, 8, 12, 16], js: [0, 4, 8, 12, 16], stride: 4 });
    const doc = checkXml(renderSurfaceSvg(part).svg);
    expect(doc.elements.filter((e) => e.attrs.class === 'band').length).toBeGreaterThan(3);
    expect(renderSurfaceSvg(part).svg).toContain('25 of 289 points (drawn from every 4th)');
  });
});

describe('renderCurveSvg', () => {
  it('draws series with a legend, and small multiples for layer-wise curves', () => {
    const xs = [0, 0.25, 0.5, 0.75, 1];
    const svg = renderCurveSvg({
      title: 'Loss along θ0 → θ1',
      xLabel: 'α',
      yLabel: 'loss',
      series: [
        { name: 'train', x: xs, y: [1, 0.8, 0.6, 0.5, 0.4] },
        { name: 'dev', x: xs, y: [1, 0.9, null, Number.NaN, 0.6], dashed: true },
      ],
      markersAt: [
        { x: 0, label: 'θ0' },
        { x: 1, label: 'θ1' },
      ],
      metadata: { origin: 'x' },
    }).svg;
    const doc = checkXml(svg);
    expect(doc.elements.filter((e) => e.attrs.class === 'series').length).toBe(2);
    expect(doc.elements.filter((e) => e.attrs.class === 'legend-item').length).toBe(2);
    expect(svg).not.toMatch(/NaN/);
    const multi = checkXml(
      renderCurveSvg({
        title: 'Layer-wise',
        xLabel: 'α',
        yLabel: 'loss',
        smallMultiples: true,
        series: ['embeddings', 'layer.0', 'layer.1', 'pooler'].map((name, k) => ({
          name,
          x: xs,
          y: xs.map((a) => 1 - a * (k + 1) * 0.1),
        })),
      }).svg,
    );
    expect(multi.elements.filter((e) => e.attrs.class === 'panel').length).toBe(4);
  });

  it('the XML checker rejects broken documents', () => {
    expect(() => checkXml('<svg><g></svg>')).toThrow(/closes <g>/);
    expect(() => checkXml('<svg a=1/>')).toThrow(/not quoted/);
    expect(() => checkXml('<svg>a & b</svg>')).toThrow(/entity/);
    expect(() => checkXml('<svg/><svg/>')).toThrow(/second root/);
  });
});
