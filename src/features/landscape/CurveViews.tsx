/**
 * 1D curves (train and dev on one chart; pretrained and random origins on shared axes) and the
 * layer-wise small multiples coloured by depth — both drawn by `renderCurveSvg`, the CLI's renderer,
 * with a hover readout of the nearest α read through the layout it returns (its panels' axes).
 */
import { useMemo, useState } from 'react';
import { renderCurveSvg } from '../../viz/curveSvg';
import { figureToData, nearestIndex, plotAt, type Point } from '../../viz/layout';
import { useLandscape } from '../../state/landscape';
import { ExportBar } from '../shared/ExportBar';
import { HoverFigure } from '../shared/HoverFigure';

const lossText = (v: number | null | undefined) => (v === null || v === undefined ? 'not computed' : v.toPrecision(5));

const toCsv = (header: string[], rows: (string | number | null)[][]) =>
  [header.join(','), ...rows.map((r) => r.map((v) => (v === null ? '' : String(v))).join(','))].join('\n') + '\n';

export function CurveView() {
  const curve = useLandscape((s) => s.curve);
  const series = useMemo(() => curve.result ?? [], [curve.result]);
  const [alpha, setAlpha] = useState<number | null>(null);
  const figure = useMemo(() => {
    if (series.length === 0) return null;
    return renderCurveSvg({
      title: 'Loss along θ0 + α·(θ1 − θ0)',
      xLabel: 'α (0 = origin, 1 = fine-tuned)',
      yLabel: 'loss',
      series: series.map((s) => ({
        name: s.label,
        x: s.data.alphas,
        y: s.data.loss,
        dashed: s.key.startsWith('random'),
      })),
      markersAt: [
        { x: 0, label: 'θ0' },
        { x: 1, label: 'θ1' },
      ],
      metadata: series.map((s) => ({ series: s.label, spec: s.data.spec })),
    });
  }, [series]);
  if (!figure) return null;
  const svg = figure.svg;
  const onPointer = (at: Point | null) => {
    const p = at && figureToData(figure, at);
    const alphas = series[0].data.alphas;
    setAlpha(p?.inside && alphas.length ? alphas[nearestIndex(alphas, p.x)] : null);
  };
  return (
    <section className="card wide" aria-labelledby="curve-title" data-testid="curve-view">
      <h2 id="curve-title">1D curves</h2>
      <HoverFigure figure={figure} testId="curve-figure" onPointer={onPointer} />
      <p className="readout" aria-live="polite" data-testid="curve-readout">
        {alpha === null
          ? 'Hover the plot for the loss of each curve at the nearest α.'
          : `α ${alpha.toFixed(3)}: ` +
            series.map((s) => `${s.label} ${lossText(s.data.loss[nearestIndex(s.data.alphas, alpha)])}`).join(', ')}
      </p>
      <table className="values" data-testid="curve-table">
        <caption className="visually-hidden">loss at each α</caption>
        <thead>
          <tr>
            <th scope="col">α</th>
            {series.map((s) => (
              <th key={s.key} scope="col">
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {series[0].data.alphas.map((a, k) => (
            <tr key={k}>
              <th scope="row">{a.toFixed(3)}</th>
              {series.map((s) => (
                <td key={s.key} data-alpha={a} data-series={s.key}>
                  {s.data.loss[k] === null ? '…' : s.data.loss[k]!.toPrecision(6)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <ExportBar
        svg={svg}
        baseName="curve"
        data={[
          {
            label: 'JSON',
            fileName: 'curve.json',
            type: 'application/json',
            text: () => JSON.stringify(series, null, 1),
          },
          {
            label: 'CSV',
            fileName: 'curve.csv',
            type: 'text/csv',
            text: () =>
              toCsv(
                ['series', 'alpha', 'loss', 'accuracy'],
                series.flatMap((s) => s.data.alphas.map((a, k) => [s.label, a, s.data.loss[k], s.data.accuracy[k]])),
              ),
          },
        ]}
      />
    </section>
  );
}

export function LayersView() {
  const layers = useLandscape((s) => s.layers);
  const r = layers.result;
  const [hover, setHover] = useState<{ group: number; k: number } | null>(null);
  const figure = useMemo(() => {
    if (!r) return null;
    return renderCurveSvg({
      title: 'Layer-wise loss: one group rolled back toward θ0',
      xLabel: 'α (1 = fine-tuned, 0 = rolled back)',
      yLabel: 'loss',
      smallMultiples: true,
      series: r.groups.map((g) => ({ name: g.name, x: r.alphas, y: g.loss })),
      metadata: r.spec,
    });
  }, [r]);
  if (!figure || !r) return null;
  const svg = figure.svg;
  const onPointer = (at: Point | null) => {
    const panel = at && plotAt(figure.panels, at);
    if (!at || !panel || r.alphas.length === 0) return setHover(null);
    setHover({ group: panel.series[0], k: nearestIndex(r.alphas, figureToData(panel, at).x) });
  };
  return (
    <section className="card wide" aria-labelledby="layers-title" data-testid="layers-view">
      <h2 id="layers-title">Layer-wise curves</h2>
      <HoverFigure figure={figure} testId="layers-figure" onPointer={onPointer} />
      <p className="readout" aria-live="polite" data-testid="layers-readout">
        {hover === null
          ? 'Hover a panel for the loss at the nearest α.'
          : `${r.groups[hover.group].name}, α ${r.alphas[hover.k].toFixed(3)}: loss ${lossText(r.groups[hover.group].loss[hover.k])}`}
      </p>
      <ExportBar
        svg={svg}
        baseName="layers"
        data={[
          { label: 'JSON', fileName: 'layers.json', type: 'application/json', text: () => JSON.stringify(r, null, 1) },
          {
            label: 'CSV',
            fileName: 'layers.csv',
            type: 'text/csv',
            text: () =>
              toCsv(
                ['group', 'alpha', 'loss', 'accuracy'],
                r.groups.flatMap((g) => r.alphas.map((a, k) => [g.name, a, g.loss[k], g.accuracy[k]])),
              ),
          },
        ]}
      />
    </section>
  );
}
