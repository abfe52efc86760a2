/**
 * Rank correlations for the flatness table: Spearman's ρ (eval/stats.ts, average ranks for ties) and
 * Kendall's τ-b (ties in either variable corrected, as scipy.stats.kendalltau's default), O(n²) —
 * n is a handful of checkpoints.
 */
import { spearman } from '../eval/stats';

export { spearman };

/** Kendall's τ-b of x and y (NaN when either is constant or n < 2). */
export function kendallTauB(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let concordant = 0;
  let discordant = 0;
  let tiesX = 0;
  let tiesY = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = Math.sign(x[i] - x[j]);
      const dy = Math.sign(y[i] - y[j]);
      if (dx === 0 && dy === 0) continue;
      if (dx === 0) tiesX++;
      else if (dy === 0) tiesY++;
      else if (dx === dy) concordant++;
      else discordant++;
    }
  }
  const denom = Math.sqrt((concordant + discordant + tiesX) * (concordant + discordant + tiesY));
  return denom > 0 ? (concordant - discordant) / denom : NaN;
}
