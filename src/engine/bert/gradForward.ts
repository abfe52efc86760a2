/**
 * The differentiable forward pass and loss for gradients and Hessian-vector products (grad.ts): the
 * same BertForSequenceClassification maths as deviceForward.ts (eval mode, HF's additive mask,
 * post-LN layers, tanh pooler), written only with ops whose gradients tfjs registers and every backend
 * runs — twice differentiable, so the double backward of grad.ts works.
 *
 * Differences from deviceForward.ts, all for autodiff: no pre-transposed kernels or fused QKV (the
 * parameters are the tensors being differentiated); the [CLS] rows are a slice, not a gather; and the
 * embedding lookup is a gather, whose gradient is `UnsortedSegmentSum` (CPU, WebGL and WebGPU have it;
 * on WASM it is ../tensor/wasmSegmentSum.ts, which grad.ts installs) and whose second derivative is a
 * gather again.
 *
 * Training mode (fine-tuning, finetune/): with a {@link Dropout} the five dropouts of HF's BERT are applied
 * — after the embeddings' LayerNorm, on the attention probabilities, on the attention output and the
 * feed-forward output before their residual adds, and on the pooled output before the classifier — each
 * with its own seeded mask (`tf.dropout` draws its uniforms on the host from the seed, so the masks are
 * the same on every backend). Without one it is eval mode.
 *
 * The loss is the batch's *sum* of per-example losses divided by the total example count, so summing
 * the per-batch values and gradients over batches gives the mean loss and its gradient: cross-entropy
 * by log-sum-exp, or for regression the mean over outputs of the squared error (as loss.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { isRegression, type BertConfig } from './config';
import type { EncodedBatch } from './data';
import { FLOAT32_MIN } from './deviceForward';
import { BertParams } from './params';
import { feedForwardIn, layerNorm, linear } from './ops';

/** Dropout probabilities (HF config: hidden_dropout_prob, attention_probs_dropout_prob, classifier_dropout) and a seed source. */
export interface Dropout {
  hidden: number;
  attention: number;
  classifier: number;
  /** A fresh seed for the next dropout site (called in a fixed order per forward pass). */
  nextSeed(): number;
}

/** x with `rate` of its entries zeroed and the rest scaled by 1/(1 − rate); x itself when off. */
function drop(x: tf.Tensor, rate: number, d: Dropout | undefined): tf.Tensor {
  if (!d || rate <= 0) return x;
  return tf.dropout(x, rate, undefined, d.nextSeed());
}

/**
 * A parameter view over `tensors` (normalised names; not owned: never dispose it). `firstOrder`: no
 * second derivative will be taken through it ({@link BertParams.firstOrderLinears}).
 */
export function paramView(
  config: BertConfig,
  names: readonly string[],
  tensors: readonly tf.Tensor[],
  firstOrder = false,
): BertParams {
  const P = new BertParams(config, false, false);
  P.firstOrderLinears = firstOrder;
  names.forEach((n, i) => P.tensors.set(n, tensors[i]));
  return P;
}

/** Rows `ids` of `table` [V, H] (a gather; see the header). */
function lookup(table: tf.Tensor2D, ids: Int32Array): tf.Tensor2D {
  return tf.gather(table, tf.tensor1d(ids, 'int32'));
}

/** Logits [batch, numLabels] of one batch through differentiable ops. Call inside a tidy or a gradient. */
export function gradForward(P: BertParams, b: EncodedBatch, dropout?: Dropout): tf.Tensor2D {
  const c = P.config;
  const { batch: B, seqLen: L } = b;
  const H = c.hiddenSize;
  const nh = c.numAttentionHeads;
  const d = H / nh;
  const word = lookup(P.get('embeddings.word_embeddings.weight') as tf.Tensor2D, b.inputIds);
  const type = lookup(P.get('embeddings.token_type_embeddings.weight') as tf.Tensor2D, b.tokenTypeIds);
  const pos = tf.slice(P.get('embeddings.position_embeddings.weight'), [0, 0], [L, H]);
  const emb = tf.reshape(tf.add(tf.reshape(tf.add(word, type), [B, L, H]), pos), [B * L, H]) as tf.Tensor2D;
  let x = drop(layerNorm(P, emb, 'embeddings.LayerNorm'), dropout?.hidden ?? 0, dropout) as tf.Tensor2D;
  const maskAdd = tf.reshape(tf.mul(tf.sub(1, tf.tensor1d(Float32Array.from(b.attentionMask))), FLOAT32_MIN), [
    B,
    1,
    1,
    L,
  ]);
  const heads = (t: tf.Tensor2D, rows: number): tf.Tensor3D =>
    tf.reshape(tf.transpose(tf.reshape(t, [B, rows, nh, d]), [0, 2, 1, 3]), [B * nh, rows, d]);
  const cls = (t: tf.Tensor2D): tf.Tensor2D =>
    tf.reshape(tf.slice(tf.reshape(t, [B, L, H]), [0, 0, 0], [B, 1, H]), [B, H]);
  const scale = Math.sqrt(d);
  for (let l = 0; l < c.numHiddenLayers; l++) {
    const p = `encoder.layer.${l}`;
    const last = l === c.numHiddenLayers - 1;
    const qIn = last ? cls(x) : x;
    const rows = last ? 1 : L;
    const q = heads(linear(P, qIn, `${p}.attention.self.query`), rows);
    const k = heads(linear(P, x, `${p}.attention.self.key`), L);
    const v = heads(linear(P, x, `${p}.attention.self.value`), L);
    const scores = tf.add(tf.reshape(tf.div(tf.matMul(q, k, false, true), scale), [B, nh, rows, L]), maskAdd);
    const probs = tf.reshape(drop(tf.softmax(scores), dropout?.attention ?? 0, dropout), [B * nh, rows, L]);
    const ctx = tf.reshape(tf.transpose(tf.reshape(tf.matMul(probs, v), [B, nh, rows, d]), [0, 2, 1, 3]), [
      B * rows,
      H,
    ]) as tf.Tensor2D;
    const attn = layerNorm(
      P,
      tf.add(drop(linear(P, ctx, `${p}.attention.output.dense`), dropout?.hidden ?? 0, dropout), qIn),
      `${p}.attention.output.LayerNorm`,
    );
    const ff = linear(P, feedForwardIn(P, attn, `${p}.intermediate.dense`), `${p}.output.dense`);
    x = layerNorm(P, tf.add(drop(ff, dropout?.hidden ?? 0, dropout), attn), `${p}.output.LayerNorm`);
  }
  const pooled = tf.tanh(linear(P, c.numHiddenLayers > 0 ? x : cls(x), 'pooler.dense'));
  return linear(P, drop(pooled, dropout?.classifier ?? 0, dropout) as tf.Tensor2D, 'classifier');
}

/** The row max of z [B, N] as [B, 1], with a zero gradient (a constant to the tape). */
const constantMax = tf.customGrad(((z: tf.Tensor) => {
  const shape = z.shape; // z itself is disposed by the time the gradient runs
  return { value: tf.max(z, 1, true), gradFunc: () => tf.zeros(shape) };
}) as unknown as Parameters<typeof tf.customGrad>[0]);

/**
 * Σ over the batch of the per-example loss, divided by `total` (the examples over all batches): a
 * scalar. Cross-entropy (natural log) from `logits` [B, N], or for regression mean over outputs of
 * (logit − label)².
 */
export function batchLoss(config: BertConfig, logits: tf.Tensor2D, b: EncodedBatch, total: number): tf.Scalar {
  const N = config.numLabels;
  const y = tf.tensor1d(b.labels);
  let perExample: tf.Tensor1D;
  if (isRegression(config)) {
    perExample = tf.mean(tf.square(tf.sub(logits, tf.reshape(y, [b.batch, 1]))), 1);
  } else {
    // log Σ exp(z − c) + c with the row max c held constant (its gradient is zero; the result's is the same
    // for any constant c). Not tf.logSoftmax: its saved output is a clone made off the tape, so a second
    // derivative through it finds no path.
    const onehot = tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(b.labels), 'int32'), N), 'float32');
    const c = constantMax(logits);
    const lse = tf.add(tf.log(tf.sum(tf.exp(tf.sub(logits, c)), 1)), tf.reshape(c, [b.batch]));
    perExample = tf.sub(lse, tf.sum(tf.mul(logits, onehot), 1));
  }
  return tf.div(tf.sum(perExample), total);
}

/** {@link batchLoss} of {@link gradForward} at the parameters `tensors` (named `names`); `firstOrder` as {@link paramView}. */
export function lossAt(
  config: BertConfig,
  names: readonly string[],
  tensors: readonly tf.Tensor[],
  b: EncodedBatch,
  total: number,
  dropout?: Dropout,
  firstOrder = false,
): tf.Scalar {
  return batchLoss(config, gradForward(paramView(config, names, tensors, firstOrder), b, dropout), b, total);
}
