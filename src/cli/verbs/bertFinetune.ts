/**
 * `sensescape bert finetune`: AdamW fine-tuning as Hugging Face's Trainer does it (the service
 * engine/bert/finetune/finetune.ts). Writes `OUT/step-NNNNNN/` and `OUT/final/` HF folders (config.json,
 * vocab.txt, model.safetensors, optimizer.safetensors, trainer_state.json) and `OUT/log.jsonl`
 * (`{step, loss, lr, grad_norm}` per update, `{step, dev_loss, dev_accuracy}` per evaluation); `--json`
 * prints `{steps, final_loss, checkpoints, seconds}`. Ctrl-C/SIGTERM saves the last finished update, and
 * `--resume OUT/step-NNNNNN` continues from it as if the run had not stopped (with the same --threads:
 * N data-parallel replicas sum the gradient in another float32 order and draw dropout per replica).
 */
import { runFinetune } from '../../engine/bert/finetune/finetune';
import { finetuneExamples, finetuneHyper } from '../../engine/bert/finetune/inputs';
import { readResumeState } from '../../engine/bert/finetune/resume';
import type { LogEntry } from '../../engine/bert/finetune/records';
import { loadOriginCheckpoint } from '../../engine/landscape/originCheckpoint';
import { initNodeBackend } from '../../engine/node/backend';
import { autoGradThreads } from '../../engine/node/gradReplicas';
import { gradientReplicas, threadsFlag } from './replicas';
import { checkpointFiles } from '../../engine/node/checkpoint';
import { checkOutputDir } from '../../engine/node/input';
import {
  appendLine,
  baseName,
  joinPath,
  makeOutputDir,
  readInputText,
  startLog,
  writeFileAtomic,
} from '../../engine/node/fs';
import { CancelToken } from '../../engine/util/cancel';
import { defineVerb, UsageError } from '../command';
import { cancelOnSignal, progressLine } from './landscape/shared';

export const finetune = defineVerb({
  area: 'bert',
  verb: 'finetune',
  summary: "Fine-tune a checkpoint on a TSV with AdamW exactly as Hugging Face's Trainer (checkpoints as HF folders)",
  flags: {
    model: {
      kind: 'string',
      required: true,
      placeholder: 'DIR',
      description: 'origin: pretrained (no head) or fine-tuned checkpoint folder',
    },
    train: { kind: 'string', required: true, placeholder: 'TSV', description: 'training examples (GLUE/generic TSV)' },
    dev: {
      kind: 'string',
      placeholder: 'TSV',
      description: 'dev examples, evaluated every --eval-every steps and at the end',
    },
    out: {
      kind: 'string',
      required: true,
      placeholder: 'DIR',
      description: 'output folder (step-NNNNNN/, final/, log.jsonl)',
    },
    steps: { kind: 'int', min: 1, placeholder: 'T', description: 'total updates', conflicts: ['epochs'] },
    epochs: { kind: 'number', min: 0, placeholder: 'E', description: 'epochs over the training data (default 3)' },
    batch: { kind: 'int', min: 1, default: 32, placeholder: 'B', description: 'examples per micro-batch (default 32)' },
    accumulate: {
      kind: 'int',
      min: 1,
      default: 1,
      placeholder: 'N',
      description: 'micro-batches per update (gradient accumulation)',
    },
    lr: { kind: 'number', min: 0, default: 2e-5, placeholder: 'LR', description: 'peak learning rate (default 2e-5)' },
    'weight-decay': {
      kind: 'number',
      min: 0,
      default: 0,
      placeholder: 'WD',
      description: 'AdamW decoupled weight decay (default 0)',
    },
    'warmup-ratio': {
      kind: 'number',
      min: 0,
      default: 0,
      placeholder: 'R',
      description: 'linear warmup over ceil(R·T) updates (default 0)',
    },
    'max-grad-norm': {
      kind: 'number',
      min: 0,
      default: 1,
      placeholder: 'G',
      description: 'clip the global gradient norm (default 1.0; 0 = off)',
    },
    dropout: {
      kind: 'number',
      min: 0,
      placeholder: 'P',
      description: "every dropout rate (default: the config's; 0 = off)",
    },
    shuffle: {
      kind: 'enum',
      values: ['true', 'false'],
      default: 'true',
      description: 'shuffle the examples each epoch (seeded)',
    },
    seed: {
      kind: 'int',
      default: 42,
      placeholder: 'S',
      description: 'seed of the order, dropout masks and a new head (default 42)',
    },
    'save-every': {
      kind: 'int',
      min: 1,
      placeholder: 'N',
      description: 'write a checkpoint every N updates (and the last)',
    },
    'eval-every': {
      kind: 'int',
      min: 1,
      placeholder: 'N',
      description: 'evaluate on --dev every N updates (and the last)',
    },
    'max-length': {
      kind: 'int',
      min: 3,
      placeholder: 'L',
      description: 'truncate to L tokens (default 128, or max_position_embeddings if smaller)',
    },
    'max-examples': { kind: 'int', min: 1, placeholder: 'N', description: 'use the first N training examples' },
    dtype: {
      kind: 'enum',
      values: ['F32', 'F16', 'BF16'],
      default: 'F32',
      description: 'stored dtype of model.safetensors',
    },
    resume: {
      kind: 'string',
      placeholder: 'DIR',
      description: 'continue from a step-NNNNNN folder of an earlier run (same flags)',
    },
    ...threadsFlag('gradients', 'an update'),
  },
  async run({ flags, json }, io) {
    if (flags.dropout !== undefined && flags.dropout >= 1)
      throw new UsageError(`--dropout must be below 1, got ${flags.dropout}`);
    await checkOutputDir(flags.out, 'output folder', 'log.jsonl');
    const origin = await loadOriginCheckpoint(await checkpointFiles(flags.model), baseName(flags.model));
    const { train, dev } = finetuneExamples(
      origin,
      { text: await readInputText(flags.train, 'training data'), name: baseName(flags.train) },
      flags.dev ? { text: await readInputText(flags.dev, 'dev data'), name: baseName(flags.dev) } : undefined,
      flags['max-examples'],
    );
    const resume = flags.resume ? await readResumeState(await checkpointFiles(flags.resume), flags.resume) : undefined;
    await makeOutputDir(flags.out, 'output folder');
    const logPath = joinPath(flags.out, 'log.jsonl');
    startLog(logPath);
    for (const e of resume?.log ?? []) appendLine(logPath, JSON.stringify(e));
    if (flags['max-length'] !== undefined && flags['max-length'] > origin.config.maxPositionEmbeddings)
      throw new UsageError(
        `--max-length ${flags['max-length']} exceeds max_position_embeddings ${origin.config.maxPositionEmbeddings}`,
      );
    const hp = finetuneHyper(origin, {
      steps: flags.steps,
      epochs: flags.epochs,
      batch: flags.batch,
      accumulate: flags.accumulate,
      lr: flags.lr,
      weightDecay: flags['weight-decay'],
      warmupRatio: flags['warmup-ratio'],
      maxGradNorm: flags['max-grad-norm'],
      dropout: flags.dropout,
      shuffle: flags.shuffle === 'true',
      seed: flags.seed,
      saveEvery: flags['save-every'],
      evalEvery: flags['eval-every'],
      maxLength: flags['max-length'],
      dtype: flags.dtype,
    });
    const backend = (await initNodeBackend()).backend;
    // A resumed run keeps the replicas it was saved with unless told otherwise (bit-for-bit needs the same N).
    const threads =
      flags.threads ??
      resume?.gradientReplicas ??
      autoGradThreads(origin.config, hp.batch, hp.accumulate, hp.maxLength);
    if (resume?.gradientReplicas !== undefined && resume.gradientReplicas !== threads)
      io.stderr(
        `bert finetune: note: ${flags.resume} was saved with ${resume.gradientReplicas} gradient replica(s), this run uses ${threads} — it continues correctly, but not bit for bit (--threads ${resume.gradientReplicas} for that)`,
      );
    const pool = gradientReplicas(threads, io, 'bert finetune');
    const token = new CancelToken();
    const release = cancelOnSignal(token, io);
    try {
      const r = await runFinetune(
        { origin, train, dev },
        hp,
        {
          token,
          gradient: pool.gradient,
          gradientReplicas: threads,
          onProgress: progressLine(io, 'bert finetune'),
          onLog: (e: LogEntry) => appendLine(logPath, JSON.stringify(e)),
          onCheckpoint: async (folder, files) => {
            const dir = joinPath(flags.out, folder);
            await makeOutputDir(dir, 'checkpoint folder');
            for (const [name, bytes] of files) await writeFileAtomic(joinPath(dir, name), bytes);
          },
        },
        resume,
      );
      const checkpoints = r.checkpoints.map((c) => joinPath(flags.out, c));
      if (json)
        io.stdout(JSON.stringify({ steps: r.steps, final_loss: r.final_loss, checkpoints, seconds: r.seconds }));
      else
        io.stdout(
          `${r.steps} steps on ${backend} in ${r.seconds.toFixed(1)} s, final loss ${r.final_loss.toPrecision(6)}; checkpoints: ${checkpoints.join(', ')}`,
        );
    } finally {
      release();
      await pool.close();
    }
  },
});
