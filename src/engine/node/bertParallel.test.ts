/**
 * Data-parallel BERT workers (bertParallel.ts) against the in-process model and the PyTorch
 * reference: same logits and loss with this thread + two workers as with one thread, on the 3-label
 * gelu_new checkpoint; batches are validated before any work is sent; cancel stops it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initNodeBackend } from './backend';
import { BertTokenizer } from '../text/bertTokenizer';
import { CancelToken } from '../util/cancel';
import { isInputError } from '../util/errors';
import { loadCheckpointDir } from './checkpoint';
import { BertClassifier } from '../bert/model';
import { BertWorkerPool } from './bertParallel';
import { encodeBatches, loadExamples, type EncodedBatch } from '../bert/data';
import type { LoadedCheckpoint } from '../bert/checkpoint';

const FIX = join(__dirname, '../../../tests/fixtures/bert');
interface Ref {
  data: string;
  maxLength: number;
  logits: number[][];
  loss: number;
  accuracy: number | null;
}
const REF = (JSON.parse(readFileSync(join(FIX, 'reference.json'), 'utf8')) as { checkpoints: Record<string, Ref> })
  .checkpoints;
// One pool: this thread + 2 workers (worker startup dominates this file's time). The regression/MSE side of the loss is
// the shared LossAccumulator, tested through BertClassifier.evaluate in model.test.ts.
const NAMES = ['legacy-gelunew-bin'];

const ckpts = new Map<string, LoadedCheckpoint>();
const batches = new Map<string, EncodedBatch[]>();
const pools = new Map<string, BertWorkerPool>();

beforeAll(async () => {
  await initNodeBackend();
  for (const name of NAMES) {
    const ck = await loadCheckpointDir(join(FIX, name));
    const ref = REF[name];
    const tok = new BertTokenizer(ck.vocab!, { doLowerCase: ck.doLowerCase });
    const ex = loadExamples(readFileSync(join(FIX, 'data', ref.data), 'utf8'), ref.data, {
      label2id: ck.config.numLabels > 1 ? ck.config.label2id : undefined,
    });
    ckpts.set(name, ck);
    // Batch 3: several batches per worker, with a ragged last one.
    batches.set(name, encodeBatches(ex, tok, { maxLength: ref.maxLength, batchSize: 3 }));
  }
  const started = await Promise.all(NAMES.map((n) => BertWorkerPool.start(ckpts.get(n)!, { threads: 3 })));
  NAMES.forEach((n, i) => pools.set(n, started[i]));
  await Promise.all(started.map((p) => p.ready()));
});

afterAll(async () => {
  await Promise.all([...pools.values()].map((p) => p.close()));
});

describe('BertWorkerPool', () => {
  for (const name of NAMES) {
    it(`${name}: several workers give the one-thread logits and loss, and PyTorch's`, async () => {
      const pool = pools.get(name)!;
      expect(pool.threads).toBe(3);
      expect(pool.startupMs).toBeGreaterThan(0);
      expect(pool.startupPhases!.modules).toBeGreaterThan(0);
      expect(pool.backend).toBe('wasm');
      const bs = batches.get(name)!;
      expect(bs.length).toBeGreaterThan(pool.threads);
      const seen: number[] = [];
      const par = await pool.evaluate(bs, { keepLogits: true, onProgress: (p) => seen.push(p.done) });
      expect(pool.lastSplit.reduce((a, b) => a + b, 0)).toBe(bs.length);
      expect(pool.lastSplit[1] + pool.lastSplit[2]).toBeGreaterThan(0); // the workers did part of it
      const model = BertClassifier.fromCheckpoint(ckpts.get(name)!);
      const one = await model.evaluate(bs, { keepLogits: true });
      model.dispose();
      expect(par.examples).toBe(one.examples);
      let worst = 0;
      for (let i = 0; i < one.logits!.length; i++)
        worst = Math.max(worst, Math.abs(par.logits![i] - one.logits![i]) / Math.max(Math.abs(one.logits![i]), 1e-3));
      expect(worst).toBeLessThan(1e-6);
      expect(Math.abs(par.loss - one.loss) / Math.abs(one.loss)).toBeLessThan(1e-9);
      if (Number.isNaN(one.accuracy)) expect(par.accuracy).toBeNaN();
      else expect(par.accuracy).toBe(one.accuracy);
      const ref = REF[name];
      expect(Math.abs(par.loss - ref.loss) / Math.abs(ref.loss)).toBeLessThan(1e-5);
      expect(seen.at(-1)).toBe(ref.logits.length);
      expect(seen.length).toBe(bs.length + 1);
      // A second evaluation on the same workers (different batching order of work) agrees too.
      const again = await pool.evaluate(bs.slice().reverse());
      expect(Math.abs(again.loss - one.loss) / Math.abs(one.loss)).toBeLessThan(1e-6);
    });
  }

  it('validates batches before sending work, with the one-thread messages', async () => {
    const pool = pools.get('legacy-gelunew-bin')!;
    const b = batches.get('legacy-gelunew-bin')![0];
    const bad = { ...b, inputIds: b.inputIds.map((v, i) => (i === 1 ? 99999 : v)) };
    const err = await pool.evaluate([b, bad]).then(
      () => null,
      (e: Error) => e,
    );
    expect(err && isInputError(err)).toBe(true);
    expect(err!.message).toMatch(/token id 99999 is outside the vocabulary/);
    expect((await pool.evaluate([b])).examples).toBe(b.batch); // still usable
  });

  it('stops on cancel', async () => {
    const pool = pools.get('legacy-gelunew-bin')!;
    const token = new CancelToken();
    token.cancel();
    await expect(pool.evaluate(batches.get('legacy-gelunew-bin')!, { token })).rejects.toThrow(/cancel/i);
    expect((await pool.evaluate(batches.get('legacy-gelunew-bin')!.slice(0, 2))).examples).toBe(6);
  });
});
