/**
 * Test-only inputs for viz/'s renderers: hand-built surface files (viz/ may not import engine/ values,
 * so they are not made by `createSurface`), and the named render cases whose SVG text is pinned byte for
 * byte in tests/fixtures/viz/ (written by tools/viz/make_svg_fixtures.ts from the renderers as they
 * were before they returned their layout, checked by src/viz/svgFixtures.test.ts). A case renders to a
 * layout whose `svg` is compared; a change to any renderer's output shows up as a fixture diff.
 */
import type { SurfaceFile, SurfaceSpec } from '../engine/io/surfaceFile';
import { renderBarsSvg } from '../viz/barsSvg';
import { renderCloudSvg, type PlacedWord } from '../viz/cloud';
import { renderCurveSvg } from '../viz/curveSvg';
import { renderSenseMapSvg } from '../viz/senseMapSvg';
import { renderSurfaceSvg } from '../viz/surfaceSvg';
import { demoSpec } from './landscape';

/** An empty surface file (every value null) on the spec's grid. */
export function blankSurface(spec: SurfaceSpec): SurfaceFile {
  const axis = (a: { min: number; max: number; n: number }) =>
    Array.from({ length: a.n }, (_, k) => (a.n === 1 ? a.min : a.min + (k * (a.max - a.min)) / (a.n - 1)));
  const empty = () => Array.from({ length: spec.grid.y.n }, () => new Array<number | null>(spec.grid.x.n).fill(null));
  return {
    format: 'sensescape-surface',
    version: 1,
    spec,
    x: axis(spec.grid.x),
    y: axis(spec.grid.y),
    values: { loss: empty(), accuracy: empty() },
  };
}

export function setPoint(f: SurfaceFile, i: number, j: number, loss: number, accuracy: number): void {
  f.values.loss[j][i] = loss;
  f.values.accuracy[j][i] = accuracy;
}

/** A bumpy bowl on [-1, 2]² between two checkpoint directions, with one diverged (NaN) point when `hole`. */
export function bowl(nx = 11, ny = 9, hole = true): SurfaceFile {
  const f = blankSurface(
    demoSpec({
      x: { kind: 'checkpoint', checkpoint: { name: 'ft-a <A&B>', sha256: 'b'.repeat(64) } },
      y: { kind: 'checkpoint', checkpoint: { name: 'ft-b', sha256: 'e'.repeat(64) } },
      grid: { x: { min: -1, max: 2, n: nx }, y: { min: -1, max: 2, n: ny } },
    }),
  );
  for (let j = 0; j < ny; j++)
    for (let i = 0; i < nx; i++) {
      const x = f.x[i];
      const y = f.y[j];
      setPoint(f, i, j, 0.2 + (x - 1) ** 2 + 2 * (y - 0.5) ** 2 + 0.3 * Math.sin(3 * x), 1 / (1 + x * x + y * y));
    }
  if (hole) setPoint(f, 3, 4, Number.NaN, Number.NaN);
  return f;
}

/** A coarse-to-fine run in progress: only the stride-4 sub-grid of a 17 × 17 bowl is computed. */
export function partialBowl(): SurfaceFile {
  const full = bowl(17, 17, false);
  const part = blankSurface(full.spec);
  for (let j = 0; j < 17; j += 4) for (let i = 0; i < 17; i += 4) setPoint(part, i, j, full.values.loss[j][i]!, 0);
  return part;
}

const XS = [0, 0.25, 0.5, 0.75, 1];

/** Word placements as d3-cloud would return them (centred coordinates), fixed so no canvas is needed. */
const PLACED: PlacedWord[] = [
  { text: 'bank', weight: 1, size: 38, x: -12, y: 4, rotate: 0 },
  { text: 'river', weight: 0.5, size: 29.1, x: 60.4, y: -40.2, rotate: 0 },
  { text: 'shore & "sea"', weight: 0.2, size: 19.3, x: -90, y: 50.55, rotate: 0 },
  { text: 'water', weight: 0.05, size: 13.5, x: 100, y: 70, rotate: 0 },
];

/** Each pinned case: a fixture name and the SVG text the renderer writes for it. */
export const SVG_CASES: readonly { name: string; render(): { svg: string } }[] = [
  {
    name: 'surface-bowl-trajectory',
    render: () =>
      renderSurfaceSvg(bowl(), {
        trajectory: [
          { checkpoint: 'step-100', alpha: 0.3, beta: 0.2, loss: 0.7 },
          { checkpoint: 'step-200', alpha: 0.8, beta: 0.1 },
        ],
      }),
  },
  {
    name: 'surface-log-cividis',
    render: () => renderSurfaceSvg(bowl(), { log: true, colormap: 'cividis', levels: 9, title: 'Log <&> "title"' }),
  },
  {
    name: 'surface-accuracy-domain',
    render: () =>
      renderSurfaceSvg(bowl(9, 7), {
        quantity: 'accuracy',
        domain: [0.1, 0.9],
        isolines: false,
        markers: false,
        width: 500,
        height: 400,
      }),
  },
  { name: 'surface-partial', render: () => renderSurfaceSvg(partialBowl()) },
  {
    name: 'surface-random-direction',
    render: () => {
      const f = blankSurface(demoSpec());
      setPoint(f, 0, 0, 1.5, 0.5);
      setPoint(f, 1, 0, 0.9, 0.6);
      setPoint(f, 2, 0, Number.POSITIVE_INFINITY, 0);
      setPoint(f, 0, 1, 1.2, 0.55);
      return renderSurfaceSvg(f);
    },
  },
  {
    name: 'curve-shared-axes',
    render: () =>
      renderCurveSvg({
        title: 'Loss along θ0 → θ1',
        xLabel: 'α',
        yLabel: 'loss',
        series: [
          { name: 'train', x: XS, y: [1, 0.8, 0.6, 0.5, 0.4] },
          { name: 'dev <b>', x: XS, y: [1, 0.9, null, Number.NaN, 0.6], dashed: true },
        ],
        markersAt: [
          { x: 0, label: 'θ0' },
          { x: 1, label: 'θ1' },
          { x: 3, label: 'outside' },
        ],
        metadata: { origin: 'x' },
      }),
  },
  {
    name: 'curve-log',
    render: () =>
      renderCurveSvg({
        title: 'Log curve',
        xLabel: 'α',
        yLabel: 'loss',
        log: true,
        width: 560,
        height: 360,
        series: [
          { name: 'a', x: XS, y: [10, 1, 0.1, 0, 2], color: '#123456' },
          { name: 'b', x: XS, y: [5, 3, 2, 1.5, 1.2] },
        ],
      }),
  },
  {
    name: 'curve-small-multiples',
    render: () =>
      renderCurveSvg({
        title: 'Layer-wise',
        xLabel: 'α',
        yLabel: 'loss',
        smallMultiples: true,
        series: ['embeddings', 'layer.0', 'layer.1', 'layer.2', 'pooler'].map((name, k) => ({
          name,
          x: XS,
          y: XS.map((a) => 1 - a * (k + 1) * 0.1),
        })),
        metadata: { analysis: 'layers' },
      }),
  },
  {
    name: 'bars',
    render: () =>
      renderBarsSvg({
        title: 'bank: sense weights',
        valueLabel: 'p(sense | word)',
        bars: [
          { label: '#3 river', value: 0.61, colorIndex: 3, highlight: true },
          { label: '#0 money & loans', value: 0.3, colorIndex: 0 },
          { label: '#7 tiny', value: 0.0001 },
        ],
        metadata: { word: 'bank' },
      }),
  },
  {
    name: 'bars-diverging',
    render: () =>
      renderBarsSvg({
        title: 'in context − out of context',
        valueLabel: 'Δ weight',
        diverging: true,
        width: 480,
        bars: [
          { label: '#3 river', value: 0.25, colorIndex: 3 },
          { label: '#0 money', value: -0.2, colorIndex: 0 },
          { label: '#5 zero', value: 0, colorIndex: 5 },
        ],
      }),
  },
  {
    name: 'sense-map',
    render: () =>
      renderSenseMapSvg({
        x: [0.1, -0.4, 0.35, 0.02, -0.2, 0.5],
        y: [0.3, -0.1, 0.05, -0.45, 0.2, -0.3],
        p: [0.3, 0.25, 0.2, 0.15, 0.07, 0.03],
        labels: ['#0 bank', '#1 river', '#2 <money>', '#3 fish', '#4 the', '#5 loan'],
        explained: 0.734,
      }),
  },
  {
    name: 'sense-map-single',
    render: () =>
      renderSenseMapSvg(
        { x: [0], y: [0], p: [1], labels: ['#0 only'], explained: 1 },
        { width: 400, height: 300, labelled: 0, title: 'One sense' },
      ),
  },
  {
    name: 'cloud',
    render: () =>
      renderCloudSvg(PLACED, {
        title: 'Sense #3 river',
        subtitle: 'top words by relevance, λ = 0.60',
        colorIndex: 3,
        metadata: { sense: 3 },
      }),
  },
  {
    name: 'cloud-plain',
    render: () => renderCloudSvg(PLACED.slice(0, 2), { title: 'Plain', width: 300, height: 200 }),
  },
];
