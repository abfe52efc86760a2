/**
 * Landscape points in place: θ = base + Σ c_k·d_k written straight into the tensors the forward pass
 * reads, one fused axpy per tensor, with no per-point transposition and no second copy of the weights.
 *
 * WASM/CPU (the host speed path): the base and direction tensors are borrowed, not copied. Where the
 * Linears run on the WASM heap from their PyTorch-layout weights (bert/heapLinear.ts, the default on
 * WASM with SIMD) a weight is written like any small tensor: no rearranging at all. Otherwise — on WASM,
 * while the interpolation is open, every Linear weight among them is rearranged in place into the kernel
 * layout ([in, out]) (on the CPU backend, whose tensors may alias the caller's host arrays, into private
 * transposed copies instead) — so a point is one contiguous pass per tensor over base, directions and target (for the
 * fused Q/K/V kernel [H, 3H] of a layer, H runs per part; for the word embeddings, the rows the examples
 * use). The point is written straight into the model's own buffers (the transposed kernels, the fused
 * Q/K/V, the small tensors, the host embedding mirrors) through writable host views (tensor/inPlace.ts).
 * The PyTorch-layout copies of those kernels are released while open (the forward pass does not read
 * them). {@link PointMover.dispose} rebuilds them from the kernels and puts the borrowed tensors back in
 * their own layout, so model, base and directions are whole again afterwards. GPU backends (no host
 * views): per tensor, the axpy runs as tfjs ops on the device and replaces the parameter before the next
 * tensor is computed, so at most one tensor's transient copy exists at a time.
 *
 * Memory (WASM): beyond the model, the base and the directions the caller already holds, per embedding
 * mirror a staging buffer and packed copies of base and directions, of the rows the examples use only
 * (so a point is one SIMD pass over them, not one call per row), and one tensor's transient while
 * opening and closing; nothing is allocated per point.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterWrite, hasHostViews, heapAddress, heapMemory, ownedCopy } from '../tensor/inPlace';
import { axpyKernel } from '../tensor/axpySimd';
import { axpy, copyRuns, regularGrid, restore, transposeInPlace, transposeInto, view, type Run } from './hostRuns';
import { EMBEDDINGS, type BertParams } from './params';

/** Moves a model between points of one plane/line of parameter space. */
export interface PointMover {
  /** Sets the moving parameters to base + Σ coeffs[k]·dirs[k]; coeffs.length equals the directions'. */
  moveTo(coeffs: readonly number[]): void;
  /** Ends the interpolation; the model keeps the last point's values and is whole again. */
  dispose(): void;
}

/** Rows of a matrix that are the only ones read (the word embeddings of the tokens in the examples). */
export interface SparseRows {
  name: string;
  /** Sorted unique row indices. */
  rows: Int32Array;
}

const QKV = /^encoder\.layer\.(\d+)\.attention\.self\.(query|key|value)\.(weight|bias)$/;
const PARTS = ['query', 'key', 'value'] as const;

/**
 * One part of a buffer a point writes: the target, and the borrowed base and direction tensors whose
 * values (rearranged into the target's layout while the interpolation is open) feed it.
 */
interface Slot {
  /** The tensor written in place (host views are taken afresh per point: a WASM heap view dies when the heap grows). */
  tensor?: () => tf.Tensor;
  /** Or a host array written directly (the embedding mirrors). */
  mirror?: () => Float32Array;
  /**
   * WASM, mirror slots: a heap buffer of the runs' total length, packed in run order, which the SIMD kernel
   * writes and which is then copied into the mirror (the mirror is a JavaScript array, out of its reach).
   */
  staging?: tf.Tensor;
  /**
   * WASM, sparse mirror slots: `base` and `dirs` hold only the rows read, packed in run order (run
   * source offsets index them), so the SIMD kernel makes one pass over them into `staging`.
   */
  packed?: boolean;
  base: tf.Tensor;
  dirs: (tf.Tensor | null)[];
  /** The runs written; null: the whole target from the whole source, same offsets. */
  runs: Run[] | null;
  /** `runs` as rows of one length at fixed strides, when they are (found on the first point); false: not. */
  grid?: { rows: number; sStride: number; dStride: number } | false;
}

/**
 * Opens an in-place interpolation over `names` for the model parameters `P`.
 * @param base the point at coefficients 0 (device tensors in PyTorch layout, caller keeps ownership; on the
 *   host path they are borrowed: do not read base or directions until the mover is disposed)
 * @param dirs directions over (a subset of) `names`; a missing name contributes zero
 * @param sparse matrices of which only some rows are written (the others keep their value)
 */
export async function openInterpolation(
  P: BertParams,
  base: ReadonlyMap<string, tf.Tensor>,
  dirs: readonly ReadonlyMap<string, tf.Tensor>[],
  names: readonly string[],
  sparse: readonly SparseRows[] = [],
): Promise<PointMover> {
  for (const n of names) {
    const t = base.get(n);
    if (!t) throw new Error(`parameter ${n} is missing from the base`);
    P.checkShape('interpolation', n, t.shape);
  }
  if (!P.hostPath || !hasHostViews()) return deviceMover(P, base, dirs, names);
  return HostInterpolation.open(P, base, dirs, names, sparse);
}

/** GPU backends: per tensor, the axpy as tfjs ops, assigned before the next tensor is computed. */
function deviceMover(
  P: BertParams,
  base: ReadonlyMap<string, tf.Tensor>,
  dirs: readonly ReadonlyMap<string, tf.Tensor>[],
  names: readonly string[],
): PointMover {
  return {
    moveTo(coeffs) {
      if (coeffs.length !== dirs.length)
        throw new Error(`moveTo: ${dirs.length} directions but ${coeffs.length} coefficients`);
      const scalars = coeffs.map((c) => tf.scalar(c, 'float32'));
      try {
        for (const name of names) {
          const next = tf.tidy(() => {
            const b = base.get(name)!;
            let acc: tf.Tensor = b;
            dirs.forEach((d, k) => {
              const t = d.get(name);
              if (t && coeffs[k] !== 0) acc = tf.add(acc, tf.mul(t, scalars[k]));
            });
            return acc === b ? tf.clone(b) : acc;
          });
          try {
            P.assign(new Map([[name, next]]));
          } finally {
            next.dispose();
          }
        }
      } finally {
        tf.dispose(scalars);
      }
    },
    dispose() {},
  };
}

class HostInterpolation implements PointMover {
  private constructor(
    private readonly P: BertParams,
    private readonly slots: Slot[],
    /** PyTorch-layout parameters released while open, rebuilt from the kernels on dispose. */
    private readonly detached: string[],
    /** Borrowed [rows, cols] tensors holding their transpose while open (restored on dispose). */
    private readonly transposed: { t: tf.Tensor; rows: number; cols: number }[],
    /** Tensors of ours, disposed on close: the mirrors' staging buffers (WASM); transposed copies (CPU backend). */
    private readonly copies: tf.Tensor[],
    private readonly nDirs: number,
  ) {}

  static async open(
    P: BertParams,
    base: ReadonlyMap<string, tf.Tensor>,
    dirs: readonly ReadonlyMap<string, tf.Tensor>[],
    names: readonly string[],
    sparse: readonly SparseRows[],
  ): Promise<HostInterpolation> {
    await P.refreshHostEmbeddings();
    // The mirrors become ours to write (on the CPU backend `data()` may alias a device buffer).
    P.hostEmbeddings = P.hostEmbeddings!.map((a) => a.slice());
    const slots: Slot[] = [];
    const detached: string[] = [];
    const transposed: { t: tf.Tensor; rows: number; cols: number }[] = [];
    const copies: tf.Tensor[] = [];
    const borrowed = new Map<tf.DataId, tf.Tensor>();
    /**
     * The source to read for borrowed [rows, cols] tensor `t` in the kernel layout: on WASM `t` itself,
     * rearranged in place into its transpose (once per buffer); on the CPU backend, whose tensors may
     * alias the caller's host arrays (a checkpoint's), a private transposed copy.
     */
    const transpose = (t: tf.Tensor | null): tf.Tensor | null => {
      if (!t) return null;
      const known = borrowed.get(t.dataId);
      if (known) return known;
      const [rows, cols] = t.shape;
      let src = t;
      if (tf.getBackend() === 'wasm') {
        transposeInPlace(t, rows, cols);
        afterWrite(t);
        transposed.push({ t, rows, cols });
      } else {
        const out = new Float32Array(t.size);
        transposeInto(view(t), rows, cols, out, rows, 0);
        src = ownedCopy(out, [cols, rows]);
        copies.push(src);
      }
      borrowed.set(t.dataId, src);
      return src;
    };
    const pick = (name: string) => ({
      base: base.get(name)!,
      dirs: dirs.map((d) => d.get(name) ?? null),
    });
    try {
      for (const name of names) {
        const m = QKV.exec(name);
        const cols = P.expected.get(name)![1];
        const e = (EMBEDDINGS as readonly string[]).indexOf(name);
        if (m && P.fusedQkvKernels) {
          const l = Number(m[1]);
          const k = PARTS.indexOf(m[2] as (typeof PARTS)[number]);
          const H = P.config.hiddenSize;
          const src = pick(name);
          if (m[3] === 'weight') {
            // Part k of the fused [H, 3H] kernel: row i of its transpose goes to columns [kH, (k+1)H) of row i.
            const runs: Run[] = Array.from({ length: H }, (_, i) => [i * H, i * 3 * H + k * H, H] as const);
            slots.push({
              tensor: () => P.qkv.get(l)!.w,
              base: transpose(src.base)!,
              dirs: src.dirs.map(transpose),
              runs,
            });
          } else slots.push({ tensor: () => P.qkv.get(l)!.b, ...src, runs: [[0, k * H, H]] });
          detached.push(name);
        } else if (e >= 0) {
          const rowList = sparse.find((s) => s.name === name)?.rows;
          const src = pick(name);
          if (rowList && heapMemory()) {
            // WASM: the rows read, gathered once from base and directions into packed heap copies
            // (rows × cols each, not the table), so a point is one SIMD pass into the staging buffer.
            const gather = (t: tf.Tensor | null): tf.Tensor | null => {
              if (!t) return null;
              const all = view(t);
              const out = new Float32Array(rowList.length * cols);
              rowList.forEach((r, j) => out.set(all.subarray(r * cols, (r + 1) * cols), j * cols));
              const packed = ownedCopy(out, [out.length]);
              copies.push(packed);
              return packed;
            };
            const staging = tf.zeros([rowList.length * cols]);
            copies.push(staging);
            slots.push({
              mirror: () => P.hostEmbeddings![e],
              base: gather(src.base)!,
              dirs: src.dirs.map(gather),
              runs: Array.from(rowList, (r, j) => [j * cols, r * cols, cols] as const),
              staging,
              packed: true,
            });
          } else {
            const runs = rowList ? Array.from(rowList, (r) => [r * cols, r * cols, cols] as const) : null;
            const staging = heapMemory() ? tf.zeros([src.base.size]) : undefined; // the whole table
            if (staging) copies.push(staging);
            slots.push({ mirror: () => P.hostEmbeddings![e], ...src, runs, staging });
          }
          detached.push(name);
        } else if (P.kernels.has(name)) {
          const src = pick(name);
          slots.push({
            tensor: () => P.kernels.get(name)!,
            base: transpose(src.base)!,
            dirs: src.dirs.map(transpose),
            runs: null,
          });
          detached.push(name);
        } else {
          // A small tensor (bias, LayerNorm): made our own first (on the CPU backend it may alias a checkpoint's array).
          P.set(name, ownedCopy(view(P.get(name)), P.expected.get(name)!));
          slots.push({ tensor: () => P.get(name), ...pick(name), runs: null });
        }
      }
    } catch (err) {
      restore(transposed);
      tf.dispose(copies);
      throw err;
    }
    for (const n of detached) {
      P.tensors.get(n)?.dispose();
      P.tensors.delete(n);
    }
    return new HostInterpolation(P, slots, detached, transposed, copies, dirs.length);
  }

  moveTo(coeffs: readonly number[]): void {
    if (coeffs.length !== this.nDirs)
      throw new Error(`moveTo: ${this.nDirs} directions but ${coeffs.length} coefficients`);
    const memory = heapMemory();
    const simd = memory ? axpyKernel(memory) : null;
    for (const s of this.slots) {
      const dirs: tf.Tensor[] = [];
      const cs: number[] = [];
      s.dirs.forEach((d, k) => {
        if (d && coeffs[k] !== 0) {
          dirs.push(d);
          cs.push(coeffs[k]);
        }
      });
      const t = s.tensor?.();
      // WASM: the SIMD kernel on the heap (the same float32 results as axpy, ~5× faster), into the tensor
      // itself or into a mirror's staging buffer, which is then copied run by run into the mirror.
      const target = t ?? s.staging;
      const at =
        target && simd && (dirs.length === 1 || dirs.length === 2) ? [target, s.base, ...dirs].map(heapAddress) : null;
      if (target && simd && at && !at.includes(null)) {
        const [d0, b0, x0, y0] = at as number[];
        const runs = s.runs ?? [[0, 0, target.size] as const];
        // Calls as [source, target offset, n, rows, target stride, source stride] (floats). A tensor's runs
        // of one length at fixed strides (a fused Q/K/V part: H rows of H) are one call; a packed mirror
        // slot's sources are contiguous; otherwise one call per run, a mirror's packed back to back.
        const grid = t && s.runs ? (s.grid ??= regularGrid(s.runs)) : false;
        let packed = 0;
        const calls: (readonly number[])[] = grid
          ? [[runs[0][0], runs[0][1], runs[0][2], grid.rows, grid.dStride, grid.sStride]]
          : (s.packed ? [[0, 0, target.size] as const] : runs).map(([so, d, n]) => {
              const call = [so, t ? d : packed, n, 1, 0, 0];
              packed += n;
              return call;
            });
        for (const [so, d, n, rows, dStride, sStride] of calls)
          simd(
            d0 + 4 * d,
            b0 + 4 * so,
            x0 + 4 * so,
            (y0 ?? x0) + 4 * so,
            n,
            cs[0],
            cs[1] ?? 0,
            dirs.length,
            rows,
            4 * dStride,
            4 * sStride,
          );
        if (t) afterWrite(t);
        else copyRuns(view(target), s.mirror!(), runs);
        continue;
      }
      const ds = dirs.map(view);
      const dst = t ? view(t) : s.mirror!();
      const b = view(s.base);
      if (!s.runs) axpy(dst, 0, b, ds, cs, 0, b.length);
      else for (const [so, d, n] of s.runs) axpy(dst, d, b, ds, cs, so, n);
      if (t) afterWrite(t);
    }
  }

  dispose(): void {
    const P = this.P;
    const H = P.config.hiddenSize;
    try {
      tf.tidy(() => {
        for (const name of this.detached) {
          const shape = P.expected.get(name)!;
          const e = (EMBEDDINGS as readonly string[]).indexOf(name);
          const m = QKV.exec(name);
          let t: tf.Tensor;
          if (e >= 0) t = ownedCopy(P.hostEmbeddings![e], shape);
          else if (m && P.fusedQkvKernels) {
            const k = PARTS.indexOf(m[2] as (typeof PARTS)[number]);
            const fused = P.qkv.get(Number(m[1]))!;
            t =
              m[3] === 'weight' ? tf.transpose(tf.slice(fused.w, [0, k * H], [H, H])) : tf.slice(fused.b, [k * H], [H]);
          } else t = tf.transpose(P.kernels.get(name)!);
          P.tensors.set(name, tf.keep(t));
        }
      });
    } finally {
      restore(this.transposed);
      tf.dispose(this.copies.splice(0));
      this.detached.length = 0;
      this.slots.length = 0;
    }
  }
}
