/**
 * The strict inflater against zlib (node:zlib, the reference): the same bytes out for every
 * compression level, chunking, multi-member file and header field; and on thousands of bit flips,
 * truncations and byte splices of a real .gz, the same accept/refuse decision as zlib and, when both
 * accept, the same output. The Huffman-header flips that fflate accepted and zlib refuses are in
 * `tests/faults/regressions.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { deflateRawSync, gunzipSync, gzipSync } from 'node:zlib';
import { GunzipStrict } from './inflate';
import { GzipError } from './gzipHeader';
import { crc32 } from './crc32';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Our output, pushing `bytes` in pieces of `piece` (0 = one push); throws GzipError. */
function inflate(bytes: Uint8Array, piece = 0): Uint8Array {
  const parts: Uint8Array[] = [];
  const g = new GunzipStrict((c) => parts.push(c));
  if (piece === 0) g.push(bytes, true);
  else {
    for (let at = 0; at < bytes.length; at += piece) g.push(bytes.subarray(at, at + piece), false);
    g.push(new Uint8Array(0), true);
  }
  return Buffer.concat(parts);
}

function zlibOrNull(bytes: Uint8Array): Buffer | null {
  try {
    return gunzipSync(bytes);
  } catch {
    return null;
  }
}

function oursOrNull(bytes: Uint8Array): Uint8Array | null {
  try {
    return inflate(bytes);
  } catch (e) {
    if (e instanceof GzipError) return null;
    throw e;
  }
}

/** Text with repeats (matches at every distance) and some noise (literals), `n` bytes. */
function sampleText(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  const words = ['the', 'bank', 'river', 'of', 'plant', 'senses', 'a', 'loss', 'landscape', '\n', 'BERT'];
  let s = '';
  while (s.length < n)
    s += r() < 0.05 ? String.fromCharCode(33 + Math.floor(r() * 90)) : words[Math.floor(r() * 11)] + ' ';
  return new TextEncoder().encode(s.slice(0, n));
}

/** A gzip member with FEXTRA, FNAME, FCOMMENT and FHCRC around a raw deflate stream of `data`. */
function gzipWithHeaderFields(data: Uint8Array): Uint8Array {
  const head = [0x1f, 0x8b, 8, 2 | 4 | 8 | 16, 0, 0, 0, 0, 0, 3, 3, 0, 1, 2, 3, ...Buffer.from('name.txt\0comment\0')];
  const hcrc = crc32(Uint8Array.from(head)) & 0xffff;
  const body = deflateRawSync(data);
  const crc = crc32(data);
  const tail = [crc, data.length].flatMap((v) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24]);
  return Uint8Array.from([...head, hcrc & 255, hcrc >> 8, ...body, ...tail]);
}

describe('strict inflater equals zlib on valid streams', () => {
  const text = sampleText(300_000, 1);
  it.each([0, 1, 6, 9])('level %i, in one push and in pieces of 1, 7 and 65536 bytes', (level) => {
    const gz = gzipSync(text, { level });
    for (const piece of [0, 7, 65536]) expect(Buffer.compare(inflate(gz, piece), Buffer.from(text))).toBe(0);
    const small = gzipSync(text.subarray(0, 5000), { level });
    expect(Buffer.compare(inflate(small, 1), Buffer.from(text.subarray(0, 5000)))).toBe(0);
  });
  it('fixed-code blocks (Z_FIXED), empty input, incompressible bytes, long runs', () => {
    const noise = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 2654435761) >>> 24);
    for (const data of [text.subarray(0, 40_000), new Uint8Array(0), noise, new Uint8Array(200_000).fill(97)]) {
      expect(Buffer.compare(inflate(gzipSync(data, { strategy: 4 })), Buffer.from(data))).toBe(0);
      expect(Buffer.compare(inflate(gzipSync(data), 3), Buffer.from(data))).toBe(0);
    }
  });
  it('multi-member files and every optional header field (header CRC checked)', () => {
    const a = text.subarray(0, 70_000);
    const b = text.subarray(70_000, 71_000);
    const two = Buffer.concat([gzipSync(a), gzipWithHeaderFields(b), gzipSync(new Uint8Array(0))]);
    expect(Buffer.compare(inflate(two, 11), Buffer.concat([a, b]))).toBe(0);
    expect(Buffer.compare(inflate(two), gunzipSync(two))).toBe(0);
    const badHcrc = gzipWithHeaderFields(b);
    badHcrc[10 + 2 + 3 + 17] ^= 1;
    expect(() => inflate(badHcrc)).toThrow(/header CRC mismatch/);
  });
});

describe('strict inflater decides as zlib on damaged streams', () => {
  const text = sampleText(20_000, 2);
  const gz = gzipSync(text);
  it('1,000 single-bit flips: refused exactly when zlib refuses, equal output when both accept', () => {
    const r = rng(7);
    let refused = 0;
    for (let k = 0; k < 1000; k++) {
      const bad = Uint8Array.from(gz);
      const i = 10 + Math.floor(r() * (gz.length - 10));
      bad[i] ^= 1 << Math.floor(r() * 8);
      const ref = zlibOrNull(bad);
      const ours = oursOrNull(bad);
      expect(ours === null, `flip at byte ${i}`).toBe(ref === null);
      if (ref && ours) expect(Buffer.compare(ours, ref)).toBe(0);
      if (!ours) refused++;
    }
    expect(refused).toBeGreaterThan(750);
  });
  it('every bit flip of a small file (its dynamic block header included): as zlib — fflate accepted 9 of these', () => {
    const words = ['the', 'bank', 'river', 'plant', 'of'];
    const small = gzipSync(
      Array.from({ length: 400 }, (_, i) => words[(i * 7) % 5] + (i % 13 === 0 ? '\n' : ' ')).join(''),
    );
    for (let i = 10; i < small.length; i++)
      for (let b = 0; b < 8; b++) {
        const bad = Uint8Array.from(small);
        bad[i] ^= 1 << b;
        const ref = zlibOrNull(bad);
        const ours = oursOrNull(bad);
        expect(ours === null, `flip of bit ${b} in byte ${i}`).toBe(ref === null);
        if (ref && ours) expect(Buffer.compare(ours, ref)).toBe(0);
      }
  });
  it('every truncation point is refused as an early end', () => {
    for (let n = 0; n < gz.length; n += 37) {
      const cut = gz.subarray(0, n);
      if (n < 2) continue;
      expect(() => inflate(cut, 5)).toThrow(/ends early|bad magic/);
    }
  });
  it('a distance before the start of the stream is refused (zlib: too far back)', () => {
    // fixed block: a literal 'a', then length 3 at distance 2 (only one byte produced so far), end
    // bits LSB-first: BFINAL 1, BTYPE 01; literal 'a' (0x61) = 8-bit code 0x30+0x61; length 257 = 7-bit 0000001;
    // distance code 1 (dist 2) = 5-bit 00001; end 256 = 0000000
    const raw = deflateRawSync(Buffer.from('ab'), { strategy: 4 });
    expect(inflateRaw(raw)).toEqual(Buffer.from('ab'));
    const bits: number[] = [1, 1, 0];
    const code = (v: number, n: number) => {
      for (let b = n - 1; b >= 0; b--) bits.push((v >> b) & 1);
    };
    code(0x30 + 0x61, 8);
    code(1, 7);
    code(1, 5);
    code(0, 7);
    const bytes = new Uint8Array(Math.ceil(bits.length / 8));
    bits.forEach((b, i) => (bytes[i >> 3] |= b << (i & 7)));
    expect(() => inflateRaw(bytes)).toThrow(/too far back/);
  });
});

/** Wraps a raw deflate stream as a one-member gzip of unknown content (trailer of `expect` if given). */
function inflateRaw(raw: Uint8Array): Buffer {
  const parts: Uint8Array[] = [];
  const g = new GunzipStrict((c) => parts.push(c));
  const head = Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  // decode first with a zero trailer; a trailer mismatch then names the real output's CRC
  try {
    g.push(Uint8Array.from([...head, ...raw, 0, 0, 0, 0, 0, 0, 0, 0]), true);
  } catch (e) {
    if (e instanceof GzipError && e.kind === 'trailer') return Buffer.concat(parts);
    throw e;
  }
  return Buffer.concat(parts);
}
