/**
 * The split view joining the two halves (issue 20): on the left the studio's 1D curve and the probe's
 * scores along the same α with Word2Sense's score as a reference line; on the right the sense probe
 * as a layer × α heatmap (hover a cell for its scores, click it to pick the layer and α the
 * click-through shows). Inputs: the task and its files, K, layers, max instances; the α positions
 * are the studio's 1D range, so both sides share one α axis. Computed by `lsSenses`, the engine
 * service behind `sensescape landscape senses`.
 */
import { useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useLandscape } from '../../state/landscape';
import { mergeProbeHash, PROBE_TASKS, PROBE_URL, probeUrlOf, useProbe, type ProbeTask } from '../../state/probe';
import { useSenses } from '../../state/senses';
import { parseHash } from '../../state/urlState';
import { progressCounts } from '../../viz/progressText';
import type { Point } from '../../viz/layout';
import { ExportBar } from '../shared/ExportBar';
import { FileDrop } from '../shared/FileDrop';
import { HoverFigure } from '../shared/HoverFigure';
import { cellAt, curveFigure, gridOf, heatmapFigure, metricsOf, probeCsv, referenceFigure } from './probeFigures';
import { ProbeInstances } from './ProbeInstances';

const TASK_LABELS: Record<ProbeTask, string> = {
  semeval2010: 'SemEval-2010 WSI (test XML + gold .key)',
  semeval2013: 'SemEval-2013 WSI (test XML + gold .key)',
  scws: 'SCWS (ratings.txt)',
};

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '—' : v.toFixed(4));

/** Restores the probe's view from the URL once, then mirrors it into the hash (other keys kept). */
function useProbeUrl() {
  useEffect(() => {
    useProbe.getState().fromUrl(parseHash(PROBE_URL, location.hash));
    return useProbe.subscribe((s) => {
      const hash = mergeProbeHash(location.hash, probeUrlOf(s));
      if (`#${hash}` !== location.hash) history.replaceState(null, '', `#${hash}`);
    });
  }, []);
}

function Inputs() {
  const p = useProbe(
    useShallow((s) => ({
      task: s.task,
      files: s.files,
      clusters: s.clusters,
      layers: s.layers,
      maxInstances: s.maxInstances,
      run: s.run,
      setInputs: s.setInputs,
      setFiles: s.setFiles,
      runProbe: s.runProbe,
      cancel: s.cancel,
    })),
  );
  const st = useLandscape((s) => s.settings);
  const model = useSenses((s) => (s.modelStatus === 'ready' ? s.model : null));
  const run = p.run;
  return (
    <fieldset>
      <legend>Sense probe on the path origin → task A</legend>
      <div className="row">
        <label>
          task{' '}
          <select
            value={p.task}
            onChange={(e) => p.setInputs({ task: e.target.value as ProbeTask })}
            data-testid="probe-task"
          >
            {PROBE_TASKS.map((t) => (
              <option key={t} value={t}>
                {TASK_LABELS[t]}
              </option>
            ))}
          </select>
        </label>
        <label>
          clusters K{' '}
          <input
            type="number"
            min={1}
            max={50}
            value={p.clusters}
            onChange={(e) => p.setInputs({ clusters: Math.max(1, Math.round(Number(e.target.value))) })}
            data-testid="probe-k"
          />
        </label>
        <label>
          layers{' '}
          <input
            type="text"
            size={8}
            value={p.layers}
            onChange={(e) => p.setInputs({ layers: e.target.value })}
            data-testid="probe-layers"
            aria-describedby="probe-layers-hint"
          />
        </label>
        <label>
          max instances{' '}
          <input
            type="number"
            min={0}
            value={p.maxInstances}
            onChange={(e) => p.setInputs({ maxInstances: Math.max(0, Math.round(Number(e.target.value))) })}
            data-testid="probe-max"
          />
        </label>
      </div>
      <p className="hint" id="probe-layers-hint">
        Layers: <code>all</code> or a list such as <code>0,2</code> (0 = embeddings). Max instances 0 = all. α: the 1D
        range above ({st.alphaMin} … {st.alphaMax}, {st.alphaN} points), so the heatmap&apos;s columns are the
        curve&apos;s α. Word2Sense reference:{' '}
        {model ? <strong data-testid="probe-w2s">{model.name}</strong> : 'none — open a model in the Senses tab'}.
      </p>
      <FileDrop
        label="Drop the task's files: the test XML files and the gold key (.key), or SCWS ratings.txt"
        accept=".xml,.key,.txt"
        multiple
        onFiles={(files) => p.setFiles(files.map((f) => f.file))}
        testId="probe-files"
      >
        <span data-testid="probe-files-list">
          {p.files.length ? p.files.map((f) => f.name).join(', ') : 'no files yet'}
        </span>
      </FileDrop>
      <div className="row">
        <button type="button" onClick={p.runProbe} disabled={run.state === 'running'} data-testid="probe-compute">
          Sense heatmap
        </button>
      </div>
      {run.state !== 'idle' && (
        <div
          className="run"
          data-testid="probe-run"
          data-state={run.state}
          data-done={run.progress?.done ?? 0}
          data-total={run.progress?.total ?? 0}
        >
          {run.state === 'running' && (
            <>
              <progress max={run.progress?.total ?? 1} value={run.progress?.done ?? 0} aria-label="probe progress" />{' '}
              <span>{run.progress ? progressCounts(run.progress) : '0/? instances'}</span>{' '}
              <button type="button" onClick={p.cancel} data-testid="probe-cancel">
                Cancel
              </button>
            </>
          )}
          {run.state === 'failed' && (
            <span className="error" role="alert" data-testid="probe-error">
              {run.error}
            </span>
          )}
          {run.state === 'cancelled' && <span>Cancelled.</span>}
          {run.state === 'done' && <span className="ok">Done.</span>}
        </div>
      )}
    </fieldset>
  );
}

export function SenseProbe() {
  useProbeUrl();
  const result = useProbe((s) => s.run.result);
  const {
    metric: chosen,
    cell,
    setMetric,
    selectCell,
  } = useProbe(
    useShallow((s) => ({ metric: s.metric, cell: s.cell, setMetric: s.setMetric, selectCell: s.selectCell })),
  );
  const curve = useLandscape((s) => s.curve.result);
  const runCurve = useLandscape((s) => s.runCurve);
  const [hover, setHover] = useState<{ layer: number; col: number } | null>(null);
  // A model kept from an earlier visit to the Senses tab comes back here too.
  useEffect(() => {
    if (useSenses.getState().modelStatus === 'none') void useSenses.getState().restoreModel();
  }, []);

  const metrics = result ? metricsOf(result) : [];
  const metric = metrics.includes(chosen) ? chosen : (metrics[0] ?? '');
  const heat = useMemo(() => (result && metric ? heatmapFigure(result, metric) : null), [result, metric]);
  const ref = useMemo(() => (result && metric ? referenceFigure(result, metric) : null), [result, metric]);
  const left = useMemo(() => curveFigure(curve ?? []), [curve]);
  const cols = result?.alphas ?? result?.checkpoints?.map(String) ?? [];
  const scoresAt = (c: { layer: number; col: number }) => {
    const li = result!.layers.indexOf(c.layer);
    return metrics.map((m) => `${m} ${fmt(gridOf(result!, m)[li]?.[c.col])}`).join(', ');
  };
  const where = (c: { layer: number; col: number }) =>
    `${c.layer === 0 ? 'embeddings' : `layer ${c.layer}`}, α ${cols[c.col] ?? '?'}`;

  return (
    <section className="card wide" aria-labelledby="probe-title" data-testid="probe-view">
      <h2 id="probe-title">Senses along the path: the sense probe beside the loss</h2>
      <Inputs />
      <div className="probe-split">
        <div className="probe-side" data-testid="probe-left">
          {left ? (
            <div className="figure" data-testid="probe-curve" dangerouslySetInnerHTML={{ __html: left.svg }} />
          ) : (
            <p className="hint">
              No 1D curve yet.{' '}
              <button type="button" className="link" onClick={runCurve} data-testid="probe-run-curve">
                Compute it
              </button>{' '}
              (same α as the heatmap).
            </p>
          )}
          {ref && (
            <div className="figure" data-testid="probe-reference" dangerouslySetInnerHTML={{ __html: ref.svg }} />
          )}
        </div>
        <div className="probe-side" data-testid="probe-right">
          {!result || !heat ? (
            <p className="hint">Drop the task&apos;s files and compute the sense heatmap.</p>
          ) : (
            <>
              <label>
                metric{' '}
                <select value={metric} onChange={(e) => setMetric(e.target.value)} data-testid="probe-metric">
                  {metrics.map((m) => (
                    <option key={m}>{m}</option>
                  ))}
                </select>
              </label>
              <div
                onClick={() => hover && selectCell(hover)}
                role="presentation"
                className={hover ? 'probe-heat clickable' : 'probe-heat'}
              >
                <HoverFigure
                  figure={heat}
                  testId="probe-heatmap"
                  onPointer={(at: Point | null) => setHover(at ? cellAt(result, heat, at) : null)}
                />
              </div>
              <p className="readout" aria-live="polite" data-testid="probe-readout">
                {hover
                  ? `${where(hover)}: ${scoresAt(hover)}`
                  : 'Hover a cell for its scores; click it (or a table cell) to see its clusters below.'}
              </p>
              <table className="values" data-testid="probe-table">
                <caption className="visually-hidden">{metric} per layer and α</caption>
                <thead>
                  <tr>
                    <th scope="col">layer \ α</th>
                    {cols.map((c, k) => (
                      <th key={k} scope="col">
                        {c}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {result.layers.map((layer, li) => (
                    <tr key={layer}>
                      <th scope="row">{layer === 0 ? 'emb 0' : layer}</th>
                      {cols.map((_, k) => {
                        const v = gridOf(result, metric)[li]?.[k] ?? null;
                        const selected = cell?.layer === layer && cell.col === k;
                        return (
                          <td
                            key={k}
                            data-layer={layer}
                            data-col={k}
                            data-value={v === null ? '' : String(v)}
                            className={selected ? 'selected' : undefined}
                          >
                            <button
                              type="button"
                              className="link"
                              aria-pressed={selected}
                              onClick={() => selectCell({ layer, col: k })}
                            >
                              {v === null ? '…' : v.toFixed(4)}
                            </button>
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
              <ExportBar
                svg={heat.svg}
                baseName="probe"
                data={[
                  {
                    label: 'JSON',
                    fileName: 'senses.json',
                    type: 'application/json',
                    text: () => JSON.stringify(result, null, 1),
                  },
                  { label: 'CSV', fileName: 'senses.csv', type: 'text/csv', text: () => probeCsv(result) },
                ]}
              />
            </>
          )}
        </div>
      </div>
      {result?.detail && <ProbeInstances result={result} where={where} />}
    </section>
  );
}
