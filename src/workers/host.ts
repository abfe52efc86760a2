/**
 * Worker side of the protocol: dispatches `run` messages to typed handlers, gives each job a
 * CancelToken that `cancel` messages trip, throttles progress to 10 Hz, transfers typed arrays in
 * results, and always answers each job exactly once. Port-agnostic, so unit tests drive it over a
 * MessageChannel in Node.
 */
import { CancelToken } from '../engine/util/cancel';
import { collectTransferables } from './transfer';
import { toWireError, type FromWorker, type JobMap, type JobSpec, type PortLike, type ToWorker } from './protocol';

/** What a handler gets besides its payload. */
export interface JobContext<Prog> {
  token: CancelToken;
  /** Reports progress; throttled to ≤ 10 Hz except the first and final reports. */
  progress(p: Prog): void;
}

/** Runs one job type: payload in, result out, progress through `ctx`. */
export type JobHandler<S extends JobSpec> = (
  payload: S['request'],
  ctx: JobContext<S['progress']>,
) => Promise<S['result']>;

export type JobHandlers<M extends JobMap> = { [K in keyof M]: JobHandler<M[K]> };

export interface HostOptions {
  /** Wraps every job (e.g. to wait for backend init, or fail it when the GPU device is lost). */
  around?: <T>(run: (token: CancelToken) => Promise<T>, token: CancelToken) => Promise<T>;
  /** Minimum milliseconds between progress messages of one job (default 100 = 10 Hz). */
  progressIntervalMs?: number;
}

/** A running host; `broadcast` sends an event to the client, `running` lists active job ids. */
export interface JobHost {
  broadcast(event: unknown): void;
  running(): number[];
  /** Trips the cancel token of every running job (e.g. when the device is lost). */
  cancelAll(reason: string): void;
}

/** Serves `handlers` on `port`. */
export function serveJobs<M extends JobMap>(
  port: PortLike,
  handlers: JobHandlers<M>,
  options: HostOptions = {},
): JobHost {
  const tokens = new Map<number, CancelToken>();
  const interval = options.progressIntervalMs ?? 100;
  const post = (msg: FromWorker, transfer: Transferable[] = []) => port.postMessage(msg, transfer);

  const onMessage = (event: MessageEvent) => {
    const msg = event.data as ToWorker;
    if (msg.kind === 'cancel') {
      tokens.get(msg.id)?.cancel(msg.reason);
      return;
    }
    if (msg.kind !== 'run') return;
    type AnyHandler = (payload: unknown, ctx: JobContext<unknown>) => Promise<unknown>;
    const table = handlers as unknown as Record<string, AnyHandler>;
    const handler = Object.hasOwn(table, msg.type) ? table[msg.type] : undefined;
    if (!handler) {
      post({ kind: 'error', id: msg.id, error: { name: 'Error', message: `unknown job type '${msg.type}'` } });
      return;
    }
    const token = new CancelToken();
    tokens.set(msg.id, token);
    let last = -Infinity;
    const ctx: JobContext<unknown> = {
      token,
      progress(p) {
        const t = performance.now();
        const final =
          typeof p === 'object' &&
          p !== null &&
          'done' in p &&
          'total' in p &&
          (p as { done: number }).done >= (p as { total: number }).total;
        if (token.cancelled || (!final && t - last < interval)) return;
        last = t;
        post({ kind: 'progress', id: msg.id, progress: p });
      },
    };
    const run = (tok: CancelToken) => handler(msg.payload, { ...ctx, token: tok });
    const job = options.around ? options.around(run, token) : run(token);
    job
      .then((result) => {
        token.throwIfCancelled();
        post({ kind: 'result', id: msg.id, result }, collectTransferables(result));
      })
      .catch((err: unknown) => {
        const wire = toWireError(
          token.cancelled && !(err instanceof Error && err.name === 'DeviceLostError')
            ? Object.assign(new Error(token.reason ?? 'cancelled'), { name: 'CancelledError' })
            : err,
        );
        post({ kind: 'error', id: msg.id, error: wire });
      })
      .finally(() => tokens.delete(msg.id));
  };

  port.addEventListener('message', onMessage);
  port.start?.();
  return {
    broadcast: (event) => post({ kind: 'event', event }),
    running: () => [...tokens.keys()],
    cancelAll: (reason) => tokens.forEach((t) => t.cancel(reason)),
  };
}
