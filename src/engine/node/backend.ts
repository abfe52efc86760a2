/**
 * Node entry to the backend ladder: WASM (SIMD, single-threaded; tfjs-node cannot be installed
 * here) with the plain CPU backend as the last rung. Used by the CLI, tests and benchmarks.
 */
import { initBackend, type BackendName, type BackendReport } from '../tensor/backend';

/** Initialises tfjs in Node on WASM (or CPU when `SENSESCAPE_BACKEND=cpu`). */
export function initNodeBackend(prefer?: BackendName): Promise<BackendReport> {
  const wanted = prefer ?? (process.env.SENSESCAPE_BACKEND as BackendName | undefined);
  const rungs: BackendName[] = wanted === 'cpu' ? ['cpu'] : ['wasm', 'cpu'];
  return initBackend({ rungs });
}
