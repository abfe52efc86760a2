/**
 * Random directions in parameter space as Li et al. (NeurIPS 2018, "Visualizing the Loss Landscape of
 * Neural Nets"): seeded Gaussian noise shaped like the moving parameters, then normalised so the plot's
 * scale means the same thing for every layer.
 *
 * Generation is defined exactly so that other implementations (tools/landscape/make_fixtures.py) can
 * reproduce it: ONE mulberry32(seed) → Box–Muller stream, walked over the moving tensors in sorted name
 * order, each tensor filled in row-major order; every tensor is drawn (also those zeroed afterwards).
 *
 * Normalisation (θ0 = origin):
 * - `filter`: every row of a tensor (PyTorch row = output unit of a Linear weight; for an embedding
 *   matrix, one token) is scaled to the norm of the same row of θ0: d_r ← d_r·‖θ0_r‖/(‖d_r‖ + 1e-10).
 *   Tensors of rank ≥ 3 use their first axis as rows. Rank-1 tensors (biases, LayerNorm) count as one row.
 * - `layer`: every tensor is scaled to the norm of the same tensor of θ0.
 * - `none`: raw N(0, 1) noise.
 * With `ignore: 'bias-ln'`, every rank ≤ 1 tensor (biases and LayerNorm weights/biases) is set to zero.
 */
import * as tf from '@tensorflow/tfjs-core';
import { gaussian, mulberry32 } from '../util/random';
import type { ParamSet } from './params';

export type Normalization = 'filter' | 'layer' | 'none';
export type IgnoreMode = 'bias-ln' | 'none';

export interface RandomDirectionOptions {
  seed: number;
  normalize: Normalization;
  ignore: IgnoreMode;
}

/** Fills host arrays with the seeded Gaussian stream in the documented order (sorted names, row-major). */
export function gaussianStream(
  shapes: ReadonlyMap<string, readonly number[]>,
  seed: number,
): Map<string, Float32Array> {
  const next = gaussian(mulberry32(seed));
  const out = new Map<string, Float32Array>();
  for (const name of [...shapes.keys()].sort()) {
    const size = shapes.get(name)!.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = next();
    out.set(name, data);
  }
  return out;
}

/**
 * A normalised random direction for the moving parameters `origin`.
 * @returns new device tensors (same names and shapes as `origin`), owned by the caller.
 */
export function randomDirection(origin: ReadonlyMap<string, tf.Tensor>, opts: RandomDirectionOptions): ParamSet {
  const shapes = new Map<string, number[]>();
  for (const [name, t] of origin) shapes.set(name, t.shape);
  const noise = gaussianStream(shapes, opts.seed);
  const out: ParamSet = new Map();
  for (const [name, w] of origin) {
    const raw = noise.get(name)!;
    out.set(
      name,
      tf.tidy(() => {
        if (opts.ignore === 'bias-ln' && w.rank <= 1) return tf.zerosLike(w);
        const d = tf.tensor(raw, w.shape, 'float32');
        return normalizeDirection(d, w, opts.normalize);
      }),
    );
  }
  return out;
}

/** Normalises one direction tensor `d` against origin tensor `w` (see the file header). Tidy-safe. */
export function normalizeDirection(d: tf.Tensor, w: tf.Tensor, mode: Normalization): tf.Tensor {
  return tf.tidy(() => {
    if (mode === 'none') return tf.clone(d);
    if (mode === 'layer' || d.rank <= 1) {
      const scale = tf.div(tf.norm(w), tf.add(tf.norm(d), 1e-10));
      return tf.mul(d, scale);
    }
    const rows = d.shape[0];
    const d2 = tf.reshape(d, [rows, -1]);
    const w2 = tf.reshape(w, [rows, -1]);
    const dn = tf.sqrt(tf.sum(tf.square(d2), 1, true));
    const wn = tf.sqrt(tf.sum(tf.square(w2), 1, true));
    return tf.reshape(tf.mul(d2, tf.div(wn, tf.add(dn, 1e-10))), d.shape);
  });
}
