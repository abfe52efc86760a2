/**
 * The sum of many same-shape tensors, as a pairwise tree of `tf.add`. Not `tf.addN`: tfjs-backend-webgpu
 * 4.22 binds every AddN input to one shader, with no split at the device's
 * maxStorageBuffersPerShaderStage − 1 (7 on default limits; its Concat splits, its AddN does not).
 * Past that the dispatch fails validation and the output buffer keeps whatever it held: measured in
 * Chromium (SwiftShader), the Hessian's power iteration over 41 parameter tensors read back the loss
 * computed just before as its eigenvalue, and the trace as 0. Two inputs per kernel are safe everywhere.
 * Differentiable (`tf.add` has a gradient), so it can stand inside a tape.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Σ_i ts[i] (same shapes; at least one tensor). Call inside a `tf.tidy`: the tree's partial sums are intermediates. */
export function addMany<T extends tf.Tensor>(ts: readonly T[]): T {
  if (ts.length === 0) throw new Error('addMany: no tensors to add');
  if (ts.length === 1) return tf.clone(ts[0]);
  let level: tf.Tensor[] = [...ts];
  while (level.length > 1) {
    const next: tf.Tensor[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(tf.add(level[i], level[i + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0] as T;
}
