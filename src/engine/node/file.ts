/**
 * Node-only byte source over a file on disk: reads ranges with a file handle, so a 440 MB
 * checkpoint is never held twice, and hashes it with `node:crypto` (OpenSSL's SHA-256 streamed in 1 MB
 * reads; ~8× the pure-TS hash of io/sha256.ts, bench/io/sha256_rate.ts). Imported by the CLI and tests
 * only, never by browser code.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { checkRange, type ByteSource } from '../io/bytes';
import { InputError } from '../util/errors';

/** Opens `path` for random access. Reads are positional; the handle is opened per read batch. */
export async function fileSource(path: string, name = path): Promise<ByteSource> {
  const { size } = await stat(path);
  return {
    name,
    size,
    async read(offset, length) {
      checkRange(name, size, offset, length);
      const handle = await open(path, 'r');
      try {
        const out = new Uint8Array(length);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await handle.read(out, done, length - done, offset + done);
          if (bytesRead === 0) throw new InputError(`${name}: file ended at ${offset + done} bytes (truncated?)`);
          done += bytesRead;
        }
        return out;
      } finally {
        await handle.close();
      }
    },
    async sha256() {
      const hash = createHash('sha256');
      for await (const chunk of createReadStream(path, { highWaterMark: 2 ** 20 })) hash.update(chunk as Buffer);
      return hash.digest('hex');
    },
  };
}
