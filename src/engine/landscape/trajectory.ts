/**
 * Optimisation trajectories in the plane of the fine-tuning direction (Hao et al. 2019, Sec. 5).
 * For checkpoints θ_i saved during fine-tuning, v_i = θ_i − θ0 and δ1 = θ1 − θ0 over the moving
 * parameters:
 *   α_i = cos(v_i, δ1)·‖v_i‖/‖δ1‖ = ⟨v_i, δ1⟩/‖δ1‖²,   β_i = √(max(0, ‖v_i‖²/‖δ1‖² − α_i²)),
 * which keeps both the angle to δ1 and the length of v_i (in units of ‖δ1‖). J(θ_i) is each
 * checkpoint's own loss (its own head where it has one). Optionally also PCA coordinates (Li et al.).
 *
 * Checkpoints are uploaded one tensor at a time for the projection, so device memory stays at
 * origin + δ1 + one tensor.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ProgressMeter, type ProgressSink } from '../util/progress';
import type { CheckpointLike, EvalResult, LandscapeContext } from './model';
import { disposeParamSet, dot, type HostTensor, uploadParams } from './params';
import { pcaFromGram, trajectoryGram } from './pca';

export interface TrajectoryPoint {
  checkpoint: string;
  alpha: number;
  beta: number;
  /** J(θ_i); null when no data was given. */
  loss: number | null;
  accuracy: number | null;
  /** ‖v_i‖ and cos(v_i, δ1). */
  norm: number;
  cosine: number;
  /** PCA coordinates when asked for. */
  pc1?: number;
  pc2?: number;
}

export interface TrajectoryResult {
  points: TrajectoryPoint[];
  /** ‖δ1‖ over the moving parameters. */
  deltaNorm: number;
  pca?: { explainedVarianceRatio: [number, number]; origin: [number, number]; reference: string };
}

/** ⟨θ − θ0, d_k⟩ for each direction and ‖θ − θ0‖², with θ uploaded tensor by tensor. */
export async function projectHost(
  host: ReadonlyMap<string, HostTensor>,
  origin: ReadonlyMap<string, tf.Tensor>,
  dirs: readonly ReadonlyMap<string, tf.Tensor>[],
  names: readonly string[],
): Promise<{ dots: number[]; normSq: number }> {
  const scalars: tf.Tensor[] = [];
  try {
    for (const name of names) {
      const h = host.get(name);
      if (!h) throw new Error(`checkpoint lacks tensor ${name}`);
      scalars.push(
        tf.tidy(() => {
          const v = tf.sub(tf.tensor(h.data, h.shape, 'float32'), origin.get(name)!);
          return tf.stack([...dirs.map((d) => tf.sum(tf.mul(v, d.get(name)!))), tf.sum(tf.square(v))]);
        }),
      );
    }
    const all = tf.tidy(() => tf.stack(scalars));
    const data = await all.data();
    all.dispose();
    const k = dirs.length + 1;
    const sums = new Array<number>(k).fill(0);
    for (let t = 0; t < names.length; t++) for (let c = 0; c < k; c++) sums[c] += data[t * k + c];
    return { dots: sums.slice(0, dirs.length), normSq: sums[dirs.length] };
  } finally {
    for (const s of scalars) s.dispose();
  }
}

/** α, β of the formulas from ⟨v, δ⟩, ‖v‖² and ‖δ‖². */
export function trajectoryCoordinates(
  vd: number,
  vv: number,
  dd: number,
): { alpha: number; beta: number; norm: number; cosine: number } {
  const alpha = vd / dd;
  const beta = Math.sqrt(Math.max(0, vv / dd - alpha * alpha));
  const norm = Math.sqrt(vv);
  return { alpha, beta, norm, cosine: norm > 0 ? vd / (norm * Math.sqrt(dd)) : Number.NaN };
}

export interface TrajectoryOptions {
  /** Evaluate J(θ_i) (needs ctx.batches). */
  evaluate: boolean;
  /** Also the 2-component PCA of [θ0, θ_1…θ_n, θ1] − θ1 (Li et al.). */
  pca?: boolean;
  /** θ0's and θ1's host tensors (PCA rows and reference) — needed when `pca` is set. */
  origin?: CheckpointLike;
  toward?: CheckpointLike;
  /** The head checkpoint, restored into the model's fixed parameters after the checkpoints' own evaluations. */
  head: CheckpointLike;
  onProgress?: ProgressSink;
  onPoint?: (index: number, point: TrajectoryPoint) => void;
}

/**
 * Coordinates (and losses) of each checkpoint.
 * @param delta δ1 = θ1 − θ0 on the moving parameters (device, caller owns).
 */
export async function computeTrajectory<B>(
  ctx: LandscapeContext<B>,
  delta: ReadonlyMap<string, tf.Tensor>,
  checkpoints: readonly CheckpointLike[],
  opts: TrajectoryOptions,
): Promise<TrajectoryResult> {
  const dd = await dot(delta, delta, ctx.names);
  if (!(dd > 0)) throw new Error('θ1 equals θ0 on the moving parameters: the direction δ1 is zero');
  const meter = new ProgressMeter('trajectory', checkpoints.length, opts.onProgress, 'checkpoints');
  const points: TrajectoryPoint[] = [];
  const modelNames = [...ctx.model.params.keys()];
  try {
    for (let i = 0; i < checkpoints.length; i++) {
      ctx.token?.throwIfCancelled();
      const ck = checkpoints[i];
      const {
        dots: [vd],
        normSq: vv,
      } = await projectHost(ck.tensors, ctx.origin, [delta], ctx.names);
      const c = trajectoryCoordinates(vd, vv, dd);
      let r: EvalResult | null = null;
      if (opts.evaluate) {
        assignHost(ctx, modelNames, [ck, opts.head]);
        r = await ctx.model.evaluate(ctx.batches, { token: ctx.token });
      }
      const point: TrajectoryPoint = {
        checkpoint: ck.name,
        ...c,
        loss: r ? r.loss : null,
        accuracy: r ? r.accuracy : null,
      };
      points.push(point);
      opts.onPoint?.(i, point);
      meter.tick({ alpha: c.alpha, beta: c.beta });
    }
  } finally {
    // Leave the model with the head's fixed parameters, as the other analyses expect.
    if (opts.evaluate)
      assignHost(
        ctx,
        modelNames.filter((n) => !ctx.origin.has(n)),
        [opts.head],
      );
  }
  const result: TrajectoryResult = { points, deltaNorm: Math.sqrt(dd) };
  if (opts.pca) {
    if (!opts.toward || !opts.origin) throw new Error('trajectory PCA needs the origin and toward checkpoints');
    const rows = [opts.origin.tensors, ...checkpoints.map((c) => c.tensors), opts.toward.tensors];
    const pca = pcaFromGram(await trajectoryGram(rows, opts.toward.tensors, ctx.names));
    points.forEach((p, i) => {
      p.pc1 = pca.coords[i + 1][0];
      p.pc2 = pca.coords[i + 1][1];
    });
    result.pca = {
      explainedVarianceRatio: pca.explainedVarianceRatio,
      origin: pca.coords[0],
      reference: opts.toward.name,
    };
  }
  return result;
}

/** Uploads, for every name, the first checkpoint in `sources` that has it, and assigns it into the model. */
function assignHost<B>(ctx: LandscapeContext<B>, names: readonly string[], sources: readonly CheckpointLike[]): void {
  const values = new Map<string, tf.Tensor>();
  try {
    for (const name of names) {
      const src = sources.find((s) => s.tensors.has(name));
      if (!src) continue;
      const up = uploadParams(src.tensors, [name], src.name);
      values.set(name, up.get(name)!);
    }
    ctx.model.assignParams(values);
  } finally {
    disposeParamSet(values);
  }
}
