/**
 * PyTorch `torch.save` zip checkpoints (`pytorch_model.bin`) without Python: the ZIP is read by
 * {@link ZipArchive}, `data.pkl` by the restricted {@link unpickle} with an allow-list of exactly the
 * globals a state dict of tensors needs, and tensor data lazily from the `data/<key>` entries.
 * Shared storages (tied weights), storage offsets and arbitrary strides are honoured; F16/BF16/F64
 * are widened/narrowed to F32 on read. Nothing in the file is ever executed.
 */
import type { ByteSource } from './bytes';
import { unpickle, PickleError, type PickleGlobal, type PickleBuildable } from './pickle';
import { ZipArchive, ZipError } from './zip';
import { f16ToF32 } from './safetensors';

/** Element types of PyTorch's legacy typed storages, with safetensors-style dtype names. */
const STORAGE_TYPES: Record<string, { dtype: string; bytes: number }> = {
  FloatStorage: { dtype: 'F32', bytes: 4 },
  HalfStorage: { dtype: 'F16', bytes: 2 },
  BFloat16Storage: { dtype: 'BF16', bytes: 2 },
  DoubleStorage: { dtype: 'F64', bytes: 8 },
  LongStorage: { dtype: 'I64', bytes: 8 },
  IntStorage: { dtype: 'I32', bytes: 4 },
  ShortStorage: { dtype: 'I16', bytes: 2 },
  CharStorage: { dtype: 'I8', bytes: 1 },
  ByteStorage: { dtype: 'U8', bytes: 1 },
  BoolStorage: { dtype: 'BOOL', bytes: 1 },
};

interface StorageRef {
  kind: 'storage';
  dtype: string;
  elemBytes: number;
  key: string;
  numel: number;
}

/** One tensor of a torch zip checkpoint, not yet read. */
export interface TorchTensorInfo {
  name: string;
  dtype: string;
  shape: number[];
  stride: number[];
  /** Offset into the storage, in elements. */
  storageOffset: number;
  storageKey: string;
  storageNumel: number;
}

class StateDict extends Map<unknown, unknown> implements PickleBuildable {
  pickleBuild(): void {
    /* `_metadata` (module versions) — irrelevant to the tensors; ignored. */
  }
}

interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}

/** A `torch.save` zip checkpoint opened for lazy tensor reads. */
export class TorchZipFile {
  private constructor(
    readonly zip: ZipArchive,
    private readonly prefix: string,
    readonly tensors: Map<string, TorchTensorInfo>,
  ) {}

  get name(): string {
    return this.zip.name;
  }

  /** Opens the archive, unpickles `data.pkl` under the allow-list and validates every tensor view. */
  static async open(source: ByteSource): Promise<TorchZipFile> {
    const file = source.name;
    if (source.size >= 2) {
      const magic = await source.read(0, 2);
      if (magic[0] !== 0x50 || magic[1] !== 0x4b) {
        throw new ZipError(
          `${file}: not a zip-format PyTorch checkpoint (legacy torch<1.6 or other format); re-save it with a recent torch.save or as safetensors`,
        );
      }
    }
    const zip = await ZipArchive.open(source);
    const pkl = [...zip.entries.keys()].filter((n) => n === 'data.pkl' || n.endsWith('/data.pkl'));
    if (pkl.length !== 1)
      throw new ZipError(`${file}: expected one data.pkl entry, found ${pkl.length} (not a torch.save checkpoint?)`);
    const prefix = pkl[0].slice(0, pkl[0].length - 'data.pkl'.length);
    const order = zip.entries.get(`${prefix}byteorder`);
    if (order) {
      const text = new TextDecoder().decode(await zip.read(order.name));
      if (text.trim() !== 'little')
        throw new ZipError(`${file}: byteorder '${text.trim()}' is not supported (only little-endian)`);
    }
    const entry = zip.entry(pkl[0]);
    if (entry.size > 256 * 2 ** 20)
      throw new ZipError(`${file}: data.pkl of ${entry.size} bytes is implausible for a state dict`);
    const bytes = await zip.read(pkl[0]);
    const root = unpickle(bytes, {
      file: `${file}:${pkl[0]}`,
      findGlobal: torchGlobal,
      persistentLoad: (pid) => persistentLoad(pid, `${file}:${pkl[0]}`),
    });
    if (!(root instanceof Map))
      throw new PickleError(`${file}: data.pkl does not hold a state dict (a dict of tensors)`);
    const tensors = new Map<string, TorchTensorInfo>();
    for (const [k, v] of root) {
      if (typeof k !== 'string') throw new PickleError(`${file}: state dict key ${String(k)} is not a string`);
      if (!isTensorRef(v)) throw new PickleError(`${file}: state dict entry ${k} is not a tensor`);
      const info: TorchTensorInfo = {
        name: k,
        dtype: v.storage.dtype,
        shape: v.shape,
        stride: v.stride,
        storageOffset: v.offset,
        storageKey: v.storage.key,
        storageNumel: v.storage.numel,
      };
      const dataName = `${prefix}data/${info.storageKey}`;
      const de = zip.entries.get(dataName);
      if (!de) throw new ZipError(`${file}: tensor ${k}: storage entry ${dataName} is missing`);
      if (de.size < info.storageNumel * v.storage.elemBytes)
        throw new ZipError(
          `${file}: tensor ${k}: storage ${info.storageKey} holds ${de.size} bytes, needs ${info.storageNumel * v.storage.elemBytes} (truncated?)`,
        );
      checkView(info, file);
      tensors.set(k, info);
    }
    return new TorchZipFile(zip, prefix, tensors);
  }

  names(): string[] {
    return [...this.tensors.keys()];
  }

  info(name: string): TorchTensorInfo {
    const t = this.tensors.get(name);
    if (!t) throw new ZipError(`${this.name}: tensor ${name} is missing`);
    return t;
  }

  /** Reads one tensor as F32 (contiguous views in one read; other strides by gathering). */
  async readF32(name: string): Promise<Float32Array> {
    const t = this.info(name);
    const { bytes: eb } = STORAGE_TYPES[dtypeToStorage(t.dtype)];
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n === 0) return new Float32Array(0);
    const entry = `${this.prefix}data/${t.storageKey}`;
    if (isContiguous(t.shape, t.stride)) {
      const raw = await this.zip.read(entry, t.storageOffset * eb, n * eb);
      return toF32(raw, t.dtype, n, `${this.name}: tensor ${name}`);
    }
    let lo = t.storageOffset;
    let hi = t.storageOffset;
    for (let d = 0; d < t.shape.length; d++) {
      if (t.stride[d] >= 0) hi += (t.shape[d] - 1) * t.stride[d];
      else lo += (t.shape[d] - 1) * t.stride[d];
    }
    const raw = await this.zip.read(entry, lo * eb, (hi - lo + 1) * eb);
    const span = toF32(raw, t.dtype, hi - lo + 1, `${this.name}: tensor ${name}`);
    const out = new Float32Array(n);
    const idx = new Array<number>(t.shape.length).fill(0);
    for (let i = 0; i < n; i++) {
      let off = t.storageOffset - lo;
      for (let d = 0; d < idx.length; d++) off += idx[d] * t.stride[d];
      out[i] = span[off];
      for (let d = idx.length - 1; d >= 0; d--) {
        if (++idx[d] < t.shape[d]) break;
        idx[d] = 0;
      }
    }
    return out;
  }
}

function dtypeToStorage(dtype: string): string {
  for (const [k, v] of Object.entries(STORAGE_TYPES)) if (v.dtype === dtype) return k;
  throw new ZipError(`unknown dtype ${dtype}`);
}

function isContiguous(shape: number[], stride: number[]): boolean {
  let expect = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expect) return false;
    expect *= shape[d];
  }
  return true;
}

function checkView(t: TorchTensorInfo, file: string): void {
  const where = `${file}: tensor ${t.name}`;
  if (t.shape.length !== t.stride.length)
    throw new PickleError(`${where}: shape [${t.shape}] and stride [${t.stride}] differ in rank`);
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  if (n > t.storageNumel)
    throw new PickleError(
      `${where}: view of ${n} elements is larger than its storage of ${t.storageNumel} (expanded tensors are not supported)`,
    );
  let lo = t.storageOffset;
  let hi = t.storageOffset;
  for (let d = 0; d < t.shape.length; d++) {
    if (t.stride[d] >= 0) hi += (t.shape[d] - 1) * t.stride[d];
    else lo += (t.shape[d] - 1) * t.stride[d];
  }
  if (lo < 0 || hi >= t.storageNumel)
    throw new PickleError(
      `${where}: view (offset ${t.storageOffset}, shape [${t.shape}], stride [${t.stride}]) reaches outside its storage of ${t.storageNumel} elements`,
    );
}

function toF32(raw: Uint8Array, dtype: string, n: number, where: string): Float32Array {
  const aligned = (k: number): Uint8Array => (raw.byteOffset % k === 0 ? raw : raw.slice());
  switch (dtype) {
    case 'F32': {
      const b = aligned(4);
      return new Float32Array(b.buffer, b.byteOffset, n);
    }
    case 'F16': {
      const b = aligned(2);
      return f16ToF32(new Uint16Array(b.buffer, b.byteOffset, n));
    }
    case 'BF16': {
      const b = aligned(2);
      const halves = new Uint16Array(b.buffer, b.byteOffset, n);
      const out = new Float32Array(n);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) bits[i] = halves[i] << 16;
      return out;
    }
    case 'F64': {
      const b = aligned(8);
      return Float32Array.from(new Float64Array(b.buffer, b.byteOffset, n));
    }
    default:
      throw new ZipError(`${where}: dtype ${dtype} is not a floating-point tensor`);
  }
}

function isTensorRef(v: unknown): v is TensorRef {
  return v !== null && typeof v === 'object' && (v as TensorRef).kind === 'tensor';
}

function intTuple(v: unknown, what: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => Number.isSafeInteger(x)))
    throw new PickleError(`${what} is not a tuple of integers`);
  return v as number[];
}

function rebuildTensor(args: unknown[]): TensorRef {
  const [storage, offset, size, stride] = args;
  if (storage === null || typeof storage !== 'object' || (storage as StorageRef).kind !== 'storage')
    throw new PickleError('_rebuild_tensor: first argument is not a storage');
  if (!Number.isSafeInteger(offset) || (offset as number) < 0)
    throw new PickleError('_rebuild_tensor: storage offset is not a non-negative integer');
  const shape = intTuple(size, '_rebuild_tensor: size');
  if (shape.some((d) => d < 0)) throw new PickleError('_rebuild_tensor: negative size');
  return {
    kind: 'tensor',
    storage: storage as StorageRef,
    offset: offset as number,
    shape,
    stride: intTuple(stride, '_rebuild_tensor: stride'),
  };
}

const G = (module: string, name: string, call?: (args: unknown[]) => unknown): PickleGlobal => ({ module, name, call });

/** The allow-list: exactly what `torch.save(state_dict)` emits. */
const ALLOWED = new Map<string, PickleGlobal>([
  [
    'collections.OrderedDict',
    G('collections', 'OrderedDict', (args) => {
      if (args.length !== 0) throw new PickleError('OrderedDict called with arguments');
      return new StateDict();
    }),
  ],
  ['torch._utils._rebuild_tensor_v2', G('torch._utils', '_rebuild_tensor_v2', (args) => rebuildTensor(args))],
  ['torch._utils._rebuild_tensor', G('torch._utils', '_rebuild_tensor', (args) => rebuildTensor(args))],
  [
    'torch._utils._rebuild_parameter',
    G('torch._utils', '_rebuild_parameter', (args) => {
      if (!isTensorRef(args[0])) throw new PickleError('_rebuild_parameter: data is not a tensor');
      return args[0];
    }),
  ],
  ...Object.keys(STORAGE_TYPES).map((s) => [`torch.${s}`, G('torch', s)] as [string, PickleGlobal]),
]);

function torchGlobal(module: string, name: string): PickleGlobal | undefined {
  return ALLOWED.get(`${module}.${name}`);
}

function persistentLoad(pid: unknown, file: string): StorageRef {
  if (!Array.isArray(pid) || pid.length < 5 || pid[0] !== 'storage')
    throw new PickleError(`${file}: persistent id is not a ('storage', …) tuple`);
  const [, type, key, , numel] = pid;
  const g = type as PickleGlobal;
  const st = g && typeof g === 'object' && g.module === 'torch' ? STORAGE_TYPES[g.name] : undefined;
  if (!st) throw new PickleError(`${file}: persistent id names an unknown storage type`);
  if (typeof key !== 'string' || !/^[A-Za-z0-9_]{1,64}$/.test(key))
    throw new PickleError(`${file}: persistent id has a bad storage key`);
  if (!Number.isSafeInteger(numel) || (numel as number) < 0)
    throw new PickleError(`${file}: storage ${key} has a bad element count`);
  return { kind: 'storage', dtype: st.dtype, elemBytes: st.bytes, key, numel: numel as number };
}
