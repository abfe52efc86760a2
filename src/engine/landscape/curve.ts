/**
 * 1-D loss curve (Hao et al. 2019, Sec. 3): J(θ0 + α·(θ1 − θ0)) over the moving parameters, with the
 * task head fixed. Points run coarse-to-fine (ends and middle first) and stream out through `onPoint`.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ProgressMeter, type ProgressSink } from '../util/progress';
import { coarseToFineOrder1D } from './grid';
import { openMover, type EvalResult, type LandscapeContext } from './model';

export interface CurveResult {
  alphas: number[];
  loss: number[];
  accuracy: number[];
}

export interface CurveOptions {
  onProgress?: ProgressSink;
  /** Called after each point (in evaluation order) with its index in `alphas`. */
  onPoint?: (index: number, result: EvalResult) => void;
}

/**
 * Evaluates the curve θ0 + α·δ for every α.
 * @param delta θ1 − θ0 on the moving parameters (device tensors, caller owns).
 */
export async function computeCurve<B>(
  ctx: LandscapeContext<B>,
  delta: ReadonlyMap<string, tf.Tensor>,
  alphas: readonly number[],
  opts: CurveOptions = {},
): Promise<CurveResult> {
  const loss = new Array<number>(alphas.length).fill(Number.NaN);
  const accuracy = new Array<number>(alphas.length).fill(Number.NaN);
  const meter = new ProgressMeter('curve', alphas.length, opts.onProgress, 'points');
  const mover = await openMover(ctx, ctx.origin, [delta], ctx.names);
  try {
    for (const k of coarseToFineOrder1D(alphas.length)) {
      ctx.token?.throwIfCancelled();
      mover.moveTo([alphas[k]]);
      const r = await ctx.model.evaluate(ctx.batches, { token: ctx.token });
      loss[k] = r.loss;
      accuracy[k] = r.accuracy;
      opts.onPoint?.(k, r);
      meter.tick({ alpha: alphas[k], loss: r.loss });
    }
  } finally {
    mover.dispose();
  }
  return { alphas: [...alphas], loss, accuracy };
}
