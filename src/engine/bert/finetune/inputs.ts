/**
 * A fine-tuning run's inputs as both front ends build them — the CLI verb (`bert finetune`) and the
 * app's worker job (workers/jobs/finetune.ts) — so the two read the same examples and use the same
 * hyperparameters: Hugging Face Trainer's GLUE defaults, the max length clamped to the origin's
 * position embeddings, labels mapped through the origin's label2id when it already has a head.
 */
import { isRegression } from '../config';
import { loadExamples, type Example } from '../data';
import { InputError } from '../../util/errors';
import type { FinetuneHyper, FinetuneInputs } from './finetune';

/** HF Trainer's defaults for GLUE (lr 2e-5, batch 32, 3 epochs, no warmup or decay, clip 1.0, shuffle). */
export const FINETUNE_DEFAULTS = {
  epochs: 3,
  batch: 32,
  accumulate: 1,
  lr: 2e-5,
  weightDecay: 0,
  warmupRatio: 0,
  maxGradNorm: 1,
  shuffle: true,
  seed: 42,
  dtype: 'F32',
} as const satisfies Partial<FinetuneHyper>;

/** Training (and dev) examples of a run from TSV text; `maxExamples` keeps the first N training rows. */
export function finetuneExamples(
  origin: FinetuneInputs['origin'],
  train: { text: string; name: string },
  dev?: { text: string; name: string },
  maxExamples?: number,
): { train: Example[]; dev?: Example[] } {
  const label2id =
    isRegression(origin.config) || !origin.tensors.has('classifier.weight') ? undefined : origin.config.label2id;
  return {
    train: loadExamples(train.text, train.name, { maxExamples, label2id }),
    dev: dev ? loadExamples(dev.text, dev.name, { label2id }) : undefined,
  };
}

/** The run's hyperparameters: `given` over the defaults; max length 128 (or the origin's limit when smaller). */
export function finetuneHyper(origin: FinetuneInputs['origin'], given: Partial<FinetuneHyper>): FinetuneHyper {
  const defined = Object.fromEntries(
    Object.entries(given).filter(([, v]) => v !== undefined),
  ) as Partial<FinetuneHyper>;
  const maxPos = origin.config.maxPositionEmbeddings;
  const hp: FinetuneHyper = {
    ...FINETUNE_DEFAULTS,
    maxLength: Math.min(128, maxPos),
    ...defined,
  };
  if (hp.maxLength > maxPos)
    throw new InputError(`max length ${hp.maxLength} exceeds max_position_embeddings ${maxPos}`);
  if (hp.dropout !== undefined && !(hp.dropout >= 0 && hp.dropout < 1))
    throw new InputError(`dropout must be in [0, 1), got ${hp.dropout}`);
  return hp;
}
