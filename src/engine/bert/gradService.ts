/**
 * The gradient service: the mean loss of a checkpoint on prepared batches and its gradient with
 * respect to every parameter (grad.ts), as per-tensor norms and, when asked, the host values to
 * write out. Called by `sensescape bert grad`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LoadedCheckpoint } from './checkpoint';
import type { EncodedBatch } from './data';
import { gradient, pointOf, type DiffOptions } from './grad';
import { BertClassifier } from './model';

export interface GradientReport {
  /** Mean loss over the examples (cross-entropy, or MSE for regression). */
  loss: number;
  /** ‖∇L‖ over all parameters. */
  gradient_norm: number;
  examples: number;
  /** Per parameter (normalised name), in the checkpoint's order: ‖∂L/∂θ_t‖. */
  tensors: { name: string; norm: number }[];
}

export interface GradientResultHost extends GradientReport {
  /** The gradient per normalised name (shape as the parameter), when `keepValues`. */
  values?: Map<string, { shape: number[]; data: Float32Array }>;
}

/** Uploads `ckpt`, computes the gradient over `batches`, reads it back (norms, and values if asked). */
export async function runGradient(
  ckpt: LoadedCheckpoint,
  batches: readonly EncodedBatch[],
  opts: DiffOptions & { keepValues?: boolean } = {},
): Promise<GradientResultHost> {
  const model = BertClassifier.fromCheckpoint(ckpt, { hostAssist: false });
  try {
    const point = pointOf(ckpt.config, model.params);
    const g = await gradient(point, batches, opts);
    try {
      const tensors: GradientReport['tensors'] = [];
      const values = opts.keepValues ? new Map<string, { shape: number[]; data: Float32Array }>() : undefined;
      let total = 0;
      for (let t = 0; t < point.names.length; t++) {
        const data = (await g.grads[t].data()) as Float32Array;
        let s = 0;
        for (const x of data) s += x * x;
        total += s;
        tensors.push({ name: point.names[t], norm: Math.sqrt(s) });
        values?.set(point.names[t], { shape: [...g.grads[t].shape], data });
      }
      return { loss: g.loss, gradient_norm: Math.sqrt(total), examples: g.examples, tensors, values };
    } finally {
      tf.dispose(g.grads);
    }
  } finally {
    model.dispose();
  }
}
