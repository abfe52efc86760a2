/**
 * Runs a function with tfjs-backend-wasm's `Identity` kernel sharing its input's data (a reference
 * count, as the CPU, WebGL and WebGPU backends' Identity always does) instead of copying it.
 *
 * Why: tfjs-core's autodiff clones every tensor a kernel saves for its backward pass
 * (`Engine.saveTensorsForBackwardMode`: keep(clone(t))), and on WASM a clone is a copy. In an H·v of
 * the 4 × 256 bench checkpoint (one replica's 16-row batch) that was ~2 000 copies, ~0.8 GB, all alive
 * until the tape's tidy ends: the heap grew ~400 MB more on the first H·v (1.71 → 1.31 GB measured),
 * and fresh pages are slow to touch on this VM (~3 s a GB).
 *
 * Scoped, not installed for good: outside a tape, code that writes into tensors in place
 * (bert/interpolate.ts through tensor/inPlace.ts) keeps WASM's copying clone. Inside, nothing writes
 * into a kernel's inputs, so sharing changes no value. Synchronous only: the kernel is put back before
 * this returns, so no other code can run while it is swapped.
 */
import * as tf from '@tensorflow/tfjs-core';

interface RefCountingBackend {
  incRef(dataId: tf.DataId): void;
}

/** WASM's Identity as a view: the output is the input's data id with one more reference. */
function sharedIdentity(args: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  (args.backend as RefCountingBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** `f()` with the sharing Identity on the WASM backend (see the header); on other backends just `f()`. */
export function withSharedIdentity<T>(f: () => T): T {
  const original = tf.getKernel('Identity', 'wasm') as tf.KernelConfig | undefined;
  if (tf.getBackend() !== 'wasm' || !original) return f();
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ ...original, kernelFunc: sharedIdentity });
  try {
    return f();
  } finally {
    tf.unregisterKernel('Identity', 'wasm');
    tf.registerKernel(original);
  }
}
