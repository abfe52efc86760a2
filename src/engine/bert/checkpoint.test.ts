/**
 * Checkpoint loading against the fixtures written by tools/bert/make_fixtures.py: every weights
 * layout (F32/BF16 safetensors, sharded, legacy-named zip .bin with a tied cls head and a strided
 * view) normalises to the same tensor set, SHA-256s match Python's hashlib, and bad folders fail
 * with one-line errors naming file and tensor.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesSource, type ByteSource } from '../io/bytes';
import { writeSafetensors } from '../io/safetensors';
import { expectedShapes, loadCheckpoint, normaliseTensorName } from './checkpoint';
import { checkpointFiles, loadCheckpointDir } from '../node/checkpoint';

const FIX = join(__dirname, '../../../tests/fixtures/bert');
const REF = JSON.parse(readFileSync(join(FIX, 'reference.json'), 'utf8')) as {
  checkpoints: Record<string, { files: Record<string, { sha256: string; bytes: number }> }>;
};

describe('loadCheckpointDir', () => {
  for (const name of Object.keys(REF.checkpoints)) {
    it(`loads ${name} with the config's full tensor set and Python's SHA-256s`, async () => {
      const ck = await loadCheckpointDir(join(FIX, name));
      const want = expectedShapes(ck.config);
      expect([...ck.tensors.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [n, t] of ck.tensors) {
        expect(t.shape).toEqual(want.get(n));
        expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
        expect(t.data.every(Number.isFinite)).toBe(true);
      }
      const files = REF.checkpoints[name].files;
      expect(ck.weightFiles.map((f) => f.name)).toEqual(Object.keys(files));
      for (const f of ck.weightFiles) {
        expect(f.sha256).toBe(files[f.name].sha256);
        expect(f.bytes).toBe(files[f.name].bytes);
      }
      expect(ck.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(ck.vocab?.[0]).toBe('[PAD]');
      expect(ck.doLowerCase).toBe(true);
    });
  }

  it('reads BF16 as the F32 weights rounded to bfloat16', async () => {
    const f32 = await loadCheckpointDir(join(FIX, 'tiny-gelu-f32'));
    const bf16 = await loadCheckpointDir(join(FIX, 'tiny-gelu-bf16'));
    expect(bf16.dtype).toBe('BF16');
    expect(f32.dtype).toBe('F32');
    let maxRel = 0;
    for (const [n, t] of f32.tensors) {
      const b = bf16.tensors.get(n)!.data;
      for (let i = 0; i < t.data.length; i++)
        if (t.data[i] !== 0) maxRel = Math.max(maxRel, Math.abs(b[i] - t.data[i]) / Math.abs(t.data[i]));
    }
    expect(maxRel).toBeGreaterThan(0);
    expect(maxRel).toBeLessThanOrEqual(2 ** -8);
  });

  it('combines several shards into one id and reports the config', async () => {
    const ck = await loadCheckpointDir(join(FIX, 'regression-relu-sharded'));
    expect(ck.weightFiles).toHaveLength(2);
    expect(ck.sha256).not.toBe(ck.weightFiles[0].sha256);
    expect(ck.config.numLabels).toBe(1);
    expect(ck.config.hiddenAct).toBe('relu');
    const legacy = await loadCheckpointDir(join(FIX, 'legacy-gelunew-bin'));
    expect(legacy.config.hiddenAct).toBe('gelu_new');
    expect(legacy.config.layerNormEps).toBe(1e-5);
    expect(legacy.config.label2id).toEqual({ contradiction: 0, entailment: 1, neutral: 2 });
  });
});

describe('normaliseTensorName', () => {
  it('strips bert., maps gamma/beta and drops buffers and pre-training heads', () => {
    expect(normaliseTensorName('bert.encoder.layer.0.output.LayerNorm.gamma')).toBe(
      'encoder.layer.0.output.LayerNorm.weight',
    );
    expect(normaliseTensorName('embeddings.LayerNorm.beta')).toBe('embeddings.LayerNorm.bias');
    expect(normaliseTensorName('bert.embeddings.position_ids')).toBeNull();
    expect(normaliseTensorName('cls.predictions.decoder.weight')).toBeNull();
    expect(normaliseTensorName('classifier.weight')).toBe('classifier.weight');
  });
});

async function folderWith(
  edit: (files: Map<string, ByteSource>) => Promise<void> | void,
): Promise<Map<string, ByteSource>> {
  const files = await checkpointFiles(join(FIX, 'tiny-gelu-f32'));
  await edit(files);
  return files;
}

async function rewriteWeights(
  mutate: (t: { name: string; shape: number[]; data: Float32Array }[]) => void,
): Promise<ByteSource> {
  const ck = await loadCheckpointDir(join(FIX, 'tiny-gelu-f32'));
  const list = [...ck.tensors].map(([name, t]) => ({ name: `bert.${name}`, shape: t.shape, data: t.data }));
  mutate(list);
  return bytesSource(writeSafetensors(list.map((t) => ({ ...t, dtype: 'F32' as const }))), 'bad/model.safetensors');
}

describe('pre-trained checkpoints without a head', () => {
  it('load with allowMissingHead, lacking only classifier.*', async () => {
    const files = await folderWith(
      async (f) =>
        void f.set(
          'model.safetensors',
          await rewriteWeights((l) => l.splice(0, l.length, ...l.filter((t) => !t.name.startsWith('bert.classifier')))),
        ),
    );
    await expect(loadCheckpoint(files, 'pre')).rejects.toThrow(/classifier\.weight is missing/);
    const ck = await loadCheckpoint(files, 'pre', { allowMissingHead: true });
    expect(ck.tensors.has('classifier.weight')).toBe(false);
    expect(ck.tensors.has('pooler.dense.weight')).toBe(true);
    expect(ck.tensors.size).toBe(expectedShapes(ck.config).size - 2);
  });
});

describe('validation before compute', () => {
  const cases: [string, () => Promise<Map<string, ByteSource>>, RegExp][] = [
    [
      'a missing tensor',
      () =>
        folderWith(
          async (f) =>
            void f.set(
              'model.safetensors',
              await rewriteWeights((l) =>
                l.splice(
                  l.findIndex((t) => t.name.endsWith('layer.1.output.dense.weight')),
                  1,
                ),
              ),
            ),
        ),
      /tensor encoder\.layer\.1\.output\.dense\.weight is missing/,
    ],
    [
      'an unexpected tensor',
      () =>
        folderWith(
          async (f) =>
            void f.set(
              'model.safetensors',
              await rewriteWeights((l) =>
                l.push({ name: 'bert.encoder.layer.7.output.dense.bias', shape: [32], data: new Float32Array(32) }),
              ),
            ),
        ),
      /bad\/model\.safetensors: unexpected tensor bert\.encoder\.layer\.7\.output\.dense\.bias/,
    ],
    [
      'a wrong shape',
      () =>
        folderWith(
          async (f) =>
            void f.set(
              'model.safetensors',
              await rewriteWeights((l) => {
                const t = l.find((x) => x.name.endsWith('layer.0.intermediate.dense.weight'))!;
                t.shape = [32, 64];
              }),
            ),
        ),
      /tensor bert\.encoder\.layer\.0\.intermediate\.dense\.weight has shape \[32,64\], config\.json implies \[64,32\]/,
    ],
    [
      'no classifier head',
      () =>
        folderWith(
          async (f) =>
            void f.set(
              'model.safetensors',
              await rewriteWeights((l) => {
                // the whole head (weight and bias) gone; half a head is its own error (issue 19)
                for (const n of ['bert.classifier.weight', 'bert.classifier.bias'])
                  l.splice(
                    l.findIndex((t) => t.name === n),
                    1,
                  );
              }),
            ),
        ),
      /classifier\.weight is missing.*pre-trained checkpoint/,
    ],
    ['no weights', () => folderWith((f) => void f.delete('model.safetensors')), /no weights/],
    ['no config', () => folderWith((f) => void f.delete('config.json')), /no config\.json/],
    [
      'a truncated weights file',
      () =>
        folderWith(async (f) => {
          const src = f.get('model.safetensors')!;
          const bytes = await src.read(0, src.size - 100);
          f.set('model.safetensors', bytesSource(bytes, 'cut/model.safetensors'));
        }),
      /cut\/model\.safetensors: .*(outside the data region|truncated)/,
    ],
    [
      'relative position embeddings',
      () =>
        folderWith(async (f) => {
          const cfg = JSON.parse(
            new TextDecoder().decode(await f.get('config.json')!.read(0, f.get('config.json')!.size)),
          );
          cfg.position_embedding_type = 'relative_key';
          f.set('config.json', bytesSource(new TextEncoder().encode(JSON.stringify(cfg)), 'x/config.json'));
        }),
      /x\/config\.json: position_embedding_type 'relative_key' is not supported/,
    ],
  ];
  for (const [what, make, msg] of cases) {
    it(`rejects ${what} with a one-line error`, async () => {
      const files = await make();
      const err = await loadCheckpoint(files, 'bad').then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err).not.toBeNull();
      expect(err!.message).toMatch(msg);
      expect(err!.message).not.toContain('\n');
    });
  }
});
