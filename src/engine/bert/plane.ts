/**
 * A line or plane of parameter space held as flat host arrays that many replicas read at once: θ0 and
 * each direction d_k as one Float32Array each (in Node, SharedArrayBuffers shared by worker threads),
 * already in the layout the WASM forward pass reads (the word embeddings reduced to the rows the
 * examples use; Linear weights as stored where the SIMD heap Linears run, else transposed to [in, out]). A replica built on a plane ({@link preparePlaneParams})
 * holds only the tensors the forward pass reads — no PyTorch-layout copy of the moving weights — and
 * {@link openPlaneMover} writes θ0 + Σ c_k·d_k into them, one contiguous fused axpy per tensor (the
 * same arithmetic as interpolate.ts, so the values are the same float32 numbers).
 *
 * Why: the single-thread session holds the model from the head (PyTorch layout + kernels), θ0 and δ in
 * one tfjs heap, and a WASM heap never shrinks; data-parallel replicas of that session would each hold
 * it all. Here the plane is held once for all replicas and each replica holds one working copy.
 * Only the WASM/CPU host path with the fused Q/K/V kernels (SIMD attention) can be built this way.
 */
import * as tf from '@tensorflow/tfjs-core';
import { f16ToF32 } from '../io/safetensors';
import { InputError } from '../util/errors';
import type { HostTensor } from './checkpoint';
import { heapLinearAvailable } from './heapLinear';
import { axpy, fillRun, type Run } from './hostRuns';
import type { PointMover, SparseRows } from './interpolate';
import { EMBEDDINGS, isLinearWeight, type BertParams } from './params';
import { afterWrite, hostView } from '../tensor/inPlace';
import { PackedKernels, packedKernelsSupported, unwrittenTensor, type KernelUse } from '../tensor/packedKernels';

const QKV = /^encoder\.layer\.(\d+)\.attention\.self\.(query|key|value)\.(weight|bias)$/;
const PARTS = ['query', 'key', 'value'] as const;

/** Where one moving parameter lives in each plane array. */
export interface PlaneEntry {
  name: string;
  /** PyTorch shape. */
  shape: number[];
  /** 'kernel': a Linear weight stored transposed [in, out]; 'qkv': a Q/K/V weight (transposed) or bias of a fused layer; 'embedding': a table (packed `rows` when set); 'small': as stored (every Linear where the heap Linears run). */
  kind: 'kernel' | 'qkv' | 'embedding' | 'small';
  /** Float offset and length in every plane array. */
  offset: number;
  length: number;
  /** Embedding rows kept, sorted (the others are never read); null: the whole table. */
  rows: Int32Array | null;
}

/** The arrays' common layout (structured-cloneable, sent to workers). */
export interface PlaneLayout {
  /** Moving parameter names, in entry order. */
  names: string[];
  entries: PlaneEntry[];
  /** Floats per plane array. */
  floats: number;
  /** The replicas run their Linears on the WASM heap from PyTorch-layout weights (bert/heapLinear.ts). */
  heapLinears: boolean;
}

/** False when some layer's Q/K/V parameters move only in part ({@link planeLayout} refuses those). */
export function planeFits(names: readonly string[]): boolean {
  const moving = new Set(names);
  return names.every((name) => {
    const m = QKV.exec(name);
    if (!m) return true;
    const p = `encoder.layer.${m[1]}.attention.self`;
    return PARTS.every((part) => moving.has(`${p}.${part}.weight`) && moving.has(`${p}.${part}.bias`));
  });
}

/**
 * The layout for moving `names` of a model with shapes `shapes`; `heapLinears` (default: whether the
 * current backend runs them for these shapes) must match the replicas' {@link BertParams.heapLinears}.
 * @throws Error when a layer's Q/K/V parameters move only in part (the fused kernel cannot then be written in place)
 */
export function planeLayout(
  shapes: ReadonlyMap<string, readonly number[]>,
  names: readonly string[],
  sparse: readonly SparseRows[] = [],
  heapLinears = heapLinearAvailable(linearInWidths(shapes)),
): PlaneLayout {
  const moving = new Set(names);
  const entries: PlaneEntry[] = [];
  let offset = 0;
  for (const name of names) {
    const shape = [...(shapes.get(name) ?? [])];
    if (shape.length === 0) throw new Error(`plane: no shape for ${name}`);
    const m = QKV.exec(name);
    let kind: PlaneEntry['kind'] = 'small';
    let rows: Int32Array | null = null;
    if ((EMBEDDINGS as readonly string[]).includes(name)) {
      kind = 'embedding';
      rows = sparse.find((s) => s.name === name)?.rows ?? null;
    } else if (heapLinears) kind = 'small';
    else if (m) {
      const p = `encoder.layer.${m[1]}.attention.self`;
      for (const part of PARTS)
        for (const w of ['weight', 'bias'])
          if (!moving.has(`${p}.${part}.${w}`))
            throw new Error(`plane: ${p} moves only in part (${part}.${w} is fixed)`);
      kind = 'qkv';
    } else if (isLinearWeight(name)) kind = 'kernel';
    const length = rows ? rows.length * shape[1] : shape.reduce((a, b) => a * b, 1);
    entries.push({ name, shape, kind, offset, length, rows });
    offset += length;
  }
  return { names: [...names], entries, floats: offset, heapLinears };
}

/** The input widths of a model's Linears, from its shapes (PyTorch layout [out, in]). */
function linearInWidths(shapes: ReadonlyMap<string, readonly number[]>): number[] {
  return [...new Set([...shapes].filter(([n, s]) => isLinearWeight(n) && s.length === 2).map(([, s]) => s[1]))];
}

/** Host values in PyTorch layout: F32, or F16 bit patterns (a checkpoint held as F16, widened here one tensor at a time). */
export type PlaneSource = Float32Array | Uint16Array;

/** A source as F32 values: itself, or its F16 patterns widened (exact) — one tensor's worth, dropped after use. */
const asF32 = (src: PlaneSource): Float32Array => (src instanceof Float32Array ? src : f16ToF32(src));

/**
 * Writes `values(name)` (PyTorch layout), minus `minus(name)` when given, into `dst` in the plane's layout.
 * @param dst a plane array of `layout.floats` floats
 */
export function fillPlane(
  layout: PlaneLayout,
  dst: Float32Array,
  values: (name: string) => PlaneSource,
  minus?: (name: string) => PlaneSource,
): void {
  if (dst.length !== layout.floats) throw new Error(`fillPlane: ${dst.length} floats, the layout has ${layout.floats}`);
  for (const e of layout.entries) {
    const raw = values(e.name);
    const rawSub = minus?.(e.name);
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (raw.length !== size || (rawSub && rawSub.length !== size))
      throw new InputError(`${e.name}: ${raw.length} values, expected ${size}`);
    const out = dst.subarray(e.offset, e.offset + e.length);
    if (e.kind === 'kernel' || (e.kind === 'qkv' && e.shape.length === 2)) {
      // the tfjs path's transposed layout: element by element
      const src = asF32(raw);
      const sub = rawSub && asF32(rawSub);
      const at = (i: number): number => (sub ? src[i] - sub[i] : src[i]);
      const [rows, cols] = e.shape;
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = at(r * cols + c);
    } else if (e.rows) {
      const cols = e.shape[1];
      e.rows.forEach((row, j) => fillRun(out, j * cols, raw, rawSub, row * cols, cols));
    } else fillRun(out, 0, raw, rawSub, 0, size);
  }
}

/**
 * Makes `P` (empty, on the WASM/CPU host path with fused Q/K/V) a replica for the plane: the fixed
 * parameters from `fixed` (PyTorch layout, as loaded), the moving ones as zeros in the tensors the
 * forward pass reads — kernels, fused Q/K/V, small tensors, host embedding mirrors (zero-filled
 * arrays: pages never written are never resident) — until the first point is written.
 */
export function preparePlaneParams(P: BertParams, fixed: ReadonlyMap<string, HostTensor>, layout: PlaneLayout): void {
  if (!P.hostPath || !P.fuseQkv) throw new Error('plane replicas need the WASM/CPU host path with the SIMD attention');
  if (P.heapLinears !== layout.heapLinears)
    throw new Error(
      `plane: the layout ${layout.heapLinears ? 'is' : 'is not'} for heap Linears, the replica's backend disagrees`,
    );
  const moving = new Map(layout.entries.map((e) => [e.name, e]));
  const rebuild: string[] = [];
  for (const name of P.expected.keys()) {
    if (moving.has(name)) continue;
    const t = fixed.get(name);
    if (!t) throw new InputError(`tensor ${name} is missing`);
    P.checkShape('plane', name, t.shape);
    P.set(name, tf.keep(tf.tensor(t.data, t.shape, 'float32')));
    rebuild.push(name);
  }
  P.rebuild(rebuild.filter((n) => !(EMBEDDINGS as readonly string[]).includes(n)));
  const zeros = (shape: number[]): tf.Tensor => tf.keep(tf.zeros(shape));
  // On WASM the kernels' values live only in XNNPACK's packed operators (see openPlaneMover).
  const kernel = (shape: [number, number]): tf.Tensor2D =>
    tf.keep(packedKernelsSupported() ? unwrittenTensor(shape) : (tf.zeros(shape) as tf.Tensor2D));
  const H = P.config.hiddenSize;
  for (const e of layout.entries) {
    P.checkShape('plane', e.name, e.shape);
    const m = QKV.exec(e.name);
    if (m && e.kind === 'qkv') {
      const l = Number(m[1]);
      if (!P.qkv.has(l)) P.qkv.set(l, { w: kernel([H, 3 * H]), b: zeros([3 * H]) as tf.Tensor1D });
    } else if (e.kind === 'kernel') P.kernels.set(e.name, kernel([e.shape[1], e.shape[0]]));
    else if (e.kind === 'small') P.set(e.name, zeros(e.shape));
  }
  P.hostEmbeddings = EMBEDDINGS.map((name) => {
    if (moving.has(name)) return new Float32Array(P.expected.get(name)!.reduce((a, b) => a * b, 1));
    return fixed.get(name)!.data.slice();
  });
}

/** One buffer a point writes, and the plane runs that feed it. */
interface Target {
  get: () => tf.Tensor | Float32Array;
  runs: Run[];
  /** Kernels: how the forward pass uses them (loaded through XNNPACK's packing on WASM). */
  use?: () => KernelUse;
}

/** Each buffer a point writes, small tensors and mirrors first (a kernel's operator packs its bias too). */
function targets(P: BertParams, layout: PlaneLayout): Target[] {
  const H = P.config.hiddenSize;
  const byKey = new Map<string, Target>();
  const at = (key: string, make: () => Omit<Target, 'runs'>): Target => {
    let t = byKey.get(key);
    if (!t) byKey.set(key, (t = { ...make(), runs: [] }));
    return t;
  };
  for (const e of layout.entries) {
    const m = QKV.exec(e.name);
    if (m && e.kind === 'qkv') {
      const k = PARTS.indexOf(m[2] as (typeof PARTS)[number]);
      const fused = () => P.qkv.get(Number(m[1]))!;
      if (m[3] === 'weight') {
        const t = at(`qkv.w.${m[1]}`, () => ({
          get: () => fused().w,
          use: () => ({ kernel: fused().w, bias: fused().b }),
        }));
        for (let i = 0; i < H; i++) t.runs.push([e.offset + i * H, i * 3 * H + k * H, H]);
      } else at(`qkv.b.${m[1]}`, () => ({ get: () => fused().b })).runs.push([e.offset, k * H, H]);
    } else if (e.kind === 'embedding') {
      const idx = (EMBEDDINGS as readonly string[]).indexOf(e.name);
      const t = at(e.name, () => ({ get: () => P.hostEmbeddings![idx] }));
      const cols = e.shape[1];
      if (e.rows) e.rows.forEach((r, j) => t.runs.push([e.offset + j * cols, r * cols, cols]));
      else t.runs.push([e.offset, 0, e.length]);
    } else if (e.kind === 'kernel') {
      const prefix = e.name.slice(0, -'.weight'.length);
      const relu = prefix.endsWith('.intermediate.dense') && P.config.hiddenAct === 'relu';
      const use = (): KernelUse => ({
        kernel: P.kernels.get(e.name)!,
        bias: P.get(`${prefix}.bias`) as tf.Tensor1D,
        activation: relu ? 'relu' : undefined,
      });
      at(e.name, () => ({ get: () => P.kernels.get(e.name)!, use })).runs.push([e.offset, 0, e.length]);
    } else at(e.name, () => ({ get: () => P.get(e.name) })).runs.push([e.offset, 0, e.length]);
  }
  const all = [...byKey.values()];
  return [...all.filter((t) => !t.use), ...all.filter((t) => t.use)];
}

/**
 * Writes θ0 + Σ c_k·d_k (`planes` = [θ0, d_1, …]) into a replica made by {@link preparePlaneParams};
 * on WASM its kernels go straight into XNNPACK's operators (tensor/packedKernels.ts). Nothing is
 * allocated per point; host views are taken afresh per write (a WASM heap view dies when the heap
 * grows). Dispose it (the scratch buffer) with the model.
 */
export function openPlaneMover(P: BertParams, layout: PlaneLayout, planes: readonly Float32Array[]): PointMover {
  if (planes.length < 1) throw new Error('openPlaneMover: no base plane');
  for (const p of planes) if (p.length !== layout.floats) throw new Error('openPlaneMover: a plane of the wrong size');
  const list = targets(P, layout);
  const kernelFloats = Math.max(0, ...list.filter((t) => t.use).map((t) => (t.get() as tf.Tensor).size));
  const packer = packedKernelsSupported() ? new PackedKernels(kernelFloats) : null;
  const [base, ...dirs] = planes;
  return {
    moveTo(coeffs) {
      if (coeffs.length !== dirs.length)
        throw new Error(`moveTo: ${dirs.length} directions but ${coeffs.length} coefficients`);
      const ds = dirs.filter((_, k) => coeffs[k] !== 0);
      const cs = coeffs.filter((c) => c !== 0);
      const write = (dst: Float32Array, runs: Run[]): void => {
        for (const [so, d, n] of runs) axpy(dst, d, base, ds, cs, so, n);
      };
      for (const t of list) {
        if (t.use && packer) {
          packer.load(t.use(), (dst) => write(dst, t.runs));
          continue;
        }
        const x = t.get();
        const dst = x instanceof Float32Array ? x : hostView(x);
        if (!dst) throw new Error(`no host view on the ${tf.getBackend()} backend`);
        write(dst, t.runs);
        if (!(x instanceof Float32Array)) afterWrite(x);
      }
    },
    dispose() {
      packer?.dispose();
    },
  };
}
