/**
 * The input budget: how many bytes a streamed text input (a corpus or counts file) may expand to,
 * and how far a gzip stream may expand relative to its compressed size, so a decompression bomb or
 * an endless stream stops with a message naming the figure instead of exhausting memory. Pure TS
 * (the browser worker and the CLI share it); the CLI sets `maxBytes` from `--max-input-bytes`.
 */

/** Default absolute budget: 16 GiB of (decompressed) text per input file. */
export const DEFAULT_MAX_INPUT_BYTES = 16 * 2 ** 30;
/** Default ratio budget: a gzip stream may expand at most 100× (natural text gzips 2.5–5×)… */
export const DEFAULT_MAX_GZIP_RATIO = 100;
/** …checked once it has produced this many bytes (small files of repeated text pass). */
export const GZIP_RATIO_FLOOR = 16 * 2 ** 20;
/** Compressed bytes handed to the inflater at a time, so one push expands to at most ~64 MiB (deflate's limit is 1032×). */
export const GZIP_PUSH_BYTES = 64 * 2 ** 10;
/** Longest line a line-based format may have, in UTF-16 code units (1 Mi). */
export const MAX_LINE_CHARS = 2 ** 20;

/** Limits for one streamed text input. */
export interface TextLimits {
  /** Most (decompressed) bytes the input may produce (default {@link DEFAULT_MAX_INPUT_BYTES}). */
  maxBytes?: number;
  /** Most gzip expansion (default {@link DEFAULT_MAX_GZIP_RATIO}; Infinity turns it off). */
  maxRatio?: number;
  /** How the budget is raised, named in messages (default "--max-input-bytes"). */
  flag?: string;
  /** Output after which the ratio is checked (default {@link GZIP_RATIO_FLOOR}). */
  ratioFloor?: number;
}

/** Human figure for a byte count: "1.50 GiB (1610612736 bytes)". */
export function bytesFigure(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} bytes` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]} (${n} bytes)`;
}
