/**
 * The pooled hidden states of hiddenStates.ts on the WASM/CPU speed path: attention on the host with
 * the SIMD kernel and erf GELU in it, as hostForward.ts (same maths, tested to agree with PyTorch),
 * but every row of every layer (no [CLS]-only last layer) and no pooler or classifier. After each
 * requested layer the pooled rows poolᵀ · x are computed on tfjs and kept until the end.
 * Inference only (it leaves the tfjs graph).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EncodedBatch } from './data';
import type { SimdGemm } from './gemmSimd';
import type { TokenSpan } from './hiddenStates';
import { attentionFloats, hostAttention } from './hostAttention';
import { readInto, upload } from './hostTransfer';
import { feedForwardIn, fusedProjection, layerNorm, linear } from './ops';
import type { BertParams } from './params';

/** [layers.length × spans.length × H] row-major, layer-major; `emb` is the host-summed embeddings [B·L · H]. */
export async function hostPooledHiddenStates(
  P: BertParams,
  gemm: SimdGemm,
  b: EncodedBatch,
  emb: Float32Array,
  spans: readonly TokenSpan[],
  layers: readonly number[],
): Promise<Float32Array> {
  const c = P.config;
  const { batch: B, seqLen: L } = b;
  const H = c.hiddenSize;
  const shape = { batch: B, seqLen: L, hidden: H, heads: c.numAttentionHeads };
  const pool = new Float32Array(spans.length * B * L);
  spans.forEach((s, i) => {
    if (s.row < 0 || s.row >= B || s.start < 0 || s.end > L || s.end <= s.start)
      throw new Error(`span ${i} [${s.start}, ${s.end}) of row ${s.row} is outside the ${B} × ${L} batch`);
    for (let t = s.start; t < s.end; t++) pool[i * B * L + s.row * L + t] = 1 / (s.end - s.start);
  });
  const poolT = tf.tensor2d(pool, [spans.length, B * L]);
  const kept = new Map<number, tf.Tensor2D>();
  const keep = (l: number, x: tf.Tensor2D) => {
    if (layers.includes(l) && !kept.has(l))
      kept.set(
        l,
        tf.tidy(() => tf.matMul(poolT, x)),
      );
  };
  const top = Math.min(Math.max(...layers), c.numHiddenLayers);
  let x = tf.tidy(() => layerNorm(P, tf.tensor2d(emb, [B * L, H]), 'embeddings.LayerNorm'));
  try {
    keep(0, x);
    for (let l = 0; l < top; l++) {
      const p = `encoder.layer.${l}`;
      const qkvT = tf.tidy(() => fusedProjection(P, x, l)!);
      try {
        gemm.reserve(attentionFloats(shape, false));
        await readInto(qkvT, gemm.f32, 0);
      } finally {
        qkvT.dispose();
      }
      const ctx = hostAttention(gemm, b.attentionMask, shape, false);
      const prev = x;
      x = tf.tidy(() =>
        layerNorm(
          P,
          tf.add(linear(P, upload<tf.Rank.R2>(ctx, [B * L, H]), `${p}.attention.output.dense`), prev),
          `${p}.attention.output.LayerNorm`,
        ),
      );
      prev.dispose();
      const attn = x;
      let inner: tf.Tensor2D;
      if (c.hiddenAct === 'gelu') {
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
      keep(l + 1, x);
    }
    const out = tf.tidy(() => tf.stack(layers.map((l) => kept.get(l)!)));
    try {
      return (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
  } finally {
    x.dispose();
    poolT.dispose();
    for (const t of kept.values()) t.dispose();
  }
}
