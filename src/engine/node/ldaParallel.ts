/**
 * Worker threads for the sparse LDA E-step (Node): the {@link SparseEStepPool} that `fitLda` takes.
 * Documents are independent within an update group, so each worker runs the E-steps of one range of
 * them (ldaWorker.ts) while the calling thread runs the first. What is shared, not copied: the
 * documents (once per fit), β̃ of the group, the γ of the pass, each worker's statistics slot, and a
 * control word pair (stop flag, rows done) — SharedArrayBuffers; each worker copies β̃ and its
 * documents into its own WebAssembly arena, where the SIMD kernels run.
 */
import { Worker } from 'node:worker_threads';
import type { CsrCounts } from '../text/csr';
import { InputError } from '../util/errors';
import type { SparseEStepPool, SparseEStepPoolParams, SparseEStepPoolResult } from '../word2sense/ldaTypes';
import { BOOTSTRAP, workerEntry } from './bertWorkerEntry';

/** What a worker starts with (structured-cloned; the buffers are shared). */
export interface LdaWorkerInit {
  K: number;
  Kp: number;
  V: number;
  kernels?: 'simd' | 'scalar';
  indptr: SharedArrayBuffer;
  indices: SharedArrayBuffer;
  values: SharedArrayBuffer;
  /** Int32 [stop flag, rows done]. */
  control: SharedArrayBuffer;
  /** This worker's statistics [V, Kp], float32. */
  stats: SharedArrayBuffer;
  entry: string;
  tsx: string | null;
}

export type ToLdaWorker =
  | {
      type: 'run';
      id: number;
      beta: SharedArrayBuffer;
      gamma: SharedArrayBuffer;
      d0: number;
      d1: number;
      params: SparseEStepPoolParams;
    }
  | { type: 'close' };

export type FromLdaWorker =
  | { type: 'ready'; kernels: string }
  | { type: 'done'; id: number; done: number; rowRounds: number }
  | { type: 'error'; id: number; message: string; name: string; input?: boolean };

/** A shared copy of a typed array's bytes. */
const shared = (a: Int32Array | Float32Array): SharedArrayBuffer => {
  const sab = new SharedArrayBuffer(a.byteLength);
  new Uint8Array(sab).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return sab;
};

/** `threads` − 1 worker threads (the caller's thread is the first); see the header. */
export class LdaWorkerPool implements SparseEStepPool {
  private workers_: Worker[] = [];
  private control = new Int32Array(new SharedArrayBuffer(8));
  private statsBufs: SharedArrayBuffer[] = [];
  private betaBuf: SharedArrayBuffer | null = null;
  private nextId = 0;

  /**
   * `threads` in all (the caller's included); `onStart` is told when the workers have started (the sparse
   * engine sets them up; a fit on the dense engine never does).
   */
  constructor(
    private readonly threads: number,
    private readonly opts: { kernels?: 'simd' | 'scalar'; onStart?: (workers: number) => void } = {},
  ) {
    if (!(Number.isInteger(threads) && threads >= 1))
      throw new InputError(`threads must be a positive integer (got ${threads})`);
  }

  get workers(): number {
    return this.threads - 1;
  }

  async setup(docs: CsrCounts, K: number, Kp: number): Promise<void> {
    await this.close();
    const V = docs.cols;
    const base = {
      K,
      Kp,
      V,
      kernels: this.opts.kernels,
      indptr: shared(docs.indptr),
      indices: shared(docs.indices),
      values: shared(docs.values),
      control: this.control.buffer as SharedArrayBuffer,
      ...workerEntry('ldaWorker'),
    };
    this.betaBuf = new SharedArrayBuffer(V * Kp * 4);
    this.statsBufs = [];
    const ready: Promise<void>[] = [];
    for (let i = 0; i < this.workers; i++) {
      const stats = new SharedArrayBuffer(V * Kp * 4);
      this.statsBufs.push(stats);
      const w = new Worker(BOOTSTRAP, { eval: true, workerData: { ...base, stats } satisfies LdaWorkerInit });
      this.workers_.push(w);
      ready.push(
        new Promise((resolve, reject) => {
          const onMsg = (m: FromLdaWorker) => {
            if (m.type === 'ready') resolve();
            else if (m.type === 'error') reject(new Error(`LDA worker ${i + 1} did not start: ${m.message}`));
            w.off('message', onMsg);
          };
          w.on('message', onMsg);
          w.once('error', reject);
        }),
      );
    }
    try {
      await Promise.all(ready);
    } catch (err) {
      await this.close();
      throw err;
    }
    if (this.workers > 0) this.opts.onStart?.(this.workers);
  }

  sharedFloat32(length: number): Float32Array {
    return new Float32Array(new SharedArrayBuffer(length * 4));
  }

  run(
    beta: Float32Array,
    gamma: Float32Array,
    ranges: readonly [number, number][],
    params: SparseEStepPoolParams,
  ): Promise<SparseEStepPoolResult> {
    if (!(gamma.buffer instanceof SharedArrayBuffer))
      throw new Error('LdaWorkerPool.run: γ must come from sharedFloat32');
    new Float32Array(this.betaBuf!).set(beta);
    Atomics.store(this.control, 0, 0);
    Atomics.store(this.control, 1, 0);
    const jobs = ranges.map(
      ([d0, d1], i) =>
        new Promise<{ done: number; rowRounds: number }>((resolve, reject) => {
          const w = this.workers_[i];
          const id = this.nextId++;
          const onMsg = (m: FromLdaWorker) => {
            if (m.type === 'ready' || m.id !== id) return;
            w.off('message', onMsg);
            w.off('error', onErr);
            if (m.type === 'done') resolve({ done: m.done, rowRounds: m.rowRounds });
            else reject(Object.assign(new Error(`LDA worker ${i + 1}: ${m.message}`), { name: m.name }));
          };
          const onErr = (err: Error) => {
            w.off('message', onMsg);
            reject(err);
          };
          w.on('message', onMsg);
          w.once('error', onErr);
          const msg: ToLdaWorker = {
            type: 'run',
            id,
            beta: this.betaBuf!,
            gamma: gamma.buffer as SharedArrayBuffer,
            d0,
            d1,
            params,
          };
          w.postMessage(msg);
        }),
    );
    return Promise.all(jobs).then((r) => ({
      done: r.map((x) => x.done),
      rowRounds: r.reduce((a, x) => a + x.rowRounds, 0),
      stats: ranges.map((_, i) => new Float32Array(this.statsBufs[i])),
    }));
  }

  progress(): number {
    return Atomics.load(this.control, 1);
  }

  stop(): void {
    Atomics.store(this.control, 0, 1);
  }

  async close(): Promise<void> {
    const ws = this.workers_;
    this.workers_ = [];
    await Promise.all(ws.map((w) => w.terminate()));
  }
}
