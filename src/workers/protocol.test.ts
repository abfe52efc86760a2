// Worker protocol over a real MessageChannel: results with transferred arrays, progress, cancel
// that stops the work in the "worker", stale answers dropped, unknown jobs refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { initNodeBackend } from '../engine/node/backend';
import { matmulReference, maxAbsDiff } from '../engine/tensor/reference';
import { uniformArray } from '../engine/util/random';
import { yieldToEventLoop } from '../engine/util/cancel';
import { WorkerClient, isStopped } from './client';
import { serveJobs } from './host';
import { systemHandlers } from './jobs/system';
import type { SystemJobs } from './contracts/system';
import { fromWireError, toWireError, type JobSpec, type PortLike } from './protocol';
import { CheckpointError } from '../engine/bert/checkpoint';
import { isInputError } from '../engine/util/errors';

type TestJobs = SystemJobs & {
  /** Counts up to `n`, one step per macrotask, recording how far it really got. */
  count: JobSpec<{ n: number }, { reached: number }, { done: number; total: number }>;
  slowEcho: JobSpec<{ value: number; delayMs: number }, { value: number }, never>;
};

let reachedByJob = 0;
let host: ReturnType<typeof serveJobs<TestJobs>>;
let client: WorkerClient<TestJobs>;
let ports: MessagePort[] = [];

beforeAll(async () => {
  await initNodeBackend();
  const channel = new MessageChannel();
  ports = [channel.port1, channel.port2];
  host = serveJobs<TestJobs>(
    channel.port1 as unknown as PortLike,
    {
      ...systemHandlers,
      async count({ n }, ctx) {
        for (let i = 0; i < n; i++) {
          ctx.token.throwIfCancelled();
          reachedByJob = i + 1;
          ctx.progress({ done: i + 1, total: n });
          await yieldToEventLoop();
        }
        return { reached: n };
      },
      async slowEcho({ value, delayMs }) {
        await new Promise((r) => setTimeout(r, delayMs));
        return { value };
      },
    },
    { progressIntervalMs: 0 },
  );
  client = new WorkerClient<TestJobs>(channel.port2 as unknown as PortLike);
});

afterAll(() => ports.forEach((p) => p.close()));

describe('worker protocol', () => {
  it('computes a matmul that matches the float64 reference and transfers the result', async () => {
    const [m, k, n] = [17, 33, 9];
    const a = uniformArray(m * k, 3);
    const b = uniformArray(k * n, 4);
    const want = matmulReference(a, b, m, k, n);
    const { c, backend } = await client.run('matmul', { a: a.slice(), b: b.slice(), m, k, n });
    expect(backend).toBe('wasm');
    expect(c).toBeInstanceOf(Float32Array);
    expect(maxAbsDiff(c, want)).toBeLessThan(1e-4);
  });

  it('transfers payload arrays instead of copying them', async () => {
    const a = uniformArray(4, 1);
    const b = uniformArray(4, 2);
    const job = client.run('matmul', { a, b, m: 2, k: 2, n: 2 });
    expect(a.byteLength).toBe(0); // detached: ownership moved to the worker side
    await job;
  });

  it('cancel really stops the job: it rejects as cancelled and no further steps run', async () => {
    reachedByJob = 0;
    const seen: number[] = [];
    const job = client.run('count', { n: 100_000 }, { onProgress: (p) => seen.push(p.done) });
    while (seen.length < 5) await yieldToEventLoop();
    job.cancel();
    await expect(job).rejects.toMatchObject({ name: 'CancelledError' });
    const reachedAtCancel = reachedByJob;
    await new Promise((r) => setTimeout(r, 50));
    expect(reachedByJob).toBe(reachedAtCancel); // the loop stopped
    expect(reachedByJob).toBeLessThan(100_000);
    expect(host.running()).toEqual([]);
  });

  it('cancels a real tfjs throughput run through an AbortSignal and stays usable', async () => {
    const before = tf.memory().numTensors;
    const abort = new AbortController();
    let rounds = 0;
    const job = client.run(
      'throughput',
      { size: 64, rounds: 10_000 },
      {
        onProgress: (p) => {
          rounds = p.done;
          if (p.done >= 3) abort.abort();
        },
        signal: abort.signal,
      },
    );
    await expect(job).rejects.toSatisfy(isStopped);
    expect(rounds).toBeLessThan(10_000);
    expect(tf.memory().numTensors).toBe(before); // the cancelled job released its tensors
    const check = await client.run('selfCheck', { size: 32 });
    expect(check.ok).toBe(true);
  });

  it('drops stale answers: only the newest request of a channel resolves', async () => {
    const first = client.latest('word', 'slowEcho', { value: 1, delayMs: 40 });
    const second = client.latest('word', 'slowEcho', { value: 2, delayMs: 5 });
    await expect(first).rejects.toMatchObject({ name: 'SupersededError' });
    await expect(second).resolves.toEqual({ value: 2 });
    await new Promise((r) => setTimeout(r, 60)); // the first job's late answer arrives and is ignored
    expect(client.inFlight).toBe(0);
  });

  it('refuses an unknown job type, and prototype names are not job types', async () => {
    const run = client.run as unknown as (type: string, payload: unknown) => Promise<unknown>;
    await expect(run.call(client, 'nope', {})).rejects.toThrow(/unknown job type 'nope'/);
    await expect(run.call(client, 'toString', {})).rejects.toThrow(/unknown job type 'toString'/);
  });
});

describe('errors on the wire', () => {
  it('survives a worker boundary with its name, and a bug stays a bug', () => {
    const back = fromWireError(toWireError(new CheckpointError('bad tensor')));
    expect(isInputError(back)).toBe(true);
    expect(back.name).toBe('CheckpointError');
    expect(back.message).toBe('bad tensor');
    const bug = fromWireError(toWireError(new RangeError('Invalid array length')));
    expect(isInputError(bug)).toBe(false);
    expect(bug.name).toBe('RangeError');
  });
});
