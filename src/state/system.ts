/**
 * System slice: which backend the compute worker runs on, the self-check, the throughput test and
 * the log of backend changes (device loss, fallback). Small serialisable view state only.
 */
import { create } from 'zustand';
import type { BackendReport } from '../engine/tensor/backend';
import type { SelfCheckResult, ThroughputResult } from '../engine/tensor/selfcheck';
import type { Progress } from '../engine/util/progress';
import type { ComputeEvent } from '../workers/computeJobs';
import { compute } from './compute';
import { IDLE, TaskRunner, type TaskState } from './task';

export interface SystemState {
  status: 'starting' | 'ready' | 'failed';
  backend: BackendReport | null;
  error: string | null;
  /** Human-readable log of backend changes, newest last. */
  events: string[];
  selfCheck: TaskState<SelfCheckResult, never>;
  throughput: TaskState<ThroughputResult, Progress>;
  runSelfCheck(): void;
  runThroughput(size: number, rounds: number): void;
  cancelThroughput(): void;
}

const runner = new TaskRunner();

export const useSystem = create<SystemState>((set) => ({
  status: 'starting',
  backend: null,
  error: null,
  events: [],
  selfCheck: IDLE,
  throughput: IDLE,

  runSelfCheck() {
    void runner.run<SelfCheckResult, never>(
      'selfCheck',
      (selfCheck) => set({ selfCheck }),
      () => compute.run('selfCheck', { size: 128 }),
    );
  },

  runThroughput(size, rounds) {
    void runner.run<ThroughputResult, Progress>(
      'throughput',
      (throughput) => set({ throughput }),
      (onProgress) => compute.run('throughput', { size, rounds }, { onProgress }),
    );
  },

  cancelThroughput() {
    runner.cancel('throughput');
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
