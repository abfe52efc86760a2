/**
 * Node-only: corpus and counts sources over files (streamed with fs.createReadStream). The verb
 * checks each path through the input layer (input.ts) first; `limits` is the input budget
 * (`--max-input-bytes`), applied to the bytes after decompression by engine/text/lines.ts.
 */
import { createReadStream } from 'node:fs';
import type { CorpusSource } from '../text/corpus';
import type { TextLimits } from '../util/budget';

/** A re-openable streamed source for a file path. */
export function fileCorpusSource(path: string, limits?: TextLimits): CorpusSource {
  return {
    name: path,
    limits,
    async *open() {
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) yield chunk as Uint8Array;
    },
  };
}
