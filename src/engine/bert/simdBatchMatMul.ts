/**
 * A `BatchMatMul` kernel for tfjs-backend-wasm that runs batched and transposed products on the
 * project's WebAssembly SIMD gemm (gemmSimd.ts), installed over the backend's own kernel by
 * {@link installSimdBatchMatMul}; plain 2-D products (no transposes) still go to the original
 * kernel, which hands them to XNNPACK.
 *
 * Why: tfjs-backend-wasm 4.22 runs every product with batch > 1 or a transpose flag through a scalar
 * triple loop. Autodiff's attention products are all of that kind — per (example, head) q·kᵀ and
 * p·v, and their gradients dq, dk, dp, dv with transposes — so on the 4 × 256 bench checkpoint at
 * batch 32 × 64 they took 5.6 s of a 7.5 s gradient (load ~13; 56 s of 62 before tensor/matmul.ts
 * took the Linears off the same loop). The SIMD kernel does the same products at several GFLOP/s.
 *
 * How: each operand is copied from tfjs's heap into the kernel's memory as row-major [m, K₄] and
 * [n, K₄] rows (transposed where the flags say, K zero-padded to a multiple of 4 — a copy of
 * O((m + n)·k) against O(m·n·k) multiply-adds), then one `gemmNT` per batch item; batch dims must be
 * equal or one side 1 (broadcast), as BERT's are; anything else goes to the original kernel.
 * Same maths, different summation order than the scalar loop (float32 rounding differs, ~1e-7 relative).
 */
import * as tf from '@tensorflow/tfjs-core';
import { SimdGemm } from './gemmSimd';

interface WasmBackendLike {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

const size = (dims: readonly number[]): number => dims.reduce((p, d) => p * d, 1);

/** Copies `count` matrices from `src` (each stored [rows, cols], or [cols, rows] when `t`) into `dst` as [rows, k4] (zero-padded). */
function packRows(
  src: Float32Array,
  count: number,
  rows: number,
  cols: number,
  t: boolean,
  dst: Float32Array,
  at: number,
  k4: number,
): void {
  const per = rows * cols;
  for (let b = 0; b < count; b++) {
    const s = b * per;
    const d0 = at + b * rows * k4;
    for (let r = 0; r < rows; r++) {
      const d = d0 + r * k4;
      if (!t) dst.set(src.subarray(s + r * cols, s + r * cols + cols), d);
      else for (let c = 0; c < cols; c++) dst[d + c] = src[s + c * rows + r];
      if (k4 > cols) dst.fill(0, d + cols, d + k4);
    }
  }
}

/**
 * The kernel body: out = a · b per batch item (with the flags), or null to hand the product to the
 * original kernel (plain 2-D, non-float32, or batch shapes that are not equal-or-1).
 */
function simdProduct(
  gemm: SimdGemm,
  backend: WasmBackendLike,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): tf.TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return null;
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = size(outerA);
  const batchB = size(outerB);
  if (batchA === 1 && batchB === 1 && !transposeA && !transposeB) return null;
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return null;
  if (batchA === batchB && batchA > 1 && outerA.join() !== outerB.join()) return null;
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if ((transposeB ? b.shape[rb - 1] : b.shape[rb - 2]) !== k) return null; // let tfjs raise its error
  const batch = Math.max(batchA, batchB);
  const out = backend.makeOutput([...outer, m, n], 'float32');
  if (m === 0 || n === 0) return out;
  const k4 = Math.max(4, Math.ceil(k / 4) * 4);
  const aAt = 0;
  const bAt = batchA * m * k4;
  const oAt = bAt + batchB * n * k4;
  gemm.reserve(oAt + batch * m * n);
  const f = gemm.f32;
  // A as [m, K] rows: stored [m, k], or [k, m] with transposeA; B as [n, K] rows: stored [n, k] with transposeB, else [k, n]
  packRows(backend.typedArrayFromHeap(a), batchA, m, k, transposeA, f, aAt, k4);
  packRows(backend.typedArrayFromHeap(b), batchB, n, k, !transposeB, f, bAt, k4);
  for (let i = 0; i < batch; i++) {
    const ai = aAt + (batchA === 1 ? 0 : i) * m * k4;
    const bi = bAt + (batchB === 1 ? 0 : i) * n * k4;
    gemm.gemmNT(ai, k4, bi, k4, oAt + i * m * n, n, m, n, k4);
  }
  backend.typedArrayFromHeap(out).set(f.subarray(oAt, oAt + batch * m * n));
  return out;
}

let installed = false;

/**
 * Replaces tfjs-backend-wasm's `BatchMatMul` with one that runs batched and transposed products on
 * the SIMD gemm (plain 2-D products keep the original XNNPACK path). Idempotent; does nothing (false)
 * when the current backend is not 'wasm' or WebAssembly SIMD is unavailable.
 */
export function installSimdBatchMatMul(): boolean {
  if (installed) return true;
  if (tf.getBackend() !== 'wasm') return false;
  const original = tf.getKernel('BatchMatMul', 'wasm');
  const gemm = original ? SimdGemm.create() : null;
  if (!original || !gemm) return false;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const backend = args.backend as unknown as WasmBackendLike;
      return simdProduct(gemm, backend, a, b, transposeA, transposeB) ?? original.kernelFunc(args);
    },
  });
  installed = true;
  return true;
}
