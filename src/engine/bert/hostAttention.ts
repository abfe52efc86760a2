/**
 * BERT self-attention on the host for the WASM/CPU path, with the SIMD kernel of gemmSimd.ts doing
 * the two products per (example, head): scores = Q·Kᵀ / √d (HF's order: divide, then add the mask),
 * softmax with HF's additive mask (keys with mask 0 get (1 − mask)·finfo(float32).min, i.e.
 * probability exactly 0), context = P·V, written in the [rows, hidden] layout the output dense reads
 * (no transposes on the tfjs side).
 *
 * Input is the fused projection [B·L, 3H] (Q | K | V per row, as the model's fused QKV kernel
 * computes it); `clsOnly` computes the queries of each example's [CLS] row only (the last layer,
 * where the pooler reads nothing else). Everything runs in float32 in the kernel's memory: scores
 * (row stride padded to a multiple of 4, padding masked), softmax in place, context.
 */
import type { SimdGemm } from './gemmSimd';

/** torch.finfo(torch.float32).min, HF's additive mask value (as in model.ts). */
const FLOAT32_MIN = -3.4028234663852886e38;

export interface AttentionShape {
  batch: number;
  seqLen: number;
  hidden: number;
  heads: number;
}

/** Floats of kernel memory that {@link hostAttention} uses (the fused projections first, at 0). */
export function attentionFloats(s: AttentionShape, clsOnly: boolean): number {
  const L4 = Math.ceil(s.seqLen / 4) * 4;
  const rows = clsOnly ? 1 : s.seqLen;
  return s.batch * s.seqLen * 3 * s.hidden + rows * L4 + 2 * L4 + s.batch * rows * s.hidden;
}

/**
 * Context vectors [B·rows, H] (rows = L, or 1 with `clsOnly`) for the fused projections [B·L, 3H]
 * that the caller wrote at offset 0 of the kernel memory (reserved for
 * {@link attentionFloats} floats), and `mask` [B·L] (1 = attend). The head size H/heads must be a
 * multiple of 4. Returns a view into the kernel memory, valid until its next use.
 */
export function hostAttention(
  gemm: SimdGemm,
  mask: ArrayLike<number>,
  s: AttentionShape,
  clsOnly: boolean,
): Float32Array {
  const { batch: B, seqLen: L, hidden: H, heads: nh } = s;
  const d = H / nh;
  if (d % 4 !== 0) throw new Error(`hostAttention: head size ${d} is not a multiple of 4`);
  const rows = clsOnly ? 1 : L;
  const L4 = Math.ceil(L / 4) * 4;
  const W = 3 * H;
  // Kernel memory: [qkv B·L×3H | scores rows×L4 | additive mask L4 | keep L4 | context B·rows×H]
  const oQkv = 0;
  const oS = oQkv + B * L * W;
  const oMadd = oS + rows * L4;
  const oKeep = oMadd + L4;
  const oCtx = oKeep + L4;
  gemm.reserve(oCtx + B * rows * H);
  const f = gemm.f32;
  const scale = Math.sqrt(d);
  // Score padding columns are never written by gemmNT; softmax reads them (masked), so clear them.
  for (let i = 0; i < rows; i++) f.fill(0, oS + i * L4 + L, oS + (i + 1) * L4);
  for (let b = 0; b < B; b++) {
    const base = oQkv + b * L * W;
    let any = false;
    for (let j = 0; j < L4; j++) {
      const k = j < L && mask[b * L + j] !== 0;
      f[oMadd + j] = k ? 0 : FLOAT32_MIN;
      f[oKeep + j] = k ? 1 : 0;
      any ||= k;
    }
    if (!any) f.fill(1, oKeep, oKeep + L); // every key masked: HF's scores are all ≈ finfo.min → uniform
    for (let h = 0; h < nh; h++) {
      gemm.gemmNT(base + h * d, W, base + H + h * d, W, oS, L4, rows, L, d, scale);
      if (!any) f.fill(0, oS, oS + rows * L4);
      gemm.softmaxRows(oS, rows, L4, oMadd, oKeep);
      gemm.gemmNN(oS, L4, base + 2 * H + h * d, W, oCtx + b * rows * H + h * d, H, rows, d, L);
    }
  }
  return f.subarray(oCtx, oCtx + B * rows * H);
}
