/**
 * The System view's memory figures: the compute worker's tfjs memory (the `memory` job), the page's
 * own memory where the browser reports it, and browser storage (through browserStorage.ts). Refreshed
 * on request and, while the Memory card is shown, after the worker's jobs end — so the numbers follow
 * a checkpoint being opened or a surface finishing without polling.
 */
import { create } from 'zustand';
import type { WorkerMemory } from '../workers/contracts/system';
import { useBrowserStorage } from './browserStorage';
import { compute } from './compute';
import { IDLE, TaskRunner, type TaskState } from './task';

/** The page's memory, from whichever API this browser offers. */
export interface PageMemory {
  source: 'performance.measureUserAgentSpecificMemory' | 'performance.memory';
  /** Bytes used (all of the page's realms, or the main thread's JS heap for `performance.memory`). */
  bytes: number;
  /** The JS heap's limit (`performance.memory` only). */
  limit?: number;
}

export interface MemoryState {
  worker: TaskState<WorkerMemory, never>;
  /** Null when the browser reports neither API (or before the first refresh). */
  page: PageMemory | null;
  /** Reads every figure again. */
  refresh(): void;
  /** Keeps the figures fresh after jobs end until the returned function is called (the card's effect). */
  watch(): () => void;
}

type MeasurablePerformance = Performance & {
  measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }>;
  memory?: { usedJSHeapSize: number; jsHeapSizeLimit: number };
};

const MEASURE_TIMEOUT_MS = 5000;

/** The page's memory: the precise API where the page is cross-origin isolated, else Chromium's heap figures. */
async function pageMemory(): Promise<PageMemory | null> {
  if (typeof performance === 'undefined') return null;
  const perf = performance as MeasurablePerformance;
  if (perf.measureUserAgentSpecificMemory && globalThis.crossOriginIsolated) {
    try {
      const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), MEASURE_TIMEOUT_MS));
      const measured = await Promise.race([perf.measureUserAgentSpecificMemory(), timeout]);
      if (measured) return { source: 'performance.measureUserAgentSpecificMemory', bytes: measured.bytes };
    } catch {
      // fall through to performance.memory
    }
  }
  if (perf.memory && Number.isFinite(perf.memory.usedJSHeapSize))
    return { source: 'performance.memory', bytes: perf.memory.usedJSHeapSize, limit: perf.memory.jsHeapSizeLimit };
  return null;
}

const runner = new TaskRunner();
let watchers = 0;
let pending: ReturnType<typeof setTimeout> | null = null;

export const useMemory = create<MemoryState>((set) => ({
  worker: IDLE,
  page: null,

  refresh() {
    void runner.run<WorkerMemory, never>(
      'memory',
      (worker) => set({ worker }),
      () => compute.run('memory', {}),
    );
    void pageMemory().then((page) => set({ page }));
    void useBrowserStorage.getState().refresh();
  },

  watch() {
    watchers++;
    return () => {
      watchers--;
    };
  },
}));

// After the worker's other jobs end (and none is left running), refresh once, if the card is shown.
compute.onSettled((type) => {
  if (type === 'memory' || watchers === 0 || compute.inFlight > 0) return;
  if (pending) clearTimeout(pending);
  pending = setTimeout(() => {
    pending = null;
    if (watchers > 0) useMemory.getState().refresh();
  }, 250);
});
