/**
 * Vectors over all parameters for the curvature algorithms (curvature.ts): a vector is one device
 * tensor per parameter, in the model's parameter order. Inner products and norms are the only values
 * read back (`await data()`, one scalar each); everything else stays on the device. Every function
 * returns new kept tensors the caller owns (dispose with `tf.dispose`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { addMany } from '../tensor/addMany';
import { gaussian, mulberry32 } from '../util/random';

export type Vec = tf.Tensor[];

/** Σ_t ⟨a_t, b_t⟩ (float32 on the device, read back). */
export async function vdot(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): Promise<number> {
  const s = tf.tidy(() => addMany(a.map((x, i) => tf.sum(tf.mul(x, b[i])))));
  try {
    return (await s.data())[0];
  } finally {
    s.dispose();
  }
}

/** ‖a‖. */
export async function vnorm(a: readonly tf.Tensor[]): Promise<number> {
  return Math.sqrt(await vdot(a, a));
}

/** a·s (new tensors). */
export function vscale(a: readonly tf.Tensor[], s: number): Vec {
  return a.map((x) => tf.keep(tf.tidy(() => tf.mul(x, s))));
}

/** a + s·b (new tensors). */
export function vaxpy(a: readonly tf.Tensor[], s: number, b: readonly tf.Tensor[]): Vec {
  return a.map((x, i) => tf.keep(tf.tidy(() => tf.add(x, tf.mul(b[i], s)))));
}

/** a/‖a‖ (new tensors; a zero vector stays zero). */
export async function vnormalize(a: readonly tf.Tensor[]): Promise<Vec> {
  const n = await vnorm(a);
  return vscale(a, n > 0 ? 1 / n : 0);
}

/** a with every tensor outside `mask` replaced by zeros (new tensors). */
export function vmask(a: readonly tf.Tensor[], mask: readonly boolean[]): Vec {
  return a.map((x, i) => tf.keep(mask[i] ? x.clone() : tf.zerosLike(x)));
}

/**
 * a minus its projections onto the orthonormal `basis` (Gram–Schmidt, new tensors): PyHessian's
 * `orthnormal` without the final normalisation.
 */
export async function vorthogonalize(a: readonly tf.Tensor[], basis: readonly Vec[]): Promise<Vec> {
  let cur: Vec = a.map((x) => tf.keep(x.clone()));
  for (const q of basis) {
    const c = await vdot(cur, q);
    const next = vaxpy(cur, -c, q);
    tf.dispose(cur);
    cur = next;
  }
  return cur;
}

/** Shapes → seeded random vector: Rademacher (±1) or standard Gaussian entries; zeros outside `mask`. */
export function randomVec(
  shapes: readonly number[][],
  seed: number,
  kind: 'rademacher' | 'gaussian',
  mask?: readonly boolean[],
): Vec {
  const uniform = mulberry32(seed);
  const normal = gaussian(uniform);
  return shapes.map((shape, i) => {
    const n = shape.reduce((a, b) => a * b, 1);
    if (mask && !mask[i]) return tf.keep(tf.zeros(shape));
    const data = new Float32Array(n);
    for (let j = 0; j < n; j++) data[j] = kind === 'rademacher' ? (uniform() < 0.5 ? -1 : 1) : normal();
    return tf.keep(tf.tensor(data, shape, 'float32'));
  });
}
