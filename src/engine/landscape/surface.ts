/**
 * 2-D loss surface: J(θ0 + x·d1 + y·d2) on a grid (or at listed points), with d1, d2 either
 * fine-tuned directions θ_k − θ0 (Hao et al.) or normalised random directions (Li et al.). Points run in
 * coarse-to-fine order, skip what a resumed file already holds, are restricted to a shard when asked,
 * and stream out through `onPoint` so callers can save partial files and draw early.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { SurfaceFile } from '../io/surfaceFile';
import { now } from '../util/cancel';
import { ProgressMeter, type ProgressSink } from '../util/progress';
import { coarseToFineOrder, shardPoints } from './grid';
import { openMover, type EvalResult, type LandscapeContext } from './model';

/** One point to evaluate: grid indices (or list index in i, j = 0) and coordinates. */
export interface SurfaceTask {
  i: number;
  j: number;
  x: number;
  y: number;
}

export interface SurfaceOptions {
  onProgress?: ProgressSink;
  onPoint?: (task: SurfaceTask, result: EvalResult) => void | Promise<void>;
  /**
   * Filled with the milliseconds spent opening the plane's mover and closing it again — once per call,
   * not per point (on WASM: rearranging θ0 and the directions into the kernels' layout and back).
   */
  timings?: { openMs: number; closeMs: number };
}

/**
 * The points of `file` still to compute: coarse-to-fine order, restricted to shard I/N (the shard is
 * dealt over the full order, so it is independent of what was already computed), minus computed points.
 */
export function pendingTasks(file: SurfaceFile, shard?: { index: number; count: number }): SurfaceTask[] {
  const order = shardPoints(coarseToFineOrder(file.x.length, file.y.length), shard);
  return order
    .filter(({ i, j }) => file.values.loss[j][i] === null)
    .map(({ i, j }) => ({ i, j, x: file.x[i], y: file.y[j] }));
}

/**
 * Evaluates `tasks` in the given order at θ0 + x·d1 + y·d2.
 * @param dirs [d1, d2] on the moving parameters (device tensors, caller owns).
 * @returns the results in task order.
 */
export async function computeSurfacePoints<B>(
  ctx: LandscapeContext<B>,
  dirs: readonly [ReadonlyMap<string, tf.Tensor>, ReadonlyMap<string, tf.Tensor>],
  tasks: readonly SurfaceTask[],
  opts: SurfaceOptions = {},
): Promise<EvalResult[]> {
  const meter = new ProgressMeter('surface', tasks.length, opts.onProgress, 'points');
  const out: EvalResult[] = [];
  const opened = now();
  const mover = await openMover(ctx, ctx.origin, dirs, ctx.names);
  if (opts.timings) opts.timings.openMs = now() - opened;
  try {
    for (const task of tasks) {
      ctx.token?.throwIfCancelled();
      mover.moveTo([task.x, task.y]);
      const r = await ctx.model.evaluate(ctx.batches, { token: ctx.token });
      out.push(r);
      await opts.onPoint?.(task, r);
      meter.tick({ x: task.x, y: task.y, loss: r.loss });
    }
  } finally {
    const closing = now();
    mover.dispose();
    if (opts.timings) opts.timings.closeMs = now() - closing;
  }
  return out;
}
