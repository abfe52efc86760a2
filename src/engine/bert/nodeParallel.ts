/**
 * Node-only data parallelism for the BERT loss: N `worker_threads`, each a full BertClassifier on its
 * own tfjs WASM backend (nodeWorker.ts), share the checkpoint's weights through one
 * SharedArrayBuffer and take batches from a queue (the next free worker gets the next batch, so a
 * slow or contended core does not hold the others back). Logits come back per batch and the loss is
 * accumulated on this thread in batch order with the same {@link LossAccumulator} as
 * `BertClassifier.evaluate`, so results are identical to one thread (same kernels on the same
 * batches, same float64 sums in the same order).
 *
 * Why: tfjs-backend-wasm 4.22 never uses its threaded build under Node (its
 * WASM_HAS_MULTITHREAD_SUPPORT flag is hard-wired to false there, and forcing it fails: Emscripten's
 * pthread workers are created from blob: URLs, which node:worker_threads refuses), so one tfjs
 * backend uses one core. Imported by the CLI, tests and benches only.
 *
 * Workers run the TypeScript sources: the entry is loaded through tsx's loader when it is a `.ts`
 * file (as under `bin/sensescape.mjs`, tsx and vitest). Startup (loader, tfjs WASM compile, weight
 * upload, priming) costs ~1–3 s per worker, in parallel; `startupMs` reports it.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { CancelToken, Checkpointer } from '../util/cancel';
import { InputError } from '../util/errors';
import type { BertConfig, LoadedCheckpoint } from './checkpoint';
import type { EncodedBatch } from './data';
import { LossAccumulator, validateBatch, type EvaluateOptions, type EvaluateResult } from './model';

/** What a worker is started with (structured-cloned; `weights` is shared, not copied). */
export interface WorkerInit {
  name: string;
  config: BertConfig;
  weights: SharedArrayBuffer;
  /** Each tensor's place in `weights`, in float32 elements. */
  layout: { name: string; shape: number[]; offset: number; length: number }[];
  /** Epoch ms (performance.timeOrigin + now) when the worker was created. */
  createdAt: number;
}

/** Where a worker's startup went, ms: loading modules (tsx, tfjs, engine), backend init, weight upload, priming batch. */
export interface StartupPhases {
  modules: number;
  backend: number;
  upload: number;
  prime: number;
}

export type ToWorker = { type: 'batch'; index: number; batch: EncodedBatch } | { type: 'close' };
export type FromWorker =
  | { type: 'ready'; backend: string; phasesMs: StartupPhases }
  | { type: 'logits'; index: number; logits: Float32Array }
  | { type: 'error'; index: number; message: string; name: string };

/** The machine's cores (`os.availableParallelism()`), at most 8. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/** FLOPs below which starting workers (~1–3 s) costs more than it saves: ~2 s of one WASM thread. */
export const MIN_PARALLEL_FLOPS = 2e10;

/**
 * Worker count for a job when the user did not choose: {@link defaultThreads}, capped by the number
 * of batches, or 1 when the forward pass is estimated below {@link MIN_PARALLEL_FLOPS}
 * (2 · encoder/pooler/classifier parameters · padded tokens).
 */
export function autoThreads(config: BertConfig, batches: Pick<EncodedBatch, 'batch' | 'seqLen'>[]): number {
  const H = config.hiddenSize;
  const perLayer = 4 * H * H + 2 * H * config.intermediateSize;
  const perToken = 2 * (config.numHiddenLayers * perLayer);
  const tokens = batches.reduce((a, b) => a + b.batch * b.seqLen, 0);
  if (perToken * tokens < MIN_PARALLEL_FLOPS) return 1;
  return Math.max(1, Math.min(defaultThreads(), batches.length));
}

/** Bootstrap run as the worker's (CommonJS, eval) script: register tsx for `.ts` entries, then import the entry. */
const BOOTSTRAP = `
const { workerData, parentPort } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})().catch((e) => parentPort.postMessage({ type: 'error', index: -1, name: (e && e.name) || 'Error', message: String((e && e.message) || e) }));
`;

function workerEntry(): { entry: string; tsx: string | null } {
  const entry = new URL('./nodeWorker.ts', import.meta.url);
  if (!entry.pathname.endsWith('.ts')) return { entry: entry.href, tsx: null };
  // The ESM build of tsx's API (its CommonJS build cannot be imported from an ESM context).
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  const esm = cjs.replace(/\.cjs$/, '.mjs');
  return { entry: entry.href, tsx: pathToFileURL(existsSync(esm) ? esm : cjs).href };
}

function workerError(m: { message: string; name: string }, worker: number): Error {
  const err = m.name === 'InputError' ? new InputError(m.message) : new Error(`bert worker ${worker}: ${m.message}`);
  if (m.name !== 'InputError' && m.name !== 'Error') err.name = m.name; // keeps isInputError() for registered names
  return err;
}

/**
 * A pool of data-parallel BERT workers over one checkpoint. `start` resolves when every worker has
 * its model on its backend; `evaluate` has `BertClassifier.evaluate`'s contract; `close` ends them.
 */
export class BertWorkerPool {
  private busy = false;
  private closed = false;
  private failure: Error | null = null;
  private onMessage: ((worker: number, m: FromWorker) => void) | null = null;

  private constructor(
    private readonly workers: Worker[],
    readonly config: BertConfig,
    /** Backend the workers run on ('wasm' or 'cpu'). */
    readonly backend: string,
    /** Wall time from the first `new Worker` to the last worker ready, ms. */
    readonly startupMs: number,
    /** Each startup phase's slowest worker, ms. */
    readonly startupPhases: StartupPhases,
  ) {}

  /** Worker count. */
  get threads(): number {
    return this.workers.length;
  }

  /**
   * Starts `threads` workers (≥ 1) holding `ckpt`'s weights. The weights are copied once into a
   * SharedArrayBuffer that all workers read; each worker's tfjs backend holds its own device copy.
   */
  static async start(ckpt: Pick<LoadedCheckpoint, 'name' | 'config' | 'tensors'>, opts: { threads: number }): Promise<BertWorkerPool> {
    const threads = Math.floor(opts.threads);
    if (!(threads >= 1)) throw new InputError(`threads must be a positive integer (got ${opts.threads})`);
    const t0 = performance.now();
    let total = 0;
    const layout: WorkerInit['layout'] = [];
    for (const [name, t] of ckpt.tensors) {
      layout.push({ name, shape: t.shape, offset: total, length: t.data.length });
      total += t.data.length;
    }
    const weights = new SharedArrayBuffer(total * 4);
    const all = new Float32Array(weights);
    for (const e of layout) all.set(ckpt.tensors.get(e.name)!.data, e.offset);
    const init: Omit<WorkerInit, 'createdAt'> = { name: ckpt.name, config: ckpt.config, weights, layout };
    const { entry, tsx } = workerEntry();
    const workers: Worker[] = [];
    const readies: Promise<{ backend: string; phasesMs: StartupPhases }>[] = [];
    for (let i = 0; i < threads; i++) {
      const w = new Worker(BOOTSTRAP, { eval: true, workerData: { ...init, createdAt: performance.timeOrigin + performance.now(), entry, tsx } });
      workers.push(w);
      readies.push(new Promise((resolve, reject) => {
        const onMsg = (m: FromWorker): void => {
          if (m.type === 'ready') resolve(m);
          else if (m.type === 'error') reject(workerError(m, i));
          w.off('message', onMsg);
        };
        w.on('message', onMsg);
        w.once('error', (e) => reject(e));
        w.once('exit', (code) => reject(new Error(`bert worker ${i} exited with code ${code} while starting`)));
      }));
    }
    let ready: { backend: string; phasesMs: StartupPhases }[];
    try {
      ready = await Promise.all(readies);
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
    const slowest = (k: keyof StartupPhases): number => Math.max(...ready.map((r) => r.phasesMs[k]));
    const phases = { modules: slowest('modules'), backend: slowest('backend'), upload: slowest('upload'), prime: slowest('prime') };
    const pool = new BertWorkerPool(workers, ckpt.config, ready[0].backend, performance.now() - t0, phases);
    workers.forEach((w, i) => {
      w.removeAllListeners('exit');
      w.removeAllListeners('error');
      w.on('message', (m: FromWorker) => pool.onMessage?.(i, m));
      w.on('error', (e) => pool.fail(new Error(`bert worker ${i} failed: ${e.message}`)));
      w.on('exit', (code) => {
        if (!pool.closed) pool.fail(new Error(`bert worker ${i} exited with code ${code}`));
      });
    });
    return pool;
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.onMessage?.(-1, { type: 'error', index: -1, message: err.message, name: err.name });
  }

  /**
   * Mean loss and accuracy over all examples of `batches` (validated here before any work is sent),
   * the same numbers as `BertClassifier.evaluate` on one thread. One evaluation at a time.
   */
  async evaluate(batches: EncodedBatch[], opts: EvaluateOptions = {}): Promise<EvaluateResult> {
    if (this.closed) throw new Error('BertWorkerPool was closed');
    if (this.failure) throw this.failure;
    if (this.busy) throw new Error('BertWorkerPool.evaluate is already running');
    for (const b of batches) validateBatch(this.config, b);
    const total = batches.reduce((a, b) => a + b.batch, 0);
    const cp = new Checkpointer(opts.token ?? CancelToken.none());
    const results: (Float32Array | undefined)[] = new Array(batches.length);
    let next = 0;
    let inFlight = 0;
    let done = 0;
    this.busy = true;
    opts.onProgress?.({ stage: 'loss', done: 0, total });
    try {
      await new Promise<void>((resolve, reject) => {
        let stopped: Error | null = null;
        const finishIfIdle = (): void => {
          if (inFlight > 0) return;
          if (stopped) reject(stopped);
          else if (next >= batches.length) resolve();
        };
        const dispatch = (worker: number): void => {
          if (stopped || next >= batches.length) return finishIfIdle();
          const index = next++;
          inFlight++;
          this.workers[worker].postMessage({ type: 'batch', index, batch: batches[index] } satisfies ToWorker);
        };
        const feed = (worker: number): void => {
          cp.check().then(() => dispatch(worker), (err: Error) => {
            stopped ??= err;
            finishIfIdle();
          });
        };
        this.onMessage = (worker, m) => {
          if (m.type === 'logits') {
            inFlight--;
            results[m.index] = m.logits;
            done += batches[m.index].batch;
            opts.onProgress?.({ stage: 'loss', done, total });
            feed(worker);
          } else if (m.type === 'error') {
            if (m.index >= 0) inFlight--;
            stopped ??= worker >= 0 ? workerError(m, worker) : new Error(m.message);
            if (worker < 0) inFlight = 0; // a worker died: its batch will never come back
            finishIfIdle();
          }
        };
        if (batches.length === 0) return resolve();
        for (let w = 0; w < this.workers.length; w++) feed(w);
      });
    } finally {
      this.onMessage = null;
      this.busy = false;
    }
    const acc = new LossAccumulator(this.config, total, opts.keepLogits);
    batches.forEach((b, i) => acc.add(b, results[i]!));
    return acc.result();
  }

  /** Ends the workers (their models are disposed). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.workers) w.postMessage({ type: 'close' } satisfies ToWorker);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
