/**
 * Flatness read off a 1-D loss curve J(α) = J(θ0 + α(θ1 − θ0)) (Hao et al.'s pictures, as numbers):
 * the curvature J''(1) at the fine-tuned end by a central difference, and the width of the basin —
 * the α-interval around α = 1 where J ≤ J(1) + δ, with linear interpolation at the crossings and
 * `censored` where the scanned range ended before J rose above the level. Used by the flatness
 * service and the demo's phenomena measurements.
 */

/** Index of α = 1 in `alphas` (to 1e-9), or −1. */
function indexOfOne(alphas: readonly number[]): number {
  return alphas.findIndex((a) => Math.abs(a - 1) < 1e-9);
}

/**
 * Width of the α-interval around α = 1 where loss ≤ loss(1) + δ. `alphas` ascending and containing 1.
 * @returns the interval's ends and width (in α units), and whether each end is the scanned range's own.
 */
export function basinWidth(
  alphas: readonly number[],
  loss: readonly number[],
  delta: number,
): { left: number; right: number; width: number; censored: { left: boolean; right: boolean } } {
  const i1 = indexOfOne(alphas);
  if (i1 < 0) throw new Error('basinWidth: the α grid must contain 1');
  const level = loss[i1] + delta;
  const cross = (i: number, j: number) =>
    alphas[i] + ((level - loss[i]) / (loss[j] - loss[i])) * (alphas[j] - alphas[i]);
  let left = alphas[0];
  let leftCensored = true;
  for (let i = i1; i > 0; i--)
    if (loss[i - 1] > level) {
      left = cross(i, i - 1);
      leftCensored = false;
      break;
    }
  let right = alphas[alphas.length - 1];
  let rightCensored = true;
  for (let i = i1; i < alphas.length - 1; i++)
    if (loss[i + 1] > level) {
      right = cross(i, i + 1);
      rightCensored = false;
      break;
    }
  return { left, right, width: right - left, censored: { left: leftCensored, right: rightCensored } };
}

/**
 * J''(1) by the central difference (J(1 + h) − 2J(1) + J(1 − h)) / h² on an evenly spaced grid
 * containing 1 with a point on each side.
 */
export function curvatureAtOne(alphas: readonly number[], loss: readonly number[]): number {
  const i1 = indexOfOne(alphas);
  if (i1 < 1 || i1 >= alphas.length - 1) throw new Error('curvatureAtOne: α = 1 needs a grid point on each side');
  const h = alphas[i1 + 1] - alphas[i1];
  return (loss[i1 + 1] - 2 * loss[i1] + loss[i1 - 1]) / (h * h);
}

/** α from 1 − span to 1 + span in steps of h (1 exactly on the grid). */
export function gridAroundOne(span: number, h: number): number[] {
  const n = Math.round(span / h);
  return Array.from({ length: 2 * n + 1 }, (_, i) => 1 + (i - n) * h);
}
