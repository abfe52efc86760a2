/** Compute: grid and direction settings, one button per analysis, progress with points/s and ETA, cancel. */
import { useLandscape, type JobKind, type RunState } from '../../state/landscape';
import { progressCounts } from '../../viz/progressText';

function Progress({ run, kind }: { run: RunState<unknown>; kind: JobKind }) {
  const cancel = useLandscape((s) => s.cancel);
  if (run.state === 'idle') return null;
  return (
    <div
      className="run"
      data-testid={`${kind}-run`}
      data-state={run.state}
      data-done={run.progress?.done ?? 0}
      data-total={run.progress?.total ?? 0}
    >
      {run.state === 'running' && (
        <>
          <progress max={run.progress?.total ?? 1} value={run.progress?.done ?? 0} aria-label={`${kind} progress`} />{' '}
          <span>{run.progress ? progressCounts(run.progress) : '0/? points'}</span>{' '}
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

export function ComputePanel() {
  const {
    settings,
    setSettings,
    curve,
    surface,
    randomSurface,
    trajectory,
    layers,
    runCurve,
    runSurface,
    runRandomSurface,
    runTrajectory,
    runLayers,
  } = useLandscape();
  const num = (key: keyof typeof settings) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setSettings({ [key]: Number(e.target.value) } as Partial<typeof settings>);
  return (
    <section className="card" aria-labelledby="compute-title" data-testid="compute">
      <h2 id="compute-title">Compute</h2>
      <fieldset>
        <legend>1D: θ(α) = θ0 + α·(θ1 − θ0)</legend>
        <div className="row">
          <label>
            α from <input type="number" step="0.1" value={settings.alphaMin} onChange={num('alphaMin')} />
          </label>
          <label>
            to <input type="number" step="0.1" value={settings.alphaMax} onChange={num('alphaMax')} />
          </label>
          <label>
            points{' '}
            <input
              type="number"
              min={2}
              max={201}
              value={settings.alphaN}
              onChange={num('alphaN')}
              data-testid="alpha-n"
            />
          </label>
        </div>
        <div className="row">
          <button type="button" onClick={runCurve} disabled={curve.state === 'running'} data-testid="run-curve">
            1D curve
          </button>
          <button type="button" onClick={runLayers} disabled={layers.state === 'running'} data-testid="run-layers">
            Layer-wise curves
          </button>
        </div>
        <Progress run={curve} kind="curve" />
        <Progress run={layers} kind="layers" />
      </fieldset>
      <fieldset>
        <legend>2D: θ(α,β) = θ0 + α·(θ1 − θ0) + β·d2</legend>
        <div className="row">
          <label>
            α, β from <input type="number" step="0.1" value={settings.gridMin} onChange={num('gridMin')} />
          </label>
          <label>
            to <input type="number" step="0.1" value={settings.gridMax} onChange={num('gridMax')} />
          </label>
          <label>
            N × N, N ={' '}
            <input
              type="number"
              min={2}
              max={101}
              value={settings.gridN}
              onChange={num('gridN')}
              data-testid="grid-n"
            />
          </label>
        </div>
        <div className="row">
          <label>
            d2{' '}
            <select
              value={settings.yDirection}
              onChange={(e) => setSettings({ yDirection: e.target.value as 'taskB' | 'random' })}
              data-testid="y-direction"
            >
              <option value="taskB">θ2 − θ0 (fine-tuned on task B)</option>
              <option value="random">random, Gaussian (Li et al.)</option>
            </select>
          </label>
          {settings.yDirection === 'random' && (
            <>
              <label>
                normalised per{' '}
                <select
                  value={settings.normalize}
                  onChange={(e) => setSettings({ normalize: e.target.value as 'filter' | 'layer' | 'none' })}
                >
                  <option value="filter">filter (row)</option>
                  <option value="layer">layer</option>
                  <option value="none">none</option>
                </select>
              </label>
              <label>
                seed <input type="number" value={settings.seed} onChange={num('seed')} />
              </label>
            </>
          )}
        </div>
        <div className="row">
          <button
            type="button"
            onClick={() => runSurface()}
            disabled={surface.state === 'running'}
            data-testid="run-surface"
          >
            2D surface
          </button>
          <button
            type="button"
            onClick={runTrajectory}
            disabled={trajectory.state === 'running'}
            data-testid="run-trajectory"
          >
            Trajectory
          </button>
          <button
            type="button"
            onClick={runRandomSurface}
            disabled={randomSurface.state === 'running'}
            data-testid="run-random-surface"
            title="the same grid around the random initialisation: θ0 = random init, θ1 = trained from scratch, d2 random"
          >
            Compare: random origin
          </button>
        </div>
        <Progress run={surface} kind="surface" />
        <Progress run={randomSurface} kind="randomSurface" />
        <Progress run={trajectory} kind="trajectory" />
      </fieldset>
    </section>
  );
}
