/** The System view's job contracts (backend, self-check, matmul, sparse products, throughput, device-loss drill). */
import type { BackendReport } from '../../engine/tensor/backend';
import type { SelfCheckResult, ThroughputResult } from '../../engine/tensor/selfcheck';
import type { Progress } from '../../engine/util/progress';
import type { CsrProductInputs, CsrProducts } from '../../engine/word2sense/csrKernels';
import type { JobSpec } from '../protocol';

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
  /** Destroys the GPU device (WebGPU only) as a drill of the device-lost path. */
  simulateDeviceLoss: JobSpec<Record<string, never>, { destroyed: boolean }, never>;
};
