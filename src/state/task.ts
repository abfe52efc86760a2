/**
 * One task state for every long computation the app runs (a curve, a surface, a training, an
 * evaluation), and one runner that starts them: each task has a key, and starting a task cancels the
 * previous task of the same key in the worker and drops its late answers (newest request wins). The
 * runner is the only place that holds job handles; slices hold the small, serialisable state.
 */
import type { Progress } from '../engine/util/progress';
import { isStopped, type JobHandle } from '../workers/client';

interface TaskFields<R, P> {
  /** While running, the partial result so far (when the job streams one); kept after cancel or failure. */
  result?: R;
  /** The latest progress report while running (and kept after it ends). */
  progress?: P;
  error?: string;
  /** Epoch ms when the task started. */
  startedAt?: number;
}

/** A task's state; `done` always carries its result. */
export type TaskState<R, P = Progress> =
  | (TaskFields<R, P> & { state: 'idle' | 'running' | 'cancelled' | 'failed' })
  | (TaskFields<R, P> & { state: 'done'; result: R });

export const IDLE: TaskState<never, never> = { state: 'idle' };

/** The message of an error, for display. */
export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export interface TaskHooks<R, P> {
  /** The partial result a progress report carries (shown while running). */
  partial?: (p: P) => R | undefined;
  /** Runs after the result is shown (persist it, derive more state). */
  done?: (result: R) => void | Promise<void>;
  /** Kept in the state while running and after (e.g. the result of earlier steps). */
  initial?: TaskFields<R, P>;
}

export class TaskRunner {
  private readonly handles = new Map<string, JobHandle<unknown>>();

  /**
   * Starts `start()` as the newest task of `key` and mirrors it into `update`: running (with progress
   * and the partial result), then done, cancelled or failed. A superseded task updates nothing more.
   * Resolves with the result, or undefined when the task did not finish (the error is in the state).
   */
  run<R, P>(
    key: string,
    update: (t: TaskState<R, P>) => void,
    start: (onProgress: (p: P) => void) => JobHandle<R>,
    hooks: TaskHooks<R, P> = {},
  ): Promise<R | undefined> {
    this.handles.get(key)?.cancel('superseded');
    const startedAt = Date.now();
    let current = { ...hooks.initial, state: 'running', startedAt } as TaskState<R, P>;
    const live = () => this.handles.get(key) === job;
    const put = (t: TaskState<R, P>) => {
      if (!live()) return;
      current = t;
      update(t);
    };
    update(current);
    const job: JobHandle<R> = start((progress) =>
      put({ ...current, state: 'running', progress, result: hooks.partial?.(progress) ?? current.result } as TaskState<
        R,
        P
      >),
    );
    this.handles.set(key, job as JobHandle<unknown>);
    return job.then(
      async (result) => {
        put({ ...current, state: 'done', result } as TaskState<R, P>);
        if (live()) {
          this.handles.delete(key);
          await hooks.done?.(result);
        }
        return result;
      },
      (err: unknown) => {
        put({
          ...current,
          ...(isStopped(err) ? { state: 'cancelled' } : { state: 'failed', error: messageOf(err) }),
        } as TaskState<R, P>);
        if (live()) this.handles.delete(key);
        return undefined;
      },
    );
  }

  /** Cancels the running task of `key`, if any (its state becomes 'cancelled'). */
  cancel(key: string, reason = 'cancelled by the user'): void {
    this.handles.get(key)?.cancel(reason);
  }

  /** True while a task of `key` runs. */
  running(key: string): boolean {
    return this.handles.has(key);
  }
}

/**
 * A job made of other jobs: `body` starts each through `start`, which refuses (a CancelledError) once
 * the whole job is cancelled; cancelling it also cancels the step in flight.
 */
function compositeJob<T>(body: (start: <U>(step: () => JobHandle<U>) => JobHandle<U>) => Promise<T>): JobHandle<T> {
  let current: JobHandle<unknown> | null = null;
  let stopped: string | null = null;
  const start = <U>(step: () => JobHandle<U>): JobHandle<U> => {
    if (stopped !== null) throw Object.assign(new Error(stopped), { name: 'CancelledError' });
    const job = step();
    current = job as JobHandle<unknown>;
    return job;
  };
  return Object.assign(body(start), {
    id: -1,
    cancel(reason = 'cancelled') {
      stopped = reason;
      current?.cancel(reason);
    },
  });
}

/**
 * Runs `count` jobs one after another as one job: step k starts with the results of the steps
 * before it, and the job resolves with all results in order.
 */
export function chainJobs<T>(
  count: number,
  startStep: (k: number, previous: readonly T[]) => JobHandle<T>,
): JobHandle<T[]> {
  return compositeJob(async (start) => {
    const out: T[] = [];
    for (let k = 0; k < count; k++) out.push(await start(() => startStep(k, out)));
    return out;
  });
}

/** A job that starts once `inputs` resolve (e.g. files still being fetched); cancelled before, it never starts. */
export function deferJob<I, R>(inputs: Promise<I>, startJob: (inputs: I) => JobHandle<R>): JobHandle<R> {
  return compositeJob(async (start) => {
    const ready = await inputs;
    return start(() => startJob(ready));
  });
}

/** The same job with its result mapped through `f` (cancel passes through). */
export function mapJob<T, U>(job: JobHandle<T>, f: (t: T) => U): JobHandle<U> {
  return Object.assign(job.then(f), { id: job.id, cancel: (reason?: string) => job.cancel(reason) });
}
