/**
 * Progress reports for long jobs, in one shape for every analysis: the stage, units done of a total,
 * and — computed once, by {@link ProgressMeter} — the rate and the ETA. Reports are throttled to at
 * most 10 Hz for UIs (DESIGN.md) so the UI thread and the message channel never drown in updates;
 * the final report of a stage always goes through. viz/progressText.ts is the one place a report
 * becomes a line of text (the CLI's stderr, the app's status lines).
 */
import { now } from './cancel';

/** One progress report. `done`/`total` count units of the current stage (iterations, points…). */
export interface Progress {
  stage: string;
  done: number;
  /** 0 when the total is not known yet (counting a streamed corpus). */
  total: number;
  /** What `done` counts, plural ("points", "examples", "iterations"); default: none said. */
  unit?: string;
  /** Units per second since the stage began. */
  rate?: number;
  /** Seconds left at the current rate (NaN or absent when unknown). */
  etaSeconds?: number;
  /** Free-form figures for the UI (perplexity, the point just computed, …). */
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

/**
 * Counts finished units of one stage and reports done/total with rate and ETA. `offset` units were
 * done before this meter started (a resumed run): they count toward `done` but not toward the rate.
 */
export class ProgressMeter {
  private readonly start = now();
  private count = 0;

  constructor(
    private readonly stage: string,
    private readonly total: number,
    private readonly sink?: ProgressSink,
    private readonly unit?: string,
    private readonly offset = 0,
  ) {
    sink?.({ stage, done: offset, total, unit, rate: 0, etaSeconds: Number.NaN });
  }

  /** Marks `n` more units as done (default 1) and reports, with `detail` attached. */
  tick(detail?: Record<string, number | string>, n = 1): void {
    this.count += n;
    this.sink?.(this.report(detail));
  }

  /** The current report (without ticking). */
  report(detail?: Record<string, number | string>): Progress {
    const rate = this.rate;
    const left = this.total - this.offset - this.count;
    return {
      stage: this.stage,
      done: this.offset + this.count,
      total: this.total,
      unit: this.unit,
      rate,
      etaSeconds: rate > 0 ? Math.max(0, left) / rate : Number.NaN,
      ...(detail ? { detail } : {}),
    };
  }

  /** Units done by this meter (excluding the offset). */
  get done(): number {
    return this.count;
  }

  /** Units per second so far. */
  get rate(): number {
    const elapsed = (now() - this.start) / 1000;
    return elapsed > 0 ? this.count / elapsed : 0;
  }
}
