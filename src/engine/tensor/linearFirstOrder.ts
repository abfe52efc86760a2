/**
 * A PyTorch Linear, y = x · Wᵀ + b, as one tape node with its own gradient, for first-order autodiff
 * on WASM (fine-tuning's gradients). Why: from plain ops, x · Wᵀ on WASM transposes W explicitly
 * (tensor/matmul.ts: tfjs-backend-wasm runs flagged products through a scalar loop), so each Linear
 * leaves a weight-sized Wᵀ on the tape, and its backward makes d(Wᵀ) and then dW = (d(Wᵀ))ᵀ — three
 * weight-sized tensors per Linear, and tfjs's backprop keeps every intermediate gradient until the
 * whole gradient is done. Measured on BERT-base (4 examples × 64 tokens, one thread), the live
 * tensors peaked at 3.3 GB of a heap that cannot pass 4 GB. Here the forward's Wᵀ is freed as soon as
 * the product is made, and the backward computes dW = dyᵀ · x straight in W's layout (dyᵀ is
 * activation-sized), dx = dy · W and db = Σ_rows dy — the same products as before, with nothing
 * weight-sized but dW itself.
 *
 * First order only: the saved x and W are clones made off the tape and the backward frees its own
 * intermediates, so no second derivative can flow through this node; Hessian-vector products
 * (grad.ts) keep the plain ops, whose double backward is tested against PyTorch.
 */
import * as tf from '@tensorflow/tfjs-core';
import { matMulFast } from './matmul';

/** x [rows, in] · W [out, in]ᵀ + b [out] → [rows, out], differentiable once with respect to all three. */
export function linearFirstOrder(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return op(x, w, b) as tf.Tensor2D;
}

const op = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
  // Saved for the backward pass as tfjs saves any kernel's inputs (kept clones; they share the data on
  // WASM under grad.ts's withSharedIdentity): the forward's own intermediates are freed when it ends.
  save([x, w]);
  // The same ops and order as the plain path (matMulFast then add), so the values are the same.
  const value = tf.tidy(() => tf.add(matMulFast(x, w, false, true), b));
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) =>
    tf.tidy(() => {
      const [xs, ws] = saved as tf.Tensor2D[];
      const g = dy as tf.Tensor2D;
      return [tf.matMul(g, ws), matMulFast(g, xs, true, false), tf.sum(g, 0)];
    });
  return { value, gradFunc };
}) as unknown as Parameters<typeof tf.customGrad>[0]);
