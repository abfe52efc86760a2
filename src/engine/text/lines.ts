/**
 * Streamed text lines from bytes: gzip is detected by its magic bytes and inflated with fflate's
 * streaming `Gunzip` (multi-member files included), UTF-8 is decoded incrementally, a leading BOM is
 * dropped and LF, CRLF and lone CR all end a line. Takes an `AsyncIterable<Uint8Array>` so the same
 * code reads a Node file stream and a browser `Blob.stream()` in a worker.
 */
import { Gunzip } from 'fflate';

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

/** Yields the decompressed bytes of `chunks` (gzip when the stream starts with 1f 8b, else as is). */
export async function* maybeGunzip(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  let gz: Gunzip | null = null;
  let decided = false;
  let pending: Uint8Array[] = [];
  let head = new Uint8Array(0);
  for await (const chunk of chunks) {
    if (chunk.byteLength === 0) continue;
    if (!decided) {
      const joined = new Uint8Array(head.byteLength + chunk.byteLength);
      joined.set(head);
      joined.set(chunk, head.byteLength);
      head = joined;
      if (head.byteLength < 2) continue;
      decided = true;
      if (head[0] === 0x1f && head[1] === 0x8b) {
        gz = new Gunzip((data) => {
          pending.push(data);
        });
        gz.push(head, false);
      } else {
        yield head;
      }
      head = new Uint8Array(0);
    } else if (gz) {
      gz.push(chunk, false);
    } else {
      yield chunk;
    }
    if (pending.length) {
      const out = pending;
      pending = [];
      for (const p of out) yield p;
    }
  }
  if (!decided && head.byteLength) yield head;
  if (gz) {
    gz.push(new Uint8Array(0), true);
    for (const p of pending) yield p;
  }
}

/**
 * Lines of UTF-8 text from raw (possibly gzipped) bytes. Line ends are LF, CRLF or CR; the line
 * terminator is not included; a BOM at the very start is dropped; a last line without a newline is
 * still yielded. Lines are yielded in batches (arrays) to keep per-line overhead low.
 */
export async function* textLines(chunks: AsyncIterable<Uint8Array>): AsyncIterable<string[]> {
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  let first = true;
  let lastWasCR = false;
  for await (const bytes of maybeGunzip(chunks)) {
    let text = decoder.decode(bytes, { stream: true });
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    if (lastWasCR && text.charCodeAt(0) === 10) text = text.slice(1);
    const { lines, rest, endsWithCR } = splitLines(carry + text);
    carry = rest;
    lastWasCR = endsWithCR;
    if (lines.length) yield lines;
  }
  let tail = decoder.decode();
  if (first && tail.charCodeAt(0) === 0xfeff) tail = tail.slice(1);
  carry += tail;
  if (carry.length) {
    const { lines, rest } = splitLines(carry);
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
