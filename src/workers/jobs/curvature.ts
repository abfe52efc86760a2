/**
 * Curvature jobs for the landscape studio's Curvature panel: resolve the ids of opened checkpoints and
 * data files (held by jobs/landscape.ts), tokenize the examples as the CLI does, and call the SAME
 * engine services as `sensescape landscape hessian` and `landscape flatness` (runHessian, runFlatness),
 * forwarding their per-stage progress (done/total, rate, ETA). The flatness origin θ0 may be any tray
 * checkpoint (a pretrained model without a head too), as `--origin DIR` may be any checkpoint folder.
 */
import type { LoadedCheckpoint } from '../../engine/bert/checkpoint';
import { runHessian } from '../../engine/landscape/services/curvature';
import { runFlatness } from '../../engine/landscape/services/flatness';
import { prepareData } from '../../engine/landscape/session';
import { InputError } from '../../engine/util/errors';
import type { CurvatureData, CurvatureJobs } from '../contracts/curvature';
import type { JobHandlers } from '../host';
import { checkpoint } from './heldCheckpoints';
import { dataFile } from './landscape';

/** A checkpoint the loss can be evaluated with (it has a classification head). */
function withHead(c: LoadedCheckpoint): LoadedCheckpoint {
  if (!c.tensors.has('classifier.weight'))
    throw new InputError(
      `${c.name} has no classification head (classifier.weight): the loss needs a fine-tuned checkpoint`,
    );
  return c;
}

/** Reads and tokenizes a data file with `head`'s vocabulary; the length is clamped to its position embeddings. */
function examples(id: string, split: string, head: LoadedCheckpoint, opts: CurvatureData) {
  const d = dataFile(id);
  return prepareData(d.bytes, d.name, head, {
    split,
    maxExamples: opts.maxExamples,
    maxLength: Math.min(opts.maxLength ?? 128, head.config.maxPositionEmbeddings),
    batchSize: opts.batchSize ?? 32,
  });
}

export const curvatureHandlers: JobHandlers<CurvatureJobs> = {
  async lsHessian(inputs, ctx) {
    const ckpt = withHead(checkpoint(inputs.model, 'model'));
    const data = await examples(inputs.data, inputs.split, ckpt, inputs);
    return runHessian(
      {
        ckpt,
        batches: data.batches,
        top: inputs.top,
        iters: inputs.iters,
        tol: inputs.tol,
        traceSamples: inputs.traceSamples,
        density: inputs.density,
        groups: inputs.groups,
        seed: inputs.seed,
      },
      { token: ctx.token, onProgress: ctx.progress },
    );
  },

  async lsFlatness(inputs, ctx) {
    if (inputs.checkpoints.length === 0) throw new InputError('no fine-tuned checkpoints to compare');
    const ckpts = inputs.checkpoints.map((id, k) => withHead(checkpoint(id, `checkpoint ${k + 1}`)));
    const first = ckpts[0];
    for (const c of ckpts.slice(1))
      if ((c.vocab ?? []).join('\n') !== (first.vocab ?? []).join('\n'))
        throw new InputError(`${c.name}: vocab.txt differs from ${first.name}'s (the examples are tokenized once)`);
    const train = await examples(inputs.train, 'train', first, inputs);
    const dev = await examples(inputs.dev, 'dev', first, inputs);
    return runFlatness(
      {
        checkpoints: ckpts,
        train: train.batches,
        dev: dev.batches,
        epsilon: inputs.epsilon,
        radius: inputs.radius,
        iters: inputs.iters,
        traceSamples: inputs.traceSamples,
        seed: inputs.seed,
        origins: inputs.origin ? [checkpoint(inputs.origin, 'origin')] : [],
        basinDelta: inputs.basinDelta,
      },
      { token: ctx.token, onProgress: ctx.progress },
    );
  },
};
