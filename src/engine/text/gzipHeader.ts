/** The gzip member header (RFC 1952 §2.3), parsed strictly as zlib does, and the error the strict inflater throws. */
import { crc32 } from './crc32';

/** Why a gzip stream was refused; `message` says what, without the file's name. */
export class GzipError extends Error {
  constructor(
    readonly kind: 'truncated' | 'trailing' | 'trailer' | 'header' | 'corrupt',
    message: string,
    /** The 1-based member the fault is in. */
    readonly member: number,
  ) {
    super(message);
    this.name = 'GzipError';
  }
}

/** Longest member header accepted (the extra field, name and comment together). */
const MAX_HEADER_BYTES = 1 << 20;

/**
 * The offset just past the member header that starts at `pos` in `b`, or null when the header runs
 * past the bytes given and more may come (`final` false). Refuses a bad magic, method, reserved flag,
 * header CRC, or a header over 1 MiB; a header cut by the end of a final stream is truncated.
 */
export function gzipHeaderEnd(b: Uint8Array, pos: number, final: boolean, member: number): number | null {
  let p = pos;
  const need = (n: number): boolean => {
    if (p + n - pos > MAX_HEADER_BYTES) throw new GzipError('header', 'gzip header over 1 MiB', member);
    if (p + n <= b.length) return true;
    if (final) throw new GzipError('truncated', 'the file ends early (truncated download?)', member);
    return false;
  };
  if (!need(10)) return null;
  if (b[p] !== 0x1f || b[p + 1] !== 0x8b) throw new GzipError('header', 'not gzip (bad magic bytes)', member);
  if (b[p + 2] !== 8) throw new GzipError('header', `unknown compression method ${b[p + 2]}`, member);
  const flags = b[p + 3];
  if (flags & 0xe0) throw new GzipError('header', 'unknown header flags set', member);
  p += 10;
  if (flags & 4) {
    if (!need(2)) return null;
    const xlen = b[p] | (b[p + 1] << 8);
    p += 2;
    if (!need(xlen)) return null;
    p += xlen;
  }
  for (const bit of [8, 16]) {
    if (!(flags & bit)) continue;
    for (;;) {
      if (!need(1)) return null;
      if (b[p++] === 0) break;
    }
  }
  if (flags & 2) {
    if (!need(2)) return null;
    const want = b[p] | (b[p + 1] << 8);
    if ((crc32(b.subarray(pos, p)) & 0xffff) !== want) throw new GzipError('header', 'header CRC mismatch', member);
    p += 2;
  }
  return p;
}
