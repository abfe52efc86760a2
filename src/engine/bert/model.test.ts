/**
 * The tfjs forward pass against tools/bert/reference.py (HF BertForSequenceClassification in
 * PyTorch) on every fixture checkpoint — erf GELU, gelu_new, relu; 2/3/1 labels; F32, BF16,
 * sharded, legacy .bin — on WASM and CPU: per-example logits within 1e-4 relative, mean loss within
 * 1e-5 relative, same accuracy; the whole pipeline (tokenizer, TSV, batching) reproduces the
 * reference input ids; no tensor leaks; parameters can be swapped on the device.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initNodeBackend } from '../node/backend';
import { BertTokenizer } from '../text/bertTokenizer';
import { loadCheckpointDir } from '../node/checkpoint';
import { BertClassifier } from './model';
import { encodeBatches, loadExamples, type EncodedBatch } from './data';
import type { LoadedCheckpoint } from './checkpoint';

const FIX = join(__dirname, '../../../tests/fixtures/bert');
interface Ref {
  data: string;
  maxLength: number;
  batchSize: number;
  numLabels: number;
  inputIds: number[][];
  tokenTypeIds: number[][];
  labels: number[];
  logits: number[][];
  loss: number;
  accuracy: number | null;
}
const REF = (JSON.parse(readFileSync(join(FIX, 'reference.json'), 'utf8')) as { checkpoints: Record<string, Ref> })
  .checkpoints;

const ckpts = new Map<string, LoadedCheckpoint>();
const batches = new Map<string, EncodedBatch[]>();

beforeAll(async () => {
  await initNodeBackend();
  for (const name of Object.keys(REF)) {
    const ck = await loadCheckpointDir(join(FIX, name));
    const ref = REF[name];
    const tok = new BertTokenizer(ck.vocab!, { doLowerCase: ck.doLowerCase });
    const ex = loadExamples(readFileSync(join(FIX, 'data', ref.data), 'utf8'), ref.data, {
      label2id: ck.config.numLabels > 1 ? ck.config.label2id : undefined,
    });
    ckpts.set(name, ck);
    batches.set(name, encodeBatches(ex, tok, { maxLength: ref.maxLength, batchSize: ref.batchSize }));
  }
});

afterAll(async () => {
  await tf.setBackend('wasm');
});

describe('pipeline inputs', () => {
  for (const name of Object.keys(REF)) {
    it(`${name}: tokenizer + TSV + padding reproduce the reference inputs`, () => {
      const ref = REF[name];
      const bs = batches.get(name)!;
      let row = 0;
      for (const b of bs) {
        for (let i = 0; i < b.batch; i++, row++) {
          const ids = ref.inputIds[row];
          expect(Array.from(b.inputIds.subarray(i * b.seqLen, i * b.seqLen + ids.length))).toEqual(ids);
          expect(Array.from(b.tokenTypeIds.subarray(i * b.seqLen, i * b.seqLen + ids.length))).toEqual(
            ref.tokenTypeIds[row],
          );
          expect(b.attentionMask.subarray(i * b.seqLen, (i + 1) * b.seqLen).reduce((a, v) => a + v, 0)).toBe(
            ids.length,
          );
          expect(b.labels[i]).toBeCloseTo(ref.labels[row], 5);
        }
      }
      expect(row).toBe(ref.logits.length);
      expect(bs.some((b) => b.attentionMask.includes(0))).toBe(true); // some rows are padded
    });
  }
});

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`forward and loss on ${backend}`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
    });

    for (const name of Object.keys(REF)) {
      it(`${name}: logits ≤ 1e-4 rel, loss ≤ 1e-5 rel of PyTorch`, async () => {
        const ref = REF[name];
        const model = BertClassifier.fromCheckpoint(ckpts.get(name)!);
        try {
          const r = await model.evaluate(batches.get(name)!, { keepLogits: true });
          expect(r.examples).toBe(ref.logits.length);
          const flat = ref.logits.flat();
          let worst = 0;
          for (let i = 0; i < flat.length; i++)
            worst = Math.max(worst, Math.abs(r.logits![i] - flat[i]) / Math.max(Math.abs(flat[i]), 1e-3));
          expect(worst).toBeLessThan(1e-4);
          expect(Math.abs(r.loss - ref.loss) / Math.abs(ref.loss)).toBeLessThan(1e-5);
          if (ref.accuracy === null) expect(r.accuracy).toBeNaN();
          else expect(r.accuracy).toBeCloseTo(ref.accuracy, 6);
        } finally {
          model.dispose();
        }
      });
    }

    it('does not leak tensors across repeated evaluations and frees everything on dispose', async () => {
      const before = tf.memory().numTensors;
      const model = BertClassifier.fromCheckpoint(ckpts.get('tiny-gelu-f32')!);
      const withParams = tf.memory().numTensors;
      await model.evaluate(batches.get('tiny-gelu-f32')!);
      const after1 = tf.memory().numTensors;
      await model.evaluate(batches.get('tiny-gelu-f32')!);
      expect(tf.memory().numTensors).toBe(after1);
      expect(after1).toBe(withParams);
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  });
}

describe('device path (gather + transposeB, as on WebGL/WebGPU)', () => {
  for (const name of ['tiny-gelu-f32', 'legacy-gelunew-bin']) {
    it(`${name}: matches PyTorch without the host-assisted WASM/CPU path`, async () => {
      await tf.setBackend('wasm');
      const ref = REF[name];
      const model = BertClassifier.fromCheckpoint(ckpts.get(name)!, { hostAssist: false });
      try {
        const r = await model.evaluate(batches.get(name)!, { keepLogits: true });
        const flat = ref.logits.flat();
        let worst = 0;
        for (let i = 0; i < flat.length; i++)
          worst = Math.max(worst, Math.abs(r.logits![i] - flat[i]) / Math.max(Math.abs(flat[i]), 1e-3));
        expect(worst).toBeLessThan(1e-4);
        expect(Math.abs(r.loss - ref.loss) / ref.loss).toBeLessThan(1e-5);
        const single = model.forward(batches.get(name)![0]);
        expect(Array.from(await single.data()).slice(0, 4)).toEqual(Array.from(r.logits!.subarray(0, 4)));
        single.dispose();
      } finally {
        model.dispose();
      }
    });
  }
});

describe('assignParams', () => {
  it('moves the model to another checkpoint without re-reading files, and back', async () => {
    await tf.setBackend('wasm');
    const f32 = ckpts.get('tiny-gelu-f32')!;
    const bf16 = ckpts.get('tiny-gelu-bf16')!;
    const model = BertClassifier.fromCheckpoint(f32);
    try {
      const count = tf.memory().numTensors;
      const values = new Map([...bf16.tensors].map(([n, t]) => [n, tf.tensor(t.data, t.shape)] as [string, tf.Tensor]));
      model.assignParams(values);
      for (const v of values.values()) v.dispose(); // the model cloned what it needs
      expect(tf.memory().numTensors).toBe(count);
      const atBf16 = await model.evaluate(batches.get('tiny-gelu-bf16')!);
      expect(Math.abs(atBf16.loss - REF['tiny-gelu-bf16'].loss) / REF['tiny-gelu-bf16'].loss).toBeLessThan(1e-5);
      const back = new Map([...f32.tensors].map(([n, t]) => [n, tf.tensor(t.data, t.shape)] as [string, tf.Tensor]));
      model.assignParams(back);
      back.forEach((v) => v.dispose());
      const atF32 = await model.evaluate(batches.get('tiny-gelu-f32')!);
      expect(Math.abs(atF32.loss - REF['tiny-gelu-f32'].loss) / REF['tiny-gelu-f32'].loss).toBeLessThan(1e-5);
      expect(() => model.assignParams(new Map([['classifier.weight', tf.zeros([3, 32])]]))).toThrow(
        /classifier\.weight has shape \[3,32\], expected \[2,32\]/,
      );
    } finally {
      model.dispose();
    }
  });

  it('rejects token ids outside the vocabulary and sequences beyond max positions', async () => {
    const model = BertClassifier.fromCheckpoint(ckpts.get('tiny-gelu-f32')!);
    try {
      const b = batches.get('tiny-gelu-f32')![0];
      const bad = { ...b, inputIds: b.inputIds.map((v, i) => (i === 3 ? 99999 : v)) };
      await expect(model.evaluate([bad])).rejects.toThrow(/token id 99999 is outside the vocabulary/);
      const badLabel = { ...b, labels: b.labels.map(() => 5) };
      await expect(model.evaluate([badLabel])).rejects.toThrow(/label 5 is not a class index/);
    } finally {
      model.dispose();
    }
  });
});
