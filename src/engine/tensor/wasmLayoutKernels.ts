/**
 * Two of tfjs-backend-wasm's kernels made fast for the shapes a backward pass is full of, both
 * loops over the module's heap registered over the originals by {@link installWasmLayoutKernels}
 * (whenever the backend ladder picks WASM):
 * - `Sum` over axis 0 of a 2-D float32 tensor (every bias's and LayerNorm parameter's gradient: a
 *   column sum of dy [rows, features]). tfjs 4.22 transposes the input with its scalar transpose
 *   and then sums rows; here each row is added into the output in turn — the same float32
 *   additions in the same order as its sequential sum (tested bit for bit).
 * - `Transpose` of a 2-D tensor (matmul.ts transposes dy to make dW = dyᵀ · x): tiled in 32 × 32
 *   blocks, so reads and writes both stay in cache; the original walks the output with a stride
 *   (1.8 ms against 0.5 ms for [1024 × 256] here).
 * Every other shape, axis, permutation and dtype goes to the original kernel.
 *
 * Measured (tfjs.profile of one gradient on the 4 × 256 bench checkpoint, 16 rows × 64 tokens, one
 * thread): these two kernels took 191 ms of 906 ms, 45 column sums of [1024 × 256] at 1.7 ms each
 * and 2-D transposes at ~2 ms per 262k values.
 *
 * Why hand-written: tfjs has no faster kernel for either; these are plain loops over heap views,
 * as tensor/wasmSegmentSum.ts.
 */
import * as tf from '@tensorflow/tfjs-core';

interface WasmHeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/** out[c] = Σ_r x[r, c], rows in order, float32 (x [rows, cols] row-major). */
export function columnSum(x: Float32Array, rows: number, cols: number, out: Float32Array): void {
  out.fill(0);
  for (let r = 0; r < rows; r++) {
    const at = r * cols;
    for (let c = 0; c < cols; c++) out[c] += x[at + c];
  }
}

const TILE = 32;

/**
 * out [cols, rows] = xᵀ for x [rows, cols] (row-major), in TILE × TILE blocks, each written one output
 * row at a time: contiguous writes, reads strided by `cols`. (Writing along x's rows instead strides
 * the writes by `rows`, often a power of two, and measured no faster than no tiling.)
 */
export function transpose2d<A extends Float32Array | Int32Array | Uint8Array>(
  x: A,
  rows: number,
  cols: number,
  out: A,
): void {
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(rows, r0 + TILE);
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const c1 = Math.min(cols, c0 + TILE);
      for (let c = c0; c < c1; c++) {
        const at = c * rows;
        for (let r = r0; r < r1; r++) out[at + r] = x[r * cols + c];
      }
    }
  }
}

function axesOf(axis: unknown, rank: number): number[] {
  const list = Array.isArray(axis) ? (axis as number[]) : [axis as number];
  return list.map((a) => (a < 0 ? a + rank : a));
}

function sumKernel(original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const axes = axesOf(axis, x.shape.length);
    if (x.dtype !== 'float32' || x.shape.length !== 2 || axes.length !== 1 || axes[0] !== 0)
      return original(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    const [rows, cols] = x.shape;
    const backend = args.backend as WasmHeapBackend;
    const out = backend.makeOutput(keepDims ? [1, cols] : [cols], 'float32');
    // Views taken after makeOutput: an allocation can grow the heap and detach older views.
    columnSum(
      backend.typedArrayFromHeap(x) as Float32Array,
      rows,
      cols,
      backend.typedArrayFromHeap(out) as Float32Array,
    );
    return out;
  };
}

function transposeKernel(original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { perm } = args.attrs as unknown as { perm: number[] };
    if (x.shape.length !== 2 || perm[0] !== 1 || perm[1] !== 0 || x.dtype === 'string' || x.dtype === 'complex64')
      return original(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    const [rows, cols] = x.shape;
    const backend = args.backend as WasmHeapBackend;
    const out = backend.makeOutput([cols, rows], x.dtype);
    transpose2d(backend.typedArrayFromHeap(x), rows, cols, backend.typedArrayFromHeap(out));
    return out;
  };
}

/** The kernels replaced, while installed. */
let originals: { sum: tf.KernelConfig; transpose: tf.KernelConfig } | null = null;

/**
 * Registers both kernels over the 'wasm' originals (idempotent; false when the WASM backend has no such
 * kernels). The backend ladder (tensor/backend.ts) installs them whenever WASM is chosen.
 */
export function installWasmLayoutKernels(): boolean {
  if (originals) return true;
  const sum = tf.getKernel('Sum', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!sum || !transpose) return false;
  tf.unregisterKernel('Sum', 'wasm');
  tf.registerKernel({ ...sum, kernelFunc: sumKernel(sum.kernelFunc) as tf.KernelFunc });
  tf.unregisterKernel('Transpose', 'wasm');
  tf.registerKernel({ ...transpose, kernelFunc: transposeKernel(transpose.kernelFunc) as tf.KernelFunc });
  originals = { sum, transpose };
  return true;
}

/** Puts tfjs's own kernels back (for comparisons against them); a later install replaces them again. */
export function uninstallWasmLayoutKernels(): void {
  if (!originals) return;
  for (const k of [originals.sum, originals.transpose]) {
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel(k);
  }
  originals = null;
}
