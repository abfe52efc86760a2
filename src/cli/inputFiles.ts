/**
 * Checking numeric flags the same way for every verb (reading input files lives in
 * engine/node/fs.ts, the one place that touches the file system).
 */
import { UsageError } from './command';

/** `v` unchanged when it is undefined or an integer ≥ `min`; otherwise a UsageError naming the flag. */
export function positiveInt(name: string, v: number | undefined, min = 1): number | undefined {
  if (v !== undefined && (!Number.isInteger(v) || v < min))
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${v}`);
  return v;
}
