/**
 * Fine-tune: fine-tune the tray's origin (pretrained, or its random initialisation) on the Examples'
 * train/dev TSVs with AdamW exactly as `sensescape bert finetune` (the same engine loop, in the worker);
 * hyperparameters with HF Trainer's defaults shown; Start / Pause / Cancel / Resume (also after a
 * reload); live loss, learning-rate and dev-accuracy charts with ETA; every saved checkpoint lands in
 * the tray and downloads as a zipped HF folder; one click runs the Hao et al. comparison.
 */
import { useEffect } from 'react';
import { FINETUNE_FORM_DEFAULTS, useFinetune, type FinetuneForm } from '../../state/landscapeFinetune';
import { useLandscape } from '../../state/landscape';
import { progressCounts } from '../../viz/progressText';
import { downloadBlob } from '../shared/download';
import { FinetuneCharts } from './FinetuneCharts';

const FIELDS: { key: keyof FinetuneForm; label: string; step?: number; hint?: string }[] = [
  { key: 'steps', label: 'steps', hint: '0 = by epochs' },
  { key: 'epochs', label: 'epochs', step: 0.5 },
  { key: 'batch', label: 'batch' },
  { key: 'accumulate', label: 'accumulate' },
  { key: 'lr', label: 'learning rate', step: 1e-6 },
  { key: 'weightDecay', label: 'weight decay', step: 0.01 },
  { key: 'warmupRatio', label: 'warmup ratio', step: 0.01 },
  { key: 'maxGradNorm', label: 'max grad norm', step: 0.1 },
  { key: 'dropout', label: 'dropout', step: 0.05, hint: "< 0 = the config's" },
  { key: 'seed', label: 'seed' },
  { key: 'saveEvery', label: 'save every', hint: '0 = only the last' },
  { key: 'evalEvery', label: 'eval every', hint: '0 = only at the end' },
  { key: 'maxLength', label: 'max length' },
  { key: 'maxExamples', label: 'max examples', hint: '0 = all' },
];

const testIdOf = (key: string) => `ft-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export function FinetunePanel() {
  const ft = useFinetune();
  const checkpoints = useLandscape((s) => s.checkpoints);
  const data = useLandscape((s) => s.data);
  const restoreRun = useFinetune((s) => s.restoreRun);
  useEffect(() => {
    void restoreRun();
  }, [restoreRun]);
  const origin = checkpoints.find((c) => c.role === ft.originRole && c.status === 'ready');
  const train = data.find((d) => d.split === 'train' && d.status === 'ready');
  const dev = data.find((d) => d.split === 'dev' && d.status === 'ready');
  const running = ft.task.state === 'running';
  const record = ft.record;
  const log = record?.log ?? [];
  const steps = log.filter((e) => 'loss' in e);
  const canResume = !running && record !== null && (record.status === 'running' || record.status === 'paused');
  const p = ft.task.state === 'running' ? ft.task.progress : undefined;
  return (
    <section className="card" aria-labelledby="ft-title" data-testid="finetune">
      <h2 id="ft-title">Fine-tune</h2>
      <div className="row">
        <label>
          from{' '}
          <select
            value={ft.originRole}
            onChange={(e) => ft.setOriginRole(e.target.value as 'origin' | 'random')}
            data-testid="ft-origin-role"
          >
            <option value="origin">the origin θ0 (pretrained)</option>
            <option value="random">the random initialisation</option>
          </select>
        </label>{' '}
        <span data-testid="ft-origin-name">{origin ? origin.name : '— assign it in the tray'}</span>
      </div>
      <p className="hint">
        on {train ? `${train.summary?.name} (${train.summary?.rows} rows)` : 'the train TSV in Examples'}
        {dev ? `, evaluated on ${dev.summary?.name}` : ''}
      </p>
      <fieldset>
        <legend>Hyperparameters (defaults: Hugging Face Trainer for GLUE)</legend>
        <div className="row wrap">
          {FIELDS.map((f) => (
            <label key={f.key} title={`default ${String(FINETUNE_FORM_DEFAULTS[f.key])}${f.hint ? `; ${f.hint}` : ''}`}>
              {f.label}{' '}
              <input
                type="number"
                step={f.step ?? 1}
                value={Number(ft.form[f.key])}
                onChange={(e) => ft.setForm({ [f.key]: Number(e.target.value) } as Partial<FinetuneForm>)}
                data-testid={testIdOf(f.key)}
              />
            </label>
          ))}
          <label>
            shuffle{' '}
            <input
              type="checkbox"
              checked={ft.form.shuffle}
              onChange={(e) => ft.setForm({ shuffle: e.target.checked })}
              data-testid="ft-shuffle"
            />
          </label>
        </div>
      </fieldset>
      <div className="row">
        <button type="button" onClick={() => void ft.start()} disabled={running} data-testid="ft-start">
          Start
        </button>
        <button type="button" onClick={ft.pause} disabled={!running} data-testid="ft-pause">
          Pause
        </button>
        <button type="button" onClick={ft.cancel} disabled={!running} data-testid="ft-cancel">
          Cancel
        </button>
        {canResume && (
          <button type="button" onClick={() => void ft.resume()} data-testid="ft-resume">
            Resume {record.label}
          </button>
        )}
        <button
          type="button"
          onClick={() => void ft.haoComparison()}
          disabled={running || ft.comparison !== null}
          data-testid="ft-hao"
          title="fine-tune from the pretrained origin, train from its random initialisation on the same task, then both curves and surfaces on one colour scale"
        >
          Hao comparison
        </button>
      </div>
      <div
        className="run"
        data-testid="ft-run"
        data-state={ft.task.state}
        data-step={steps.at(-1)?.step ?? 0}
        data-status={record?.status ?? 'none'}
      >
        {ft.comparison && <span data-testid="ft-comparison">Hao comparison: {ft.comparison}… </span>}
        {running && (
          <>
            <progress max={p?.total ?? 1} value={p?.done ?? 0} aria-label="fine-tuning progress" />{' '}
            <span>{p ? progressCounts(p) : 'starting…'}</span>
          </>
        )}
        {ft.task.state === 'failed' && (
          <span className="error" role="alert" data-testid="ft-error">
            {ft.task.error}
          </span>
        )}
        {ft.task.state === 'cancelled' && <span>{record?.status === 'paused' ? 'Paused.' : 'Cancelled.'}</span>}
        {ft.task.state === 'done' && (
          <span className="ok">
            Done: {ft.task.result.steps} steps in {ft.task.result.seconds.toFixed(1)} s, final loss{' '}
            {ft.task.result.final_loss.toPrecision(5)}.
          </span>
        )}
      </div>
      <FinetuneCharts log={log} />
      {record && record.saved.length > 0 && (
        <ul className="ft-saved" data-testid="ft-saved">
          {record.saved.map((s) => (
            <li key={s.checkpointId}>
              {record.label}-{s.folder}{' '}
              <button
                type="button"
                onClick={() =>
                  void ft
                    .zipCheckpoint(s.checkpointId, `${record.label}-${s.folder}`)
                    .then((b) => downloadBlob(b, `${record.label}-${s.folder}.zip`))
                }
                data-testid={`ft-download-${s.folder}`}
              >
                Download (zip)
              </button>
            </li>
          ))}
        </ul>
      )}
      {steps.length > 0 && (
        <details>
          <summary>Log ({steps.length} updates)</summary>
          <table className="values" data-testid="ft-log">
            <thead>
              <tr>
                <th scope="col">step</th>
                <th scope="col">loss</th>
                <th scope="col">lr</th>
                <th scope="col">‖g‖</th>
              </tr>
            </thead>
            <tbody>
              {steps.map(
                (e) =>
                  'loss' in e && (
                    <tr key={e.step} data-step={e.step} data-loss={e.loss} data-grad-norm={e.grad_norm}>
                      <td>{e.step}</td>
                      <td>{e.loss.toPrecision(6)}</td>
                      <td>{e.lr.toExponential(3)}</td>
                      <td>{e.grad_norm.toPrecision(4)}</td>
                    </tr>
                  ),
              )}
            </tbody>
          </table>
        </details>
      )}
    </section>
  );
}
