/**
 * Grids of landscape points: axis coordinates, the coarse-to-fine evaluation order and shards.
 *
 * Coarse-to-fine: a point (i, j) has level min(tz(i), tz(j)), tz = trailing zeros (tz(0) = ∞), capped
 * at the coarsest stride. Points are evaluated by descending level (every 2^K-th point of both axes
 * first, then the points that halve the stride, …), row-major within a level, so a usable picture
 * appears after a few points and sharpens as the rest arrive.
 *
 * Shards: the ordered list is dealt round-robin, position p → shard (p mod N) + 1, so each of N
 * machines gets a deterministic 1/N of the points AND of every coarse level.
 */
import { InputError } from '../util/errors';

/** An axis: `n` evenly spaced coordinates from `min` to `max` inclusive (n = 1 gives [min]). */
export interface Axis {
  min: number;
  max: number;
  n: number;
}

/** The coordinates of an axis, computed as min + k·(max − min)/(n − 1), exactly as stored in surface files. */
export function axisValues(axis: Axis): number[] {
  if (axis.n === 1) return [axis.min];
  const out: number[] = [];
  for (let k = 0; k < axis.n; k++)
    out.push(k === axis.n - 1 ? axis.max : axis.min + (k * (axis.max - axis.min)) / (axis.n - 1));
  return out;
}

/** Parses `MIN:MAX:N` (e.g. `-1:2:31`). */
export function parseAxis(text: string, what = 'range'): Axis {
  const parts = text.split(':');
  if (parts.length !== 3) throw new InputError(`${what} '${text}' is not MIN:MAX:N`);
  const [min, max, n] = parts.map((p) => Number(p.trim()));
  if (parts.some((p) => p.trim() === '') || !Number.isFinite(min) || !Number.isFinite(max))
    throw new InputError(`${what} '${text}': MIN and MAX must be numbers`);
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new InputError(`${what} '${text}': N must be an integer from 1 to 10000`);
  if (n > 1 && !(max > min)) throw new InputError(`${what} '${text}': MAX must be greater than MIN`);
  return { min, max, n };
}

/** Parses `XMIN:XMAX:NX,YMIN:YMAX:NY`. */
export function parseGrid(text: string): { x: Axis; y: Axis } {
  const parts = text.split(',');
  if (parts.length !== 2) throw new InputError(`--grid '${text}' is not XMIN:XMAX:NX,YMIN:YMAX:NY`);
  return { x: parseAxis(parts[0], '--grid x axis'), y: parseAxis(parts[1], '--grid y axis') };
}

/** Parses a comma-separated list of numbers (`--alphas 0,0.5,1`). */
export function parseNumberList(text: string, what = '--alphas'): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => p === ''))
    throw new InputError(`${what} '${text}' is not a comma-separated list of numbers`);
  return parts.map((p) => {
    const v = Number(p);
    if (!Number.isFinite(v)) throw new InputError(`${what}: '${p}' is not a number`);
    return v;
  });
}

/** Parses `x:y,x:y,…` (`--points`). */
export function parsePoints(text: string): { x: number; y: number }[] {
  return text.split(',').map((pair) => {
    const [xs, ys, extra] = pair.split(':');
    const x = Number(xs);
    const y = Number(ys);
    if (
      extra !== undefined ||
      xs === undefined ||
      ys === undefined ||
      xs.trim() === '' ||
      ys.trim() === '' ||
      !Number.isFinite(x) ||
      !Number.isFinite(y)
    ) {
      throw new InputError(`--points: '${pair}' is not x:y`);
    }
    return { x, y };
  });
}

/** Parses `I/N` (1-based shard I of N). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new InputError(`--shard '${text}' is not I/N (e.g. 3/8)`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) throw new InputError(`--shard '${text}': I must be between 1 and N`);
  return { index, count };
}

function trailingZeros(k: number, cap: number): number {
  if (k === 0) return cap;
  let z = 0;
  while (k % 2 === 0 && z < cap) {
    k /= 2;
    z++;
  }
  return z;
}

/** A grid point by index: x_i, y_j. */
export interface GridIndex {
  i: number;
  j: number;
}

/** All (i, j) of an nx × ny grid in coarse-to-fine order (see file header). */
export function coarseToFineOrder(nx: number, ny: number): GridIndex[] {
  let cap = 0;
  while (2 ** cap < Math.max(nx, ny) - 1) cap++;
  const byLevel: GridIndex[][] = Array.from({ length: cap + 1 }, () => []);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const level = Math.min(trailingZeros(i, cap), trailingZeros(j, cap));
      byLevel[level].push({ i, j });
    }
  }
  const out: GridIndex[] = [];
  for (let level = cap; level >= 0; level--) out.push(...byLevel[level]);
  return out;
}

/** The points of shard `index`/`count` (1-based) of a coarse-to-fine order, still in that order. */
export function shardPoints<T>(ordered: readonly T[], shard?: { index: number; count: number }): T[] {
  if (!shard || shard.count === 1) return [...ordered];
  return ordered.filter((_, p) => p % shard.count === shard.index - 1);
}

/** Order for a 1-D list of n values: the same coarse-to-fine idea (endpoints, middle, quarters, …). */
export function coarseToFineOrder1D(n: number): number[] {
  return coarseToFineOrder(n, 1).map((p) => p.i);
}
