/**
 * System slice: which backend the compute worker runs on, the self-check, the throughput test and
 * the log of backend changes (device loss, fallback). Small serialisable view state only.
 */
import { create } from 'zustand';
import type { BackendReport } from '../engine/tensor/backend';
import type { SelfCheckResult, ThroughputResult } from '../engine/tensor/selfcheck';
import type { Progress } from '../engine/util/progress';
import { isStopped, type JobHandle } from '../workers/client';
import type { ComputeEvent } from '../workers/computeJobs';
import { compute } from './compute';

export type TaskState<R, P = never> =
  | { state: 'idle' }
  | { state: 'running'; progress?: P }
  | { state: 'done'; result: R }
  | { state: 'cancelled' }
  | { state: 'failed'; error: string };

export interface SystemState {
  status: 'starting' | 'ready' | 'failed';
  backend: BackendReport | null;
  error: string | null;
  /** Human-readable log of backend changes, newest last. */
  events: string[];
  selfCheck: TaskState<SelfCheckResult>;
  throughput: TaskState<ThroughputResult, Progress>;
  runSelfCheck(): void;
  runThroughput(size: number, rounds: number): void;
  cancelThroughput(): void;
}

let throughputJob: JobHandle<ThroughputResult> | null = null;

export const useSystem = create<SystemState>((set, get) => ({
  status: 'starting',
  backend: null,
  error: null,
  events: [],
  selfCheck: { state: 'idle' },
  throughput: { state: 'idle' },

  runSelfCheck() {
    set({ selfCheck: { state: 'running' } });
    compute.latest('selfCheck', 'selfCheck', { size: 128 }).then(
      (result) => set({ selfCheck: { state: 'done', result } }),
      (err: Error) => {
        if (err.name !== 'SupersededError') set({ selfCheck: { state: 'failed', error: err.message } });
      },
    );
  },

  runThroughput(size, rounds) {
    get().cancelThroughput();
    set({ throughput: { state: 'running' } });
    const job = compute.run(
      'throughput',
      { size, rounds },
      { onProgress: (progress) => set({ throughput: { state: 'running', progress } }) },
    );
    throughputJob = job;
    job.then(
      (result) => set({ throughput: { state: 'done', result } }),
      (err: Error) => {
        if (throughputJob !== job) return;
        set({ throughput: isStopped(err) ? { state: 'cancelled' } : { state: 'failed', error: err.message } });
      },
    );
  },

  cancelThroughput() {
    throughputJob?.cancel('cancelled by the user');
  },
}));

compute.onEvent((raw) => {
  const event = raw as ComputeEvent;
  const time = new Date().toLocaleTimeString();
  if (event.type === 'backend') {
    useSystem.setState((s) => ({
      status: 'ready',
      backend: event.report,
      error: null,
      events: event.reason
        ? [...s.events, `${time} ${event.reason}: now computing on ${event.report.backend}`]
        : s.events,
    }));
    useSystem.getState().runSelfCheck();
  } else {
    useSystem.setState((s) => ({
      status: 'failed',
      error: event.message,
      events: [...s.events, `${time} ${event.message}`],
    }));
  }
});
