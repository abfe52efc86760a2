/**
 * The per-document kernels of the sparse LDA E-step (ldaSparse.ts) on one flat float32/int32 arena:
 * WebAssembly SIMD where available (simd/sparse.ts, assembled at start-up by tensor/wasmAsm.ts), else
 * plain typed-array loops with the same semantics (the reference the SIMD kernels are tested against,
 * and the path where WebAssembly SIMD is missing).
 *
 * Layout: β̃ (and the statistics) are [V, Kp] row-major with Kp = K rounded up to 8 and the padding
 * zero, so each non-zero (w, c) touches one contiguous Kp-length row. Offsets are in 4-byte elements
 * of {@link SparseKernels.f32} / {@link SparseKernels.i32} (two views of the same memory).
 */
import { I32, kernelModule } from '../tensor/wasmAsm';
import { sparseRowBody } from './simd/sparse';

type RowFn = (theta: number, beta: number, kp: number, idx: number, val: number, n: number, dst: number) => void;

/**
 * The three kernels; arguments are element offsets into the arena (see simd/sparse.ts for the maths).
 * kp must be a multiple of 8 for the SIMD set.
 */
export interface SparseKernels {
  /** 'simd' (WebAssembly SIMD) or 'scalar' (typed-array loops). */
  readonly kind: 'simd' | 'scalar';
  readonly f32: Float32Array;
  readonly i32: Int32Array;
  /** acc[0..kp) = Σ_{j<n} (val_j / max(θ̃·β̃[idx_j], 1e-30)) β̃[idx_j]. */
  rowRound(theta: number, beta: number, kp: number, idx: number, val: number, n: number, acc: number): void;
  /** stats[idx_j] += (val_j / max(θ̃·β̃[idx_j], 1e-30)) θ̃ for j < n. */
  rowStats(theta: number, beta: number, kp: number, idx: number, val: number, n: number, stats: number): void;
  /** out_j = θ·β[idx_j] for j < n. */
  rowDots(theta: number, beta: number, kp: number, idx: number, n: number, out: number): void;
}

const FLOOR = 1e-30;

/** Plain loops (float64 sums, float32 storage) over an arena of `elements` 4-byte slots. */
export function scalarKernels(elements: number): SparseKernels {
  const buf = new ArrayBuffer(elements * 4);
  const f = new Float32Array(buf);
  const ix = new Int32Array(buf);
  const dot = (theta: number, row: number, kp: number): number => {
    let s = 0;
    for (let k = 0; k < kp; k++) s += f[theta + k] * f[row + k];
    return s;
  };
  return {
    kind: 'scalar',
    f32: f,
    i32: ix,
    rowRound(theta, beta, kp, idx, val, n, acc) {
      f.fill(0, acc, acc + kp);
      for (let j = 0; j < n; j++) {
        const row = beta + ix[idx + j] * kp;
        const q = f[val + j] / Math.max(dot(theta, row, kp), FLOOR);
        for (let k = 0; k < kp; k++) f[acc + k] += q * f[row + k];
      }
    },
    rowStats(theta, beta, kp, idx, val, n, stats) {
      for (let j = 0; j < n; j++) {
        const c = ix[idx + j];
        const q = f[val + j] / Math.max(dot(theta, beta + c * kp, kp), FLOOR);
        const srow = stats + c * kp;
        for (let k = 0; k < kp; k++) f[srow + k] += q * f[theta + k];
      }
    },
    rowDots(theta, beta, kp, idx, n, out) {
      for (let j = 0; j < n; j++) f[out + j] = dot(theta, beta + ix[idx + j] * kp, kp);
    },
  };
}

let moduleCache: WebAssembly.Module | null | undefined;

/** The WebAssembly SIMD kernels over a fresh memory of `elements` 4-byte slots, or null where unsupported. */
export function simdKernels(elements: number): SparseKernels | null {
  try {
    if (moduleCache === undefined) {
      const p = [...new Array<number>(7).fill(I32)];
      const bytes = kernelModule([
        { name: 'rowRound', params: p, body: sparseRowBody('rowRound') },
        { name: 'rowStats', params: p, body: sparseRowBody('rowStats') },
        { name: 'rowDots', params: p, body: sparseRowBody('rowDots') },
      ]);
      moduleCache =
        typeof WebAssembly !== 'undefined' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    }
    if (!moduleCache) return null;
    const pages = Math.ceil((elements * 4) / 65536) || 1;
    if (pages > 65536) return null; // beyond 4 GiB: not addressable by 32-bit WebAssembly
    const memory = new WebAssembly.Memory({ initial: pages });
    const fn = new WebAssembly.Instance(moduleCache, { env: { mem: memory } }).exports as unknown as Record<
      'rowRound' | 'rowStats' | 'rowDots',
      RowFn
    >;
    const need8 = (kp: number): number => {
      if (kp % 8 !== 0) throw new Error(`sparse SIMD kernels: Kp = ${kp} must be a multiple of 8`);
      return kp;
    };
    return {
      kind: 'simd',
      f32: new Float32Array(memory.buffer),
      i32: new Int32Array(memory.buffer),
      rowRound: (theta, beta, kp, idx, val, n, acc) =>
        fn.rowRound(theta * 4, beta * 4, need8(kp), idx * 4, val * 4, n, acc * 4),
      rowStats: (theta, beta, kp, idx, val, n, stats) =>
        fn.rowStats(theta * 4, beta * 4, need8(kp), idx * 4, val * 4, n, stats * 4),
      rowDots: (theta, beta, kp, idx, n, out) => fn.rowDots(theta * 4, beta * 4, need8(kp), idx * 4, 0, n, out * 4),
    };
  } catch {
    return null;
  }
}

/** SIMD where available (unless `prefer` is 'scalar'), else the typed-array loops. */
export function sparseKernels(elements: number, prefer?: 'simd' | 'scalar'): SparseKernels {
  return (prefer !== 'scalar' ? simdKernels(elements) : null) ?? scalarKernels(elements);
}
