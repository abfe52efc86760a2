/** The System view's job contracts (backend, self-check, matmul, sparse products, throughput, memory, device-loss drill). */
import type { BackendReport } from '../../engine/tensor/backend';
import type { SelfCheckResult, ThroughputResult } from '../../engine/tensor/selfcheck';
import type { Progress } from '../../engine/util/progress';
import type { CsrProductInputs, CsrProducts } from '../../engine/word2sense/csrKernels';
import type { JobSpec } from '../protocol';

/** The compute worker's tfjs memory (`tf.memory()`), for the System view's Memory card. */
export interface WorkerMemory {
  backend: string;
  /** Bytes held by live tensors (on any device). */
  numBytes: number;
  numTensors: number;
  numDataBuffers: number;
  /** Bytes of tensors in GPU memory, where the backend reports it (WebGL, WebGPU); null elsewhere. */
  numBytesInGPU: number | null;
  /** True when tfjs says the numbers may be incomplete (e.g. strings, or a backend that cannot count). */
  unreliable: boolean;
  /** How BERT's Linears run here (engine/bert/heapLinear.ts `linearPath`). */
  linears: 'simd-heap' | 'tfjs' | 'device';
}

export type SystemJobs = {
  backend: JobSpec<Record<string, never>, BackendReport, never>;
  selfCheck: JobSpec<{ size?: number; seed?: number }, SelfCheckResult, never>;
  /** C = A·B, A [m,k], B [k,n] row-major; C [m,n]. */
  matmul: JobSpec<
    { a: Float32Array; b: Float32Array; m: number; k: number; n: number },
    { c: Float32Array; backend: string },
    never
  >;
  throughput: JobSpec<{ size: number; rounds: number }, ThroughputResult, Progress>;
  /** The sparse LDA products (csrKernels.ts) on the worker's backend: WGSL on WebGPU, tfjs ops elsewhere. */
  csrProducts: JobSpec<CsrProductInputs, CsrProducts & { kind: string; backend: string }, never>;
  /** The worker's tfjs memory now. */
  memory: JobSpec<Record<string, never>, WorkerMemory, never>;
  /** Destroys the GPU device (WebGPU only) as a drill of the device-lost path. */
  simulateDeviceLoss: JobSpec<Record<string, never>, { destroyed: boolean }, never>;
};
