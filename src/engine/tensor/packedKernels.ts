/**
 * WASM only: Linear kernels whose one resident copy is the one XNNPACK packs into its operator — for
 * plane replicas whose Linears run through tfjs (a WASM heap the SIMD heap Linears cannot import, or
 * `heapLinears: false`); by default they read the plane's PyTorch-layout weights (bert/heapLinear.ts)
 * and nothing is packed.
 *
 * tfjs-backend-wasm runs `fused.matMul(x, kernel, bias)` through an XNNPACK fully-connected operator
 * cached per (kernel id, bias id, activation); creating it packs the kernel (and bias) into the
 * operator's own buffer, and later products read only that. A model that also keeps the kernel in its
 * tensor holds every weight twice. Here a kernel tensor is allocated but never written (untouched
 * pages of a grown WebAssembly memory are not resident), and each point's values are written into
 * one shared scratch buffer, registered as the kernel's memory just long enough for a one-row product
 * — with the same bias and activation as the forward pass, so the same cache key — to build the
 * operator. The scratch is then filled with NaN: a product that built another operator for the kernel
 * would give NaN, not another kernel's numbers.
 *
 * Memory per replica: the packed kernels (1× the Linear weights) + one scratch of the largest kernel,
 * instead of 2× the Linear weights. Why hand-written: tfjs has no API for either step; this touches
 * the backend's internals (dataIdMap, registerTensor, disposeData) exactly as tensor/inPlace.ts does.
 */
import * as tf from '@tensorflow/tfjs-core';

interface WasmBackend {
  write(values: null, shape: number[], dtype: 'float32'): tf.DataId;
  dataIdMap: { get(dataId: tf.DataId): { id: number; memoryOffset: number } | undefined };
  wasm: {
    HEAPU8: Uint8Array;
    tfjs: {
      registerTensor(id: number, size: number, memoryOffset: number): void;
      disposeData(id: number): void;
    };
  };
}

const backend = (): WasmBackend => {
  if (tf.getBackend() !== 'wasm') throw new Error('packed kernels need the WASM backend');
  return tf.backend() as unknown as WasmBackend;
};

/** True where {@link PackedKernels} can run (the tfjs WASM backend is current). */
export function packedKernelsSupported(): boolean {
  return tf.getBackend() === 'wasm';
}

/** A float32 tensor of `shape` on WASM whose memory is allocated but never written (the caller owns it). */
export function unwrittenTensor(shape: [number, number]): tf.Tensor2D {
  const b = backend();
  const dataId = b.write(null, shape, 'float32');
  return tf.engine().makeTensorFromDataId(dataId, shape, 'float32', tf.backend()) as tf.Tensor2D;
}

/** How the forward pass uses a kernel: its bias and activation (part of XNNPACK's operator key). */
export interface KernelUse {
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
  activation?: 'relu';
}

/** Loads kernels' values straight into XNNPACK operators through one scratch buffer (see the header). */
export class PackedKernels {
  private readonly scratch: tf.Tensor1D;

  /** @param maxFloats the largest kernel's size */
  constructor(maxFloats: number) {
    backend();
    this.scratch = tf.keep(tf.fill([Math.max(1, maxFloats)], Number.NaN)) as tf.Tensor1D;
  }

  /**
   * Drops `use.kernel`'s operator, lets `fill` write its new values [in, out] row-major, and builds the
   * operator the forward pass will use from them. `fill` gets a heap view valid only during the call.
   */
  load(use: KernelUse, fill: (dst: Float32Array) => void): void {
    const b = backend();
    const k = b.dataIdMap.get(use.kernel.dataId);
    const s = b.dataIdMap.get(this.scratch.dataId);
    if (!k || !s) throw new Error('packed kernels: a tensor is not on the WASM backend');
    const size = use.kernel.size;
    if (size > this.scratch.size) throw new Error(`packed kernels: a kernel of ${size} floats exceeds the scratch`);
    b.wasm.tfjs.disposeData(k.id); // deletes the operators packed from the previous values
    const dst = new Float32Array(b.wasm.HEAPU8.buffer, s.memoryOffset, size);
    fill(dst);
    b.wasm.tfjs.registerTensor(k.id, size, s.memoryOffset);
    tf.tidy(() => {
      const row = tf.zeros([1, use.kernel.shape[0]]);
      tf.fused.matMul({ a: row, b: use.kernel, bias: use.bias, activation: use.activation ?? 'linear' });
    });
    new Float32Array(b.wasm.HEAPU8.buffer, s.memoryOffset, size).fill(Number.NaN);
  }

  dispose(): void {
    this.scratch.dispose();
  }
}
