/**
 * Checking numeric flags the same way for every verb (reading input files lives in
 * engine/node/fs.ts, the one place that touches the file system).
 */
import { UsageError, type CliIO } from './command';
import type { InputCheck } from '../engine/node/input';
import type { TextLimits } from '../engine/util/budget';

/** `v` unchanged when it is undefined or an integer ≥ `min`; otherwise a UsageError naming the flag. */
export function positiveInt(name: string, v: number | undefined, min = 1): number | undefined {
  if (v !== undefined && (!Number.isInteger(v) || v < min))
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got ${v}`);
  return v;
}

/**
 * The input budget of `--max-input-bytes N`: the stream limits (bytes after decompression; giving N
 * lifts the gzip ratio limit) and the size check of plain files before reading (docs/input.md).
 */
export function inputBudget(maxBytes: number | undefined): { limits: TextLimits; sizeCheck: InputCheck } {
  return {
    limits: { maxBytes },
    sizeCheck: maxBytes !== undefined ? { maxBytes, limitFlag: '--max-input-bytes' } : {},
  };
}

/** Says on stderr that a pairs file's first line was read as a header (never silently). */
export const headerNote = (io: CliIO, f: string) => (line: number, text: string) =>
  io.stderr(`note: ${f}: line ${line} read as a header: '${text.slice(0, 60)}'`);
