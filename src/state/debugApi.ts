/**
 * `window.sensescape`: a small console API over the compute worker, for researchers scripting the
 * app from DevTools and for the e2e suite (which checks worker results against its own reference).
 */
import { compute } from './compute';

export interface SensescapeConsoleApi {
  /** C = A·B computed in the worker; A [m,k], B [k,n] row-major as plain arrays. */
  matmul(a: number[], b: number[], m: number, k: number, n: number): Promise<{ c: number[]; backend: string }>;
  backend(): Promise<unknown>;
  /** Destroys the GPU device (WebGPU only) to exercise the device-lost path. */
  simulateDeviceLoss(): Promise<{ destroyed: boolean }>;
}

export function installConsoleApi(): void {
  const api: SensescapeConsoleApi = {
    async matmul(a, b, m, k, n) {
      const { c, backend } = await compute.run('matmul', { a: Float32Array.from(a), b: Float32Array.from(b), m, k, n });
      return { c: Array.from(c), backend };
    },
    backend: () => compute.run('backend', {}),
    simulateDeviceLoss: () => compute.run('simulateDeviceLoss', {}),
  };
  (globalThis as { sensescape?: SensescapeConsoleApi }).sensescape = api;
}
