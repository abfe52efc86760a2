/**
 * Landscape points in place: θ = base + Σ c_k·d_k written straight into the tensors the forward pass
 * reads, one fused axpy per tensor, with no per-point transposition and no second copy of the weights.
 *
 * WASM/CPU (the host speed path): base and directions are read back once and laid out as the kernels
 * are (Linear weights transposed [in, out], each layer's Q/K/V fused [H, 3H] and [3H], embedding tables
 * as the host mirrors, the word embeddings restricted to the rows the examples use when asked); a point
 * overwrites the model's own kernel buffers through writable host views (tensor/inPlace.ts). While the
 * interpolation is open, the PyTorch-layout copies those kernels were made from are released (the
 * forward pass does not read them) and {@link BertInterpolation.dispose} rebuilds them from the kernels,
 * so the model is whole again afterwards. GPU backends (no host views): per tensor, the axpy runs as
 * tfjs ops on the device and replaces the parameter before the next tensor is computed, so at most one
 * tensor's transient copy exists at a time.
 *
 * Memory (host path): model kernels 1× + base 1× + one array per direction, all of the moving
 * parameters (host arrays outside the tfjs heap); nothing is allocated per point.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterWrite, hasHostViews, hostView, ownedCopy } from '../tensor/inPlace';
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

/** One buffer a point writes: its value in the buffer's layout at the base and along each direction. */
interface Slot {
  /** The tensor written in place (its host view is taken afresh per point: a WASM heap view dies when the heap grows). */
  tensor?: () => tf.Tensor;
  /** Or a host array written directly (the embedding mirrors). */
  mirror?: () => Float32Array;
  base: Float32Array;
  dirs: (Float32Array | null)[];
  /** Row-restricted slots: the rows written and their width. */
  rows?: Int32Array;
  width?: number;
}

/** dst[dOff + i] = base[i] + Σ c_k·dirs[k][i] for i in [sOff, sOff + n) of the sources. */
function axpy(
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

/** [rows, cols] row-major → [cols, rows], written into `out` at column offset `col0` of width `outCols`. */
function transposeInto(
  src: Float32Array,
  rows: number,
  cols: number,
  out: Float32Array,
  outCols: number,
  col0: number,
): void {
  for (let r = 0; r < rows; r++) {
    const s = r * cols;
    for (let c = 0; c < cols; c++) out[c * outCols + col0 + r] = src[s + c];
  }
}

function gatherRows(src: Float32Array, rows: Int32Array, width: number): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, k) => out.set(src.subarray(r * width, (r + 1) * width), k * width));
  return out;
}

async function hostData(t: tf.Tensor): Promise<Float32Array> {
  return (await t.data()) as Float32Array;
}

/**
 * Opens an in-place interpolation over `names` for the model parameters `P`.
 * @param base the point at coefficients 0 (device tensors in PyTorch layout, caller keeps ownership)
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
    const qkvLayers = new Set<number>();
    const moving = new Set(names);
    for (const name of names) {
      const m = QKV.exec(name);
      if (m && P.fuseQkv) {
        qkvLayers.add(Number(m[1]));
        continue;
      }
      const shape = P.expected.get(name)!;
      const e = (EMBEDDINGS as readonly string[]).indexOf(name);
      if (e >= 0) {
        const rows = sparse.find((s) => s.name === name)?.rows;
        const width = shape[1];
        const pick = (a: Float32Array): Float32Array => (rows ? gatherRows(a, rows, width) : a);
        slots.push({
          mirror: () => P.hostEmbeddings![e],
          base: pick(await hostData(base.get(name)!)),
          dirs: await Promise.all(dirs.map(async (d) => (d.get(name) ? pick(await hostData(d.get(name)!)) : null))),
          rows,
          width,
        });
        detached.push(name);
      } else if (P.kernels.has(name)) {
        const [out, inn] = shape;
        const layout = async (t: tf.Tensor | undefined): Promise<Float32Array | null> => {
          if (!t) return null;
          const o = new Float32Array(t.size);
          transposeInto(await hostData(t), out, inn, o, out, 0);
          return o;
        };
        const b = (await layout(base.get(name)))!;
        P.kernels.get(name)!.dispose();
        P.kernels.set(name, ownedCopy(b, [inn, out]) as tf.Tensor2D);
        slots.push({
          tensor: () => P.kernels.get(name)!,
          base: b,
          dirs: await Promise.all(dirs.map((d) => layout(d.get(name)))),
        });
        detached.push(name);
      } else {
        const b = (await hostData(base.get(name)!)).slice();
        P.set(name, ownedCopy(b, shape));
        slots.push({
          tensor: () => P.get(name),
          base: b,
          dirs: await Promise.all(dirs.map(async (d) => (d.get(name) ? hostData(d.get(name)!) : null))),
        });
      }
    }
    for (const l of qkvLayers) {
      const p = `encoder.layer.${l}.attention.self`;
      const H = P.config.hiddenSize;
      // The fused kernel [H, 3H] = [Wqᵀ | Wkᵀ | Wvᵀ] and bias [3H]; a non-moving part keeps its current value.
      const fuse = async (src: (n: string) => tf.Tensor | undefined, keep: boolean) => {
        const w = new Float32Array(H * 3 * H);
        const b = new Float32Array(3 * H);
        let any = false;
        for (let k = 0; k < 3; k++) {
          for (const [kind, out] of [
            ['weight', w],
            ['bias', b],
          ] as const) {
            const n = `${p}.${PARTS[k]}.${kind}`;
            const t = moving.has(n) ? src(n) : keep ? P.get(n) : undefined;
            if (!t) continue;
            any = true;
            const v = await hostData(t);
            if (kind === 'weight') transposeInto(v, H, H, out, 3 * H, k * H);
            else out.set(v, k * H);
          }
        }
        return any ? { w, b } : null;
      };
      const b0 = (await fuse((n) => base.get(n), true))!;
      const ds = [];
      for (const d of dirs) ds.push(await fuse((n) => d.get(n), false));
      const old = P.qkv.get(l)!;
      P.qkv.set(l, { w: ownedCopy(b0.w, [H, 3 * H]) as tf.Tensor2D, b: ownedCopy(b0.b, [3 * H]) as tf.Tensor1D });
      tf.dispose([old.w, old.b]);
      slots.push({ tensor: () => P.qkv.get(l)!.w, base: b0.w, dirs: ds.map((d) => d?.w ?? null) });
      slots.push({ tensor: () => P.qkv.get(l)!.b, base: b0.b, dirs: ds.map((d) => d?.b ?? null) });
      for (const part of PARTS) for (const kind of ['weight', 'bias']) detached.push(`${p}.${part}.${kind}`);
    }
    for (const n of detached) {
      P.tensors.get(n)?.dispose();
      P.tensors.delete(n);
    }
    return new HostInterpolation(P, slots, detached, dirs.length);
  }

  moveTo(coeffs: readonly number[]): void {
    if (coeffs.length !== this.nDirs)
      throw new Error(`moveTo: ${this.nDirs} directions but ${coeffs.length} coefficients`);
    for (const s of this.slots) {
      const ds: Float32Array[] = [];
      const cs: number[] = [];
      s.dirs.forEach((d, k) => {
        if (d && coeffs[k] !== 0) {
          ds.push(d);
          cs.push(coeffs[k]);
        }
      });
      const t = s.tensor?.();
      const dst = t ? view(t) : s.mirror!();
      if (!s.rows) axpy(dst, 0, s.base, ds, cs, 0, s.base.length);
      else {
        const w = s.width!;
        s.rows.forEach((r, k) => axpy(dst, r * w, s.base, ds, cs, k * w, w));
      }
      if (t) afterWrite(t);
    }
  }

  dispose(): void {
    const P = this.P;
    const H = P.config.hiddenSize;
    tf.tidy(() => {
      for (const name of this.detached) {
        const shape = P.expected.get(name)!;
        const e = (EMBEDDINGS as readonly string[]).indexOf(name);
        const m = QKV.exec(name);
        let t: tf.Tensor;
        if (e >= 0) t = ownedCopy(P.hostEmbeddings![e], shape);
        else if (m && P.fuseQkv) {
          const k = PARTS.indexOf(m[2] as (typeof PARTS)[number]);
          const fused = P.qkv.get(Number(m[1]))!;
          t = m[3] === 'weight' ? tf.transpose(tf.slice(fused.w, [0, k * H], [H, H])) : tf.slice(fused.b, [k * H], [H]);
        } else t = tf.transpose(P.kernels.get(name)!);
        P.tensors.set(name, tf.keep(t));
      }
    });
    this.detached.length = 0;
    this.slots.length = 0;
  }
}

function view(t: tf.Tensor): Float32Array {
  const v = hostView(t);
  if (!v) throw new Error(`no host view of a ${t.dtype} tensor on the ${tf.getBackend()} backend`);
  return v;
}
