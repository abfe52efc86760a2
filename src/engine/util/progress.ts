/**
 * Progress reports for long jobs, throttled to at most 10 Hz (DESIGN.md) so the UI thread and the
 * message channel never drown in updates. The final report of a stage always goes through.
 */
import { now } from './cancel';

/** One progress report. `done`/`total` count units of the current stage (iterations, points…). */
export interface Progress {
  stage: string;
  done: number;
  total: number;
  /** Free-form figures for the UI (perplexity, points per second, …). */
  detail?: Record<string, number | string>;
}

export type ProgressSink = (p: Progress) => void;

/** Wraps `sink` so that reports arrive at most every `minIntervalMs` (default 100 ms = 10 Hz). */
export function throttleProgress(sink: ProgressSink, minIntervalMs = 100): ProgressSink {
  let last = -Infinity;
  let lastStage = '';
  return (p) => {
    const t = now();
    const stageChanged = p.stage !== lastStage;
    const finished = p.total > 0 && p.done >= p.total;
    if (stageChanged || finished || t - last >= minIntervalMs) {
      last = t;
      lastStage = p.stage;
      sink(p);
    }
  };
}
