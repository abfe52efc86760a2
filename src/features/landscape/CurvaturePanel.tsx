/**
 * The Curvature panel (issue 16): the Hessian of one checkpoint (top eigenvalues, Hutchinson trace,
 * spectral density, per-block eigenvalues) and the flatness table of every fine-tuned checkpoint in
 * the tray against its generalisation gap — the same engine services as `sensescape landscape hessian`
 * and `landscape flatness`, with the CLI's flags and defaults (one tray checkpoint may be the flatness
 * rows' origin θ0, as `--origin DIR`). Data flags (max examples, length, batch) are the studio's; results
 * are drawn in CurvatureViews.tsx.
 */
import type { Progress } from '../../engine/util/progress';
import { useLandscape } from '../../state/landscape';
import {
  flatnessOrigin,
  headCheckpoints,
  hessianModel,
  useCurvature,
  type CurvatureKind,
  type CurvatureSettings,
} from '../../state/landscapeCurvature';
import type { TaskState } from '../../state/task';
import { formatProgress } from '../../viz/progressText';
import { FlatnessResults, HessianResults } from './CurvatureViews';

function RunLine({ run, kind }: { run: TaskState<unknown, Progress>; kind: CurvatureKind }) {
  const cancel = useCurvature((s) => s.cancel);
  if (run.state === 'idle') return null;
  return (
    <div className="run" data-testid={`${kind}-run`} data-state={run.state}>
      {run.state === 'running' && (
        <>
          <progress max={run.progress?.total || 1} value={run.progress?.done ?? 0} aria-label={`${kind} progress`} />{' '}
          <span data-testid={`${kind}-progress`}>{run.progress ? formatProgress(run.progress) : 'starting…'}</span>{' '}
          <button type="button" onClick={() => cancel(kind)} data-testid={`${kind}-cancel`}>
            Cancel
          </button>
        </>
      )}
      {run.state === 'failed' && (
        <span className="error" role="alert" data-testid={`${kind}-error`}>
          {run.error}
        </span>
      )}
      {run.state === 'cancelled' && <span>Cancelled.</span>}
      {run.state === 'done' && <span className="ok">Done.</span>}
    </div>
  );
}

/** A number input bound to one setting. */
function NumberField({
  label,
  field,
  step = 1,
  min,
}: {
  label: string;
  field: keyof CurvatureSettings;
  step?: number | 'any';
  min?: number;
}) {
  const value = useCurvature((s) => s.settings[field]);
  const setSettings = useCurvature((s) => s.setSettings);
  return (
    <label>
      {label}{' '}
      <input
        type="number"
        step={step}
        min={min}
        value={Number(value)}
        onChange={(e) => setSettings({ [field]: Number(e.target.value) })}
        data-testid={`curv-${field}`}
      />
    </label>
  );
}

export function CurvaturePanel() {
  const { settings, setSettings, hessian, flatness, runHessian, runFlatness } = useCurvature();
  const checkpoints = useLandscape((s) => s.checkpoints);
  const data = useLandscape((s) => s.settings);
  const heads = headCheckpoints(checkpoints);
  const model = hessianModel(settings, checkpoints);
  const origin = flatnessOrigin(settings, checkpoints);
  return (
    <section className="card wide" aria-labelledby="curvature-title" data-testid="curvature">
      <h2 id="curvature-title">Curvature</h2>
      <p className="hint">
        Flatness in numbers: the Hessian of the mean loss through exact Hessian-vector products, on up to{' '}
        {data.maxExamples} examples (max length {data.maxLength}, batch {data.batchSize}, from the data settings) — the
        same computations as <code>sensescape landscape hessian</code> and <code>landscape flatness</code>.
      </p>
      <fieldset>
        <legend>Hessian of one checkpoint</legend>
        <div className="row">
          <label>
            checkpoint{' '}
            <select
              value={model?.id ?? ''}
              onChange={(e) => setSettings({ model: e.target.value })}
              data-testid="curv-model"
            >
              {heads.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <NumberField label="top K" field="top" min={1} />
          <NumberField label="iterations" field="iters" min={1} />
          <NumberField label="tolerance" field="tol" step="any" />
          <NumberField label="trace samples" field="traceSamples" min={2} />
          <label>
            <input
              type="checkbox"
              checked={settings.density}
              onChange={(e) => setSettings({ density: e.target.checked })}
              data-testid="curv-density"
            />{' '}
            density
          </label>
          <label>
            <input
              type="checkbox"
              checked={settings.groups}
              onChange={(e) => setSettings({ groups: e.target.checked })}
              data-testid="curv-groups"
            />{' '}
            per block
          </label>
        </div>
        <div className="row">
          <button type="button" onClick={runHessian} disabled={hessian.state === 'running'} data-testid="run-hessian">
            Hessian
          </button>
        </div>
        <RunLine run={hessian} kind="hessian" />
      </fieldset>
      <fieldset>
        <legend>Flatness against the generalisation gap ({heads.length} fine-tuned checkpoints)</legend>
        <div className="row">
          <NumberField label="iterations" field="flatnessIters" min={1} />
          <NumberField label="trace samples" field="flatnessTraceSamples" min={2} />
          <NumberField label="ε" field="epsilon" step="any" />
          <NumberField label="radius" field="radius" step="any" />
          <NumberField label="seed" field="seed" />
        </div>
        <div className="row">
          <label>
            origin θ0 of the 1-D curves{' '}
            <select
              value={origin?.id ?? ''}
              onChange={(e) => setSettings({ flatnessOrigin: e.target.value || null })}
              data-testid="curv-flatnessOrigin"
            >
              <option value="">none (no curve curvature or basin width)</option>
              {checkpoints
                .filter((c) => c.status === 'ready')
                .map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
            </select>
          </label>
          {origin && <NumberField label="basin δ" field="basinDelta" step="any" />}
        </div>
        <div className="row">
          <button
            type="button"
            onClick={runFlatness}
            disabled={flatness.state === 'running'}
            data-testid="run-flatness"
          >
            Flatness table
          </button>
        </div>
        <RunLine run={flatness} kind="flatness" />
      </fieldset>
      <HessianResults />
      <FlatnessResults />
    </section>
  );
}
