/**
 * Matrix products whose transposes stay on each backend's fast path. tfjs-backend-wasm 4.22 sends a
 * product with `transposeA` or `transposeB` (as it does any batch > 1) to a scalar triple loop, and a
 * plain 2-D product to XNNPACK: measured on this 2-core machine for [2048 × 256]ᵀ · [2048 × 1024]
 * (load ~15), 0.18 GFLOP/s with the flag against 5.9 GFLOP/s as transpose-then-multiply, and
 * x · Wᵀ 0.33 vs 6.2 GFLOP/s. So on WASM a flagged 2-D operand is transposed explicitly (one memory
 * pass, O(size), against O(m·n·k) for the product) and multiplied without flags; other backends
 * take the flags, which cost nothing there. Differentiable (Transpose and BatchMatMul have gradients,
 * tensor/gradients.ts, whose matMul gradient uses this function too).
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * a · b with optional transposes, as `tf.matMul(a, b, transposeA, transposeB)`: a [m, k] (or [k, m]
 * with transposeA), b [k, n] (or [n, k] with transposeB) → [m, n]; batched (rank 3) operands keep the flags.
 */
export function matMulFast<T extends tf.Tensor>(a: T, b: T, transposeA = false, transposeB = false): T {
  if ((transposeA || transposeB) && a.rank === 2 && b.rank === 2 && tf.getBackend() === 'wasm')
    return tf.matMul(transposeA ? tf.transpose(a) : a, transposeB ? tf.transpose(b) : b) as T;
  return tf.matMul(a, b, transposeA, transposeB) as T;
}
