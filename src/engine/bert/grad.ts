/**
 * Gradients and Hessian-vector products of a BERT classifier's mean loss with respect to every
 * parameter (embeddings, encoder, pooler, classifier), in eval mode, on any tfjs backend.
 *
 * Which path computes what: losses, curves and surfaces run through the fast forward (model.ts:
 * deviceForward.ts on GPUs, the host SIMD path on WASM/CPU, which has no backward). Gradients and
 * Hessian-vector products run through gradForward.ts — the same maths in plain tfjs ops — under
 * tfjs autodiff: the gradient by `tf.valueAndGrads`, the Hessian-vector product Hv = ∇(∇L · v) by
 * differentiating the gradient's inner product with v a second time (exact double backward: tfjs
 * records the backward pass's own ops on the tape when gradients are nested, and every op used here
 * has a registered gradient whose ops do too). Checked against PyTorch's double backward in
 * grad.test.ts (tools/bert/hessian_reference.py).
 *
 * Batching: each batch contributes (Σ its per-example losses) / total, its gradient computed inside
 * one `tf.tidy` and added into kept accumulators (in place on WASM/CPU: tensor/accumulate.ts), so
 * memory is one batch's activations (two tapes for Hv) plus two parameter-sized vectors; on WASM the tape's saved tensors share data rather than being
 * copied (tensor/sharedIdentity.ts). Cancel is checked between batches. Values stay on the device;
 * only the scalar loss is read back (`await data()`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { releaseAbandonedTape } from '../tensor/abandonedTape';
import { accumulateInto } from '../tensor/accumulate';
import { addMany } from '../tensor/addMany';
import { registerGradients } from '../tensor/gradients';
import { withEagerRelease } from '../tensor/eagerRelease';
import { withSharedIdentity } from '../tensor/sharedIdentity';
import { installWasmLayoutKernels } from '../tensor/wasmLayoutKernels';
import { installWasmSegmentSum } from '../tensor/wasmSegmentSum';
import { CancelToken, Checkpointer } from '../util/cancel';
import type { ProgressSink } from '../util/progress';
import type { BertConfig } from './config';
import { validateBatch, type EncodedBatch } from './data';
import { lossAt, type Dropout } from './gradForward';
import { installSimdBatchMatMul } from './simdBatchMatMul';

/** The parameters a gradient is taken at: names (the checkpoint's normalised names) and tensors in one order. */
export interface ParamPoint {
  config: BertConfig;
  names: readonly string[];
  /** Device tensors, PyTorch layouts; not owned by the functions here. */
  tensors: readonly tf.Tensor[];
}

export interface DiffOptions {
  token?: CancelToken;
  onProgress?: ProgressSink;
}

export interface GradientOptions extends DiffOptions {
  /** Training mode for fine-tuning: the dropout of batch i (seeded per batch); absent = eval mode. */
  dropout?: (batchIndex: number) => Dropout | undefined;
  /**
   * The examples the mean is over, when `batches` are one part of a larger set (a data-parallel
   * replica's share, engine/node/gradParallel.ts); default: the examples in `batches`.
   */
  total?: number;
}

export interface HvpOptions extends DiffOptions {
  /** The examples the mean is over, when `batches` are one part of a larger set (as {@link GradientOptions.total}). */
  total?: number;
}

/** Computes {@link hessianVectorProduct}'s result (in this thread, or data-parallel: engine/node/gradParallel.ts). */
export type HvpFn = (
  point: ParamPoint,
  batches: readonly EncodedBatch[],
  v: readonly tf.Tensor[],
  opts?: HvpOptions,
) => Promise<tf.Tensor[]>;

/** Computes {@link gradient}'s result (the in-thread function, or a data-parallel one with its contract). */
export type GradientFn = (
  point: ParamPoint,
  batches: readonly EncodedBatch[],
  opts?: GradientOptions,
) => Promise<GradientResult>;

export interface GradientResult {
  /** Mean loss over all examples — Σ of these batches' losses / `total` (float32 on the device, summed per batch). */
  loss: number;
  /** Examples in the batches given. */
  examples: number;
  /** ∂loss/∂θ per parameter, in `names` order; kept tensors the caller owns (dispose them). */
  grads: tf.Tensor[];
}

/** Builds the point of a model's current parameters (`params`: name → tensor, e.g. BertClassifier.params). */
export function pointOf(config: BertConfig, params: ReadonlyMap<string, tf.Tensor>): ParamPoint {
  return { config, names: [...params.keys()], tensors: [...params.values()] };
}

function totalOf(config: BertConfig, batches: readonly EncodedBatch[]): number {
  registerGradients();
  installSimdBatchMatMul();
  installWasmSegmentSum();
  if (tf.getBackend() === 'wasm') installWasmLayoutKernels();
  for (const b of batches) validateBatch(config, b);
  return batches.reduce((a, b) => a + b.batch, 0);
}

/** The mean loss and its gradient with respect to every parameter, accumulated over `batches`. */
export async function gradient(
  point: ParamPoint,
  batches: readonly EncodedBatch[],
  opts: GradientOptions = {},
): Promise<GradientResult> {
  const { config, names } = point;
  const held = totalOf(config, batches);
  const total = opts.total ?? held;
  const cp = new Checkpointer(opts.token ?? CancelToken.none());
  let grads: tf.Tensor[] = [];
  let lossSum = 0;
  let done = 0;
  try {
    for (const [i, b] of batches.entries()) {
      await cp.check();
      const drop = opts.dropout?.(i);
      const { value, grads: g } = withSharedIdentity(() =>
        withEagerRelease(() =>
          tf.tidy(() => {
            const r = tf.valueAndGrads((...xs: tf.Tensor[]) => lossAt(config, names, xs, b, total, drop, true))([
              ...point.tensors,
            ]);
            return { value: tf.keep(r.value), grads: r.grads.map((t) => tf.keep(t)) };
          }),
        ),
      );
      try {
        grads = accumulateInto(grads, g);
        lossSum += (await value.data())[0];
      } finally {
        value.dispose();
      }
      done += b.batch;
      opts.onProgress?.({ stage: 'gradient', done, total: held, unit: 'examples' });
    }
  } catch (err) {
    releaseAbandonedTape(); // a pass that threw leaves its saved activations on the engine
    tf.dispose(grads);
    throw err;
  }
  return { loss: lossSum, examples: done, grads };
}

/**
 * The Hessian-vector product H·v of the mean loss (H = ∇²L over all parameters, `v` in `names` order,
 * same shapes), exact by double backward, accumulated over `batches`. Kept tensors the caller owns.
 */
export async function hessianVectorProduct(
  point: ParamPoint,
  batches: readonly EncodedBatch[],
  v: readonly tf.Tensor[],
  opts: HvpOptions = {},
): Promise<tf.Tensor[]> {
  const { config, names } = point;
  if (v.length !== names.length) throw new Error(`H·v: v has ${v.length} tensors, expected ${names.length}`);
  const held = totalOf(config, batches);
  const total = opts.total ?? held;
  const cp = new Checkpointer(opts.token ?? CancelToken.none());
  let hv: tf.Tensor[] = [];
  let done = 0;
  try {
    for (const b of batches) {
      await cp.check();
      const part = withSharedIdentity(() =>
        tf.tidy(() => {
          const gv = (...xs: tf.Tensor[]): tf.Scalar => {
            const g = tf.grads((...ys: tf.Tensor[]) => lossAt(config, names, ys, b, total))(xs);
            return addMany(g.map((gi, i) => tf.sum(tf.mul(gi, v[i])))) as tf.Scalar;
          };
          return tf
            .grads(gv)([...point.tensors])
            .map((t) => tf.keep(t));
        }),
      );
      hv = accumulateInto(hv, part);
      done += b.batch;
      opts.onProgress?.({ stage: 'hvp', done, total: held, unit: 'examples' });
    }
  } catch (err) {
    releaseAbandonedTape();
    tf.dispose(hv);
    throw err;
  }
  return hv;
}
