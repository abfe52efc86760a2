/**
 * SHA-256 of files for reproducibility ids (checkpoint hashes in exported figures). Node files use
 * their own `node:crypto` digest (engine/node/file.ts). Otherwise small files go through WebCrypto
 * (`crypto.subtle.digest`, in browsers, workers and Node ≥ 20) in one read; big ones are streamed in
 * 8 MB chunks — WebCrypto has no streaming digest — through hash-wasm's WebAssembly SHA-256 (issue 18:
 * ~7× the pure-TS hash below, bench/io/sha256_rate.ts), so a 440 MB checkpoint is never held whole
 * in memory for hashing. The pure-TS SHA-256 stays as the fallback where WebAssembly cannot be
 * instantiated (a page whose CSP forbids it) and as the tests' second implementation.
 */
import { createSHA256 } from 'hash-wasm';
import type { ByteSource } from './bytes';

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

/** Incremental SHA-256 (FIPS 180-4). */
export class Sha256 {
  private readonly h = new Uint32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  private readonly w = new Uint32Array(64);
  private readonly buf = new Uint8Array(64);
  private bufLen = 0;
  private total = 0;

  update(data: Uint8Array): this {
    let i = 0;
    this.total += data.length;
    if (this.bufLen > 0) {
      const take = Math.min(64 - this.bufLen, data.length);
      this.buf.set(data.subarray(0, take), this.bufLen);
      this.bufLen += take;
      i = take;
      if (this.bufLen === 64) {
        this.block(this.buf, 0);
        this.bufLen = 0;
      }
    }
    for (; i + 64 <= data.length; i += 64) this.block(data, i);
    if (i < data.length) {
      this.buf.set(data.subarray(i), 0);
      this.bufLen = data.length - i;
    }
    return this;
  }

  /** Finishes and returns the lowercase hex digest. */
  hex(): string {
    const bits = this.total * 8;
    const pad = new Uint8Array((this.bufLen < 56 ? 56 : 120) - this.bufLen + 8);
    pad[0] = 0x80;
    const dv = new DataView(pad.buffer);
    dv.setUint32(pad.length - 8, Math.floor(bits / 2 ** 32));
    dv.setUint32(pad.length - 4, bits >>> 0);
    const total = this.total;
    this.update(pad);
    this.total = total;
    return [...this.h].map((x) => x.toString(16).padStart(8, '0')).join('');
  }

  private block(d: Uint8Array, o: number): void {
    const w = this.w;
    for (let t = 0; t < 16; t++)
      w[t] = (d[o + 4 * t] << 24) | (d[o + 4 * t + 1] << 16) | (d[o + 4 * t + 2] << 8) | d[o + 4 * t + 3];
    for (let t = 16; t < 64; t++) {
      const a = w[t - 15];
      const b = w[t - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
    }
    let [a, b, c, e0, e, f, g, h] = this.h;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + K[t] + w[t]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      h = g;
      g = f;
      f = e;
      e = (e0 + t1) | 0;
      e0 = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    const H = this.h;
    H[0] += a;
    H[1] += b;
    H[2] += c;
    H[3] += e0;
    H[4] += e;
    H[5] += f;
    H[6] += g;
    H[7] += h;
  }
}

/** Hex SHA-256 of bytes in memory (WebCrypto when available). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle) {
    const digest = await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  }
  return new Sha256().update(bytes).hex();
}

/** Sources up to this size are hashed in one WebCrypto call; bigger ones are streamed. */
export const ONE_SHOT_LIMIT = 64 * 2 ** 20;

/** Hex SHA-256 of a whole byte source: its native digest when it has one (Node files), else WebCrypto or streamed. */
export async function sha256Source(
  source: ByteSource,
  chunkBytes = 8 * 2 ** 20,
  oneShotLimit = ONE_SHOT_LIMIT,
): Promise<string> {
  if (source.sha256) return source.sha256();
  if (source.size <= oneShotLimit && globalThis.crypto?.subtle) return sha256Hex(await source.read(0, source.size));
  const h = await streamingHasher();
  for (let off = 0; off < source.size; off += chunkBytes)
    h.update(await source.read(off, Math.min(chunkBytes, source.size - off)));
  return h.hex();
}

/** A streaming SHA-256: `update` chunks in order, then `hex` once. */
export interface StreamingSha256 {
  update(data: Uint8Array): unknown;
  hex(): string;
}

/** hash-wasm's WebAssembly SHA-256, or the pure-TS one when WebAssembly cannot be instantiated (`wasm: false` forces it). */
export async function streamingHasher(wasm = true): Promise<StreamingSha256> {
  if (wasm) {
    try {
      const h = await createSHA256();
      h.init();
      return { update: (d) => h.update(d), hex: () => h.digest('hex') };
    } catch {
      // fall through to the pure-TS hash
    }
  }
  return new Sha256();
}
