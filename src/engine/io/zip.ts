/**
 * A hand-written, read-only ZIP central-directory reader for PyTorch checkpoints (`torch.save` writes
 * a ZIP of STORED entries, with ZIP64 records). It reads the end-of-central-directory record, the
 * central directory and, lazily, each entry's local header — never the whole file — so the data of
 * a 440 MB `pytorch_model.bin` is read tensor by tensor through a {@link ByteSource}.
 *
 * Only STORED (uncompressed), unencrypted entries are accepted; every structural problem (bad
 * signature, offsets outside the file, truncation, ZIP64 fields missing) is a one-line
 * {@link ZipError} naming the file and the entry.
 */
import type { ByteSource } from './bytes';
import { InputError } from '../util/errors';

/** A malformed or unsupported ZIP file; one line, naming the file (and entry). */
export class ZipError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'ZipError';
  }
}

/** One entry of the central directory. */
export interface ZipEntry {
  name: string;
  /** 0 = STORED (the only method we read). */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const MAX_ENTRIES = 1_000_000;

/** A ZIP archive opened for lazy reads of STORED entries. */
export class ZipArchive {
  private readonly dataOffsets = new Map<string, number>();

  private constructor(
    readonly source: ByteSource,
    readonly entries: Map<string, ZipEntry>,
  ) {}

  /** Reads and validates the end records and the central directory (a few small reads). */
  static async open(source: ByteSource): Promise<ZipArchive> {
    const file = source.name;
    if (source.size < 22) throw new ZipError(`${file}: not a ZIP file (${source.size} bytes)`);
    const tailLen = Math.min(source.size, 22 + 65535);
    const tail = await source.read(source.size - tailLen, tailLen);
    const tv = view(tail);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tv.getUint32(i, true) === EOCD_SIG && i + 22 + tv.getUint16(i + 20, true) <= tail.length) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new ZipError(`${file}: no ZIP end-of-central-directory record (not a ZIP file, or truncated)`);
    let count = tv.getUint16(eocd + 10, true);
    let cdSize = tv.getUint32(eocd + 12, true);
    let cdOffset = tv.getUint32(eocd + 16, true);
    const eocdAbs = source.size - tailLen + eocd;
    if (
      count === 0xffff ||
      cdSize === 0xffffffff ||
      cdOffset === 0xffffffff ||
      (eocdAbs >= 20 && eocd >= 20 && tv.getUint32(eocd - 20, true) === ZIP64_LOCATOR_SIG)
    ) {
      if (eocd < 20 || tv.getUint32(eocd - 20, true) !== ZIP64_LOCATOR_SIG)
        throw new ZipError(`${file}: ZIP64 fields without a ZIP64 locator (corrupt)`);
      const z64 = readU64(tv, eocd - 20 + 8, file, 'ZIP64 end record offset');
      if (z64 + 56 > source.size)
        throw new ZipError(`${file}: ZIP64 end record at ${z64} lies outside the file (truncated?)`);
      const rec = view(await source.read(z64, 56));
      if (rec.getUint32(0, true) !== ZIP64_EOCD_SIG) throw new ZipError(`${file}: bad ZIP64 end record signature`);
      count = readU64(rec, 32, file, 'entry count');
      cdSize = readU64(rec, 40, file, 'central directory size');
      cdOffset = readU64(rec, 48, file, 'central directory offset');
    }
    if (count > MAX_ENTRIES) throw new ZipError(`${file}: ${count} entries is implausible`);
    if (cdOffset + cdSize > source.size)
      throw new ZipError(
        `${file}: central directory [${cdOffset}, ${cdOffset + cdSize}) lies outside the file (${source.size} bytes; truncated?)`,
      );
    if (cdSize < count * 46)
      throw new ZipError(`${file}: central directory of ${cdSize} bytes cannot hold ${count} entries`);
    const cd = await source.read(cdOffset, cdSize);
    const cv = view(cd);
    const entries = new Map<string, ZipEntry>();
    const decoder = new TextDecoder('utf-8');
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (p + 46 > cd.length || cv.getUint32(p, true) !== CENTRAL_SIG)
        throw new ZipError(`${file}: central directory entry ${i} is corrupt (bad signature at ${cdOffset + p})`);
      const flags = cv.getUint16(p + 8, true);
      const method = cv.getUint16(p + 10, true);
      let compressedSize = cv.getUint32(p + 20, true);
      let size = cv.getUint32(p + 24, true);
      const nameLen = cv.getUint16(p + 28, true);
      const extraLen = cv.getUint16(p + 30, true);
      const commentLen = cv.getUint16(p + 32, true);
      let localHeaderOffset = cv.getUint32(p + 42, true);
      if (p + 46 + nameLen + extraLen + commentLen > cd.length)
        throw new ZipError(`${file}: central directory entry ${i} runs past the directory`);
      const name = decoder.decode(cd.subarray(p + 46, p + 46 + nameLen));
      // ZIP64 extended information: the 0xFFFFFFFF fields follow, in this order.
      let e = p + 46 + nameLen;
      const extraEnd = e + extraLen;
      while (e + 4 <= extraEnd) {
        const id = cv.getUint16(e, true);
        const len = cv.getUint16(e + 2, true);
        if (e + 4 + len > extraEnd) throw new ZipError(`${file}: entry ${name}: extra field runs past its entry`);
        if (id === 0x0001) {
          let q = e + 4;
          const take = (what: string): number => {
            if (q + 8 > e + 4 + len) throw new ZipError(`${file}: entry ${name}: ZIP64 extra field lacks the ${what}`);
            const v = readU64(cv, q, file, `${name} ${what}`);
            q += 8;
            return v;
          };
          if (size === 0xffffffff) size = take('size');
          if (compressedSize === 0xffffffff) compressedSize = take('compressed size');
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = take('header offset');
        }
        e += 4 + len;
      }
      if (flags & 1) throw new ZipError(`${file}: entry ${name} is encrypted`);
      if (localHeaderOffset + 30 + compressedSize > source.size)
        throw new ZipError(
          `${file}: entry ${name} at offset ${localHeaderOffset} (${compressedSize} bytes) lies outside the file (${source.size} bytes; truncated?)`,
        );
      entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
      p += 46 + nameLen + extraLen + commentLen;
    }
    return new ZipArchive(source, entries);
  }

  get name(): string {
    return this.source.name;
  }

  entry(name: string): ZipEntry {
    const e = this.entries.get(name);
    if (!e) throw new ZipError(`${this.name}: entry ${name} is missing`);
    return e;
  }

  /** Absolute offset of an entry's data (reads and checks its local header once). */
  async dataOffset(name: string): Promise<number> {
    const cached = this.dataOffsets.get(name);
    if (cached !== undefined) return cached;
    const e = this.entry(name);
    if (e.method !== 0)
      throw new ZipError(
        `${this.name}: entry ${name} is compressed (method ${e.method}); only STORED entries can be read (torch.save writes them so)`,
      );
    if (e.compressedSize !== e.size)
      throw new ZipError(
        `${this.name}: entry ${name} is STORED but its sizes differ (${e.compressedSize} vs ${e.size})`,
      );
    const lh = view(await this.source.read(e.localHeaderOffset, 30));
    if (lh.getUint32(0, true) !== LOCAL_SIG)
      throw new ZipError(`${this.name}: entry ${name}: bad local header signature at ${e.localHeaderOffset}`);
    const start = e.localHeaderOffset + 30 + lh.getUint16(26, true) + lh.getUint16(28, true);
    if (start + e.size > this.source.size)
      throw new ZipError(
        `${this.name}: entry ${name}: data [${start}, ${start + e.size}) lies outside the file (${this.source.size} bytes; truncated?)`,
      );
    this.dataOffsets.set(name, start);
    return start;
  }

  /** Reads `length` bytes at `offset` within a STORED entry (default: the whole entry). */
  async read(name: string, offset = 0, length?: number): Promise<Uint8Array> {
    const e = this.entry(name);
    const len = length ?? e.size - offset;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(len) || offset < 0 || len < 0 || offset + len > e.size) {
      throw new ZipError(
        `${this.name}: entry ${name}: read of ${len} bytes at ${offset} is outside the entry (${e.size} bytes)`,
      );
    }
    const start = await this.dataOffset(name);
    return this.source.read(start + offset, len);
  }
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function readU64(v: DataView, at: number, file: string, what: string): number {
  const lo = v.getUint32(at, true);
  const hi = v.getUint32(at + 4, true);
  const n = hi * 2 ** 32 + lo;
  if (!Number.isSafeInteger(n)) throw new ZipError(`${file}: ${what} ${n} is too large`);
  return n;
}
