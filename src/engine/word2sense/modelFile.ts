/**
 * The Word2Sense model file: one safetensors file (a public contract, readable from Python).
 * Tensors: beta [K,V] F32|F16, theta [V,K] F32|F16, p_word [V] F32, p_sense [K] F32, merge [K] I32,
 * embedding.indptr [V+1] I32, embedding.indices [nnz] I32, embedding.values [nnz] F32.
 * Metadata: format = sensescape.word2sense, version = 1, vocab (JSON array), word_counts (JSON
 * array), hyperparameters (JSON object). Reading validates every part and names what is wrong.
 */
import { f32ToF16, SafetensorsFile, writeSafetensors, type TensorValues } from '../io/safetensors';
import { InputError } from '../util/errors';
import type { Word2SenseModel } from './model';

export const MODEL_FORMAT = 'sensescape.word2sense';
export const MODEL_VERSION = '1';

/**
 * Serialises a model. beta [K,V] and theta [V,K] are F32 by default; F16 halves the two largest
 * tensors (rows still sum to 1 within F16 rounding, about 1e-3), which is how the bundled demo is stored.
 */
export function writeWord2SenseModel(
  model: Word2SenseModel,
  opts: { betaDtype?: 'F32' | 'F16'; thetaDtype?: 'F32' | 'F16' } = {},
): Uint8Array {
  const { V, K } = model;
  const nnz = model.embedding.values.length;
  const f16 = opts.betaDtype === 'F16';
  const thetaF16 = opts.thetaDtype === 'F16';
  return writeSafetensors(
    [
      { name: 'beta', dtype: f16 ? 'F16' : 'F32', shape: [K, V], data: f16 ? f32ToF16(model.beta) : model.beta },
      {
        name: 'theta',
        dtype: thetaF16 ? 'F16' : 'F32',
        shape: [V, K],
        data: thetaF16 ? f32ToF16(model.theta) : model.theta,
      },
      { name: 'p_word', dtype: 'F32', shape: [V], data: model.pWord },
      { name: 'p_sense', dtype: 'F32', shape: [K], data: model.pSense },
      { name: 'merge', dtype: 'I32', shape: [K], data: model.merge },
      { name: 'embedding.indptr', dtype: 'I32', shape: [V + 1], data: model.embedding.indptr },
      { name: 'embedding.indices', dtype: 'I32', shape: [nnz], data: model.embedding.indices },
      { name: 'embedding.values', dtype: 'F32', shape: [nnz], data: model.embedding.values },
    ],
    {
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      vocab: JSON.stringify(model.vocab),
      word_counts: JSON.stringify(model.wordCounts),
      hyperparameters: JSON.stringify(model.hyperparameters),
    },
  );
}

function parseJson(name: string, key: string, text: string | undefined): unknown {
  if (text === undefined)
    throw new InputError(`${name}: metadata '${key}' is missing (not a sensescape Word2Sense model?)`);
  try {
    return JSON.parse(text);
  } catch {
    throw new InputError(`${name}: metadata '${key}' is not valid JSON`);
  }
}

/** Reads and fully validates a model file. Every problem is a one-line InputError naming the part. */
export async function readWord2SenseModel(bytes: Uint8Array, name = 'model'): Promise<Word2SenseModel> {
  const file = await SafetensorsFile.fromBytes(bytes, name);
  const meta = file.metadata;
  if (meta.format !== MODEL_FORMAT)
    throw new InputError(
      `${name}: metadata format is ${JSON.stringify(meta.format ?? null)}, expected "${MODEL_FORMAT}"`,
    );
  if (meta.version !== MODEL_VERSION)
    throw new InputError(
      `${name}: model version ${JSON.stringify(meta.version ?? null)} is not supported (expected "${MODEL_VERSION}")`,
    );
  const vocab = parseJson(name, 'vocab', meta.vocab);
  if (!Array.isArray(vocab) || vocab.some((w) => typeof w !== 'string'))
    throw new InputError(`${name}: metadata 'vocab' must be a JSON array of strings`);
  const V = vocab.length;
  if (V === 0) throw new InputError(`${name}: metadata 'vocab' is empty`);
  const seen = new Set<string>();
  for (const w of vocab as string[]) {
    if (w === '') throw new InputError(`${name}: metadata 'vocab' holds an empty word (at index ${seen.size})`);
    if (seen.has(w)) throw new InputError(`${name}: metadata 'vocab' lists '${w}' twice`);
    seen.add(w);
  }
  const wordCounts = parseJson(name, 'word_counts', meta.word_counts);
  if (
    !Array.isArray(wordCounts) ||
    wordCounts.length !== V ||
    wordCounts.some((c) => typeof c !== 'number' || !(c >= 0) || !Number.isFinite(c))
  ) {
    throw new InputError(`${name}: metadata 'word_counts' must be a JSON array of ${V} non-negative numbers`);
  }
  const hyper = parseJson(name, 'hyperparameters', meta.hyperparameters);
  if (hyper === null || typeof hyper !== 'object' || Array.isArray(hyper))
    throw new InputError(`${name}: metadata 'hyperparameters' must be a JSON object`);

  const tensor = async (t: string, dtypes: string[], shape: (number | null)[]): Promise<TensorValues> => {
    if (!file.header.tensors.has(t)) throw new InputError(`${name}: tensor ${t} is missing`);
    const info = file.info(t);
    if (!dtypes.includes(info.dtype))
      throw new InputError(`${name}: tensor ${t} has dtype ${info.dtype}, expected ${dtypes.join(' or ')}`);
    const ok = info.shape.length === shape.length && shape.every((s, i) => s === null || s === info.shape[i]);
    if (!ok)
      throw new InputError(
        `${name}: tensor ${t} has shape [${info.shape.join(',')}], expected [${shape.map((s) => s ?? 'n').join(',')}]`,
      );
    return file.read(t);
  };
  const betaInfo = file.header.tensors.get('beta');
  if (!betaInfo) throw new InputError(`${name}: tensor beta is missing`);
  if (betaInfo.shape.length !== 2)
    throw new InputError(`${name}: tensor beta has shape [${betaInfo.shape.join(',')}], expected [K,${V}]`);
  const K = betaInfo.shape[0];
  if (!(K >= 1)) throw new InputError(`${name}: tensor beta has no senses`);
  const beta = (await tensor('beta', ['F32', 'F16'], [K, V])) as Float32Array;
  const theta = (await tensor('theta', ['F32', 'F16'], [V, K])) as Float32Array;
  const pWord = (await tensor('p_word', ['F32'], [V])) as Float32Array;
  const pSense = (await tensor('p_sense', ['F32'], [K])) as Float32Array;
  const merge = (await tensor('merge', ['I32'], [K])) as Int32Array;
  const indptr = (await tensor('embedding.indptr', ['I32'], [V + 1])) as Int32Array;
  const indices = (await tensor('embedding.indices', ['I32'], [null])) as Int32Array;
  const values = (await tensor('embedding.values', ['F32'], [indices.length])) as Float32Array;

  const tol = betaInfo.dtype === 'F16' ? 2e-2 : 2e-3;
  checkRows(name, 'beta', beta, K, V, tol);
  checkRows(name, 'theta', theta, V, K, file.info('theta').dtype === 'F16' ? 2e-2 : 2e-3);
  checkProb(name, 'p_word', pWord);
  checkProb(name, 'p_sense', pSense);
  let Kmerged = 0;
  for (let z = 0; z < K; z++) {
    if (!(merge[z] >= 0 && merge[z] < K))
      throw new InputError(`${name}: tensor merge[${z}] = ${merge[z]} is outside 0..${K - 1}`);
    Kmerged = Math.max(Kmerged, merge[z] + 1);
  }
  const used = new Uint8Array(Kmerged);
  for (let z = 0; z < K; z++) used[merge[z]] = 1;
  const missing = used.indexOf(0);
  if (missing >= 0)
    throw new InputError(`${name}: tensor merge never uses merged sense ${missing} (ids must be 0..K'-1 without gaps)`);
  if (indptr[0] !== 0 || indptr[V] !== indices.length)
    throw new InputError(`${name}: tensor embedding.indptr must start at 0 and end at ${indices.length}`);
  for (let w = 0; w < V; w++) {
    if (indptr[w + 1] < indptr[w])
      throw new InputError(`${name}: tensor embedding.indptr decreases at word ${w} ('${vocab[w]}')`);
    let sum = 0;
    for (let j = indptr[w]; j < indptr[w + 1]; j++) {
      if (!(indices[j] >= 0 && indices[j] < Kmerged))
        throw new InputError(`${name}: embedding of '${vocab[w]}' has sense ${indices[j]} outside 0..${Kmerged - 1}`);
      if (j > indptr[w] && indices[j] <= indices[j - 1])
        throw new InputError(`${name}: embedding of '${vocab[w]}' has sense ids not strictly ascending`);
      if (!(values[j] >= 0 && Number.isFinite(values[j])))
        throw new InputError(`${name}: embedding of '${vocab[w]}' has a negative or non-finite weight`);
      sum += values[j];
    }
    if (indptr[w + 1] > indptr[w] && Math.abs(sum - 1) > 2e-3)
      throw new InputError(`${name}: embedding of '${vocab[w]}' sums to ${sum.toFixed(4)}, not 1`);
  }
  return {
    vocab: vocab as string[],
    wordCounts: wordCounts as number[],
    V,
    K,
    Kmerged,
    beta,
    theta,
    pWord,
    pSense,
    merge,
    embedding: { indptr, indices, values },
    hyperparameters: hyper as Record<string, unknown>,
  };
}

function checkRows(name: string, t: string, a: Float32Array, rows: number, cols: number, tol: number): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = r * cols, e = c + cols; c < e; c++) {
      const x = a[c];
      if (!(x >= 0) || x === Infinity)
        throw new InputError(`${name}: tensor ${t} row ${r} has a negative or non-finite entry`);
      s += x;
    }
    if (Math.abs(s - 1) > tol) throw new InputError(`${name}: tensor ${t} row ${r} sums to ${s.toFixed(4)}, not 1`);
  }
}

function checkProb(name: string, t: string, a: Float32Array): void {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    if (!(a[i] >= 0) || a[i] === Infinity) throw new InputError(`${name}: tensor ${t}[${i}] is negative or non-finite`);
    s += a[i];
  }
  if (Math.abs(s - 1) > 2e-3) throw new InputError(`${name}: tensor ${t} sums to ${s.toFixed(4)}, not 1`);
}
