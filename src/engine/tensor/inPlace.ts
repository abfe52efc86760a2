/**
 * Writable host views of tfjs tensors on the backends whose memory is host memory (WASM: the module's
 * heap; CPU: the backend's typed arrays), so a caller that owns a tensor can overwrite its values in
 * place — e.g. a landscape point written straight into the model's kernels, with no new tensor and no
 * second copy. GPU backends have no such view (null): there the caller computes with tfjs ops instead.
 *
 * Safety: a tensor's buffer may be shared (clones and reshapes share a data id; on the CPU backend
 * `tf.tensor(array)` adopts `array` itself), so {@link ownedCopy} gives the caller a buffer that is
 * provably its own before it writes. A WASM heap view is invalidated when the heap grows: take it
 * right before writing, never keep it across tfjs calls. The WASM backend caches XNNPACK operators with
 * their weights and biases packed inside, keyed by tensor id: after writing, call {@link afterWrite} so
 * the next matMul packs the new values.
 */
import * as tf from '@tensorflow/tfjs-core';

interface HeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): ArrayLike<number>;
  dataIdMap: { get(dataId: tf.DataId): { id: number; memoryOffset: number } | undefined };
  wasm: {
    asm?: { memory?: WebAssembly.Memory };
    tfjs: {
      registerTensor(id: number, size: number, memoryOffset: number): void;
      disposeData(id: number): void;
    };
  };
}
interface CpuBackend {
  data: { get(dataId: tf.DataId): { values?: unknown } | undefined };
}

/** True when the current backend exposes writable host views ('wasm', 'cpu'). */
export function hasHostViews(): boolean {
  return ['wasm', 'cpu'].includes(tf.getBackend());
}

/**
 * A Float32Array aliasing the values of float32 tensor `t` on the current backend, or null where that
 * is impossible (GPU backends, other dtypes). Writing to it changes `t` (and every tensor sharing its data).
 */
export function hostView(t: tf.Tensor): Float32Array | null {
  if (t.dtype !== 'float32' || t.isDisposed) return null;
  const name = tf.getBackend();
  if (name === 'wasm') {
    const v = (tf.backend() as unknown as HeapBackend).typedArrayFromHeap(t);
    return v instanceof Float32Array && v.length === t.size ? v : null;
  }
  if (name === 'cpu') {
    const v = (tf.backend() as unknown as CpuBackend).data.get(t.dataId)?.values;
    return v instanceof Float32Array && v.length === t.size ? v : null;
  }
  return null;
}

/** WASM: the backend's WebAssembly memory (its heap), where tensors live; null elsewhere or if not exposed. */
export function heapMemory(): WebAssembly.Memory | null {
  if (tf.getBackend() !== 'wasm') return null;
  const m = (tf.backend() as unknown as HeapBackend).wasm.asm?.memory;
  return m instanceof WebAssembly.Memory ? m : null;
}

/** WASM: the byte address of float32 tensor `t`'s values in {@link heapMemory}; null elsewhere. */
export function heapAddress(t: tf.Tensor): number | null {
  if (tf.getBackend() !== 'wasm' || t.dtype !== 'float32' || t.isDisposed) return null;
  return (tf.backend() as unknown as HeapBackend).dataIdMap.get(t.dataId)?.memoryOffset ?? null;
}

/**
 * A new float32 tensor with `values`' contents whose buffer nothing else holds (the array is copied;
 * on the CPU backend the copy becomes the buffer). The caller owns it.
 */
export function ownedCopy(values: Float32Array, shape: number[]): tf.Tensor {
  return tf.tensor(values.slice(), shape, 'float32');
}

/**
 * Tells the backend that `t`'s values changed behind its back (after writing through {@link hostView}).
 * WASM: drops the XNNPACK operators cached for the tensor (their packed copies of its old values) by
 * unregistering and re-registering its id at the same address; the memory is not freed. CPU: nothing.
 */
export function afterWrite(t: tf.Tensor): void {
  if (tf.getBackend() !== 'wasm') return;
  const b = tf.backend() as unknown as HeapBackend;
  const d = b.dataIdMap.get(t.dataId);
  if (!d) throw new Error('afterWrite: the tensor is not on the WASM backend');
  b.wasm.tfjs.disposeData(d.id);
  b.wasm.tfjs.registerTensor(d.id, t.size, d.memoryOffset);
}
