/**
 * An `UnsortedSegmentSum` kernel for tfjs-backend-wasm, which has none (4.22): a plain loop over the
 * module's heap, registered by {@link installWasmSegmentSum}. It is gather's gradient (tensor/gradients.ts),
 * so with it the embedding lookup in gradForward.ts is a gather on every backend.
 *
 * Why: without it the lookup on WASM was two one-hot products — K distinct ids × vocab × H multiply-adds
 * each way and [K, vocab] one-hot tensors with their transposes and saved copies. Measured on the 4 × 256
 * bench checkpoint (vocab 30522) for one replica's 32 rows × 32 tokens: an H·v took ~4.3 s with them and
 * ~3.0 s with the gather, and the first H·v's heap growth (fresh pages are slow to touch on this VM) was
 * ~130 MB smaller.
 *
 * Semantics as tfjs-core's CPU kernel: out[s, …] = Σ over the rows r with segmentIds[r] = s of x[r, …],
 * rows in ascending order (the same float32 sums as the CPU backend's); ids outside [0, numSegments)
 * are dropped.
 */
import * as tf from '@tensorflow/tfjs-core';

interface WasmHeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** The kernel body (see the header). */
function segmentSum(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const { numSegments } = args.attrs as unknown as { numSegments: number };
  const backend = args.backend as WasmHeapBackend;
  const rest = x.shape.slice(1); // segmentIds is 1-D, one id per row of x (tfjs-core's op checks it)
  const inner = rest.reduce((a, b) => a * b, 1);
  const out = backend.makeOutput([numSegments, ...rest], x.dtype);
  // Views taken after makeOutput: an allocation can grow the heap and detach older views.
  const xs = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  const o = backend.typedArrayFromHeap(out);
  o.fill(0);
  for (let r = 0; r < ids.length; r++) {
    const s = ids[r];
    if (s < 0 || s >= numSegments) continue;
    const from = r * inner;
    const to = s * inner;
    for (let j = 0; j < inner; j++) o[to + j] += xs[from + j];
  }
  return out;
}

/**
 * Registers the kernel for the 'wasm' backend unless it has one (idempotent; harmless before the backend
 * is initialised or while another backend is active).
 */
export function installWasmSegmentSum(): void {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm') as tf.KernelConfig | undefined) return;
  tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: segmentSum });
}
