/**
 * SHA-256 throughput of the ways a checkpoint gets hashed (issue 18): `node:crypto` streamed over the
 * file (the Node CLI's path, engine/node/file.ts), hash-wasm's WebAssembly hash streamed in 8 MB chunks
 * (io/sha256.ts, the browser's path for files over 64 MB), the pure-TS streaming hash (its fallback)
 * and one-shot WebCrypto (`crypto.subtle.digest`, the browser's path for small files), over the same
 * temporary file of seeded bytes; all digests must agree.
 *
 *   npx tsx bench/io/sha256_rate.ts [--mb 256]
 */
import { randomFillSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sha256, sha256Hex, streamingHasher } from '../../src/engine/io/sha256';
import { fileSource } from '../../src/engine/node/file';

const i = process.argv.indexOf('--mb');
const MB = i >= 0 ? Number(process.argv[i + 1]) : 256;
const dir = mkdtempSync(join(tmpdir(), 'sha-bench-'));
const path = join(dir, 'blob.bin');
writeFileSync(path, randomFillSync(new Uint8Array(MB * 2 ** 20)));
try {
  const src = await fileSource(path);
  const rate = (ms: number) => `${((MB / ms) * 1000).toFixed(0)} MB/s`;
  let t0 = performance.now();
  const native = await src.sha256!();
  const nativeMs = performance.now() - t0;
  t0 = performance.now();
  const h = new Sha256();
  const chunk = 8 * 2 ** 20;
  for (let off = 0; off < src.size; off += chunk) h.update(await src.read(off, Math.min(chunk, src.size - off)));
  const js = h.hex();
  const jsMs = performance.now() - t0;
  t0 = performance.now();
  const hw = await streamingHasher();
  for (let off = 0; off < src.size; off += chunk) hw.update(await src.read(off, Math.min(chunk, src.size - off)));
  const wasm = hw.hex();
  const wasmMs = performance.now() - t0;
  t0 = performance.now();
  const web = await sha256Hex(readFileSync(path));
  const webMs = performance.now() - t0;
  if (native !== js || js !== web || wasm !== js) throw new Error(`digests differ: ${native} ${js} ${wasm} ${web}`);
  console.log(
    JSON.stringify({
      megabytes: MB,
      loadavg: Number(loadavg()[0].toFixed(2)),
      nodeCrypto: rate(nativeMs),
      hashWasm: rate(wasmMs),
      pureTs: rate(jsMs),
      webCryptoOneShot: rate(webMs),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
