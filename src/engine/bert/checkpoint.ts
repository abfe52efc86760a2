/**
 * Loading a Hugging Face BERT classifier checkpoint from its files (a folder or dropped files):
 * config.json, weights as model.safetensors (F32/F16/BF16), sharded safetensors
 * (model.safetensors.index.json), or PyTorch's zip pytorch_model.bin (sharded .bin index too), and
 * optional vocab.txt / tokenizer_config.json.
 *
 * Everything is validated before any compute — the tensor set against the config (missing and
 * unexpected names, shapes, dtypes) after name normalisation (`bert.` prefix, LayerNorm.gamma/beta,
 * `position_ids` buffers and `cls.*` pre-training heads dropped) — with one-line errors naming file
 * and tensor. Tensors are read one at a time through {@link ByteSource}s (one copy each). The same
 * content rules hold in every verb (docs/bert.md, "Checkpoint validation"): a head (and pooler) is
 * complete or absent, every tensor is finite, and vocab.txt agrees with vocab_size and holds the
 * special tokens the tokenizer needs ({@link validateVocab}, {@link checkFinite}, {@link checkPairs}).
 */
import type { ByteSource } from '../io/bytes';
import { SafetensorsFile, type SafetensorsDtype } from '../io/safetensors';
import { TorchZipFile } from '../io/torchBin';
import { sha256Hex, sha256Source } from '../io/sha256';
import { InputError } from '../util/errors';
import { expectedShapes, parseBertConfig, type BertConfig } from './config';

export type { BertConfig, HiddenAct } from './config';
export { parseBertConfig, bertConfigFromJson, expectedShapes, isRegression } from './config';

/** A checkpoint that does not fit the config or our reader; one line naming file and tensor. */
export class CheckpointError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** A host-side tensor: row-major F32 values in a PyTorch layout. */
export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

export interface LoadedCheckpoint {
  /** Folder or display name. */
  name: string;
  config: BertConfig;
  /** Normalised names (no `bert.` prefix; LayerNorm.weight/bias; PyTorch layouts, e.g. Linear weight [out, in]). */
  tensors: Map<string, HostTensor>;
  /** SHA-256 (hex) per weights file, in file order, and one combined id. */
  weightFiles: { name: string; sha256: string; bytes: number }[];
  /** The single file's SHA-256, or for several files the SHA-256 of the lines `"<sha256>  <name>\n"` (sha256sum format) in file order. */
  sha256: string;
  /** Stored dtype(s), e.g. 'F32', 'BF16', 'F16+F32'. */
  dtype: string;
  /** Stored dtype per normalised tensor name. */
  tensorDtypes: Map<string, string>;
  vocab?: string[];
  doLowerCase?: boolean;
}

/**
 * Maps a stored tensor name to our normalised name, or null for tensors a classifier ignores
 * (`position_ids` buffers, `cls.*` pre-training heads).
 */
export function normaliseTensorName(name: string): string | null {
  let n = name.startsWith('bert.') ? name.slice(5) : name;
  if (n.startsWith('cls.') || n === 'embeddings.position_ids' || n.endsWith('.position_ids')) return null;
  n = n.replace(/LayerNorm\.gamma$/, 'LayerNorm.weight').replace(/LayerNorm\.beta$/, 'LayerNorm.bias');
  return n;
}

/** One stored tensor: where it lives and how to read it as F32. */
interface StoredTensor {
  file: string;
  stored: string;
  dtype: string;
  shape: number[];
  read(): Promise<Float32Array>;
}

const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16', 'F64']);

/** The special tokens the tokenizer needs in vocab.txt. */
export const REQUIRED_VOCAB_TOKENS = ['[UNK]', '[CLS]', '[SEP]', '[PAD]'] as const;

/** Parameter pairs that are present together or not at all (a head without its bias is a broken export). */
const PAIRS: readonly [string, string][] = [
  ['classifier.weight', 'classifier.bias'],
  ['pooler.dense.weight', 'pooler.dense.bias'],
];

/** Throws unless each of {@link PAIRS} is complete or absent in `present`. */
export function checkPairs(present: (n: string) => boolean, name: string): void {
  for (const [a, b] of PAIRS)
    if (present(a) !== present(b))
      throw new CheckpointError(
        `${name}: has ${present(a) ? a : b} but not ${present(a) ? b : a} (the ${a.split('.')[0]} must be complete or absent)`,
      );
}

/** Throws naming the tensor and the first index when `data` holds NaN or ±Infinity. */
export function checkFinite(file: string, stored: string, data: Float32Array): void {
  for (let i = 0; i < data.length; i++)
    if (!Number.isFinite(data[i]))
      throw new CheckpointError(
        `${file}: tensor ${stored} holds ${data[i]} at flat index ${i} (every weight must be finite)`,
      );
}

/**
 * The vocabulary of vocab.txt (one token a line): not empty, the {@link REQUIRED_VOCAB_TOKENS}
 * present, and as many tokens as config.json's vocab_size — or vocab_size is the count padded to a
 * multiple of 8 (by fewer than 128 rows), as some exports pad the embedding matrix.
 */
export function validateVocab(text: string, config: BertConfig, file: string): string[] {
  const vocab = text.split(/\r?\n/);
  if (vocab.length > 0 && vocab[vocab.length - 1] === '') vocab.pop();
  if (vocab.length === 0) throw new CheckpointError(`${file}: empty (a vocab.txt has one token per line)`);
  const n = vocab.length;
  const V = config.vocabSize;
  if (n > V) throw new CheckpointError(`${file}: ${n} tokens, but config.json vocab_size is ${V}`);
  if (n !== V && !(V % 8 === 0 && V - n < 128))
    throw new CheckpointError(
      `${file}: ${n} tokens, but config.json vocab_size is ${V} (they must agree, up to padding to a multiple of 8)`,
    );
  const have = new Set(vocab);
  const missing = REQUIRED_VOCAB_TOKENS.filter((t) => !have.has(t));
  if (missing.length)
    throw new CheckpointError(`${file}: lacks the special token(s) ${missing.join(', ')} the tokenizer needs`);
  return vocab;
}

export interface LoadCheckpointOptions {
  /**
   * Accept a checkpoint without the classification head (`classifier.*`), e.g. a pre-trained
   * BertForPreTraining/BertModel checkpoint used as one end of an interpolation; the returned
   * `tensors` then lack those names and the caller must supply them before building a model.
   */
  allowMissingHead?: boolean;
}

/** `files`: the checkpoint's files by base name (config.json, model.safetensors, vocab.txt, …). */
export async function loadCheckpoint(
  files: Map<string, ByteSource>,
  name: string,
  opts: LoadCheckpointOptions = {},
): Promise<LoadedCheckpoint> {
  const configSrc = files.get('config.json');
  if (!configSrc)
    throw new CheckpointError(
      `${name}: no config.json (a Hugging Face checkpoint folder needs config.json and weights)`,
    );
  const config = parseBertConfig(await readText(configSrc), configSrc.name);
  const { stored, weightSources } = await openWeights(files, name);

  // Normalise names and validate the set against the config before reading any tensor data.
  const expected = expectedShapes(config);
  const byName = new Map<string, StoredTensor>();
  for (const t of stored) {
    const n = normaliseTensorName(t.stored);
    if (n === null) continue;
    const prev = byName.get(n);
    if (prev)
      throw new CheckpointError(
        `${t.file}: tensor ${t.stored} duplicates ${prev.stored} (in ${prev.file}) after name normalisation`,
      );
    if (!expected.has(n))
      throw new CheckpointError(
        `${t.file}: unexpected tensor ${t.stored} (not part of a ${config.numHiddenLayers}-layer BertForSequenceClassification)`,
      );
    const want = expected.get(n)!;
    if (want.length !== t.shape.length || want.some((d, i) => d !== t.shape[i])) {
      throw new CheckpointError(
        `${t.file}: tensor ${t.stored} has shape [${t.shape.join(',')}], config.json implies [${want.join(',')}]`,
      );
    }
    if (!FLOAT_DTYPES.has(t.dtype))
      throw new CheckpointError(
        `${t.file}: tensor ${t.stored} has dtype ${t.dtype}, expected a float (F32, F16, BF16)`,
      );
    byName.set(n, t);
  }
  checkPairs((n) => byName.has(n), name);
  for (const n of expected.keys()) {
    if (!byName.has(n) && !(opts.allowMissingHead && n.startsWith('classifier.'))) {
      const hint = n.startsWith('classifier')
        ? ' (a pre-trained checkpoint without a fine-tuned classification head?)'
        : '';
      throw new CheckpointError(
        `${name}: tensor ${n} is missing from ${weightSources.map((s) => s.name.split('/').pop()).join(', ')}${hint}`,
      );
    }
  }

  const tensors = new Map<string, HostTensor>();
  const tensorDtypes = new Map<string, string>();
  for (const n of expected.keys()) {
    const t = byName.get(n);
    if (!t) continue; // an allowed missing head
    const data = await t.read();
    if (data.length !== t.shape.reduce((a, b) => a * b, 1))
      throw new CheckpointError(
        `${t.file}: tensor ${t.stored} read ${data.length} values for shape [${t.shape.join(',')}]`,
      );
    checkFinite(t.file, t.stored, data);
    tensors.set(n, { shape: [...t.shape], data });
    tensorDtypes.set(n, t.dtype);
  }

  const weightFiles: LoadedCheckpoint['weightFiles'] = [];
  for (const src of weightSources)
    weightFiles.push({ name: baseName(src.name), sha256: await sha256Source(src), bytes: src.size });
  const sha256 =
    weightFiles.length === 1
      ? weightFiles[0].sha256
      : await sha256Hex(new TextEncoder().encode(weightFiles.map((f) => `${f.sha256}  ${f.name}\n`).join('')));
  const dtype = [...new Set(tensorDtypes.values())].sort().join('+');

  const { vocab, doLowerCase } = await readTokenizerFiles(files, config);
  return { name, config, tensors, weightFiles, sha256, dtype, tensorDtypes, vocab, doLowerCase };
}

/** Which weight files to read: safetensors first (as transformers does), then the .bin forms. */
async function openWeights(
  files: Map<string, ByteSource>,
  name: string,
): Promise<{ stored: StoredTensor[]; weightSources: ByteSource[] }> {
  if (files.has('model.safetensors')) {
    const src = files.get('model.safetensors')!;
    return { stored: safetensorsTensors(await SafetensorsFile.open(src)), weightSources: [src] };
  }
  if (files.has('model.safetensors.index.json')) {
    const shards = await shardList(files, 'model.safetensors.index.json');
    const stored: StoredTensor[] = [];
    for (const [shard, names] of shards) {
      const st = safetensorsTensors(await SafetensorsFile.open(shard));
      const have = new Set(st.map((t) => t.stored));
      for (const n of names)
        if (!have.has(n))
          throw new CheckpointError(
            `${shard.name}: tensor ${n} is listed in model.safetensors.index.json but missing from the shard`,
          );
      stored.push(...st);
    }
    return { stored, weightSources: [...shards.keys()] };
  }
  if (files.has('pytorch_model.bin')) {
    const src = files.get('pytorch_model.bin')!;
    return { stored: torchTensors(await TorchZipFile.open(src)), weightSources: [src] };
  }
  if (files.has('pytorch_model.bin.index.json')) {
    const shards = await shardList(files, 'pytorch_model.bin.index.json');
    const stored: StoredTensor[] = [];
    for (const shard of shards.keys()) stored.push(...torchTensors(await TorchZipFile.open(shard)));
    return { stored, weightSources: [...shards.keys()] };
  }
  if (files.has('tf_model.h5') || files.has('flax_model.msgpack'))
    throw new CheckpointError(
      `${name}: only TensorFlow/Flax weights found; convert to model.safetensors (PyTorch) first`,
    );
  throw new CheckpointError(
    `${name}: no weights (model.safetensors, model.safetensors.index.json or pytorch_model.bin)`,
  );
}

/** Shards of an index file, in first-mention order, with the tensor names each should hold. */
async function shardList(files: Map<string, ByteSource>, indexName: string): Promise<Map<ByteSource, string[]>> {
  const src = files.get(indexName)!;
  let index: unknown;
  try {
    index = JSON.parse(await readText(src));
  } catch {
    throw new CheckpointError(`${src.name}: not valid JSON`);
  }
  const map = (index as { weight_map?: unknown } | null)?.weight_map;
  if (map === null || typeof map !== 'object' || Array.isArray(map))
    throw new CheckpointError(`${src.name}: no weight_map object`);
  const shards = new Map<ByteSource, string[]>();
  const byFile = new Map<string, ByteSource>();
  for (const [tensor, shard] of Object.entries(map as Record<string, unknown>)) {
    if (typeof shard !== 'string') throw new CheckpointError(`${src.name}: weight_map['${tensor}'] is not a file name`);
    let s = byFile.get(shard);
    if (!s) {
      s = files.get(shard) ?? files.get(baseName(shard));
      if (!s) throw new CheckpointError(`${src.name}: shard ${shard} (holding ${tensor}) is missing`);
      byFile.set(shard, s);
      shards.set(s, []);
    }
    shards.get(s)!.push(tensor);
  }
  return shards;
}

function safetensorsTensors(f: SafetensorsFile): StoredTensor[] {
  return f.names().map((n) => {
    const info = f.info(n);
    return {
      file: f.name,
      stored: n,
      dtype: info.dtype,
      shape: info.shape,
      async read() {
        const v = await f.read(n);
        if (v instanceof Float32Array) return v;
        if (v instanceof Float64Array) return Float32Array.from(v);
        throw new CheckpointError(
          `${f.name}: tensor ${n} has dtype ${info.dtype as SafetensorsDtype}, expected a float`,
        );
      },
    };
  });
}

function torchTensors(f: TorchZipFile): StoredTensor[] {
  return f.names().map((n) => {
    const info = f.info(n);
    return { file: f.name, stored: n, dtype: info.dtype, shape: info.shape, read: () => f.readF32(n) };
  });
}

/** A small text file of the checkpoint (config, vocab, index), as strict UTF-8. */
export async function readText(src: ByteSource): Promise<string> {
  if (src.size > 64 * 2 ** 20) throw new InputError(`${src.name}: ${src.size} bytes is too large for a text file here`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(await src.read(0, src.size));
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new CheckpointError(`${src.name}: not UTF-8 text`);
  }
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** vocab.txt (checked against vocab_size) and tokenizer_config.json's do_lower_case, when present. */
export async function readTokenizerFiles(
  files: Map<string, ByteSource>,
  config: BertConfig,
): Promise<{ vocab?: string[]; doLowerCase?: boolean }> {
  let vocab: string[] | undefined;
  const vocabSrc = files.get('vocab.txt');
  if (vocabSrc) vocab = validateVocab(await readText(vocabSrc), config, vocabSrc.name);
  let doLowerCase: boolean | undefined;
  const tcSrc = files.get('tokenizer_config.json');
  if (tcSrc) {
    let tc: unknown;
    try {
      tc = JSON.parse(await readText(tcSrc));
    } catch {
      throw new InputError(`${tcSrc.name}: not valid JSON`);
    }
    const v = (tc as Record<string, unknown> | null)?.do_lower_case;
    if (typeof v === 'boolean') doLowerCase = v;
  }
  return { vocab, doLowerCase };
}
