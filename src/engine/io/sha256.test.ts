/** Streaming SHA-256 (hash-wasm and pure TS) and the one-shot WebCrypto path agree with Node's crypto on edge lengths and uneven chunks. */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { bytesSource } from './bytes';
import { Sha256, sha256Hex, sha256Source, streamingHasher } from './sha256';
import { uniformArray } from '../util/random';

const node = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('sha256', () => {
  it('matches node:crypto for lengths around the block and padding boundaries', async () => {
    const all = new Uint8Array(uniformArray(1000, 5, 0, 256).map(Math.floor));
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000]) {
      const b = all.subarray(0, n);
      expect(new Sha256().update(b).hex()).toBe(node(b));
      expect(await sha256Hex(b)).toBe(node(b));
    }
  });

  it('streams in uneven chunks to the same digest', async () => {
    const b = new Uint8Array(uniformArray(200_003, 9, 0, 256).map(Math.floor));
    expect(await sha256Source(bytesSource(b), 4099, 0)).toBe(node(b));
    for (const wasm of [true, false]) {
      const s = await streamingHasher(wasm);
      expect(s instanceof Sha256, `wasm ${wasm}`).toBe(!wasm); // hash-wasm loads here (no fallback hiding it)
      for (let o = 0; o < b.length; o += 4099) s.update(b.subarray(o, o + 4099));
      expect(s.hex(), `wasm ${wasm}`).toBe(node(b));
    }
    const h = new Sha256();
    for (let o = 0; o < b.length; o += 77) h.update(b.subarray(o, o + 77));
    expect(h.hex()).toBe(node(b));
  });
});
