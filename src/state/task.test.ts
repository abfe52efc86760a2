import { describe, expect, it } from 'vitest';
import type { JobHandle } from '../workers/client';
import { chainJobs, deferJob, TaskRunner, type TaskState } from './task';

/** A job the test resolves, rejects or watches being cancelled. */
function fakeJob<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const cancelled: string[] = [];
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const job: JobHandle<T> = Object.assign(promise, {
    id: 1,
    cancel(reason = 'cancelled') {
      cancelled.push(reason);
      reject(Object.assign(new Error(reason), { name: 'CancelledError' }));
    },
  });
  return { job, resolve, reject, cancelled };
}

describe('TaskRunner', () => {
  it('mirrors progress, the partial result and the result into the state', async () => {
    const runner = new TaskRunner();
    const states: TaskState<number[], { done: number }>[] = [];
    const f = fakeJob<number[]>();
    let report!: (p: { done: number }) => void;
    const done = runner.run<number[], { done: number }>(
      'k',
      (t) => states.push(t),
      (onProgress) => {
        report = onProgress;
        return f.job;
      },
      { partial: (p) => Array.from({ length: p.done }, () => 0) },
    );
    report({ done: 2 });
    f.resolve([1, 2, 3]);
    expect(await done).toEqual([1, 2, 3]);
    expect(states.map((s) => s.state)).toEqual(['running', 'running', 'done']);
    expect(states[1].result).toEqual([0, 0]);
    expect(states[2].progress).toEqual({ done: 2 });
  });

  it('the newest task of a key wins: the older is cancelled and its late answer dropped', async () => {
    const runner = new TaskRunner();
    const states: TaskState<string, never>[] = [];
    const a = fakeJob<string>();
    const b = fakeJob<string>();
    const first = runner.run<string, never>(
      'k',
      (t) => states.push(t),
      () => a.job,
    );
    const second = runner.run<string, never>(
      'k',
      (t) => states.push(t),
      () => b.job,
    );
    expect(a.cancelled).toEqual(['superseded']);
    b.resolve('b');
    expect(await first).toBeUndefined();
    expect(await second).toBe('b');
    expect(states[states.length - 1]).toMatchObject({ state: 'done', result: 'b' });
    expect(states.filter((s) => s.state === 'cancelled')).toEqual([]);
  });

  it('cancel and failure end in their own states', async () => {
    const runner = new TaskRunner();
    let last: TaskState<string, never> | undefined;
    const a = fakeJob<string>();
    const p = runner.run<string, never>(
      'k',
      (t) => (last = t),
      () => a.job,
    );
    runner.cancel('k');
    await p;
    expect(last?.state).toBe('cancelled');
    const b = fakeJob<string>();
    const q = runner.run<string, never>(
      'k',
      (t) => (last = t),
      () => b.job,
    );
    b.reject(new Error('bad file'));
    await q;
    expect(last).toMatchObject({ state: 'failed', error: 'bad file' });
  });
});

describe('composite jobs', () => {
  it('chainJobs runs steps in order with the earlier results, and cancel stops the rest', async () => {
    const steps = [fakeJob<number>(), fakeJob<number>(), fakeJob<number>()];
    const seen: number[][] = [];
    const chain = chainJobs<number>(3, (k, previous) => {
      seen.push([...previous]);
      return steps[k].job;
    });
    steps[0].resolve(10);
    await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
    chain.cancel('stop');
    await expect(chain).rejects.toThrow('stop');
    expect(steps[1].cancelled).toEqual(['stop']);
    expect(seen).toEqual([[], [10]]);
  });

  it('deferJob never starts a job cancelled while its inputs load', async () => {
    let started = false;
    let release!: (v: number) => void;
    const job = deferJob(new Promise<number>((r) => (release = r)), () => {
      started = true;
      return fakeJob<number>().job;
    });
    job.cancel('early');
    release(1);
    await expect(job).rejects.toThrow('early');
    expect(started).toBe(false);
  });
});
