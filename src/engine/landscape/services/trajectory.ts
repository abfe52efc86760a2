/**
 * The trajectory service: each fine-tuning checkpoint θ_i projected onto the θ0 → θ1 plane — α_i along
 * δ1 = θ1 − θ0 and β_i the norm of the rest (Hao et al.'s angle/norm projection) — with its loss
 * J(θ_i) when data is given, and optionally the PCA coordinates of Li et al. Called by `sensescape
 * landscape trajectory` and the studio.
 */
import type { LoadedCheckpoint } from '../../bert/checkpoint';
import { disposeAll, type PreparedData } from '../session';
import { computeTrajectory, type TrajectoryPoint, type TrajectoryResult } from '../trajectory';
import { nullIfNaN, withSession, type ServiceHooks } from './common';

export interface TrajectoryRequest {
  origin: LoadedCheckpoint;
  toward: LoadedCheckpoint;
  head: LoadedCheckpoint;
  /** In training order. */
  checkpoints: readonly LoadedCheckpoint[];
  /** Evaluate J(θ_i) on these examples (none: coordinates only). */
  data?: PreparedData;
  pca?: boolean;
}

/** One checkpoint's place on the plane (accuracy null for regression or without data). */
export type TrajectoryPointData = TrajectoryPoint;

export interface TrajectoryData {
  points: TrajectoryPointData[];
  /** ‖θ1 − θ0‖ over the moving parameters. */
  deltaNorm: number;
  /** Moving tensors the projection is over. */
  moving: number;
  pca?: TrajectoryResult['pca'];
}

export async function runTrajectory(req: TrajectoryRequest, hooks: ServiceHooks = {}): Promise<TrajectoryData> {
  const { origin, toward, head } = req;
  const others = [
    { role: 'toward', ckpt: toward },
    ...req.checkpoints.map((ckpt, k) => ({ role: `trajectory checkpoint ${k + 1}`, ckpt })),
  ];
  return withSession(origin, head, others, async (session) => {
    const delta = session.directionTo(toward);
    try {
      const r = await computeTrajectory(session.context(req.data?.batches ?? [], hooks.token), delta, req.checkpoints, {
        evaluate: req.data !== undefined,
        head,
        pca: req.pca,
        origin,
        toward,
        onProgress: hooks.onProgress,
      });
      return {
        deltaNorm: r.deltaNorm,
        moving: session.names.length,
        ...(r.pca ? { pca: r.pca } : {}),
        points: r.points.map((p) => ({
          checkpoint: p.checkpoint,
          alpha: p.alpha,
          beta: p.beta,
          loss: p.loss,
          accuracy: p.accuracy === null ? null : nullIfNaN(p.accuracy),
          norm: p.norm,
          cosine: p.cosine,
          ...(p.pc1 !== undefined ? { pc1: p.pc1, pc2: p.pc2 } : {}),
        })),
      };
    } finally {
      disposeAll(delta);
    }
  });
}
