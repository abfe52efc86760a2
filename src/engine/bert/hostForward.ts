/**
 * The WASM/CPU forward pass with attention on the host (hostAttention.ts): per layer, the fused QKV
 * projection is downloaded, attended with the SIMD kernel, and the context uploaded for the output
 * dense, LayerNorms and feed-forward on tfjs; erf GELU runs in the SIMD kernel too. Same maths as
 * deviceForward.ts (tested to agree), faster on tfjs-wasm whose batched matmul and erf are scalar.
 * Inference only: it leaves the tfjs graph, so nothing here can be differentiated.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EncodedBatch } from './data';
import type { SimdGemm } from './gemmSimd';
import { attentionFloats, hostAttention } from './hostAttention';
import { readInto, upload } from './hostTransfer';
import { feedForwardIn, fusedProjection, layerNorm, linear } from './ops';
import type { BertParams } from './params';

/** Logits [batch × numLabels] row-major of one batch; `emb` is the host-summed embeddings [B·L · H]. */
export async function hostForward(
  P: BertParams,
  gemm: SimdGemm,
  b: EncodedBatch,
  emb: Float32Array,
): Promise<Float32Array> {
  const c = P.config;
  const { batch: B, seqLen: L } = b;
  const H = c.hiddenSize;
  const shape = { batch: B, seqLen: L, hidden: H, heads: c.numAttentionHeads };
  let x = tf.tidy(() => layerNorm(P, tf.tensor2d(emb, [B * L, H]), 'embeddings.LayerNorm'));
  try {
    for (let l = 0; l < c.numHiddenLayers; l++) {
      const p = `encoder.layer.${l}`;
      const last = l === c.numHiddenLayers - 1;
      const qkvT = tf.tidy(() => fusedProjection(P, x, l)!);
      try {
        gemm.reserve(attentionFloats(shape, last));
        await readInto(qkvT, gemm.f32, 0);
      } finally {
        qkvT.dispose();
      }
      const ctx = hostAttention(gemm, b.attentionMask, shape, last);
      const rows = last ? 1 : L;
      const prev = x;
      x = tf.tidy(() => {
        const qIn = last ? (tf.gather(prev, tf.range(0, B * L, L, 'int32')) as tf.Tensor2D) : prev;
        return layerNorm(
          P,
          tf.add(linear(P, upload<tf.Rank.R2>(ctx, [B * rows, H]), `${p}.attention.output.dense`), qIn),
          `${p}.attention.output.LayerNorm`,
        );
      });
      prev.dispose();
      const attn = x;
      let inner: tf.Tensor2D;
      if (c.hiddenAct === 'gelu') {
        // erf GELU in the SIMD kernel: one download/upload instead of tfjs-wasm's scalar erf + 4 ops.
        const h = tf.tidy(() => linear(P, attn, `${p}.intermediate.dense`));
        try {
          gemm.reserve(Math.ceil(h.size / 4) * 4);
          await readInto(h, gemm.f32, 0);
        } finally {
          h.dispose();
        }
        gemm.geluErf(0, h.size);
        inner = upload<tf.Rank.R2>(gemm.f32.subarray(0, h.size), h.shape as [number, number]);
      } else {
        inner = tf.tidy(() => feedForwardIn(P, attn, `${p}.intermediate.dense`));
      }
      try {
        x = tf.tidy(() => layerNorm(P, tf.add(linear(P, inner, `${p}.output.dense`), attn), `${p}.output.LayerNorm`));
      } finally {
        inner.dispose();
        attn.dispose();
      }
    }
    const out = tf.tidy(() => linear(P, tf.tanh(linear(P, x, 'pooler.dense')), 'classifier'));
    try {
      return (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
  } finally {
    x.dispose();
  }
}
