/**
 * Node-only data parallelism for the BERT loss: N replicas — N − 1 `worker_threads`, each a full
 * BertClassifier on its own tfjs WASM backend (bertWorker.ts), sharing the checkpoint's weights
 * through one SharedArrayBuffer, plus one on the calling thread — take batches from a queue (each
 * worker holds two, so a slow or contended core does not hold the others back). The calling thread
 * starts at once while the workers start up, and they join when ready. Logits come back per batch and the loss is
 * accumulated on this thread in batch order with the same {@link LossAccumulator} as
 * `BertClassifier.evaluate`, so results are identical to one thread (same kernels on the same
 * batches, same float64 sums in the same order).
 *
 * Why: tfjs-backend-wasm 4.22 never uses its threaded build under Node (its
 * WASM_HAS_MULTITHREAD_SUPPORT flag is hard-wired to false there, and forcing it fails: Emscripten's
 * pthread workers are created from blob: URLs, which node:worker_threads refuses), so one tfjs
 * backend uses one core. Imported by the CLI, tests and benches only.
 *
 * Workers start from bertWorkerEntry.ts (the bundled entry, or the sources through tsx). Startup (loader, tfjs WASM compile, weight
 * upload, priming) costs ~1–3 s per worker, in parallel with the local replica's work; `startupMs`
 * and `startupPhases` report it.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { CancelToken } from '../util/cancel';
import { asInputError, InputError } from '../util/errors';
import type { BertConfig, LoadedCheckpoint } from '../bert/checkpoint';
import type { EncodedBatch } from '../bert/data';
import { initNodeBackend } from './backend';
import { validateBatch } from '../bert/data';
import { LossAccumulator, type EvaluateOptions, type EvaluateResult } from '../bert/loss';
import { BertClassifier } from '../bert/model';
import {
  sharedWeights,
  spawn,
  type FromWorker,
  type StartupPhases,
  type ToWorker,
  type WorkerInit,
} from './bertWorkerEntry';

/** The machine's cores (`os.availableParallelism()`), at most 8. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/** FLOPs below which starting workers (~1–3 s) costs more than it saves: ~2 s of one WASM thread. */
export const MIN_PARALLEL_FLOPS = 2e10;

/** Forward-pass FLOPs of `batches`: 2 · encoder parameters (per layer 4H² + 2H·I) · padded tokens. */
export function forwardFlops(config: BertConfig, batches: readonly Pick<EncodedBatch, 'batch' | 'seqLen'>[]): number {
  const H = config.hiddenSize;
  const perLayer = 4 * H * H + 2 * H * config.intermediateSize;
  const tokens = batches.reduce((a, b) => a + b.batch * b.seqLen, 0);
  return 2 * config.numHiddenLayers * perLayer * tokens;
}

/**
 * Worker count for a job when the user did not choose: {@link defaultThreads}, capped by the number
 * of batches, or 1 when the forward pass is estimated below {@link MIN_PARALLEL_FLOPS} ({@link forwardFlops}).
 */
export function autoThreads(config: BertConfig, batches: Pick<EncodedBatch, 'batch' | 'seqLen'>[]): number {
  if (forwardFlops(config, batches) < MIN_PARALLEL_FLOPS) return 1;
  return Math.max(1, Math.min(defaultThreads(), batches.length));
}

function workerError(m: { message: string; name: string; input?: boolean }, worker: number): Error {
  if (m.input) return asInputError(m.name, m.message);
  const err = new Error(`bert worker ${worker}: ${m.message}`);
  if (m.name !== 'Error') err.name = m.name;
  return err;
}

/** Batches queued per worker, so a worker never waits for this thread to hand it the next one. */
const DEPTH = 2;

interface EvalHooks {
  onReady(): void;
  onLogits(worker: number, index: number, logits: Float32Array): void;
  onError(err: Error, worker: number, index: number): void;
}

/**
 * A pool of data-parallel BERT replicas over one checkpoint: `threads − 1` worker threads plus one
 * replica on the calling thread (`local`, default), or `threads` workers with `local: false`.
 * `start` returns as soon as the local replica is ready; workers join the batch queue when their own
 * startup is done (so their startup overlaps useful work instead of delaying it). `evaluate` has
 * `BertClassifier.evaluate`'s contract; `close` ends the workers and frees the local replica.
 */
export class BertWorkerPool {
  private busy = false;
  private closed = false;
  private failure: Error | null = null;
  private hooks: EvalHooks | null = null;
  private readonly isReady: boolean[];
  private readonly whenReady: Promise<void>;
  private readyMs: number | null = null;
  private phases: StartupPhases | null = null;
  private split: number[] = [];

  private constructor(
    private readonly workers: Worker[],
    private readonly local: BertClassifier | null,
    readonly config: BertConfig,
    /** Backend every replica runs on ('wasm' or 'cpu', as initNodeBackend chooses). */
    readonly backend: string,
    t0: number,
  ) {
    this.isReady = workers.map(() => false);
    const phases: StartupPhases[] = [];
    this.whenReady = new Promise<void>((resolve, reject) => {
      if (workers.length === 0) {
        this.readyMs = performance.now() - t0;
        resolve();
      }
      workers.forEach((w, i) => {
        w.on('message', (m: FromWorker) => {
          if (m.type === 'ready') {
            this.isReady[i] = true;
            phases.push(m.phasesMs);
            if (this.isReady.every(Boolean)) {
              this.readyMs = performance.now() - t0;
              const slowest = (k: keyof StartupPhases): number => Math.max(...phases.map((p) => p[k]));
              this.phases = {
                modules: slowest('modules'),
                backend: slowest('backend'),
                upload: slowest('upload'),
                prime: slowest('prime'),
              };
              resolve();
            }
            this.hooks?.onReady();
          } else if (m.type === 'logits') {
            this.hooks?.onLogits(i, m.index, m.logits);
          } else {
            const err = workerError(m, i);
            if (m.index < 0) {
              this.fail(err, i);
              reject(err);
            } else {
              this.hooks?.onError(err, i, m.index);
            }
          }
        });
        w.on('error', (e) => {
          const err = new Error(`bert worker ${i} failed: ${e.message}`);
          this.fail(err, i);
          reject(err);
        });
        w.on('exit', (code) => {
          if (this.closed) return;
          const err = new Error(`bert worker ${i} exited with code ${code}`);
          this.fail(err, i);
          reject(err);
        });
      });
    });
    this.whenReady.catch(() => undefined); // surfaced through evaluate/ready()
  }

  /** Replicas (worker threads + the local one). */
  get threads(): number {
    return this.workers.length + (this.local ? 1 : 0);
  }

  /** Milliseconds from `start` until every worker was ready (null while some are starting). */
  get startupMs(): number | null {
    return this.readyMs;
  }

  /** Each startup phase's slowest worker, ms (null until every worker is ready, or without workers). */
  get startupPhases(): StartupPhases | null {
    return this.phases;
  }

  /** Batches each replica computed in the last evaluation: [local (0 without one), worker 0, worker 1, …]. */
  get lastSplit(): readonly number[] {
    return this.split;
  }

  /** Resolves when every worker is ready; rejects if one failed to start. */
  ready(): Promise<void> {
    return this.whenReady;
  }

  /**
   * Starts the replicas for `ckpt`. Worker weights are copied once into a SharedArrayBuffer that
   * all workers read; each worker's tfjs backend holds its own device copy. With `local` (default)
   * the calling thread's tfjs backend (initNodeBackend) holds one replica too.
   */
  static async start(
    ckpt: Pick<LoadedCheckpoint, 'name' | 'config' | 'tensors'>,
    opts: { threads: number; local?: boolean },
  ): Promise<BertWorkerPool> {
    const threads = Math.floor(opts.threads);
    if (!(threads >= 1)) throw new InputError(`threads must be a positive integer (got ${opts.threads})`);
    const t0 = performance.now();
    const useLocal = opts.local ?? true;
    const backend = (await initNodeBackend()).backend;
    const nWorkers = threads - (useLocal ? 1 : 0);
    const workers =
      nWorkers > 0 ? spawn({ name: ckpt.name, config: ckpt.config, ...sharedWeights(ckpt.tensors) }, nWorkers) : [];
    let local: BertClassifier | null = null;
    try {
      local = useLocal ? BertClassifier.fromCheckpoint(ckpt) : null;
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
    const pool = new BertWorkerPool(workers, local, ckpt.config, backend, t0);
    return local ? pool : pool.readyOrClosed();
  }

  /**
   * Starts `threads` worker replicas on a shared plane (plane.ts; no replica on this thread): each holds
   * the fixed (non-moving) parameters in `fixed` — landscape/planeSession.ts `buildPlane` gives exactly
   * those — and one working copy of the moving ones, which {@link moveTo} sets. Resolves when every
   * worker is ready, at θ0.
   */
  static async startPlane(
    fixed: Pick<LoadedCheckpoint, 'name' | 'config' | 'tensors'>,
    plane: NonNullable<WorkerInit['plane']>,
    threads: number,
  ): Promise<BertWorkerPool> {
    const t0 = performance.now();
    const backend = (await initNodeBackend()).backend;
    const init = { name: fixed.name, config: fixed.config, ...sharedWeights(fixed.tensors), plane };
    return new BertWorkerPool(
      spawn(init, Math.max(1, Math.floor(threads))),
      null,
      fixed.config,
      backend,
      t0,
    ).readyOrClosed();
  }

  /** This pool once every worker is ready; closed, and the start-up error rethrown, if one failed. */
  private async readyOrClosed(): Promise<BertWorkerPool> {
    try {
      await this.ready();
    } catch (err) {
      await this.close();
      throw err;
    }
    return this;
  }

  /** Plane replicas: every later batch is evaluated at θ0 + Σ coeffs[k]·d_k (messages keep their order). */
  moveTo(coeffs: readonly number[]): void {
    if (this.closed) throw new Error('BertWorkerPool was closed');
    if (this.busy) throw new Error('BertWorkerPool.moveTo during an evaluation');
    for (const w of this.workers) w.postMessage({ type: 'move', coeffs: [...coeffs] } satisfies ToWorker);
  }

  private fail(err: Error, worker: number): void {
    this.failure ??= err;
    this.isReady[worker] = false;
    this.hooks?.onError(err, worker, -1);
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
    const token = opts.token ?? CancelToken.none();
    const results: (Float32Array | undefined)[] = new Array(batches.length);
    const inflight = this.workers.map(() => 0);
    const split = [0, ...this.workers.map(() => 0)];
    let next = 0;
    let outstanding = 0;
    let localBusy = false;
    let done = 0;
    let stopped: Error | null = null;
    this.busy = true;
    opts.onProgress?.({ stage: 'loss', done: 0, total });
    try {
      await new Promise<void>((resolve, reject) => {
        let settled = false;
        const finishIfIdle = (): void => {
          if (
            settled ||
            outstanding > 0 ||
            localBusy ||
            (!stopped && done < total) ||
            (!stopped && next < batches.length)
          )
            return;
          settled = true;
          if (stopped) reject(stopped);
          else resolve();
        };
        const take = (): number | null => {
          if (!stopped && token.cancelled) {
            try {
              token.throwIfCancelled();
            } catch (err) {
              stopped = err as Error;
            }
          }
          return stopped || next >= batches.length ? null : next++;
        };
        const record = (index: number, logits: Float32Array): void => {
          results[index] = logits;
          done += batches[index].batch;
          opts.onProgress?.({ stage: 'loss', done, total });
        };
        // Breadth first: every ready worker gets a batch before any gets a second (2 batches, 2 workers: one each).
        const feed = (): void => {
          for (let depth = 1; depth <= DEPTH; depth++)
            for (let w = 0; w < this.workers.length; w++) {
              if (!this.isReady[w] || inflight[w] >= depth) continue;
              const index = take();
              if (index === null) return finishIfIdle();
              inflight[w]++;
              outstanding++;
              this.workers[w].postMessage({ type: 'batch', index, batch: batches[index] } satisfies ToWorker);
            }
        };
        this.hooks = {
          onReady: feed,
          onLogits: (w, index, logits) => {
            inflight[w]--;
            outstanding--;
            split[w + 1]++;
            record(index, logits);
            feed();
            finishIfIdle();
          },
          onError: (err, w, index) => {
            stopped ??= err;
            if (index >= 0) {
              inflight[w]--;
              outstanding--;
            } else {
              outstanding -= inflight[w]; // a dead worker's batches never come back
              inflight[w] = 0;
            }
            finishIfIdle();
          },
        };
        feed();
        const local = this.local;
        if (local) {
          void (async () => {
            for (let index = take(); index !== null; index = take()) {
              localBusy = true;
              try {
                record(index, await local.logits(batches[index]));
                split[0]++;
              } catch (err) {
                stopped ??= err as Error;
              } finally {
                localBusy = false;
              }
              feed();
              await new Promise<void>((r) => setImmediate(r)); // let worker messages in
            }
            finishIfIdle();
          })();
        }
        finishIfIdle();
      });
    } finally {
      this.hooks = null;
      this.busy = false;
      this.split = split;
    }
    const acc = new LossAccumulator(this.config, total, opts.keepLogits);
    batches.forEach((b, i) => acc.add(b, results[i]!));
    return acc.result();
  }

  /** Ends the workers and frees the local replica. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.local?.dispose();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
