/**
 * UI side of the protocol: a typed client that runs jobs on a worker, forwards progress, cancels
 * through an AbortSignal or the returned handle, and — for views that only care about the newest
 * request (a word being typed, a grid being dragged) — supersedes older requests on a channel:
 * the older job is cancelled in the worker and its late answer is dropped.
 */
import { collectTransferables } from './transfer';
import { fromWireError, type FromWorker, type JobMap, type PortLike } from './protocol';

/** Rejection reason of a request replaced by a newer one on the same channel. */
export class SupersededError extends Error {
  constructor() {
    super('superseded by a newer request');
    this.name = 'SupersededError';
  }
}

/** True when a job ended because it was cancelled or superseded (not a failure to show the user). */
export function isStopped(err: unknown): boolean {
  return err instanceof Error && (err.name === 'CancelledError' || err.name === 'SupersededError');
}

export interface RunOptions<Prog> {
  onProgress?: (p: Prog) => void;
  signal?: AbortSignal;
}

/** A running job: a promise for its result plus a cancel handle. */
export interface JobHandle<Res> extends Promise<Res> {
  id: number;
  cancel(reason?: string): void;
}

interface Pending {
  type: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
  onProgress?: (p: unknown) => void;
}

export class WorkerClient<M extends JobMap> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly channels = new Map<string, JobHandle<unknown>>();
  private readonly eventListeners = new Set<(event: unknown) => void>();
  private readonly settledListeners = new Set<(type: string) => void>();

  constructor(private readonly port: PortLike) {
    port.addEventListener('message', (e: MessageEvent) => this.onMessage(e.data as FromWorker));
    port.start?.();
  }

  /** Runs a job; the payload's typed arrays are transferred (the caller must not use them after). */
  run<K extends keyof M & string>(
    type: K,
    payload: M[K]['request'],
    options: RunOptions<M[K]['progress']> = {},
  ): JobHandle<M[K]['result']> {
    const id = this.nextId++;
    let cancel: (reason?: string) => void = () => {};
    const promise = new Promise<M[K]['result']>((resolve, reject) => {
      this.pending.set(id, {
        type,
        resolve: resolve as (v: unknown) => void,
        reject,
        onProgress: options.onProgress as ((p: unknown) => void) | undefined,
      });
      cancel = (reason = 'cancelled') => {
        if (!this.pending.has(id)) return;
        this.port.postMessage({ kind: 'cancel', id, reason });
      };
      if (options.signal) {
        if (options.signal.aborted) cancel();
        else options.signal.addEventListener('abort', () => cancel(), { once: true });
      }
      this.port.postMessage({ kind: 'run', id, type, payload }, collectTransferables(payload));
    });
    return Object.assign(promise, { id, cancel });
  }

  /**
   * Runs a job as the newest request of `channel`: the previous request on the channel is cancelled
   * in the worker and rejects with {@link SupersededError}, even if its answer arrives later.
   */
  latest<K extends keyof M & string>(
    channel: string,
    type: K,
    payload: M[K]['request'],
    options: RunOptions<M[K]['progress']> = {},
  ): JobHandle<M[K]['result']> {
    const previous = this.channels.get(channel);
    if (previous) {
      const p = this.pending.get(previous.id);
      this.pending.delete(previous.id);
      this.port.postMessage({ kind: 'cancel', id: previous.id, reason: 'superseded' });
      p?.reject(new SupersededError());
    }
    const handle = this.run(type, payload, options);
    this.channels.set(channel, handle as JobHandle<unknown>);
    const clear = () => {
      if (this.channels.get(channel) === (handle as JobHandle<unknown>)) this.channels.delete(channel);
    };
    handle.then(clear, clear);
    return handle;
  }

  /** Subscribes to worker events (backend changes, device loss); returns an unsubscribe function. */
  onEvent(listener: (event: unknown) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Subscribes to jobs ending (answered, failed or cancelled), with the job's type; returns an unsubscribe. */
  onSettled(listener: (type: string) => void): () => void {
    this.settledListeners.add(listener);
    return () => this.settledListeners.delete(listener);
  }

  /** Number of jobs awaiting an answer. */
  get inFlight(): number {
    return this.pending.size;
  }

  private onMessage(msg: FromWorker): void {
    if (msg.kind === 'event') {
      this.eventListeners.forEach((l) => l(msg.event));
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return; // stale: superseded or already settled
    if (msg.kind === 'progress') {
      p.onProgress?.(msg.progress);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.kind === 'result') p.resolve(msg.result);
    else p.reject(fromWireError(msg.error));
    this.settledListeners.forEach((l) => l(p.type));
  }
}
