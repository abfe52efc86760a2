/**
 * Moving activations between tfjs tensors and the SIMD kernel's memory (gemmSimd.ts) with as few
 * copies as the backend allows. On tfjs-backend-wasm a tensor's values live in the backend's
 * WebAssembly heap: `readInto` copies them from there straight into the destination (one copy, no
 * temporary array; `data()` would allocate a copy first), and `upload` hands tfjs a view, which the
 * WASM backend copies into its heap at once. Elsewhere (CPU backend, which may keep the array it is
 * given, or a GPU) it falls back to `await data()` and a private copy.
 *
 * The heap access uses tfjs-backend-wasm 4.22 internals (`dataIdMap`, `wasm.HEAPU8`); when they are
 * not there it takes the public path, so a tfjs upgrade can only make it slower, not wrong.
 */
import * as tf from '@tensorflow/tfjs-core';

interface WasmBackendInternals {
  dataIdMap: { get(id: unknown): { memoryOffset: number | null } | undefined };
  wasm: { HEAPU8: Uint8Array };
}

function wasmInternals(t: tf.Tensor): WasmBackendInternals | null {
  if (tf.getBackend() !== 'wasm') return null;
  const b = tf.backend() as unknown as Partial<WasmBackendInternals>;
  if (!b.dataIdMap || typeof b.dataIdMap.get !== 'function' || !(b.wasm?.HEAPU8 instanceof Uint8Array)) return null;
  const info = b.dataIdMap.get(t.dataId);
  return info && typeof info.memoryOffset === 'number' ? (b as WasmBackendInternals) : null;
}

/** Copies the float32 values of `t` into `dst` at `offset` (elements). */
export async function readInto(t: tf.Tensor, dst: Float32Array, offset: number): Promise<void> {
  if (t.dtype !== 'float32') throw new Error(`readInto: ${t.dtype} tensor`);
  const internals = wasmInternals(t);
  if (internals) {
    const at = internals.dataIdMap.get(t.dataId)!.memoryOffset!;
    const heap = internals.wasm.HEAPU8;
    dst.set(new Float32Array(heap.buffer, heap.byteOffset + at, t.size), offset);
    return;
  }
  dst.set((await t.data()) as Float32Array, offset);
}

/** A new float32 tensor with the values of `view` (which the caller may overwrite afterwards). */
export function upload<R extends tf.Rank>(view: Float32Array, shape: tf.ShapeMap[R]): tf.Tensor<R> {
  return tf.tensor(tf.getBackend() === 'wasm' ? view : view.slice(), shape, 'float32') as tf.Tensor<R>;
}
