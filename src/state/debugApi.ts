/**
 * `window.sensescape`: a small console API over the compute worker, for researchers scripting the
 * app from DevTools and for the e2e suite (which checks worker results against its own reference).
 */
import { compute } from './compute';
import type { CsrProductInputs } from '../engine/word2sense/csrKernels';

/** Plain-array form of CsrProductInputs (what page.evaluate can pass). */
export interface CsrProductArrays {
  m: { rows: number; cols: number; rowPtr: number[]; colIdx: number[]; values: number[] };
  K: number;
  a: number[];
  bT: number[];
  q: number[];
  s: number[];
  x: number[];
}

export interface SensescapeConsoleApi {
  /** C = A·B computed in the worker; A [m,k], B [k,n] row-major as plain arrays. */
  matmul(a: number[], b: number[], m: number, k: number, n: number): Promise<{ c: number[]; backend: string }>;
  backend(): Promise<unknown>;
  /** The sparse LDA products (SDDMM, SpMM, transposed SpMM, row sums) computed in the worker. */
  csrProducts(
    p: CsrProductArrays,
  ): Promise<Record<'sddmm' | 'spmm' | 'addSpmmT' | 'rowSums', number[]> & { kind: string; backend: string }>;
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
    async csrProducts(p) {
      const f = (a: number[]) => Float32Array.from(a);
      const inputs: CsrProductInputs = {
        m: { ...p.m, rowPtr: Int32Array.from(p.m.rowPtr), colIdx: Int32Array.from(p.m.colIdx), values: f(p.m.values) },
        K: p.K,
        a: f(p.a),
        bT: f(p.bT),
        q: f(p.q),
        s: f(p.s),
        x: f(p.x),
      };
      const r = await compute.run('csrProducts', inputs);
      return {
        sddmm: Array.from(r.sddmm),
        spmm: Array.from(r.spmm),
        addSpmmT: Array.from(r.addSpmmT),
        rowSums: Array.from(r.rowSums),
        kind: r.kind,
        backend: r.backend,
      };
    },
    simulateDeviceLoss: () => compute.run('simulateDeviceLoss', {}),
  };
  (globalThis as { sensescape?: SensescapeConsoleApi }).sensescape = api;
}
