/**
 * The layer operations of BERT's forward pass over {@link BertParams}, shared by the device forward
 * pass (deviceForward.ts) and the WASM/CPU host path (hostForward.ts): Linear, LayerNorm, the
 * feed-forward's first half with its activation, Q/K/V projections, and the two ways to sum the
 * embeddings. All run inside the caller's `tf.tidy`.
 */
import { linearFirstOrder } from '../tensor/linearFirstOrder';
import { matMulFast } from '../tensor/matmul';
import * as tf from '@tensorflow/tfjs-core';
import type { EncodedBatch } from './data';
import { heapLinear } from './heapLinear';
import type { BertParams } from './params';

/**
 * x [rows, in] · kernel [in, out] + bias (+ relu), fused: no transpose, so on WASM this is XNNPACK's
 * fully-connected operator with the bias inside (correct there; the tfjs 4.22 bias bug is in the
 * scalar transposeB/batched path only).
 */
export function affine(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, activation?: 'relu'): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: kernel, bias, activation: activation ?? 'linear' }) as tf.Tensor2D;
}

/**
 * x [rows, in] · Wᵀ + b with W [out, in] (PyTorch Linear). On the heap path ({@link BertParams.heapLinears})
 * the project's SIMD kernel reads W as stored, bias and relu fused. With a pre-transposed kernel (WASM/CPU)
 * this is one fused matMul + bias (+ relu). Without one (GPU backends) it is matMul(transposeB) +
 * add, not `tf.fused.matMul`: with transposeB its bias is broadcast wrongly on the WASM backend in
 * tfjs 4.22 (measured: row 1 gets the wrong bias element; the scalar path indexes the bias by the
 * flat output position). Under a first-order gradient on WASM ({@link BertParams.firstOrderLinears})
 * the same ops run as one tape node (tensor/linearFirstOrder.ts).
 */
export function linear(P: BertParams, x: tf.Tensor2D, prefix: string, activation?: 'relu'): tf.Tensor2D {
  if (P.heapLinears) return heapLinear(x, [linearParts(P, prefix)], activation === 'relu');
  const kernel = P.kernels.get(`${prefix}.weight`);
  if (kernel) return affine(x, kernel, P.get(`${prefix}.bias`) as tf.Tensor1D, activation);
  const w = P.get(`${prefix}.weight`) as tf.Tensor2D;
  const b = P.get(`${prefix}.bias`) as tf.Tensor1D;
  const y =
    P.firstOrderLinears && tf.getBackend() === 'wasm'
      ? linearFirstOrder(x, w, b)
      : tf.add(matMulFast(x, w, false, true), b);
  return activation === 'relu' ? tf.relu(y as tf.Tensor2D) : (y as tf.Tensor2D);
}

/** LayerNorm over the last axis with the parameters `${prefix}.weight` / `.bias`. */
export function layerNorm(P: BertParams, x: tf.Tensor2D, prefix: string): tf.Tensor2D {
  const mean = tf.mean(x, -1, true);
  const xc = tf.sub(x, mean);
  const variance = tf.mean(tf.square(xc), -1, true);
  const y = tf.mul(xc, tf.rsqrt(tf.add(variance, P.config.layerNormEps)));
  return tf.add(tf.mul(y, P.get(`${prefix}.weight`)), P.get(`${prefix}.bias`));
}

/** The intermediate dense and its activation: GELU (erf), gelu_new (tanh form) or relu. */
export function feedForwardIn(P: BertParams, x: tf.Tensor2D, prefix: string): tf.Tensor2D {
  const act = P.config.hiddenAct;
  if (act === 'relu') return linear(P, x, prefix, 'relu');
  const h = linear(P, x, prefix);
  if (act === 'gelu') return tf.mul(tf.mul(h, 0.5), tf.add(1, tf.erf(tf.mul(h, Math.SQRT1_2))));
  // gelu_new: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
  const inner = tf.mul(tf.add(h, tf.mul(tf.pow(h, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(h, 0.5), tf.add(1, tf.tanh(inner)));
}

const linearParts = (P: BertParams, prefix: string) => ({
  w: P.get(`${prefix}.weight`),
  b: P.get(`${prefix}.bias`),
});

/**
 * [Q | K | V] of layer `l` for x [rows, H]: [rows, 3H], one product on the heap path (three parts
 * side by side) or through the fused kernel; null when neither exists.
 */
export function fusedProjection(P: BertParams, x: tf.Tensor2D, l: number): tf.Tensor2D | null {
  const p = `encoder.layer.${l}.attention.self`;
  if (P.heapLinears)
    return heapLinear(
      x,
      [`${p}.query`, `${p}.key`, `${p}.value`].map((n) => linearParts(P, n)),
    );
  const fused = P.qkv.get(l);
  return fused ? affine(x, fused.w, fused.b) : null;
}

/**
 * Q (of the rows `qRows` only, when given), K and V of layer `l` for x [B·L, H]: one fused product
 * split in three where the host-attention kernels exist, else three Linears.
 */
export function projections(P: BertParams, x: tf.Tensor2D, l: number, qRows: tf.Tensor1D | null): tf.Tensor2D[] {
  const qkv = fusedProjection(P, x, l);
  if (qkv) {
    const [q, k, v] = tf.split(qkv, 3, 1) as tf.Tensor2D[];
    return [qRows ? (tf.gather(q, qRows) as tf.Tensor2D) : q, k, v];
  }
  const p = `encoder.layer.${l}.attention.self`;
  return [
    linear(P, qRows ? (tf.gather(x, qRows) as tf.Tensor2D) : x, `${p}.query`),
    linear(P, x, `${p}.key`),
    linear(P, x, `${p}.value`),
  ];
}

/** (word + token type) + position on the device (HF's order): [B·L, H]. */
export function deviceEmbed(P: BertParams, b: EncodedBatch): tf.Tensor2D {
  const { batch: B, seqLen: L } = b;
  const H = P.config.hiddenSize;
  const word = tf.gather(P.get('embeddings.word_embeddings.weight'), tf.tensor1d(b.inputIds, 'int32'));
  const type = tf.gather(P.get('embeddings.token_type_embeddings.weight'), tf.tensor1d(b.tokenTypeIds, 'int32'));
  const pos = tf.slice(P.get('embeddings.position_embeddings.weight'), [0, 0], [L, H]);
  return tf.reshape(tf.add(tf.reshape(tf.add(word, type), [B, L, H]), pos), [B * L, H]) as tf.Tensor2D;
}

/**
 * (word + token type) + position from the host mirrors, rounded to float32 at each add as on the
 * device: [B·L · H] row-major, or null when the mirrors are stale or absent (GPU backends).
 */
export function hostEmbed(P: BertParams, b: EncodedBatch): Float32Array | null {
  if (!P.hostEmbeddings) return null;
  const [word, type, pos] = P.hostEmbeddings;
  const H = P.config.hiddenSize;
  const out = new Float32Array(b.batch * b.seqLen * H);
  const fr = Math.fround;
  for (let r = 0; r < b.batch * b.seqLen; r++) {
    const w = b.inputIds[r] * H;
    const t = b.tokenTypeIds[r] * H;
    const p = (r % b.seqLen) * H;
    const o = r * H;
    for (let j = 0; j < H; j++) out[o + j] = fr(fr(word[w + j] + type[t + j]) + pos[p + j]);
  }
  return out;
}
