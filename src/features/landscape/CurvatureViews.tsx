/**
 * The Curvature panel's results: the Hessian report (eigenvalues, trace ± standard error, the SLQ
 * spectral density, per-block eigenvalues as bars) and the flatness table with the scatter of a chosen
 * measure against the gap and the rank correlations. Figures come from viz/curvatureFigures.ts — the
 * renderers of the CLI's `--svg` — and are exported as SVG with CSV and JSON of the same numbers.
 */
import { useMemo, useState } from 'react';
import { useCurvature } from '../../state/landscapeCurvature';
import {
  FLATNESS_MEASURE_NAMES,
  renderFlatnessScatter,
  renderHessianDensity,
  renderHessianGroups,
  type FlatnessGap,
  type FlatnessMeasure,
} from '../../viz/curvatureFigures';
import { figureToData, type Point } from '../../viz/layout';
import { ExportBar } from '../shared/ExportBar';
import { HoverFigure } from '../shared/HoverFigure';

const show = (v: number | null | undefined, p = 5) => (v === null || v === undefined ? '—' : v.toPrecision(p));

/** A table cell's value: numbers and text as they are, an object (the basin) as quoted JSON, null empty. */
const csvCell = (v: unknown): string =>
  v === null || v === undefined ? '' : typeof v === 'object' ? `"${JSON.stringify(v).replace(/"/g, '""')}"` : String(v);

const toCsv = (header: readonly string[], rows: unknown[][]) =>
  [header.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n';

/** The flatness row's keys, in the CLI's JSON order. */
export const FLATNESS_KEYS = [
  'name',
  'train_loss',
  'train_accuracy',
  'dev_loss',
  'dev_accuracy',
  'gap_loss',
  'gap_accuracy',
  'eigenvalue',
  'trace',
  'trace_stderr',
  'epsilon_sharpness',
  'random_direction_rise',
  'curve_curvature',
  'basin_width',
  'basin',
] as const;

const noPointer = () => {};

export function HessianResults() {
  const result = useCurvature((s) => s.hessian.result);
  const density = useMemo(() => result && renderHessianDensity(result.report, result.checkpoint), [result]);
  const groups = useMemo(() => result && renderHessianGroups(result.report, result.checkpoint), [result]);
  if (!result) return null;
  const r = result.report;
  return (
    <div data-testid="hessian-view">
      <h3>
        Hessian of {result.checkpoint} ({r.examples} examples, {r.parameters} parameters)
      </h3>
      <p data-testid="hessian-summary">
        loss{' '}
        <span data-testid="hessian-loss" data-value={r.loss}>
          {show(r.loss, 6)}
        </span>
        , ‖∇L‖ {show(r.gradient_norm, 4)}; eigenvalues by magnitude:{' '}
        {r.eigenvalues.map((v, k) => (
          <span key={k} data-testid="hessian-eigenvalue" data-k={k} data-value={v}>
            {k > 0 ? ', ' : ''}
            {show(v)}
          </span>
        ))}
        ; trace{' '}
        <span data-testid="hessian-trace" data-value={r.trace.estimate} data-stderr={r.trace.stderr}>
          {show(r.trace.estimate)} ± {show(r.trace.stderr, 2)}
        </span>{' '}
        (Hutchinson, {r.trace.samples} samples); {r.settings.hvps} Hessian-vector products.
      </p>
      {density && (
        <>
          <HoverFigure figure={density} testId="hessian-density-figure" onPointer={noPointer} />
          <ExportBar
            svg={density.svg}
            baseName="hessian-density"
            data={[
              {
                label: 'CSV',
                fileName: 'hessian-density.csv',
                type: 'text/csv',
                text: () =>
                  toCsv(
                    ['eigenvalue', 'density'],
                    r.density!.grid.map((g, k) => [g, r.density!.values[k]]),
                  ),
              },
            ]}
          />
        </>
      )}
      {groups && r.groups && (
        <>
          <HoverFigure figure={groups} testId="hessian-groups-figure" onPointer={noPointer} />
          <table className="values" data-testid="hessian-groups">
            <thead>
              <tr>
                <th scope="col">block</th>
                <th scope="col">parameters</th>
                <th scope="col">λ (largest |λ|)</th>
                <th scope="col">trace ± s.e.</th>
              </tr>
            </thead>
            <tbody>
              {r.groups.map((g) => (
                <tr key={g.name}>
                  <th scope="row">{g.name}</th>
                  <td>{g.parameters}</td>
                  <td data-group={g.name} data-key="eigenvalue" data-value={g.eigenvalue}>
                    {show(g.eigenvalue)}
                  </td>
                  <td data-group={g.name} data-key="trace" data-value={g.trace.estimate}>
                    {show(g.trace.estimate)} ± {show(g.trace.stderr, 2)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <ExportBar
        svg={groups?.svg ?? null}
        baseName="hessian"
        data={[
          {
            label: 'JSON',
            fileName: 'hessian.json',
            type: 'application/json',
            text: () => JSON.stringify({ checkpoint: result.checkpoint, ...r }, null, 1),
          },
          {
            label: 'CSV',
            fileName: 'hessian-groups.csv',
            type: 'text/csv',
            text: () =>
              toCsv(
                ['block', 'parameters', 'eigenvalue', 'trace', 'trace_stderr'],
                [
                  ['all', r.parameters, r.eigenvalues[0], r.trace.estimate, r.trace.stderr],
                  ...(r.groups ?? []).map((g) => [
                    g.name,
                    g.parameters,
                    g.eigenvalue,
                    g.trace.estimate,
                    g.trace.stderr,
                  ]),
                ],
              ),
          },
        ]}
      />
    </div>
  );
}

export function FlatnessResults() {
  const r = useCurvature((s) => s.flatness.result);
  const [measure, setMeasure] = useState<FlatnessMeasure>('trace');
  const [gap, setGap] = useState<FlatnessGap>('gap_loss');
  const [hover, setHover] = useState<string | null>(null);
  const figure = useMemo(
    () => (r && r.rows.length > 0 ? renderFlatnessScatter(r, measure, gap) : null),
    [r, measure, gap],
  );
  if (!r) return null;
  const onPointer = (at: Point | null) => {
    if (!at || !figure || !figureToData(figure, at).inside) return setHover(null);
    let best: string | null = null;
    let dist = Infinity;
    for (const row of r.rows) {
      const y = row[gap];
      const x = row[measure];
      if (y === null || x === null) continue;
      const d = Math.hypot(figure.x(x) - at.x, figure.y(y) - at.y);
      if (d < dist) [best, dist] = [row.name, d];
    }
    setHover(best);
  };
  const hovered = r.rows.find((row) => row.name === hover);
  return (
    <div data-testid="flatness-view">
      <h3>
        Flatness table ({r.examples.train} train / {r.examples.dev} dev examples)
      </h3>
      <table className="values" data-testid="flatness-table">
        <thead>
          <tr>
            {FLATNESS_KEYS.map((k) => (
              <th key={k} scope="col">
                {k}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {r.rows.map((row) => (
            <tr key={row.name} data-row={row.name}>
              <th scope="row">{row.name}</th>
              {FLATNESS_KEYS.slice(1).map((k) => (
                <td
                  key={k}
                  data-key={k}
                  data-value={row[k] === null ? '' : typeof row[k] === 'object' ? JSON.stringify(row[k]) : row[k]}
                >
                  {typeof row[k] === 'object' && row[k] !== null
                    ? `${show(row.basin!.left, 3)} … ${show(row.basin!.right, 3)}`
                    : show(row[k] as number | null, 4)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        <label>
          x{' '}
          <select
            value={measure}
            onChange={(e) => setMeasure(e.target.value as FlatnessMeasure)}
            data-testid="flatness-measure"
          >
            {FLATNESS_MEASURE_NAMES.filter((m) => r.rows.some((row) => row[m] !== null)).map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label>
          y{' '}
          <select value={gap} onChange={(e) => setGap(e.target.value as FlatnessGap)} data-testid="flatness-gap">
            <option value="gap_loss">gap_loss</option>
            <option value="gap_accuracy">gap_accuracy</option>
          </select>
        </label>
      </div>
      {figure && <HoverFigure figure={figure} testId="flatness-figure" onPointer={onPointer} />}
      <p className="readout" aria-live="polite" data-testid="flatness-readout">
        {hovered
          ? `${hovered.name}: ${measure} ${show(hovered[measure])}, ${gap} ${show(hovered[gap])}`
          : 'Hover the plot for the nearest checkpoint.'}
      </p>
      <table className="values" data-testid="flatness-correlations">
        <caption>Rank correlation of each flatness measure with each gap, across the checkpoints</caption>
        <thead>
          <tr>
            <th scope="col">measure</th>
            <th scope="col">gap</th>
            <th scope="col">Spearman ρ</th>
            <th scope="col">Kendall τ</th>
            <th scope="col">n</th>
          </tr>
        </thead>
        <tbody>
          {r.correlations.map((c) => (
            <tr key={`${c.measure}-${c.gap}`} data-measure={c.measure} data-gap={c.gap}>
              <th scope="row">{c.measure}</th>
              <td>{c.gap}</td>
              <td data-key="spearman" data-value={c.spearman ?? ''}>
                {show(c.spearman, 3)}
              </td>
              <td data-key="kendall" data-value={c.kendall ?? ''}>
                {show(c.kendall, 3)}
              </td>
              <td>{c.n}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ExportBar
        svg={figure?.svg ?? null}
        baseName="flatness"
        data={[
          {
            label: 'JSON',
            fileName: 'flatness.json',
            type: 'application/json',
            text: () => JSON.stringify(r, null, 1),
          },
          {
            label: 'CSV',
            fileName: 'flatness.csv',
            type: 'text/csv',
            text: () =>
              toCsv(
                FLATNESS_KEYS,
                r.rows.map((row) => FLATNESS_KEYS.map((k) => row[k])),
              ),
          },
        ]}
      />
    </div>
  );
}
