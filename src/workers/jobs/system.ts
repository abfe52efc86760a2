/**
 * System jobs: backend report, self-check, a matmul for external checks, a cancellable throughput
 * test, and a device-loss drill. They exist so users (and the e2e suite) can see that the compute
 * backend works, that cancel really stops work, and that a lost GPU device is survived.
 */
import { currentBackend, webGpuDevice, type BackendReport } from '../../engine/tensor/backend';
import {
  matmulOnBackend,
  matmulThroughput,
  selfCheck,
  type SelfCheckResult,
  type ThroughputResult,
} from '../../engine/tensor/selfcheck';
import type { Progress } from '../../engine/util/progress';
import type { JobHandlers } from '../host';
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
  /** Destroys the GPU device (WebGPU only) as a drill of the device-lost path. */
  simulateDeviceLoss: JobSpec<Record<string, never>, { destroyed: boolean }, never>;
};

export const systemHandlers: JobHandlers<SystemJobs> = {
  async backend() {
    const report = currentBackend();
    if (!report) throw new Error('backend not initialised');
    return report;
  },
  selfCheck: ({ size, seed }) => selfCheck(size, seed),
  async matmul({ a, b, m, k, n }) {
    const c = await matmulOnBackend(a, b, m, k, n);
    return { c, backend: currentBackend()?.backend ?? 'unknown' };
  },
  throughput: ({ size, rounds }, ctx) => matmulThroughput(size, rounds, ctx.token, (p) => ctx.progress(p)),
  async simulateDeviceLoss() {
    const device = webGpuDevice();
    if (!device) return { destroyed: false };
    device.destroy();
    return { destroyed: true };
  },
};
