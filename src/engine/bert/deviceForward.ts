/**
 * BertForSequenceClassification's forward pass in tfjs ops, eval mode, following transformers'
 * modeling_bert.py: embeddings (word + token type + absolute position) → LayerNorm; post-LN encoder
 * layers (scaled dot-product attention with HF's additive mask `(1 − mask)·finfo(float32).min`, the
 * configured feed-forward activation); tanh pooler on [CLS]; linear classifier. Every op is a tfjs op,
 * so this is the path that runs on every backend and the one tfjs autodiff can differentiate.
 *
 * The last layer computes queries, attention output and feed-forward for the [CLS] row only (the
 * pooler reads nothing else): identical results, ~1/numLayers less work.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EncodedBatch } from './data';
import { deviceEmbed, feedForwardIn, layerNorm, linear, projections } from './ops';
import type { BertParams } from './params';

/** torch.finfo(torch.float32).min, which HF multiplies (1 − mask) by. */
export const FLOAT32_MIN = -3.4028234663852886e38;

/**
 * Logits [batch, numLabels] of one batch. Call inside `tf.tidy`. `hostEmb` is the summed embeddings
 * [B·L · H] from the host mirrors (WASM/CPU), or null to gather them on the device.
 */
export function deviceForward(P: BertParams, b: EncodedBatch, hostEmb: Float32Array | null): tf.Tensor2D {
  const c = P.config;
  const B = b.batch;
  const L = b.seqLen;
  const H = c.hiddenSize;
  const nh = c.numAttentionHeads;
  const d = H / nh;
  const emb = hostEmb ? tf.tensor2d(hostEmb, [B * L, H]) : deviceEmbed(P, b);
  let x = layerNorm(P, emb, 'embeddings.LayerNorm');
  const maskAdd = tf.reshape(tf.mul(tf.sub(1, tf.tensor1d(Float32Array.from(b.attentionMask))), FLOAT32_MIN), [
    B,
    1,
    1,
    L,
  ]);
  const heads = (t: tf.Tensor2D, rows: number): tf.Tensor3D =>
    tf.reshape(tf.transpose(tf.reshape(t, [B, rows, nh, d]), [0, 2, 1, 3]), [B * nh, rows, d]);
  const scale = Math.sqrt(d);
  const clsRows = tf.range(0, B * L, L, 'int32');
  for (let l = 0; l < c.numHiddenLayers; l++) {
    const p = `encoder.layer.${l}`;
    const last = l === c.numHiddenLayers - 1;
    const qIn = last ? (tf.gather(x, clsRows) as tf.Tensor2D) : x;
    const rows = last ? 1 : L;
    const [qx, kx, vx] = projections(P, x, l, last ? clsRows : null);
    const q = heads(qx, rows);
    const k = heads(kx, L);
    const v = heads(vx, L);
    const scores = tf.add(tf.reshape(tf.div(tf.matMul(q, k, false, true), scale), [B, nh, rows, L]), maskAdd);
    const probs = tf.reshape(tf.softmax(scores), [B * nh, rows, L]);
    const ctx = tf.reshape(tf.transpose(tf.reshape(tf.matMul(probs, v), [B, nh, rows, d]), [0, 2, 1, 3]), [
      B * rows,
      H,
    ]) as tf.Tensor2D;
    const attn = layerNorm(
      P,
      tf.add(linear(P, ctx, `${p}.attention.output.dense`), qIn),
      `${p}.attention.output.LayerNorm`,
    );
    const ff = linear(P, feedForwardIn(P, attn, `${p}.intermediate.dense`), `${p}.output.dense`);
    x = layerNorm(P, tf.add(ff, attn), `${p}.output.LayerNorm`);
  }
  const cls = c.numHiddenLayers > 0 ? x : (tf.gather(x, clsRows) as tf.Tensor2D);
  const pooled = tf.tanh(linear(P, cls, 'pooler.dense'));
  return linear(P, pooled, 'classifier');
}
