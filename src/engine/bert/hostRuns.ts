/**
 * Host-memory helpers of the in-place interpolation (interpolate.ts, plane.ts): runs of a target
 * written from sources, their detection as a strided grid, the scalar axpy, tiled transposes (into
 * another array, or of a tensor in place through one reused scratch array), host views, and filling a
 * run of a plane from F32 or F16 sources.
 */
import * as tf from '@tensorflow/tfjs-core';
import { halfTable } from '../io/safetensors';
import { afterWrite, hostView } from '../tensor/inPlace';

/**
 * out[o + i] = src[s + i] (− sub[s + i]) for i < n, each operand F32 or F16 bit patterns (widened by
 * table, exact), the difference rounded once to float32 — the same numbers as widening first and then
 * subtracting, with no widened copy and one tight loop per combination (a closure per element, and a
 * fresh widened array per tensor, had made filling a BERT-base F16 plane ~6 s).
 */
export function fillRun(
  out: Float32Array,
  o: number,
  src: Float32Array | Uint16Array,
  sub: Float32Array | Uint16Array | undefined,
  s: number,
  n: number,
): void {
  const t = src instanceof Uint16Array || sub instanceof Uint16Array ? halfTable() : null;
  if (!sub) {
    if (src instanceof Float32Array) out.set(src.subarray(s, s + n), o);
    else for (let i = 0; i < n; i++) out[o + i] = t![src[s + i]];
  } else if (src instanceof Float32Array && sub instanceof Float32Array) {
    for (let i = 0; i < n; i++) out[o + i] = src[s + i] - sub[s + i];
  } else if (src instanceof Uint16Array && sub instanceof Uint16Array) {
    for (let i = 0; i < n; i++) out[o + i] = t![src[s + i]] - t![sub[s + i]];
  } else {
    const a = (i: number): number => (src instanceof Uint16Array ? t![src[i]] : src[i]);
    const b = (i: number): number => (sub instanceof Uint16Array ? t![sub[i]] : sub[i]);
    for (let i = 0; i < n; i++) out[o + i] = a(s + i) - b(s + i);
  }
}

/** A contiguous run of a slot: `n` values from source offset `s` to target offset `d`. */
export type Run = readonly [s: number, d: number, n: number];

/** Runs of equal length whose source and target offsets step by constant strides, as one grid; else false. */
export function regularGrid(runs: readonly Run[]): { rows: number; sStride: number; dStride: number } | false {
  if (runs.length < 2) return false;
  const [s0, d0, n] = runs[0];
  const sStride = runs[1][0] - s0;
  const dStride = runs[1][1] - d0;
  if (sStride < 0 || dStride < n) return false;
  const regular = runs.every(([s, d, m], k) => m === n && s === s0 + k * sStride && d === d0 + k * dStride);
  return regular ? { rows: runs.length, sStride, dStride } : false;
}

/** dst[dOff + i] = base[i] + Σ c_k·dirs[k][i] for i in [sOff, sOff + n) of the sources (also plane.ts's). */
export function axpy(
  dst: Float32Array,
  dOff: number,
  base: Float32Array,
  dirs: Float32Array[],
  cs: number[],
  sOff: number,
  n: number,
): void {
  if (dirs.length === 0) dst.set(base.subarray(sOff, sOff + n), dOff);
  else if (dirs.length === 1) {
    const [d] = dirs;
    const [a] = cs;
    for (let i = 0; i < n; i++) dst[dOff + i] = base[sOff + i] + a * d[sOff + i];
  } else if (dirs.length === 2) {
    const [d, e] = dirs;
    const [a, b] = cs;
    for (let i = 0; i < n; i++) dst[dOff + i] = base[sOff + i] + a * d[sOff + i] + b * e[sOff + i];
  } else {
    for (let i = 0; i < n; i++) {
      let v = base[sOff + i];
      for (let k = 0; k < dirs.length; k++) v += cs[k] * dirs[k][sOff + i];
      dst[dOff + i] = v;
    }
  }
}

/**
 * [rows, cols] row-major → [cols, rows], written into `out` at column offset `col0` of width `outCols`;
 * in 32 × 32 tiles written one output row at a time (as tensor/wasmLayoutKernels.ts: ~4× faster than
 * the untiled loop at BERT-base shapes, where opening and closing a mover transposes every weight).
 */
export function transposeInto(
  src: Float32Array,
  rows: number,
  cols: number,
  out: Float32Array,
  outCols: number,
  col0: number,
): void {
  const T = 32;
  for (let r0 = 0; r0 < rows; r0 += T) {
    const r1 = Math.min(rows, r0 + T);
    for (let c0 = 0; c0 < cols; c0 += T) {
      const c1 = Math.min(cols, c0 + T);
      for (let c = c0; c < c1; c++) {
        const at = c * outCols + col0;
        for (let r = r0; r < r1; r++) out[at + r] = src[r * cols + c];
      }
    }
  }
}

/** Copies `packed` (the runs' values back to back, in run order) to each run's offset in `dst`. */
export function copyRuns(packed: Float32Array, dst: Float32Array, runs: readonly Run[]): void {
  let o = 0;
  for (const [, d, n] of runs) {
    dst.set(packed.subarray(o, o + n), d);
    o += n;
  }
}

/**
 * Rearranges [rows, cols] tensor `t` in place into its transpose, through one scratch array reused for
 * every tensor: a fresh copy per tensor made the VM touch ~1 GB of new pages each time a BERT-base
 * plane was opened or closed (3 × 340 MB of kernels).
 */
let scratch = new Float32Array(0);
export function transposeInPlace(t: tf.Tensor, rows: number, cols: number): void {
  if (scratch.length < t.size) scratch = new Float32Array(t.size);
  const tmp = scratch.subarray(0, t.size);
  tmp.set(view(t));
  transposeInto(tmp, rows, cols, view(t), rows, 0);
}

/** Puts borrowed tensors back in their own layout (they hold their transpose [cols, rows]). */
export function restore(list: { t: tf.Tensor; rows: number; cols: number }[]): void {
  for (const { t, rows, cols } of list.splice(0)) {
    if (t.isDisposed) continue;
    transposeInPlace(t, cols, rows);
    afterWrite(t);
  }
  scratch = new Float32Array(0); // not kept between planes
}

export function view(t: tf.Tensor): Float32Array {
  const v = hostView(t);
  if (!v) throw new Error(`no host view of a ${t.dtype} tensor on the ${tf.getBackend()} backend`);
  return v;
}
