/**
 * Streamed text lines from bytes: gzip is detected by its magic bytes and inflated by the strict
 * streaming inflater of inflate.ts (multi-member files included; refuses what zlib refuses), UTF-8
 * is decoded incrementally (strictly unless asked otherwise), a leading BOM is dropped and LF, CRLF
 * and lone CR all end a line. Bytes are held to a budget and lines to a length (util/budget.ts), so
 * an endless or exploding input stops with a message, not an exhausted heap. Takes an
 * `AsyncIterable<Uint8Array>` so the same code reads a Node file stream and a browser
 * `Blob.stream()` in a worker.
 */
import { GunzipStrict } from './inflate';
import { GzipError } from './gzipHeader';
import { InputError } from '../util/errors';
export { crc32 } from './crc32';
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

/** The one-line InputError for a refused gzip stream, naming the input (and the member past the first). */
function gzipInputError(name: string, e: GzipError): InputError {
  const where = e.member > 1 || e.kind === 'trailer' ? `gzip member ${e.member}: ` : '';
  if (e.kind === 'trailer')
    return new InputError(
      `${name}: ${where}${e.message} (a corrupt or truncated .gz file, or data after the gzip stream)`,
    );
  if (e.kind === 'trailing') return new InputError(`${name}: ${e.message} (a corrupt or concatenated .gz file?)`);
  const hint = e.kind === 'header' ? 'a bad gzip header' : e.kind === 'corrupt' ? 'corrupt compressed data' : '';
  return new InputError(`${name}: not a valid gzip file: ${where}${e.message}${hint ? ` (${hint})` : ''}`);
}

/**
 * Yields the decompressed bytes of `chunks` (gzip when the stream starts with 1f 8b, else as is).
 * Gzip is checked as zlib checks it ({@link GunzipStrict}: the deflate stream, each member's CRC-32
 * and length against its trailer, a stream that ends early, data after the last member) — faults
 * are InputErrors naming the input. The output is held to the budget (`maxBytes` absolute;
 * `maxRatio` × compressed size once past {@link GZIP_RATIO_FLOOR}, unless `maxBytes` was given explicitly).
 */
export async function* maybeGunzip(
  chunks: AsyncIterable<Uint8Array>,
  opts: TextLineOptions = {},
): AsyncIterable<Uint8Array> {
  const name = opts.name ?? 'input';
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_INPUT_BYTES;
  const maxRatio = opts.maxRatio ?? (opts.maxBytes === undefined ? DEFAULT_MAX_GZIP_RATIO : Infinity);
  let gz: GunzipStrict | null = null;
  let decided = false;
  let pending: Uint8Array[] = [];
  let head: Uint8Array = new Uint8Array(0);
  let produced = 0;
  let compressed = 0;
  const push = (data: Uint8Array, final: boolean): void => {
    compressed += data.byteLength;
    try {
      gz!.push(data, final);
    } catch (err) {
      if (err instanceof GzipError) throw gzipInputError(name, err);
      throw err;
    }
  };
  const account = (n: number): void => {
    produced += n;
    if (produced > maxBytes) throw budgetError(name, opts, produced, gz ? compressed : null);
    if (gz && produced > (opts.ratioFloor ?? GZIP_RATIO_FLOOR) && produced > maxRatio * compressed)
      throw budgetError(name, opts, produced, compressed);
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
      if (chunk[0] === 0x1f && chunk[1] === 0x8b) gz = new GunzipStrict((data) => pending.push(data));
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
