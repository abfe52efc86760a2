import { describe, expect, it } from 'vitest';
import { writeSafetensors } from '../io/safetensors';
import { fromTriples } from '../text/csr';
import { buildModel } from './build';
import { embeddingOf, wordIndex, type Word2SenseModel } from './model';
import { readWord2SenseModel, writeWord2SenseModel } from './modelFile';
import { MODEL_FORMAT } from './modelFile';

const counts = fromTriples(3, 3, [0, 0, 1, 1, 2], [0, 1, 0, 1, 2], [1, 3, 3, 3, 2]);
const theta = new Float32Array([0.5, 0.25, 0.25, 0.1, 0.3, 0.6, 0.2, 0.2, 0.6]);
const beta = new Float32Array([0.7, 0.2, 0.1, 0.5, 0.4, 0.1, 0.1, 0.1, 0.8]);
const model = buildModel({
  vocab: ['a', 'b', 'c'],
  wordCounts: [4, 6, 2],
  counts,
  beta,
  theta,
  K: 3,
  Kmerged: 2,
  hyperparameters: { seed: 3 },
});

/** Re-serialise with tweaked tensors/metadata to make malformed files. */
function tamper(
  m: Word2SenseModel,
  edit: (
    t: Record<string, { dtype: 'F32' | 'I32'; shape: number[]; data: Float32Array | Int32Array }>,
    meta: Record<string, string>,
  ) => void,
): Uint8Array {
  const t: Record<string, { dtype: 'F32' | 'I32'; shape: number[]; data: Float32Array | Int32Array }> = {
    beta: { dtype: 'F32', shape: [m.K, m.V], data: m.beta.slice() },
    theta: { dtype: 'F32', shape: [m.V, m.K], data: m.theta.slice() },
    p_word: { dtype: 'F32', shape: [m.V], data: m.pWord.slice() },
    p_sense: { dtype: 'F32', shape: [m.K], data: m.pSense.slice() },
    merge: { dtype: 'I32', shape: [m.K], data: m.merge.slice() },
    'embedding.indptr': { dtype: 'I32', shape: [m.V + 1], data: m.embedding.indptr.slice() },
    'embedding.indices': { dtype: 'I32', shape: [m.embedding.indices.length], data: m.embedding.indices.slice() },
    'embedding.values': { dtype: 'F32', shape: [m.embedding.values.length], data: m.embedding.values.slice() },
  };
  const meta: Record<string, string> = {
    format: MODEL_FORMAT,
    version: '1',
    vocab: JSON.stringify(m.vocab),
    word_counts: JSON.stringify(m.wordCounts),
    hyperparameters: JSON.stringify(m.hyperparameters),
  };
  edit(t, meta);
  return writeSafetensors(
    Object.entries(t).map(([name, v]) => ({ name, ...v })),
    meta,
  );
}

describe('model file', () => {
  it('round-trips exactly (F32) and closely (F16 beta and theta)', async () => {
    const back = await readWord2SenseModel(writeWord2SenseModel(model), 'm.safetensors');
    expect(back).toEqual(model);
    const half = await readWord2SenseModel(writeWord2SenseModel(model, { betaDtype: 'F16' }), 'm16.safetensors');
    half.beta.forEach((b, i) => expect(b).toBeCloseTo(model.beta[i], 3));
    expect(half.embedding).toEqual(model.embedding);
    const small = await readWord2SenseModel(
      writeWord2SenseModel(model, { betaDtype: 'F16', thetaDtype: 'F16' }),
      'm16t.safetensors',
    );
    small.theta.forEach((t, i) => expect(t).toBeCloseTo(model.theta[i], 3));
    expect(small.pSense).toEqual(model.pSense);
  });

  it('looks words up, OOV gets the uniform vector', () => {
    const idx = wordIndex(model);
    expect(embeddingOf(model, idx, 'b').oov).toBe(false);
    const u = embeddingOf(model, idx, 'zzz');
    expect(u.oov).toBe(true);
    expect([...u.values]).toEqual([0.5, 0.5]);
  });

  const cases: [string, Parameters<typeof tamper>[1], RegExp][] = [
    ['wrong format', (_t, m) => (m.format = 'other'), /m\.st: metadata format is "other"/],
    ['unknown version', (_t, m) => (m.version = '9'), /model version "9" is not supported/],
    ['vocab not JSON', (_t, m) => (m.vocab = '[oops'), /metadata 'vocab' is not valid JSON/],
    ['duplicate word', (_t, m) => (m.vocab = '["a","a","c"]'), /lists 'a' twice/],
    // issue 19 decision: a word can never be the empty string (no lookup could reach it)
    ['empty word', (_t, m) => (m.vocab = '["a","","c"]'), /metadata 'vocab' holds an empty word \(at index 1\)/],
    ['word count 1e999', (_t, m) => (m.word_counts = '[1,1e999,2]'), /'word_counts' must be a JSON array of 3/],
    ['word_counts length', (_t, m) => (m.word_counts = '[1,2]'), /'word_counts' must be a JSON array of 3/],
    ['hyperparameters array', (_t, m) => (m.hyperparameters = '[]'), /'hyperparameters' must be a JSON object/],
    ['missing theta', (t) => delete t.theta, /tensor theta is missing/],
    ['theta shape', (t) => (t.theta.shape = [9, 1]), /tensor theta has shape \[9,1\], expected \[3,3\]/],
    [
      'merge dtype',
      (t) => (t.merge = { dtype: 'F32', shape: [3], data: new Float32Array(3) }),
      /tensor merge has dtype F32, expected I32/,
    ],
    ['beta row sum', (t) => ((t.beta.data as Float32Array)[0] = 5), /tensor beta row 0 sums to/],
    [
      'theta NaN',
      (t) => ((t.theta.data as Float32Array)[4] = NaN),
      /tensor theta row 1 has a negative or non-finite entry/,
    ],
    ['merge out of range', (t) => ((t.merge.data as Int32Array)[2] = 7), /merge\[2\] = 7 is outside/],
    ['merge gap', (t) => (t.merge.data = new Int32Array([0, 0, 2])), /never uses merged sense 1/],
    ['indptr end', (t) => ((t['embedding.indptr'].data as Int32Array)[3] = 1), /indptr must start at 0 and end at/],
    [
      'indices order',
      (t) => (t['embedding.indices'].data = new Int32Array([1, 0, 0, 1, 0, 1])),
      /sense ids not strictly ascending/,
    ],
    ['values sum', (t) => ((t['embedding.values'].data as Float32Array)[0] = 0.9), /embedding of 'a' sums to/],
  ];
  for (const [what, edit, msg] of cases) {
    it(`rejects a model with ${what}, naming the part`, async () => {
      const err = await readWord2SenseModel(tamper(model, edit), 'm.st').then(
        () => null,
        (e: Error) => e,
      );
      expect(err).not.toBeNull();
      expect(err!.message).toMatch(msg);
      expect(err!.message).not.toContain('\n');
    });
  }
  it('rejects a truncated file', async () => {
    const bytes = writeWord2SenseModel(model);
    await expect(readWord2SenseModel(bytes.subarray(0, bytes.length - 10), 'cut.st')).rejects.toThrow(/cut\.st/);
  });
});
