/**
 * The Fine-tune panel's live charts — training loss, learning rate and dev accuracy against the update
 * step — each drawn by `renderCurveSvg` (the renderer of the studio's 1D curves and the CLI), so the
 * figure on screen is the SVG its export downloads.
 */
import { useMemo } from 'react';
import type { LogEntry } from '../../workers/contracts/finetune';
import { renderCurveSvg } from '../../viz/curveSvg';
import { ExportBar } from '../shared/ExportBar';

interface Chart {
  key: string;
  title: string;
  yLabel: string;
  x: number[];
  y: number[];
}

/** The three series of a log: loss and lr per update, dev accuracy per evaluation. */
export function chartsOf(log: readonly LogEntry[]): Chart[] {
  const steps = log.filter((e): e is Extract<LogEntry, { loss: number }> => 'loss' in e);
  const evals = log.filter(
    (e): e is Extract<LogEntry, { dev_loss: number }> => 'dev_loss' in e && e.dev_accuracy !== null,
  );
  return [
    { key: 'loss', title: 'Training loss', yLabel: 'loss', x: steps.map((e) => e.step), y: steps.map((e) => e.loss) },
    { key: 'lr', title: 'Learning rate', yLabel: 'lr', x: steps.map((e) => e.step), y: steps.map((e) => e.lr) },
    {
      key: 'dev',
      title: 'Dev accuracy',
      yLabel: 'accuracy',
      x: evals.map((e) => e.step),
      y: evals.map((e) => e.dev_accuracy ?? Number.NaN),
    },
  ];
}

function ChartFigure({ chart }: { chart: Chart }) {
  const figure = useMemo(
    () =>
      chart.x.length === 0
        ? null
        : renderCurveSvg({
            title: chart.title,
            xLabel: 'update step',
            yLabel: chart.yLabel,
            series: [{ name: chart.yLabel, x: chart.x, y: chart.y }],
            width: 360,
            height: 220,
          }),
    [chart],
  );
  if (!figure) return null;
  return (
    <figure className="ft-chart" data-testid={`ft-chart-${chart.key}`} data-points={chart.x.length}>
      <div className="figure" dangerouslySetInnerHTML={{ __html: figure.svg }} />
      <ExportBar svg={figure.svg} baseName={`finetune-${chart.key}`} data={[]} />
    </figure>
  );
}

export function FinetuneCharts({ log }: { log: readonly LogEntry[] }) {
  const charts = useMemo(() => chartsOf(log), [log]);
  return (
    <div className="ft-charts row">
      {charts.map((c) => (
        <ChartFigure key={c.key} chart={c} />
      ))}
    </div>
  );
}
