/**
 * Streamed text lines from bytes: gzip is detected by its magic bytes and inflated with fflate's
 * streaming `Gunzip` (multi-member files included; each member's CRC-32 and length checked against
 * its trailer), UTF-8 is decoded incrementally (strictly unless asked otherwise), a leading BOM is
 * dropped and LF, CRLF and lone CR all end a line. Bytes are held to a budget and lines to a length
 * (util/budget.ts), so an endless or exploding input stops with a message, not an exhausted heap. Takes an `AsyncIterable<Uint8Array>` so the same
 * code reads a Node file stream and a browser `Blob.stream()` in a worker.
 */
import { Gunzip } from 'fflate';
import { InputError } from '../util/errors';
import {
  bytesFigure,
  DEFAULT_MAX_GZIP_RATIO,
  DEFAULT_MAX_INPUT_BYTES,
  GZIP_PUSH_BYTES,
  GZIP_RATIO_FLOOR,
  MAX_LINE_CHARS,
  type TextLimits,
} from '../util/budget';

/** Adapts a browser `ReadableStream` (e.g. `blob.stream()`) to an async iterable of chunks. */
export async function* readableChunks(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value) yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Options of {@link maybeGunzip} and {@link textLines}. */
export interface TextLineOptions extends TextLimits {
  /** The input's name in messages (default "input"). */
  name?: string;
  /** Refuse invalid UTF-8 (default true); false replaces it with U+FFFD (corpus text). */
  fatal?: boolean;
  /** Longest line in UTF-16 code units (default {@link MAX_LINE_CHARS}). */
  maxLineChars?: number;
  /** A longer line is an error (default), or is split at the last space before the limit ('split'). */
  longLines?: 'error' | 'split';
}

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 (gzip's) of `data`, continuing from `crc` (start with 0). */
export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** The last `keep` bytes of a stream, addressable by absolute offset. */
class RawTail {
  private chunks: { at: number; data: Uint8Array }[] = [];
  total = 0;
  constructor(private readonly keep: number) {}
  push(data: Uint8Array): void {
    this.chunks.push({ at: this.total, data });
    this.total += data.length;
    while (this.chunks.length > 1 && this.chunks[1].at <= this.total - this.keep) this.chunks.shift();
  }
  /** Bytes [from, from + n), or null when no longer held. */
  slice(from: number, n: number): Uint8Array | null {
    if (from < 0 || this.chunks.length === 0 || from < this.chunks[0].at) return null;
    const out = new Uint8Array(n);
    let got = 0;
    for (const c of this.chunks) {
      const lo = Math.max(from + got, c.at);
      const hi = Math.min(from + n, c.at + c.data.length);
      if (hi > lo) {
        out.set(c.data.subarray(lo - c.at, hi - c.at), lo - from);
        got += hi - lo;
      }
    }
    return got === n ? out : null;
  }
}

function budgetError(name: string, o: TextLineOptions, produced: number, compressed: number | null): InputError {
  const flag = o.flag ?? '--max-input-bytes';
  const max = o.maxBytes ?? DEFAULT_MAX_INPUT_BYTES;
  if (compressed !== null && produced <= max)
    return new InputError(
      `${name}: the gzip stream expands more than ${o.maxRatio ?? DEFAULT_MAX_GZIP_RATIO}× (${bytesFigure(compressed)} gave ${bytesFigure(produced)} so far; text gzips 2.5–5×): a decompression bomb? Give ${flag} N to allow it`,
    );
  return new InputError(
    `${name}: more than ${bytesFigure(max)} of ${compressed !== null ? 'decompressed ' : ''}input, the limit (raise it with ${flag} N)`,
  );
}

/**
 * Yields the decompressed bytes of `chunks` (gzip when the stream starts with 1f 8b, else as is).
 * Gzip is checked as gzip promises: each member's CRC-32 and length against its trailer, a stream
 * that ends early, and data after the last member are InputErrors naming the input. The output is
 * held to the budget (`maxBytes` absolute; `maxRatio` × compressed size once past
 * {@link GZIP_RATIO_FLOOR}, unless `maxBytes` was given explicitly).
 */
export async function* maybeGunzip(
  chunks: AsyncIterable<Uint8Array>,
  opts: TextLineOptions = {},
): AsyncIterable<Uint8Array> {
  const name = opts.name ?? 'input';
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_INPUT_BYTES;
  const maxRatio = opts.maxRatio ?? (opts.maxBytes === undefined ? DEFAULT_MAX_GZIP_RATIO : Infinity);
  let gz: Gunzip | null = null;
  let decided = false;
  let pending: Uint8Array[] = [];
  let head: Uint8Array = new Uint8Array(0);
  let produced = 0;
  const raw = new RawTail(1 << 20);
  let crc = 0;
  let size = 0;
  let member = 1;
  let trailerError: InputError | null = null;
  const checkTrailer = (at: number): void => {
    const t = raw.slice(at - 8, 8);
    const where = `gzip member ${member}`;
    if (!t) {
      trailerError ??= new InputError(`${name}: ${where}: its trailer cannot be checked (header over 1 MiB?)`);
      return;
    }
    const wantCrc = (t[0] | (t[1] << 8) | (t[2] << 16) | (t[3] << 24)) >>> 0;
    const wantSize = (t[4] | (t[5] << 8) | (t[6] << 16) | (t[7] << 24)) >>> 0;
    if (wantCrc !== crc || wantSize !== size % 2 ** 32)
      trailerError ??= new InputError(
        `${name}: ${where}: CRC-32 or length does not match its trailer (a corrupt or truncated .gz file, or data after the gzip stream)`,
      );
    crc = 0;
    size = 0;
    member++;
  };
  const push = (data: Uint8Array, final: boolean): void => {
    raw.push(data);
    try {
      gz!.push(data, final);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      const hint =
        msg === 'unexpected EOF'
          ? 'the file ends early (truncated download?)'
          : msg === 'invalid gzip data'
            ? 'a bad gzip header, or data after the end of the gzip stream'
            : 'corrupt compressed data';
      throw new InputError(`${name}: not a valid gzip file: ${msg} (${hint})`);
    }
    if (trailerError) throw trailerError;
  };
  const account = (n: number): void => {
    produced += n;
    if (produced > maxBytes) throw budgetError(name, opts, produced, gz ? raw.total : null);
    if (gz && produced > (opts.ratioFloor ?? GZIP_RATIO_FLOOR) && produced > maxRatio * raw.total)
      throw budgetError(name, opts, produced, raw.total);
  };
  for await (const incoming of chunks) {
    let chunk = incoming;
    if (chunk.byteLength === 0) continue;
    if (!decided) {
      const joined = new Uint8Array(head.byteLength + chunk.byteLength);
      joined.set(head);
      joined.set(chunk, head.byteLength);
      head = new Uint8Array(0);
      chunk = joined;
      if (chunk.byteLength < 2) {
        head = chunk;
        continue;
      }
      decided = true;
      if (chunk[0] === 0x1f && chunk[1] === 0x8b) {
        gz = new Gunzip((data) => {
          crc = crc32(data, crc);
          size += data.length;
          pending.push(data);
        });
        gz.onmember = (offset) => checkTrailer(offset);
      }
    }
    if (!gz) {
      account(chunk.byteLength);
      yield chunk;
      continue;
    }
    // small pushes, so one push expands to at most ~64 MiB and the budget is checked between them
    for (let at = 0; at < chunk.byteLength; at += GZIP_PUSH_BYTES) {
      push(chunk.subarray(at, at + GZIP_PUSH_BYTES), false);
      const out = pending;
      pending = [];
      for (const p of out) {
        account(p.byteLength);
        yield p;
      }
    }
  }
  if (!decided && head.byteLength) {
    account(head.byteLength);
    yield head;
  }
  if (gz) {
    push(new Uint8Array(0), true);
    checkTrailer(raw.total);
    if (trailerError) throw trailerError;
    for (const p of pending) {
      account(p.byteLength);
      yield p;
    }
  }
}

/**
 * Lines of UTF-8 text from raw (possibly gzipped) bytes. Line ends are LF, CRLF or CR; the line
 * terminator is not included; a BOM at the very start is dropped; a last line without a newline is
 * still yielded. Lines are yielded in batches (arrays) to keep per-line overhead low. Invalid UTF-8
 * and lines over `maxLineChars` are InputErrors naming the input and line (unless `fatal: false`,
 * `longLines: 'split'`); the bytes are held to the budget of {@link maybeGunzip}.
 */
export async function* textLines(
  chunks: AsyncIterable<Uint8Array>,
  opts: TextLineOptions = {},
): AsyncIterable<string[]> {
  const name = opts.name ?? 'input';
  const maxLine = opts.maxLineChars ?? MAX_LINE_CHARS;
  const decoder = new TextDecoder('utf-8', { fatal: opts.fatal ?? true });
  let lineNo = 0;
  let carry = '';
  const decode = (bytes?: Uint8Array): string => {
    try {
      return bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode();
    } catch {
      // Find the line: decode leniently and count the line ends before the first U+FFFD.
      const text = carry + (bytes ? new TextDecoder('utf-8').decode(bytes) : '\ufffd');
      const bad = text.indexOf('\ufffd');
      const ends = text.slice(0, bad < 0 ? text.length : bad).match(/\r\n|\n|\r/g)?.length ?? 0;
      throw new InputError(`${name}: line ${lineNo + ends + 1}: invalid UTF-8 (the file must be UTF-8 text)`);
    }
  };
  /** Cuts `text` to pieces ≤ maxLine pushed to `out` (split mode) or refuses it; returns the remainder. */
  const cutLong = (text: string, out: string[]): string => {
    while (text.length > maxLine) {
      if (opts.longLines !== 'split')
        throw new InputError(
          `${name}: line ${lineNo + out.length + 1} is longer than ${maxLine} characters (not line-based text?)`,
        );
      const cut = text.lastIndexOf(' ', maxLine);
      const at = cut > 0 ? cut : maxLine;
      out.push(text.slice(0, at));
      text = text.slice(at + (cut > 0 ? 1 : 0));
    }
    return text;
  };
  /** Holds complete lines and the unfinished tail to the line limit. */
  const bound = (lines: string[], rest: string): { lines: string[]; rest: string } => {
    let out = lines;
    if (lines.some((l) => l.length > maxLine)) {
      out = [];
      for (const l of lines) {
        const r = l.length > maxLine ? cutLong(l, out) : l;
        if (r.length || l.length <= maxLine) out.push(r);
      }
    }
    return { lines: out, rest: rest.length > maxLine ? cutLong(rest, out) : rest };
  };
  let first = true;
  let lastWasCR = false;
  for await (const bytes of maybeGunzip(chunks, opts)) {
    let text = decode(bytes);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    if (lastWasCR && text.charCodeAt(0) === 10) text = text.slice(1);
    const split = splitLines(carry + text);
    const { lines, rest } = bound(split.lines, split.rest);
    carry = rest;
    lastWasCR = split.endsWithCR;
    lineNo += lines.length;
    if (lines.length) yield lines;
  }
  let tail = decode();
  if (first && tail.charCodeAt(0) === 0xfeff) tail = tail.slice(1);
  carry += tail;
  if (carry.length) {
    const split = splitLines(carry);
    const { lines, rest } = bound(split.lines, split.rest);
    if (rest.length) lines.push(rest);
    if (lines.length) yield lines;
  }
}

function splitLines(text: string): { lines: string[]; rest: string; endsWithCR: boolean } {
  const lines: string[] = [];
  let start = 0;
  let endsWithCR = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10 || ch === 13) {
      lines.push(text.slice(start, i));
      if (ch === 13) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 10) i++;
        } else endsWithCR = true;
      }
      start = i + 1;
    }
  }
  return { lines, rest: text.slice(start), endsWithCR };
}
