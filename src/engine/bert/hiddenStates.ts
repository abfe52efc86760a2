/**
 * BERT's hidden states at every layer (0 = the embeddings after their LayerNorm, l = the output of
 * encoder layer l), pooled over token spans: for the sense probe, the mean over a target word's
 * WordPiece sub-tokens. Same maths as deviceForward.ts (HF modeling_bert.py, eval mode, erf GELU,
 * additive mask (1 − mask)·finfo(float32).min) but with every row of every layer computed (no
 * [CLS]-only last layer) and no pooler or classifier.
 *
 * Pooling is one matrix product per layer, poolᵀ [spans, B·L] · x [B·L, H], on the device; only the
 * pooled rows [layers, spans, H] leave it, so device memory is that of one batch's activations and
 * host memory spans × layers × H floats. Every op is a tfjs op: this runs on every backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EncodedBatch } from './data';
import { FLOAT32_MIN } from './deviceForward';
import { deviceEmbed, feedForwardIn, layerNorm, linear, projections } from './ops';
import type { BertParams } from './params';

/** A token span [start, end) of batch row `row` (positions include [CLS] at 0). */
export interface TokenSpan {
  row: number;
  start: number;
  end: number;
}

/**
 * Mean hidden state over each span at the requested layers: [layers.length, spans.length, H],
 * layer-major, as one device tensor. Call inside `tf.tidy`. `hostEmb` is the summed embeddings
 * [B·L · H] from the host mirrors (WASM/CPU) or null to gather them on the device.
 * @param layers layer indices 0 … numHiddenLayers (0 = embeddings), any order
 */
export function pooledHiddenStates(
  P: BertParams,
  b: EncodedBatch,
  hostEmb: Float32Array | null,
  spans: readonly TokenSpan[],
  layers: readonly number[],
): tf.Tensor3D {
  const c = P.config;
  const { batch: B, seqLen: L } = b;
  const H = c.hiddenSize;
  const nh = c.numAttentionHeads;
  const d = H / nh;
  const pool = new Float32Array(spans.length * B * L);
  spans.forEach((s, i) => {
    if (s.row < 0 || s.row >= B || s.start < 0 || s.end > L || s.end <= s.start)
      throw new Error(`span ${i} [${s.start}, ${s.end}) of row ${s.row} is outside the ${B} × ${L} batch`);
    const w = 1 / (s.end - s.start);
    for (let t = s.start; t < s.end; t++) pool[i * B * L + s.row * L + t] = w;
  });
  const poolT = tf.tensor2d(pool, [spans.length, B * L]);
  const want = new Set(layers);
  const top = Math.max(...layers);
  const out = new Map<number, tf.Tensor2D>();
  const keep = (l: number, x: tf.Tensor2D) => {
    if (want.has(l)) out.set(l, tf.matMul(poolT, x));
  };
  const emb = hostEmb ? tf.tensor2d(hostEmb, [B * L, H]) : deviceEmbed(P, b);
  let x = layerNorm(P, emb, 'embeddings.LayerNorm');
  keep(0, x);
  const maskAdd = tf.reshape(tf.mul(tf.sub(1, tf.tensor1d(Float32Array.from(b.attentionMask))), FLOAT32_MIN), [
    B,
    1,
    1,
    L,
  ]);
  const heads = (t: tf.Tensor2D): tf.Tensor3D =>
    tf.reshape(tf.transpose(tf.reshape(t, [B, L, nh, d]), [0, 2, 1, 3]), [B * nh, L, d]);
  const scale = Math.sqrt(d);
  for (let l = 0; l < Math.min(top, c.numHiddenLayers); l++) {
    const p = `encoder.layer.${l}`;
    const [qx, kx, vx] = projections(P, x, l, null);
    const scores = tf.add(
      tf.reshape(tf.div(tf.matMul(heads(qx), heads(kx), false, true), scale), [B, nh, L, L]),
      maskAdd,
    );
    const probs = tf.reshape(tf.softmax(scores), [B * nh, L, L]);
    const ctx = tf.reshape(tf.transpose(tf.reshape(tf.matMul(probs, heads(vx)), [B, nh, L, d]), [0, 2, 1, 3]), [
      B * L,
      H,
    ]) as tf.Tensor2D;
    const attn = layerNorm(
      P,
      tf.add(linear(P, ctx, `${p}.attention.output.dense`), x),
      `${p}.attention.output.LayerNorm`,
    );
    const ff = linear(P, feedForwardIn(P, attn, `${p}.intermediate.dense`), `${p}.output.dense`);
    x = layerNorm(P, tf.add(ff, attn), `${p}.output.LayerNorm`);
    keep(l + 1, x);
  }
  return tf.stack(layers.map((l) => out.get(l)!)) as tf.Tensor3D;
}
