/**
 * Progress reports as text, the one place they are formatted: the CLI's stderr lines and the app's
 * status lines use these, so a rate or an ETA reads the same everywhere.
 */
import type { Progress } from '../engine/util/progress';

/** "12 s", "4.5 min", "2.1 h". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 90) return `${seconds.toFixed(0)} s`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** `3/11 points, 2.10 points/s, ETA 4 s`: the counts, rate and ETA of a report. */
export function progressCounts(p: Progress): string {
  const unit = p.unit ? ` ${p.unit}` : '';
  const count = p.total > 0 ? `${+p.done.toFixed(2)}/${p.total}${unit}` : `${p.done}${unit}`;
  const rate = p.rate !== undefined && p.rate > 0 ? `, ${p.rate.toFixed(2)}${unit || ' units'}/s` : '';
  const eta =
    p.etaSeconds !== undefined && Number.isFinite(p.etaSeconds) ? `, ETA ${formatDuration(p.etaSeconds)}` : '';
  return `${count}${rate}${eta}`;
}

/**
 * One line for a report: `label: 3/11 points, 2.10 points/s, ETA 4 s`, then any detail as
 * `key=value`. The label defaults to the stage.
 */
export function formatProgress(p: Progress, label = p.stage): string {
  const detail = p.detail
    ? ' ' +
      Object.entries(p.detail)
        .map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toPrecision(6) : v}`)
        .join(' ')
    : '';
  return `${label}: ${progressCounts(p)}${detail}`;
}
