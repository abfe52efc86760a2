/**
 * A micro-batch that does not fit in the WebAssembly heap stops fine-tuning with one line naming the
 * step, the micro-batch and the flags that keep the update's size — raised by a real failed
 * allocation (tensor/heapGuard.ts) inside the gradient, with the data-parallel wording when the
 * gradient runs on replicas — and writes no checkpoint. Any other error passes through unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpointDir } from '../../node/checkpoint';
import { initNodeBackend } from '../../node/backend';
import { WASM_HEAP_MAX_BYTES } from '../../tensor/heapGuard';
import { InputError } from '../../util/errors';
import { loadExamples } from '../data';
import type { GradientFn } from '../grad';
import { runFinetune, type FinetuneHyper } from './finetune';

const ROOT = join(__dirname, '../../../..');

const HP: FinetuneHyper = {
  steps: 3,
  epochs: 1,
  batch: 8,
  accumulate: 1,
  lr: 2e-5,
  weightDecay: 0,
  warmupRatio: 0,
  maxGradNorm: 1,
  dropout: 0,
  shuffle: false,
  seed: 1,
  maxLength: 32,
  dtype: 'F32',
};

beforeAll(async () => {
  expect((await initNodeBackend('wasm')).backend).toBe('wasm');
});

async function run(gradient: GradientFn, replicas: number, hp = HP) {
  const origin = await loadCheckpointDir(join(ROOT, 'tests/fixtures/landscape/origin'), { allowMissingHead: true });
  const train = loadExamples(readFileSync(join(ROOT, 'tests/fixtures/landscape/data/sst2-train.tsv'), 'utf8'), 'sst2');
  const folders: string[] = [];
  const onCheckpoint = async (folder: string) => void folders.push(folder);
  const err = await runFinetune({ origin, train }, hp, { gradient, gradientReplicas: replicas, onCheckpoint }).then(
    () => null,
    (e: unknown) => e,
  );
  return { err, folders };
}

/** A gradient whose first allocation is larger than the heap can grow to. */
const hugeGradient: GradientFn = async () => {
  tf.fill([WASM_HEAP_MAX_BYTES / 4 - 1], 0);
  throw new Error('unreachable: the allocation above succeeded');
};

describe('fine-tuning out of WebAssembly memory', () => {
  it('stops at the first step with one line naming the micro-batch and the flags to change', async () => {
    const { err, folders } = await run(hugeGradient, 1);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(
      /^fine-tune step 1: a micro-batch of 8 examples × up to 32 tokens does not fit: out of WebAssembly memory: 4096 MB more did not fit in this thread's heap \(\d+ MB of at most 4096 MB\); use --batch 4 --accumulate 2 \(the same 8 examples per update, half at a time\) or a shorter --max-length$/,
    );
    expect(folders).toEqual([]);
  });

  it('says what each replica holds, and suggests only --max-length at batch 1', async () => {
    const two = await run(hugeGradient, 2, { ...HP, batch: 3, accumulate: 2 });
    expect((two.err as Error).message).toMatch(
      /^fine-tune step 1: a micro-batch of 3 examples × up to 32 tokens \(2 per thread\) does not fit: .*; use --batch 2 --accumulate 4 \(the same 6 examples/,
    );
    const one = await run(hugeGradient, 1, { ...HP, batch: 1 });
    expect((one.err as Error).message).toMatch(/; use a shorter --max-length$/);
  });

  it('passes other errors through as they are', async () => {
    const bug = new Error('a bug');
    const { err } = await run(async () => Promise.reject(bug), 1);
    expect(err).toBe(bug);
  });
});
