/**
 * Layer-wise curves (Hao et al. 2019, Sec. 6): for a group g of moving parameters (encoder layer l,
 * the embeddings, the pooler), θ^(g)(α) = θ1 with g's parameters set to θ1 + (α − 1)·(θ1 − θ0).
 * α = 1 is the fine-tuned model, α = 0 rolls only that group back to its pretrained values.
 * Groups are evaluated one after another; after a group its tensors are restored to θ1.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ProgressMeter, type ProgressSink } from '../util/progress';
import { layerGroups } from './compat';
import { coarseToFineOrder1D } from './grid';
import { moveTo, openMover, type CheckpointLike, type LandscapeContext } from './model';
import { disposeParamSet, uploadParams } from './params';
import { InputError } from '../util/errors';

export interface LayersResult {
  alphas: number[];
  groups: { name: string; parameters: number; loss: number[]; accuracy: number[] }[];
}

export interface LayersOptions {
  onProgress?: ProgressSink;
  /** Restrict to these group names (default: all groups found). */
  groups?: readonly string[];
  onPoint?: (group: string, index: number, loss: number, accuracy: number) => void;
}

/** The layer groups of the moving `names`, restricted to `wanted` (an InputError names an unknown one). */
export function selectGroups(
  names: readonly string[],
  wanted?: readonly string[],
): { name: string; names: string[] }[] {
  const groups = layerGroups(names);
  if (!wanted) return groups;
  const unknown = wanted.filter((g) => !groups.some((x) => x.name === g));
  if (unknown.length)
    throw new InputError(`unknown layer group ${unknown[0]} (groups: ${groups.map((g) => g.name).join(', ')})`);
  return groups.filter((g) => wanted.includes(g.name));
}

/**
 * @param toward θ1 (host tensors; uploaded group by group).
 * @param delta θ1 − θ0 on the moving parameters (device, caller owns).
 */
export async function computeLayers<B>(
  ctx: LandscapeContext<B>,
  toward: CheckpointLike,
  delta: ReadonlyMap<string, tf.Tensor>,
  alphas: readonly number[],
  opts: LayersOptions = {},
): Promise<LayersResult> {
  const groups = selectGroups(ctx.names, opts.groups);
  // Start from θ1 on every moving parameter.
  const all = uploadParams(toward.tensors, ctx.names, toward.name);
  try {
    moveTo(ctx.model, all, [], []);
  } finally {
    disposeParamSet(all);
  }
  const meter = new ProgressMeter('layers', groups.length * alphas.length, opts.onProgress, 'points');
  const out: LayersResult = { alphas: [...alphas], groups: [] };
  for (const g of groups) {
    const base = uploadParams(toward.tensors, g.names, toward.name);
    const loss = new Array<number>(alphas.length).fill(Number.NaN);
    const accuracy = new Array<number>(alphas.length).fill(Number.NaN);
    try {
      const mover = await openMover(ctx, base, [delta], g.names);
      try {
        for (const k of coarseToFineOrder1D(alphas.length)) {
          ctx.token?.throwIfCancelled();
          mover.moveTo([alphas[k] - 1]);
          const r = await ctx.model.evaluate(ctx.batches, { token: ctx.token });
          loss[k] = r.loss;
          accuracy[k] = r.accuracy;
          opts.onPoint?.(g.name, k, r.loss, r.accuracy);
          meter.tick({ group: g.name, alpha: alphas[k], loss: r.loss });
        }
        // Back to θ1 on this group before the next one moves.
        mover.moveTo([0]);
      } finally {
        mover.dispose();
      }
    } finally {
      disposeParamSet(base);
    }
    let parameters = 0;
    for (const n of g.names) parameters += ctx.origin.get(n)!.size;
    out.groups.push({ name: g.name, parameters, loss, accuracy });
  }
  return out;
}
