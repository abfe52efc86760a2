/**
 * Progress for point-by-point analyses: points done, points per second and ETA, reported through a
 * {@link ProgressSink} (throttle it with `throttleProgress` for UIs).
 */
import { now } from '../util/cancel';
import type { ProgressSink } from '../util/progress';

/** Counts finished points and reports rate and ETA. */
export class PointMeter {
  private readonly start = now();
  private doneCount = 0;

  constructor(
    private readonly stage: string,
    private readonly total: number,
    private readonly sink?: ProgressSink,
  ) {
    sink?.({ stage, done: 0, total, detail: { pointsPerSecond: 0, etaSeconds: Number.NaN } });
  }

  /** Marks one more point as done and reports. */
  tick(extra?: Record<string, number | string>): void {
    this.doneCount++;
    if (!this.sink) return;
    const elapsed = (now() - this.start) / 1000;
    const rate = elapsed > 0 ? this.doneCount / elapsed : 0;
    const eta = rate > 0 ? (this.total - this.doneCount) / rate : Number.NaN;
    this.sink({
      stage: this.stage,
      done: this.doneCount,
      total: this.total,
      detail: { pointsPerSecond: rate, etaSeconds: eta, ...extra },
    });
  }

  get done(): number {
    return this.doneCount;
  }

  /** Points per second so far. */
  get rate(): number {
    const elapsed = (now() - this.start) / 1000;
    return elapsed > 0 ? this.doneCount / elapsed : 0;
  }
}
