/**
 * What the landscape engine needs from a model, and the one operation every analysis is made of:
 * move the model's moving parameters to a point of parameter space (one fused device update per
 * tensor, assigned with `assignParams`) and evaluate the fixed examples there.
 *
 * `BertClassifier` (src/engine/bert/model.ts) satisfies {@link LandscapeModel} structurally; tests use
 * small stand-ins with the same shape. The engine never reads weights back to JS.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { CancelToken } from '../util/cancel';
import type { ProgressSink } from '../util/progress';
import {
  combine,
  disposeParamSet,
  disposeRowSubset,
  prepareRowSubset,
  type HostTensor,
  type RowSubset,
} from './params';

/** Mean loss and accuracy over the examples at one point. */
export interface EvalResult {
  loss: number;
  accuracy: number;
  examples: number;
}

/** Moves a model between the points of one line/plane of parameter space (see {@link openMover}). */
export interface PointMover {
  /** Sets the moving parameters to base + Σ coeffs[k]·dirs[k]. */
  moveTo(coeffs: readonly number[]): void;
  /** Ends the run; the model keeps the last point. */
  dispose(): void;
}

/** A model whose parameters can be replaced on the device and that evaluates batches of type `B`. */
export interface LandscapeModel<B = unknown> {
  /** Device tensors owned by the model, by normalised name. */
  readonly params: ReadonlyMap<string, tf.Tensor>;
  /** Copies/assigns the given values; the caller keeps ownership of `values`. */
  assignParams(values: Map<string, tf.Tensor>): void;
  /**
   * Optional in-place interpolation (BertClassifier: no per-point allocation, transposition or second
   * copy of the weights). Models without it move by {@link combine} + `assignParams`.
   */
  interpolator?(
    base: ReadonlyMap<string, tf.Tensor>,
    dirs: readonly ReadonlyMap<string, tf.Tensor>[],
    names: readonly string[],
    opts?: { sparseRows?: readonly { name: string; rows: Int32Array }[] },
  ): Promise<PointMover>;
  evaluate(batches: B[], opts?: { token?: CancelToken; onProgress?: ProgressSink }): Promise<EvalResult>;
}

/** A checkpoint as the landscape engine sees it (`LoadedCheckpoint` satisfies it). */
export interface CheckpointLike {
  name: string;
  sha256: string;
  tensors: ReadonlyMap<string, HostTensor>;
  config?: unknown;
}

/** The fixed ingredients of an analysis: the model, the examples and the moving parameters' origin. */
export interface LandscapeContext<B = unknown> {
  model: LandscapeModel<B>;
  batches: B[];
  /** θ0 on the device, moving parameters only (caller owns). */
  origin: ReadonlyMap<string, tf.Tensor>;
  /** The moving parameter names, sorted. */
  names: string[];
  token?: CancelToken;
  /**
   * Matrices of which only some rows affect the loss (the word embeddings: rows of the tokens in `batches`).
   * Point updates then compute only those rows; the others are set to zero (see {@link RowSubset}).
   */
  sparseRows?: readonly { name: string; rows: Int32Array }[];
}

/** Row subsets of `ctx.sparseRows` for a base and directions (caller disposes with {@link disposeRowSubsets}). */
export function rowSubsets<B>(
  ctx: Pick<LandscapeContext<B>, 'sparseRows' | 'names'>,
  base: ReadonlyMap<string, tf.Tensor>,
  dirs: readonly ReadonlyMap<string, tf.Tensor>[],
): Map<string, RowSubset> {
  const out = new Map<string, RowSubset>();
  for (const { name, rows } of ctx.sparseRows ?? [])
    if (base.has(name)) out.set(name, prepareRowSubset(name, rows, base, dirs));
  return out;
}

export function disposeRowSubsets(subsets: Map<string, RowSubset>): void {
  for (const s of subsets.values()) disposeRowSubset(s);
  subsets.clear();
}

/**
 * A mover over base + Σ c_k·dirs[k] on `names`: the model's in-place interpolation when it has one,
 * else the fused {@link combine} + `assignParams` per point (with the context's row subsets). The
 * caller disposes it (in a finally) before touching the model's parameters otherwise.
 */
export async function openMover<B>(
  ctx: Pick<LandscapeContext<B>, 'model' | 'sparseRows'>,
  base: ReadonlyMap<string, tf.Tensor>,
  dirs: readonly ReadonlyMap<string, tf.Tensor>[],
  names: readonly string[],
): Promise<PointMover> {
  if (ctx.model.interpolator) {
    const sparseRows = ctx.sparseRows?.filter((s) => names.includes(s.name));
    return ctx.model.interpolator(base, dirs, names, { sparseRows });
  }
  const subsets = rowSubsets({ sparseRows: ctx.sparseRows, names: [...names] }, base, dirs);
  return {
    moveTo: (coeffs) => moveTo(ctx.model, base, dirs, coeffs, names, subsets),
    dispose: () => disposeRowSubsets(subsets),
  };
}

/**
 * Moves the model to base + Σ coeffs[k]·dirs[k] over `names` (default: all of `base`) and evaluates.
 * Peak extra device memory: one transient copy of the moved tensors, freed after the assignment.
 */
export async function evaluateAt<B>(
  ctx: Pick<LandscapeContext<B>, 'model' | 'batches' | 'token'>,
  base: ReadonlyMap<string, tf.Tensor>,
  dirs: readonly ReadonlyMap<string, tf.Tensor>[],
  coeffs: readonly number[],
  names?: Iterable<string>,
  subsets?: ReadonlyMap<string, RowSubset>,
): Promise<EvalResult> {
  moveTo(ctx.model, base, dirs, coeffs, names, subsets);
  ctx.token?.throwIfCancelled();
  return ctx.model.evaluate(ctx.batches, { token: ctx.token });
}

/** Assigns base + Σ coeffs[k]·dirs[k] (over `names`) into the model without evaluating. */
export function moveTo<B>(
  model: LandscapeModel<B>,
  base: ReadonlyMap<string, tf.Tensor>,
  dirs: readonly ReadonlyMap<string, tf.Tensor>[],
  coeffs: readonly number[],
  names?: Iterable<string>,
  subsets?: ReadonlyMap<string, RowSubset>,
): void {
  const values = combine(base, dirs, coeffs, names ?? base.keys(), subsets);
  try {
    model.assignParams(values);
  } finally {
    disposeParamSet(values);
  }
}
