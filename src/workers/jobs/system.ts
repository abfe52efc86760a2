/**
 * System jobs: backend report, self-check, a matmul and the sparse LDA products for external checks, a cancellable throughput
 * test, the worker's tfjs memory, and a device-loss drill. They exist so users (and the e2e suite) can see that the compute
 * backend works, that cancel really stops work, and that a lost GPU device is survived.
 */
import { currentBackend, webGpuDevice } from '../../engine/tensor/backend';
import { matmulOnBackend, matmulThroughput, selfCheck } from '../../engine/tensor/selfcheck';
import * as tf from '@tensorflow/tfjs-core';
import { runCsrProducts } from '../../engine/word2sense/csrKernels';
import { linearPath } from '../../engine/bert/heapLinear';
import { csrKernelsFor } from '../../engine/word2sense/csrKernelsWgsl';
import type { JobHandlers } from '../host';
import type { SystemJobs } from '../contracts/system';

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
  async csrProducts(inputs) {
    const kern = csrKernelsFor(tf.getBackend());
    const out = await runCsrProducts(kern, inputs);
    return { ...out, kind: kern.kind, backend: currentBackend()?.backend ?? 'unknown' };
  },
  async memory() {
    const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
    return {
      backend: currentBackend()?.backend ?? tf.getBackend(),
      numBytes: m.numBytes,
      numTensors: m.numTensors,
      numDataBuffers: m.numDataBuffers,
      numBytesInGPU: typeof m.numBytesInGPU === 'number' ? m.numBytesInGPU : null,
      unreliable: Boolean(m.unreliable),
      linears: linearPath(),
    };
  },
  throughput: ({ size, rounds }, ctx) => matmulThroughput(size, rounds, ctx.token, (p) => ctx.progress(p)),
  async simulateDeviceLoss() {
    const device = webGpuDevice();
    if (!device) return { destroyed: false };
    device.destroy();
    return { destroyed: true };
  },
};
