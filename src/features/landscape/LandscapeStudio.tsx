/** The landscape studio: bring checkpoints and examples, compute, see and export (Hao et al. 2019). */
import { useEffect } from 'react';
import { useLandscape } from '../../state/landscape';
import { SenseProbe } from '../probe/SenseProbe';
import { CheckpointTray } from './CheckpointTray';
import { ComputePanel } from './ComputePanel';
import { CurvaturePanel } from './CurvaturePanel';
import { CurveView, LayersView } from './CurveViews';
import { DataPanel } from './DataPanel';
import { FinetunePanel } from './FinetunePanel';
import { SurfaceView } from './SurfaceView';

export function LandscapeStudio() {
  const restore = useLandscape((s) => s.restore);
  useEffect(() => {
    void restore();
  }, [restore]);
  return (
    <div className="studio">
      <div className="studio-inputs">
        <CheckpointTray />
        <DataPanel />
        <ComputePanel />
        <FinetunePanel />
      </div>
      <div className="studio-views">
        <CurveView />
        <SurfaceView />
        <LayersView />
        <SenseProbe />
        <CurvaturePanel />
      </div>
    </div>
  );
}
