/**
 * The 2-D surface: drawn by the same `renderSurfaceSvg` that `sensescape landscape render` and the
 * SVG export use, with a hover readout (α, β, loss, accuracy) of the nearest grid point (found through
 * the layout the renderer returns: its α/β axes and plot rectangle), quantity / scale / colour-map
 * controls, the trajectory overlay, and a drop target for surface files computed elsewhere (CLI runs,
 * merged shards).
 */
import { useMemo, useState } from 'react';
import type { SurfaceFile } from '../../engine/io/surfaceFile';
import { figureToData, nearestIndex, type Point } from '../../viz/layout';
import { renderSurfaceSvg } from '../../viz/surfaceSvg';
import { useLandscape } from '../../state/landscape';
import { FileDrop } from '../shared/FileDrop';
import { ExportBar } from '../shared/ExportBar';
import { HoverFigure } from '../shared/HoverFigure';

interface Readout {
  alpha: number;
  beta: number;
  loss: number | null;
  accuracy: number | null;
}

export function SurfaceView() {
  const surface = useLandscape((s) => s.surface);
  const randomSurface = useLandscape((s) => s.randomSurface);
  const trajectory = useLandscape((s) => s.trajectory);
  const openSurface = useLandscape((s) => s.openSurfaceFile);
  const [quantity, setQuantity] = useState<'loss' | 'accuracy'>('loss');
  const [log, setLog] = useState(false);
  const [cmap, setCmap] = useState<'viridis' | 'cividis'>('viridis');
  const [readout, setReadout] = useState<Readout | null>(null);
  const [dropError, setDropError] = useState<string | null>(null);
  const file = surface.result;
  const other = randomSurface.result;
  // Side by side (pretrained vs random origin) the two share one colour scale, as in Hao et al.
  const domain = useMemo((): [number, number] | undefined => {
    if (!file || !other) return undefined;
    const values = [file, other]
      .flatMap((f) => f.values[quantity].flat())
      .filter((v): v is number => v !== null && Number.isFinite(v) && (!log || quantity !== 'loss' || v > 0));
    return values.length ? [Math.min(...values), Math.max(...values)] : undefined;
  }, [file, other, quantity, log]);
  const figure = useMemo(() => {
    if (!file) return null;
    return renderSurfaceSvg(file, {
      quantity,
      log: log && quantity === 'loss',
      colormap: cmap,
      domain,
      trajectory: trajectory.result?.points.map((p) => ({
        checkpoint: p.checkpoint,
        alpha: p.alpha,
        beta: p.beta,
        loss: p.loss,
      })),
    });
  }, [file, quantity, log, cmap, domain, trajectory.result]);
  const otherFigure = useMemo(
    () =>
      other
        ? renderSurfaceSvg(other, {
            quantity,
            log: log && quantity === 'loss',
            colormap: cmap,
            domain,
            title: `Random origin: ${other.spec.origin.name} (same colour scale)`,
          })
        : null,
    [other, quantity, log, cmap, domain],
  );
  const svg = figure?.svg ?? null;
  const otherSvg = otherFigure?.svg ?? null;

  const onPointer = (at: Point | null) => {
    if (!file || !figure) return;
    const p = at && figureToData(figure, at);
    if (!p?.inside) return setReadout(null);
    const i = nearestIndex(file.x, p.x);
    const j = nearestIndex(file.y, p.y);
    setReadout({
      alpha: file.x[i],
      beta: file.y[j],
      loss: file.values.loss[j][i],
      accuracy: file.values.accuracy[j][i],
    });
  };

  const openSurfaceFile = async (f: File) => {
    try {
      setDropError(null);
      await openSurface(f);
    } catch (err) {
      setDropError(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <section className="card wide" aria-labelledby="surface-title" data-testid="surface-view">
      <h2 id="surface-title">2D surface</h2>
      <div className="row">
        <label>
          Show{' '}
          <select
            value={quantity}
            onChange={(e) => setQuantity(e.target.value as 'loss' | 'accuracy')}
            data-testid="surface-quantity"
          >
            <option value="loss">loss J(θ)</option>
            <option value="accuracy">accuracy</option>
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={log}
            onChange={(e) => setLog(e.target.checked)}
            disabled={quantity !== 'loss'}
          />{' '}
          log scale
        </label>
        <label>
          Colours{' '}
          <select value={cmap} onChange={(e) => setCmap(e.target.value as 'viridis' | 'cividis')}>
            <option value="viridis">viridis</option>
            <option value="cividis">cividis</option>
          </select>
        </label>
      </div>
      {figure ? (
        <HoverFigure figure={figure} testId="surface-figure" onPointer={onPointer} />
      ) : (
        <p className="hint">No surface yet: compute one, or drop a surface file below.</p>
      )}
      {otherSvg && (
        <>
          <div className="figure" data-testid="random-surface-figure" dangerouslySetInnerHTML={{ __html: otherSvg }} />
          <ExportBar svg={otherSvg} baseName="surface-random-origin" data={[]} />
        </>
      )}
      <p className="readout" aria-live="polite" data-testid="surface-readout">
        {readout
          ? `α ${readout.alpha.toFixed(3)}, β ${readout.beta.toFixed(3)}: loss ${readout.loss === null ? 'not computed' : readout.loss.toPrecision(5)}, accuracy ${readout.accuracy === null ? '—' : readout.accuracy.toFixed(3)}`
          : 'Hover the plot for α, β, loss and accuracy.'}
      </p>
      <p className="hint">
        J(θ) is the mean cross-entropy over the fixed examples at θ = θ0 + α·(θ1 − θ0) + β·d2; accuracy is the fraction
        classified correctly. θ0, θ1, θ2 are marked; the trajectory shows each training checkpoint at (α_i, β_i),
        keeping its angle to θ1 − θ0 and its length.
      </p>
      {file && <SurfaceExports file={file} svg={svg} />}
      <FileDrop
        label="Open a surface file (JSON from sensescape landscape surface / merge)"
        accept=".json"
        multiple={false}
        testId="surface-file-drop"
        onFiles={(files) => files[0] && void openSurfaceFile(files[0].file)}
      />
      {dropError && (
        <p className="error" role="alert" data-testid="surface-file-error">
          {dropError}
        </p>
      )}
    </section>
  );
}

function SurfaceExports({ file, svg }: { file: SurfaceFile; svg: string | null }) {
  const [texts, setTexts] = useState<{ json: string; csv: string } | null>(null);
  const exportSurface = useLandscape((s) => s.exportSurface);
  const ensure = () => {
    if (!texts) void exportSurface(file).then(setTexts);
  };
  return (
    <div onFocus={ensure} onMouseEnter={ensure}>
      <ExportBar
        svg={svg}
        baseName="surface"
        data={[
          { label: 'JSON', fileName: 'surface.json', type: 'application/json', text: () => texts?.json ?? '' },
          { label: 'CSV', fileName: 'surface.csv', type: 'text/csv', text: () => texts?.csv ?? '' },
        ]}
      />
    </div>
  );
}
