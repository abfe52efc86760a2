/**
 * Loading the ORIGIN of a landscape (θ0): a pretrained BERT (`BertModel`, no classification head, often
 * no pooler in newer exports) or a random initialisation. `loadCheckpoint` of the BERT engine insists on
 * a complete `BertForSequenceClassification`; here the task head (`classifier.*`) and the pooler may be
 * absent — by the semantics they are then fixed parameters taken from the head checkpoint. Every
 * tensor that IS present is validated against config.json exactly as the BERT engine does (names
 * normalised the same way, unexpected names and wrong shapes refused, one-line errors), and any other
 * missing tensor is refused by name.
 *
 * A complete classifier checkpoint is loaded through `loadCheckpoint` itself.
 */
import type { ByteSource } from '../io/bytes';
import { SafetensorsFile } from '../io/safetensors';
import { sha256Hex, sha256Source } from '../io/sha256';
import { TorchZipFile } from '../io/torchBin';
import {
  CheckpointError,
  checkFinite,
  checkPairs,
  expectedShapes,
  readText,
  validateVocab,
  loadCheckpoint,
  normaliseTensorName,
  parseBertConfig,
  readTokenizerFiles,
  type LoadedCheckpoint,
} from '../bert/checkpoint';
import type { HostTensor } from './params';

/** Names that a pretrained origin may lack (they then come from the head checkpoint). */
export function isOptionalInOrigin(name: string): boolean {
  return name.startsWith('classifier.') || name.startsWith('pooler.');
}

/**
 * Loads a checkpoint whose head (and pooler) may be missing. Returns the BERT engine's
 * {@link LoadedCheckpoint} shape with only the tensors present.
 */
export async function loadOriginCheckpoint(files: Map<string, ByteSource>, name: string): Promise<LoadedCheckpoint> {
  const configSrc = files.get('config.json');
  if (!configSrc)
    throw new CheckpointError(
      `${name}: no config.json (a Hugging Face checkpoint folder needs config.json and weights)`,
    );
  const config = parseBertConfig(new TextDecoder().decode(await configSrc.read(0, configSrc.size)), configSrc.name);
  const expected = expectedShapes(config);
  const { readers, sources } = await openAny(files, name);
  const present = new Set<string>();
  for (const r of readers)
    for (const stored of r.names()) {
      const n = normaliseTensorName(stored);
      if (n !== null) present.add(n);
    }
  const complete = [...expected.keys()].every((n) => present.has(n));
  if (complete) return loadCheckpoint(files, name);

  const tensors = new Map<string, HostTensor>();
  const tensorDtypes = new Map<string, string>();
  for (const r of readers) {
    for (const stored of r.names()) {
      const n = normaliseTensorName(stored);
      if (n === null) continue;
      const want = expected.get(n);
      if (!want)
        throw new CheckpointError(
          `${r.file}: unexpected tensor ${stored} (not part of a ${config.numHiddenLayers}-layer BERT)`,
        );
      const shape = r.shape(stored);
      if (want.length !== shape.length || want.some((d, i) => d !== shape[i])) {
        throw new CheckpointError(
          `${r.file}: tensor ${stored} has shape [${shape.join(',')}], config.json implies [${want.join(',')}]`,
        );
      }
      if (tensors.has(n))
        throw new CheckpointError(`${r.file}: tensor ${stored} duplicates another tensor after name normalisation`);
      const data = await r.read(stored);
      checkFinite(r.file, stored, data);
      tensors.set(n, { shape: [...shape], data });
      tensorDtypes.set(n, r.dtype(stored));
    }
  }
  checkPairs((n) => tensors.has(n), name);
  for (const n of expected.keys()) {
    if (!tensors.has(n) && !isOptionalInOrigin(n))
      throw new CheckpointError(`${name}: tensor ${n} is missing (an origin may lack only the classifier and pooler)`);
  }
  // The origin's tokenizer is not used (the data is tokenized with the head's), but a vocab.txt that
  // is there is held to the same rules as in every other verb.
  const vocabSrc = files.get('vocab.txt');
  if (vocabSrc) validateVocab(await readText(vocabSrc), config, vocabSrc.name);
  const weightFiles: LoadedCheckpoint['weightFiles'] = [];
  for (const src of sources)
    weightFiles.push({
      name: src.name.split(/[\\/]/).pop() ?? src.name,
      sha256: await sha256Source(src),
      bytes: src.size,
    });
  const sha256 =
    weightFiles.length === 1
      ? weightFiles[0].sha256
      : await sha256Hex(new TextEncoder().encode(weightFiles.map((f) => `${f.sha256}  ${f.name}\n`).join('')));
  return {
    name,
    config,
    tensors,
    weightFiles,
    sha256,
    dtype: [...new Set(tensorDtypes.values())].sort().join('+'),
    tensorDtypes,
    ...(await readTokenizerFiles(files, config)),
  };
}

interface Reader {
  file: string;
  names(): string[];
  shape(n: string): number[];
  dtype(n: string): string;
  read(n: string): Promise<Float32Array>;
}

async function openAny(
  files: Map<string, ByteSource>,
  name: string,
): Promise<{ readers: Reader[]; sources: ByteSource[] }> {
  const st = async (src: ByteSource): Promise<Reader> => {
    const f = await SafetensorsFile.open(src);
    return {
      file: f.name,
      names: () => f.names(),
      shape: (n) => f.info(n).shape,
      dtype: (n) => f.info(n).dtype,
      async read(n) {
        const v = await f.read(n);
        if (v instanceof Float32Array) return v;
        if (v instanceof Float64Array) return Float32Array.from(v);
        throw new CheckpointError(`${f.name}: tensor ${n} has dtype ${f.info(n).dtype}, expected a float`);
      },
    };
  };
  const pt = async (src: ByteSource): Promise<Reader> => {
    const f = await TorchZipFile.open(src);
    return {
      file: f.name,
      names: () => f.names(),
      shape: (n) => f.tensors.get(n)!.shape,
      dtype: (n) => f.tensors.get(n)!.dtype,
      read: (n) => f.readF32(n),
    };
  };
  if (files.has('model.safetensors')) {
    const src = files.get('model.safetensors')!;
    return { readers: [await st(src)], sources: [src] };
  }
  for (const [index, open] of [
    ['model.safetensors.index.json', st],
    ['pytorch_model.bin.index.json', pt],
  ] as const) {
    if (!files.has(index)) continue;
    const src = files.get(index)!;
    let map: unknown;
    try {
      map = (JSON.parse(new TextDecoder().decode(await src.read(0, src.size))) as { weight_map?: unknown }).weight_map;
    } catch {
      throw new CheckpointError(`${src.name}: not valid JSON`);
    }
    if (map === null || typeof map !== 'object') throw new CheckpointError(`${src.name}: no weight_map object`);
    const shardNames = [...new Set(Object.values(map as Record<string, string>))];
    const sources = shardNames.map((s) => {
      const f = files.get(s) ?? files.get(s.split('/').pop()!);
      if (!f) throw new CheckpointError(`${src.name}: shard ${s} is missing`);
      return f;
    });
    const readers: Reader[] = [];
    for (const s of sources) readers.push(await open(s));
    return { readers, sources };
  }
  if (files.has('pytorch_model.bin')) {
    const src = files.get('pytorch_model.bin')!;
    return { readers: [await pt(src)], sources: [src] };
  }
  throw new CheckpointError(
    `${name}: no weights (model.safetensors, model.safetensors.index.json or pytorch_model.bin)`,
  );
}
