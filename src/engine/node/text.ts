/** Node-only: corpus and counts sources over files (streamed with fs.createReadStream). */
import { createReadStream } from 'node:fs';
import type { CorpusSource } from '../text/corpus';

/** A re-openable streamed source for a file path. */
export function fileCorpusSource(path: string): CorpusSource {
  return {
    name: path,
    async *open() {
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) yield chunk as Uint8Array;
    },
  };
}
