/**
 * Random-access byte sources, so big files (BERT-base is 440 MB in F32) are read piece by piece
 * instead of being copied whole: an in-memory buffer, a browser Blob/File. Node's file source lives
 * in `engine/node/file.ts` so the browser bundle never sees `fs`.
 */
import { InputError } from '../util/errors';

/** Read-only random access to a file's bytes. */
export interface ByteSource {
  /** A display name used in error messages (file name or path). */
  readonly name: string;
  /** Total size in bytes. */
  readonly size: number;
  /** Reads `length` bytes at `offset`; rejects if the range is outside the source. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Optional native hex SHA-256 of the whole source (Node: `node:crypto` streamed over the file), used by
   * `sha256Source` in place of its own streaming hash.
   */
  sha256?(): Promise<string>;
}

/** A source over bytes already in memory (views are returned, nothing is copied). */
export function bytesSource(bytes: Uint8Array, name = 'buffer'): ByteSource {
  return {
    name,
    size: bytes.byteLength,
    async read(offset, length) {
      checkRange(name, bytes.byteLength, offset, length);
      return bytes.subarray(offset, offset + length);
    },
  };
}

/** A source over a browser Blob or File (each read slices the blob). */
export function blobSource(blob: Blob, name = (blob as File).name ?? 'blob'): ByteSource {
  return {
    name,
    size: blob.size,
    async read(offset, length) {
      checkRange(name, blob.size, offset, length);
      return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    },
  };
}

/** Throws a one-line error when [offset, offset+length) is not inside a file of `size` bytes. */
export function checkRange(name: string, size: number, offset: number, length: number): void {
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > size
  ) {
    throw new InputError(
      `${name}: read of ${length} bytes at offset ${offset} is outside the file (${size} bytes; truncated?)`,
    );
  }
}
