/**
 * Node-only data parallelism for BERT gradients (fine-tuning's updates) and Hessian-vector products
 * (`landscape hessian`): N replicas — N − 1
 * `worker_threads` (gradWorker.ts), each with its own tfjs WASM backend, plus the calling thread.
 * Every micro-batch of an update is split by rows into N contiguous parts; replica p computes the
 * gradient of (Σ its rows' losses) / (the update's examples) — grad.ts's `gradient` with `total` —
 * and the parts are summed on this thread in replica order (this thread's, then worker 1's, …), so
 * the result is the whole update's gradient up to float32 summation order, and the same on every run
 * with the same thread count.
 *
 * What crosses threads, per update: the parameters, written once by this thread into one
 * SharedArrayBuffer all workers read; each worker's gradient, written into its own SharedArrayBuffer;
 * the batches' token ids and the loss shares as messages. For the 4 × 256 bench model (11.2M
 * parameters) that is ~45 MB each way, a few tens of ms against a step of ~1.7 s on one thread.
 *
 * Dropout: a replica's part of micro-batch i draws its masks from seeds derived from the update's own
 * seed sequence (`opts.dropout(i)`) and its part index, so runs are reproducible for a given thread
 * count; with dropout on, N threads and one thread draw different (equally valid) masks.
 *
 * Why: tfjs-backend-wasm never uses its threaded build under Node (see bertParallel.ts), so one tfjs
 * backend computes on one core; PyTorch's CPU training uses every core.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Worker } from 'node:worker_threads';
import type { BertConfig } from '../bert/config';
import { sliceBatch, type EncodedBatch } from '../bert/data';
import {
  gradient,
  hessianVectorProduct,
  type GradientFn,
  type GradientResult,
  type HvpFn,
  type ParamPoint,
} from '../bert/grad';
import type { Dropout } from '../bert/gradForward';
import { mixSeed } from '../bert/finetune/plan';
import { accumulateInto, addIntoView } from '../tensor/accumulate';
import { afterWrite, hostView } from '../tensor/inPlace';
import { asInputError } from '../util/errors';
import { BOOTSTRAP, workerEntry } from './bertWorkerEntry';

/** What a gradient worker is started with (structured-cloned; the buffers are shared, not copied). */
export interface GradWorkerInit {
  config: BertConfig;
  /** Each parameter's place in `params` and `grads`, in float32 elements, in the point's order. */
  layout: { name: string; shape: number[]; offset: number; length: number }[];
  params: SharedArrayBuffer;
  grads: SharedArrayBuffer;
}

type Rates = Omit<Dropout, 'nextSeed'>;

export type ToGradWorker =
  | {
      type: 'grad';
      id: number;
      batches: EncodedBatch[];
      total: number;
      /** Per batch, the site seeds of this replica's part; null in eval mode. */
      dropout: { rates: Rates; seeds: number[][] } | null;
    }
  | {
      type: 'hvp';
      id: number;
      batches: EncodedBatch[];
      total: number;
      /** The vector v in the parameters' layout (shared, made on the first H·v request). */
      vec: SharedArrayBuffer;
    }
  | { type: 'close' };

export type FromGradWorker =
  | { type: 'ready'; backend: string }
  | { type: 'grad'; id: number; loss: number; examples: number }
  | { type: 'error'; id: number; message: string; name: string; input?: boolean };

/** Dropout sites in one forward pass of gradForward.ts: embeddings, 3 per layer, the classifier input. */
const sitesOf = (config: BertConfig): number => 2 + 3 * config.numHiddenLayers;

/** Part `part`'s dropout for a micro-batch: site k's seed is mixSeed(base, part, k), base from the update's sequence. */
function partSeeds(d: Dropout, parts: number, config: BertConfig): number[][] {
  const base = d.nextSeed();
  return Array.from({ length: parts }, (_, p) =>
    Array.from({ length: sitesOf(config) }, (_, k) => mixSeed(base, p + 1, k)),
  );
}

/** Replica p's rows of batch b among n replicas: [floor(p·B/n), floor((p+1)·B/n)). */
function rowRange(b: EncodedBatch, p: number, n: number): [number, number] {
  return [Math.floor((p * b.batch) / n), Math.floor(((p + 1) * b.batch) / n)];
}
function rowsOf(b: EncodedBatch, p: number, n: number): number {
  const [start, end] = rowRange(b, p, n);
  return end - start;
}

/** A dropout that takes its site seeds from a list made by {@link GradientPool} (this thread's part and each worker's). */
export function listedDropout(rates: Rates, seeds: number[]): Dropout {
  let k = 0;
  return {
    ...rates,
    nextSeed: () => {
      if (k >= seeds.length)
        throw new Error(`gradient replica: more dropout sites than the ${seeds.length} seeds sent`);
      return seeds[k++];
    },
  };
}

interface Pending {
  resolve(r: { loss: number; examples: number }): void;
  reject(e: Error): void;
}

/**
 * A pool of gradient replicas for one model shape (names and shapes fixed at start). `gradient` has
 * grad.ts's {@link GradientFn} contract; call {@link close} when done.
 */
export class GradientPool {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;
  private closing = false;
  private readonly paramsView: Float32Array;
  private readonly gradViews: Float32Array[];
  private vecView: Float32Array | null = null;

  private constructor(
    private readonly workers: Worker[],
    private readonly init: Omit<GradWorkerInit, 'grads'>,
    grads: SharedArrayBuffer[],
    private readonly ready: Promise<void>,
  ) {
    this.paramsView = new Float32Array(init.params);
    this.gradViews = grads.map((g) => new Float32Array(g));
  }

  /** Replicas: the worker threads and this thread. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /** Starts `threads − 1` workers for parameters named `names` with `shapes` (PyTorch layouts, float32). */
  static start(
    config: BertConfig,
    names: readonly string[],
    shapes: readonly number[][],
    threads: number,
  ): GradientPool {
    let total = 0;
    const layout = names.map((name, i) => {
      const length = shapes[i].reduce((a, b) => a * b, 1);
      const e = { name, shape: [...shapes[i]], offset: total, length };
      total += length;
      return e;
    });
    const params = new SharedArrayBuffer(total * 4);
    const grads = Array.from({ length: Math.max(0, threads - 1) }, () => new SharedArrayBuffer(total * 4));
    const { entry, tsx } = workerEntry('gradWorker');
    const workers = grads.map(
      (g) =>
        new Worker(BOOTSTRAP, {
          eval: true,
          workerData: { config, layout, params, grads: g, entry, tsx } satisfies GradWorkerInit &
            ReturnType<typeof workerEntry>,
        }),
    );
    let pool: GradientPool | null = null;
    const ready = Promise.all(
      workers.map(
        (w, i) =>
          new Promise<void>((resolve, reject) => {
            w.on('message', (m: FromGradWorker & { index?: number }) => {
              if (m.type === 'ready') resolve();
              else if (m.type === 'grad') pool?.settle(m.id, null, m);
              else {
                const err = m.input
                  ? asInputError(m.name, m.message)
                  : new Error(`gradient worker ${i + 1}: ${m.message}`);
                const id = m.id ?? m.index ?? -1;
                if (id < 0) {
                  pool?.fail(err);
                  reject(err);
                } else pool?.settle(id, err, null);
              }
            });
            w.on('error', (e) => {
              const err = new Error(`gradient worker ${i + 1} failed: ${e.message}`);
              pool?.fail(err);
              reject(err);
            });
            w.on('exit', (code) => {
              if (pool?.closing) return;
              const err = new Error(`gradient worker ${i + 1} exited with code ${code}`);
              pool?.fail(err);
              reject(err);
            });
          }),
      ),
    ).then(() => undefined);
    ready.catch(() => undefined); // surfaced by gradient()
    pool = new GradientPool(workers, { config, layout, params }, grads, ready);
    return pool;
  }

  private settle(id: number, err: Error | null, r: { loss: number; examples: number } | null): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (err) p.reject(err);
    else p.resolve(r!);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(err);
    }
  }

  /** {@link GradientFn} over every replica (see the header). */
  readonly gradient: GradientFn = async (point, batches, opts = {}) => {
    const n = this.threads;
    const total = opts.total ?? batches.reduce((a, b) => a + b.batch, 0);
    const seeds: number[][][] = Array.from({ length: n }, () => []);
    const rates: Rates[] = [];
    batches.forEach((b, i) => {
      const d = opts.dropout?.(i);
      if (!d) return;
      rates.push({ hidden: d.hidden, attention: d.attention, classifier: d.classifier });
      const s = partSeeds(d, n, point.config);
      for (let p = 0; p < n; p++) if (rowsOf(b, p, n) > 0) seeds[p].push(s[p]);
    });
    const withDropout = rates.length > 0;
    return this.dispatch(
      point,
      batches,
      (id, mine, k) => ({
        type: 'grad',
        id,
        batches: mine,
        total,
        dropout: withDropout ? { rates: rates[0], seeds: seeds[k] } : null,
      }),
      (mine) =>
        gradient(point, mine, {
          token: opts.token,
          total,
          dropout: withDropout ? (i) => listedDropout(rates[0], seeds[0][i]) : undefined,
        }),
    );
  };

  /** {@link HvpFn} over every replica: H·v of the mean loss, each replica's rows' share summed as for the gradient. */
  readonly hvp: HvpFn = async (point, batches, v, opts = {}) => {
    const total = opts.total ?? batches.reduce((a, b) => a + b.batch, 0);
    this.vecView ??= new Float32Array(new SharedArrayBuffer(this.paramsView.byteLength));
    const vec = this.vecView;
    for (const [i, e] of this.init.layout.entries()) {
      if (v[i].size !== e.length)
        throw new Error(`gradient pool: v.${e.name} has ${v[i].size} values, expected ${e.length}`);
      vec.set((await v[i].data()) as Float32Array, e.offset);
    }
    const r = await this.dispatch(
      point,
      batches,
      (id, mine) => ({ type: 'hvp', id, batches: mine, total, vec: vec.buffer as SharedArrayBuffer }),
      async (mine) => ({
        loss: 0,
        examples: mine.reduce((a, b) => a + b.batch, 0),
        grads: await hessianVectorProduct(point, mine, v, { token: opts.token, total }),
      }),
    );
    return r.grads;
  };

  /**
   * Splits every batch by rows over the replicas, sends each worker its part (`message`), computes this
   * thread's (`local`) meanwhile, and sums the parts in replica order. The first call does not wait for
   * the workers to start: they take their messages once up (a failed start rejects them), and this
   * thread computes its part while they load.
   */
  private async dispatch(
    point: ParamPoint,
    batches: readonly EncodedBatch[],
    message: (id: number, mine: EncodedBatch[], replica: number) => ToGradWorker,
    local: (mine: EncodedBatch[]) => Promise<GradientResult>,
  ): Promise<GradientResult> {
    if (this.failure) throw this.failure;
    const n = this.threads;
    const parts: EncodedBatch[][] = Array.from({ length: n }, (_, p) =>
      batches.filter((b) => rowsOf(b, p, n) > 0).map((b) => sliceBatch(b, ...rowRange(b, p, n))),
    );
    await this.writeParams(point);
    const shares = this.workers.map((w, k) => {
      const mine = parts[k + 1];
      if (mine.length === 0) return Promise.resolve(null);
      const id = this.nextId++;
      const done = new Promise<{ loss: number; examples: number }>((resolve, reject) =>
        this.pending.set(id, { resolve, reject }),
      );
      w.postMessage(message(id, mine, k + 1));
      return done;
    });
    shares.forEach((s) => s?.catch(() => undefined)); // awaited below; do not leave a rejection unhandled meanwhile
    let mine: GradientResult | null = null;
    try {
      if (parts[0].length > 0) mine = await local(parts[0]);
      await this.ready;
      const results = await Promise.all(shares);
      const sum = this.sum(point, mine, results);
      mine = null; // its gradients are the sum's now
      return sum;
    } catch (err) {
      await Promise.allSettled(shares);
      throw err;
    } finally {
      if (mine) tf.dispose(mine.grads);
    }
  }

  /** The parameters into the shared buffer the workers read. */
  private async writeParams(point: ParamPoint): Promise<void> {
    for (const [i, e] of this.init.layout.entries()) {
      const t = point.tensors[i];
      if (t.size !== e.length)
        throw new Error(`gradient pool: parameter ${e.name} has ${t.size} values, expected ${e.length}`);
      this.paramsView.set(hostView(t) ?? ((await t.data()) as Float32Array), e.offset);
    }
  }

  /**
   * This thread's part plus each worker's, added in replica order. Takes over `local`'s gradients: on
   * WASM/CPU the workers' parts are added into them in place (tensor/accumulate.ts), so the sum costs
   * no parameter-sized allocation; elsewhere they are replaced by new kept tensors.
   */
  private sum(
    point: ParamPoint,
    local: GradientResult | null,
    results: ({ loss: number; examples: number } | null)[],
  ): GradientResult {
    let loss = local?.loss ?? 0;
    let examples = local?.examples ?? 0;
    let grads = local?.grads ?? [];
    results.forEach((r, k) => {
      if (!r) return;
      loss += r.loss;
      examples += r.examples;
      if (grads.length > 0 && grads.every((g) => hostView(g) !== null)) {
        for (const [i, e] of this.init.layout.entries())
          addIntoView(hostView(grads[i])!, this.gradViews[k].subarray(e.offset, e.offset + e.length));
        grads.forEach(afterWrite);
        return;
      }
      // Uploads copy the worker's part: the CPU backend would keep a view, which the workers rewrite.
      const part = this.init.layout.map((e) =>
        tf.keep(tf.tensor(this.gradViews[k].slice(e.offset, e.offset + e.length), e.shape, 'float32')),
      );
      grads = accumulateInto(grads, part);
    });
    if (grads.length === 0) grads = point.tensors.map((t) => tf.keep(tf.zeros(t.shape)));
    return { loss, examples, grads };
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    this.closing = true;
    for (const w of this.workers) w.postMessage({ type: 'close' } satisfies ToGradWorker);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
