/**
 * The 1-D curve service: J(θ0 + α(θ1 − θ0)) over α for one or more data splits, with the head fixed,
 * in one session (model, θ0 and δ uploaded once for all splits). Called by `sensescape landscape
 * curve` and the studio's worker.
 */
import type { LoadedCheckpoint } from '../../bert/checkpoint';
import type { CheckpointRef, DataSpec } from '../../io/surfaceFile';
import { disposeAll, refOf, type PreparedData } from '../session';
import { computeCurve } from '../curve';
import { backendName, nullIfNaN, SOFTWARE, withAnalysisSession, type PartialHooks } from './common';

export interface CurveRequest {
  origin: LoadedCheckpoint;
  /** θ1. */
  toward: LoadedCheckpoint;
  /** Where the fixed parameters come from (usually θ1). */
  head: LoadedCheckpoint;
  /** One curve per dataset (split). */
  datasets: readonly PreparedData[];
  alphas: readonly number[];
}

/** What determines a curve's values (recorded in exports). */
export interface CurveSpec {
  analysis: 'curve';
  origin: CheckpointRef;
  toward: CheckpointRef;
  head: CheckpointRef;
  data: DataSpec;
  backend: string;
  software: string;
}

/** One curve: loss and accuracy per α (null where not computed yet; accuracy null for regression). */
export interface CurveData {
  alphas: number[];
  loss: (number | null)[];
  accuracy: (number | null)[];
  spec: CurveSpec;
}

/** The curves of every dataset, in order; `onPartial` sees the curve being computed. */
export async function runCurve(req: CurveRequest, hooks: PartialHooks<CurveData> = {}): Promise<CurveData[]> {
  const { origin, toward, head } = req;
  const alphas = [...req.alphas];
  const others = [{ role: 'toward', ckpt: toward }];
  const plan = {
    origin,
    head,
    others,
    directions: [toward],
    randomDirections: 0,
    batches: req.datasets.map((d) => d.batches),
  };
  return withAnalysisSession(plan, hooks.openSession, async (session) => {
    const delta = session.directionTo(toward);
    try {
      const out: CurveData[] = [];
      for (const data of req.datasets) {
        const curve: CurveData = {
          alphas,
          loss: alphas.map(() => null),
          accuracy: alphas.map(() => null),
          spec: {
            analysis: 'curve',
            origin: refOf(origin),
            toward: refOf(toward),
            head: refOf(head),
            data: data.spec,
            backend: backendName(),
            software: SOFTWARE,
          },
        };
        await computeCurve(session.context(data.batches, hooks.token), delta, alphas, {
          onProgress: hooks.onProgress,
          onPoint: (k, r) => {
            curve.loss[k] = r.loss;
            curve.accuracy[k] = nullIfNaN(r.accuracy);
            hooks.onPartial?.(curve);
          },
        });
        out.push(curve);
      }
      return out;
    } finally {
      disposeAll(delta);
    }
  });
}
