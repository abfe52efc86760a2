/**
 * safetensors reader and writer (https://github.com/huggingface/safetensors format): an 8-byte
 * little-endian header length, a JSON header `{name: {dtype, shape, data_offsets}, __metadata__}`,
 * then the raw little-endian tensor bytes.
 *
 * The reader validates the whole header before any tensor is touched — header length inside the
 * file, JSON shape, known dtypes, offsets inside the data region, byte counts matching shapes, no
 * overlaps — and every error is one line naming the file and the tensor. It never evaluates content.
 * Tensors are read lazily through a {@link ByteSource}, and F16/BF16 are widened to F32 on read.
 */
import { bytesSource, type ByteSource } from './bytes';
import { InputError } from '../util/errors';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const DTYPE_BYTES: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** Largest header we accept (the format's own reference implementation caps it at 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

/** A malformed or unsupported safetensors file; the message is one line naming file and tensor. */
export class SafetensorsError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

/** One tensor's header entry. Offsets are absolute within the file (header already added). */
export interface TensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute byte offset of the tensor data in the file. */
  offset: number;
  /** Number of bytes. */
  byteLength: number;
}

/** The parsed header of a safetensors file. */
export interface SafetensorsHeader {
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
  /** Absolute offset where the data region starts (8 + header length). */
  dataStart: number;
}

/** A tensor's values. Floats are always widened to Float32Array; I64 is narrowed to Int32 with a range check. */
export type TensorValues = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array;

/** A tensor as the writer takes it. */
export interface TensorToWrite {
  name: string;
  dtype: SafetensorsDtype;
  shape: readonly number[];
  data: Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array;
}

/** Reads and validates only the header (two small reads). */
export async function readSafetensorsHeader(source: ByteSource): Promise<SafetensorsHeader> {
  const file = source.name;
  if (source.size < 8)
    throw new SafetensorsError(
      `${file}: not a safetensors file (${source.size} bytes, shorter than the 8-byte header length)`,
    );
  const lenBytes = await source.read(0, 8);
  const view = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8);
  const lenHi = view.getUint32(4, true);
  const headerLength = view.getUint32(0, true) + lenHi * 2 ** 32;
  if (lenHi > 0 || headerLength > MAX_HEADER_BYTES)
    throw new SafetensorsError(`${file}: header length ${headerLength} is implausible (not a safetensors file?)`);
  if (8 + headerLength > source.size)
    throw new SafetensorsError(
      `${file}: header length ${headerLength} runs past the end of the file (${source.size} bytes; truncated?)`,
    );
  const headerBytes = await source.read(8, headerLength);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (err) {
    throw new SafetensorsError(
      `${file}: header is not valid UTF-8 JSON (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`,
    );
  }
  return validateHeader(json, file, 8 + headerLength, source.size);
}

function validateHeader(json: unknown, file: string, dataStart: number, fileSize: number): SafetensorsHeader {
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new SafetensorsError(`${file}: header is not a JSON object`);
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  const dataSize = fileSize - dataStart;
  for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = validateMetadata(entry, file);
      continue;
    }
    const where = `${file}: tensor ${name}`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
      throw new SafetensorsError(`${where}: header entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES))
      throw new SafetensorsError(`${where}: unsupported dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw new SafetensorsError(`${where}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      throw new SafetensorsError(`${where}: data_offsets ${JSON.stringify(offsets)} is not [begin, end]`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) throw new SafetensorsError(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataSize)
      throw new SafetensorsError(
        `${where}: data_offsets [${begin}, ${end}] lie outside the data region (${dataSize} bytes; truncated?)`,
      );
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const bytes = count * DTYPE_BYTES[dtype as SafetensorsDtype];
    if (end - begin !== bytes)
      throw new SafetensorsError(
        `${where}: holds ${end - begin} bytes, but shape [${(shape as number[]).join(',')}] of ${dtype} needs ${bytes}`,
      );
    tensors.set(name, {
      name,
      dtype: dtype as SafetensorsDtype,
      shape: shape as number[],
      offset: dataStart + begin,
      byteLength: bytes,
    });
  }
  const sorted = [...tensors.values()].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (sorted[i].offset < prev.offset + prev.byteLength)
      throw new SafetensorsError(`${file}: tensor ${sorted[i].name} overlaps tensor ${prev.name}`);
  }
  return { tensors, metadata, dataStart };
}

function validateMetadata(entry: unknown, file: string): Record<string, string> {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
    throw new SafetensorsError(`${file}: __metadata__ is not an object`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
    if (typeof v !== 'string') throw new SafetensorsError(`${file}: __metadata__.${k} is not a string`);
    out[k] = v;
  }
  return out;
}

/** A safetensors file opened for lazy reads. */
export class SafetensorsFile {
  private constructor(
    readonly source: ByteSource,
    readonly header: SafetensorsHeader,
  ) {}

  /** Opens and validates a file; no tensor data is read yet. */
  static async open(source: ByteSource): Promise<SafetensorsFile> {
    return new SafetensorsFile(source, await readSafetensorsHeader(source));
  }

  /** Opens bytes already in memory. */
  static fromBytes(bytes: Uint8Array, name = 'buffer'): Promise<SafetensorsFile> {
    return SafetensorsFile.open(bytesSource(bytes, name));
  }

  get name(): string {
    return this.source.name;
  }

  get metadata(): Record<string, string> {
    return this.header.metadata;
  }

  names(): string[] {
    return [...this.header.tensors.keys()];
  }

  info(name: string): TensorInfo {
    const info = this.header.tensors.get(name);
    if (!info) throw new SafetensorsError(`${this.name}: tensor ${name} is missing`);
    return info;
  }

  /** Reads one tensor's values (F16/BF16 widened to F32, I64 narrowed to I32 with a range check). */
  async read(name: string): Promise<TensorValues> {
    const info = this.info(name);
    const bytes = await this.source.read(info.offset, info.byteLength);
    return decodeTensor(bytes, info, this.name);
  }
}

/** Decodes little-endian tensor bytes into a typed array (copying only when unaligned or widened). */
export function decodeTensor(bytes: Uint8Array, info: TensorInfo, file = 'buffer'): TensorValues {
  const n = info.shape.reduce((a, b) => a * b, 1);
  switch (info.dtype) {
    case 'F32':
      return alignedView(bytes, Float32Array, n);
    case 'F64':
      return alignedView(bytes, Float64Array, n);
    case 'I32':
      return alignedView(bytes, Int32Array, n);
    case 'I16':
      return alignedView(bytes, Int16Array, n);
    case 'I8':
      return new Int8Array(bytes.buffer, bytes.byteOffset, n);
    case 'U8':
    case 'BOOL':
      return bytes.subarray(0, n);
    case 'F16':
      return f16ToF32(alignedView(bytes, Uint16Array, n));
    case 'BF16': {
      const halves = alignedView(bytes, Uint16Array, n);
      const out = new Float32Array(n);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) bits[i] = halves[i] << 16;
      return out;
    }
    case 'I64': {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = view.getBigInt64(i * 8, true);
        if (v > 2147483647n || v < -2147483648n)
          throw new SafetensorsError(`${file}: tensor ${info.name}: I64 value ${v} does not fit in 32 bits`);
        out[i] = Number(v);
      }
      return out;
    }
  }
}

type TypedCtor<T> = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number };

function alignedView<T>(bytes: Uint8Array, Ctor: TypedCtor<T>, n: number): T {
  if (bytes.byteOffset % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(bytes.buffer, bytes.byteOffset, n);
  const copy = bytes.slice(0, n * Ctor.BYTES_PER_ELEMENT);
  return new Ctor(copy.buffer, 0, n);
}

/** The value of each half-precision bit pattern (built on first use: 256 KB). */
let HALF_TABLE: Float32Array | null = null;

function halfValue(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** The F32 value of every F16 bit pattern, indexed by the pattern (65,536 entries, exact). */
export function halfTable(): Float32Array {
  if (!HALF_TABLE) {
    HALF_TABLE = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) HALF_TABLE[h] = halfValue(h);
  }
  return HALF_TABLE;
}

/** IEEE half → single precision (exact), by table lookup: ~10× the per-element arithmetic's speed. */
export function f16ToF32(halves: Uint16Array): Float32Array {
  const table = halfTable();
  const out = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = table[halves[i]];
  return out;
}

/** Single → IEEE half precision, round to nearest even. */
export function f32ToF16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  const u = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < values.length; i++) {
    const x = u[i];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
      continue;
    }
    const e = exp - 127 + 15;
    if (e >= 31) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000;
      const shift = 14 - e;
      let half = mant >> shift;
      const rem = mant & ((1 << shift) - 1);
      const halfway = 1 << (shift - 1);
      if (rem > halfway || (rem === halfway && half & 1)) half++;
      out[i] = sign | half;
      continue;
    }
    let half = (e << 10) | (mant >> 13);
    const rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
    if (half >> 10 >= 31) half = 0x7c00;
    out[i] = sign | half;
  }
  return out;
}

/**
 * Serialises tensors and string metadata into one safetensors file. Tensors are laid out in the
 * given order; the header is padded with spaces to an 8-byte boundary, as the reference writer does.
 * For F16/BF16 pass the raw 16-bit patterns as a Uint16Array.
 */
export function writeSafetensors(tensors: readonly TensorToWrite[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    const bytes = count * DTYPE_BYTES[t.dtype];
    if (t.data.byteLength !== bytes)
      throw new SafetensorsError(
        `tensor ${t.name}: ${t.data.byteLength} bytes of data for shape [${t.shape.join(',')}] ${t.dtype} (needs ${bytes})`,
      );
    if (t.name === '__metadata__' || t.name in header)
      throw new SafetensorsError(`tensor ${t.name}: duplicate or reserved name`);
    header[t.name] = { dtype: t.dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  if (padded !== json.byteLength) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.byteLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.byteLength, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  let at = 8 + json.byteLength;
  for (const t of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}
