/** `sensescape bert loss|inspect|tokenize` on the fixture checkpoints: JSON keys and values, one-line errors. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bertVerbs } from './bert';
import { UsageError } from '../command';
import { parseArgs } from '../parseArgs';
import { isInputError } from '../../engine/util/errors';

const FIX = join(__dirname, '../../../tests/fixtures/bert');
const REF = JSON.parse(readFileSync(join(FIX, 'reference.json'), 'utf8')).checkpoints as Record<
  string,
  { loss: number; accuracy: number | null; logits: unknown[]; maxLength: number; batchSize: number; data: string }
>;

async function run(verb: string, argv: string[]): Promise<{ out: string; err: string }> {
  const spec = bertVerbs.find((v) => v.verb === verb)!;
  let out = '';
  let err = '';
  await spec.run(parseArgs(spec, argv), {
    stdout: (t) => void (out += `${t}\n`),
    stderr: (t) => void (err += `${t}\n`),
  });
  return { out, err };
}

describe('bert loss', () => {
  for (const name of ['legacy-gelunew-bin', 'regression-relu-sharded']) {
    it(`${name}: prints exactly {loss, accuracy, examples} matching PyTorch`, async () => {
      const ref = REF[name];
      const { out } = await run('loss', [
        '--model',
        join(FIX, name),
        '--data',
        join(FIX, 'data', ref.data),
        '--max-length',
        String(ref.maxLength),
        '--batch',
        '3',
        '--json',
      ]);
      const json = JSON.parse(out);
      expect(Object.keys(json)).toEqual(['loss', 'accuracy', 'examples']);
      expect(json.examples).toBe(ref.logits.length);
      expect(Math.abs(json.loss - ref.loss) / ref.loss).toBeLessThan(1e-5);
      expect(json.accuracy === null ? null : Number(json.accuracy.toFixed(6))).toBe(
        ref.accuracy === null ? null : Number(ref.accuracy.toFixed(6)),
      );
    });
  }

  it('honours --max-examples and --sample/--seed', async () => {
    const base = ['--model', join(FIX, 'tiny-gelu-f32'), '--data', join(FIX, 'data/sst2.tsv'), '--json'];
    expect(JSON.parse((await run('loss', [...base, '--max-examples', '5'])).out).examples).toBe(5);
    const a = JSON.parse((await run('loss', [...base, '--sample', '6', '--seed', '1'])).out);
    const b = JSON.parse((await run('loss', [...base, '--sample', '6', '--seed', '2'])).out);
    expect(a.examples).toBe(6);
    expect(a.loss).not.toBe(b.loss);
  });

  it('--threads 2 (worker threads) gives the in-process result', async () => {
    const ref = REF['legacy-gelunew-bin'];
    const base = [
      '--model',
      join(FIX, 'legacy-gelunew-bin'),
      '--data',
      join(FIX, 'data', ref.data),
      '--max-length',
      String(ref.maxLength),
      '--batch',
      '4',
    ];
    const one = JSON.parse((await run('loss', [...base, '--threads', '1', '--json'])).out);
    const two = await run('loss', [...base, '--threads', '2', '--json']);
    expect(two.err).toMatch(/2 threads \(this one \+ 1 worker joining when started\)/);
    const json = JSON.parse(two.out);
    expect(json.examples).toBe(one.examples);
    expect(json.accuracy).toBe(one.accuracy);
    expect(Math.abs(json.loss - one.loss) / one.loss).toBeLessThan(1e-9);
    expect(Math.abs(one.loss - ref.loss) / ref.loss).toBeLessThan(1e-5);
    await expect(run('loss', [...base, '--threads', '0'])).rejects.toThrow(/--threads must be an integer ≥ 1/);
  });

  it('fails with one line on bad input', async () => {
    const bad = async (argv: string[]): Promise<Error> =>
      run('loss', argv).then(
        () => {
          throw new Error('no error');
        },
        (e: Error) => e,
      );
    const e1 = await bad(['--model', join(FIX, 'nope'), '--data', 'x.tsv']);
    expect(isInputError(e1)).toBe(true);
    expect(e1.message).toMatch(/nope: cannot read the checkpoint folder/);
    const e2 = await bad([
      '--model',
      join(FIX, 'tiny-gelu-f32'),
      '--data',
      join(FIX, 'data/sst2.tsv'),
      '--max-length',
      '100',
    ]);
    expect(e2).toBeInstanceOf(UsageError);
    expect(e2.message).toMatch(/max_position_embeddings 64/);
    const e3 = await bad([
      '--model',
      join(FIX, 'tiny-gelu-f32'),
      '--data',
      join(FIX, 'data/sst2.tsv'),
      '--max-examples',
      '3',
      '--sample',
      '2',
    ]);
    expect(e3.message).toMatch(/either --max-examples/);
  });
});

describe('bert inspect', () => {
  it('reports config, parameter count and tensors with shapes and dtypes', async () => {
    const json = JSON.parse((await run('inspect', ['--model', join(FIX, 'legacy-gelunew-bin'), '--json'])).out);
    expect(json.config).toMatchObject({
      numHiddenLayers: 3,
      hiddenSize: 32,
      numAttentionHeads: 4,
      hiddenAct: 'gelu_new',
      numLabels: 3,
      layerNormEps: 1e-5,
    });
    const c = json.config;
    const perLayer =
      4 * (c.hiddenSize * c.hiddenSize + c.hiddenSize) +
      2 * c.intermediateSize * c.hiddenSize +
      c.intermediateSize +
      c.hiddenSize +
      4 * c.hiddenSize;
    const expected =
      (c.vocabSize + c.maxPositionEmbeddings + c.typeVocabSize + 2) * c.hiddenSize +
      c.numHiddenLayers * perLayer +
      c.hiddenSize * c.hiddenSize +
      c.hiddenSize +
      c.numLabels * (c.hiddenSize + 1);
    expect(json.parameters).toBe(expected);
    expect(json.tensors).toContainEqual({
      name: 'encoder.layer.2.intermediate.dense.weight',
      shape: [48, 32],
      dtype: 'F32',
    });
    expect(json.weightFiles[0].name).toBe('pytorch_model.bin');
  });
});

describe('bert tokenize', () => {
  it('tokenizes a pair with the checkpoint vocab', async () => {
    const json = JSON.parse(
      (await run('tokenize', ['--model', join(FIX, 'tiny-gelu-f32'), '--text', 'A man.', '--pair', 'A dog', '--json']))
        .out,
    );
    expect(json.tokens[0]).toBe('[CLS]');
    expect(json.tokens.filter((t: string) => t === '[SEP]')).toHaveLength(2);
    expect(json.tokenTypeIds.at(-1)).toBe(1);
  });
});
