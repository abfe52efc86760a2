/**
 * Node-only byte source over a file on disk: reads ranges with a file handle, so a 440 MB
 * checkpoint is never held twice. Imported by the CLI and tests only, never by browser code.
 */
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
  };
}
