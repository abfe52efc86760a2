/**
 * The fine-tuning service: AdamW fine-tuning of a BERT classifier as Hugging Face's Trainer does it
 * (adamw.ts), from a pretrained origin (head initialised as HF, seeded) or a fine-tuned one, with
 * seeded dropout, gradient accumulation, checkpoints as HF folders (hfFolder.ts) carrying the optimizer
 * state, a per-step log, dev evaluations, and resume. Called by `sensescape bert finetune` (and the
 * app's worker): inputs in, progress/log/checkpoints out through callbacks, cancel token.
 *
 * Which path computes what: each update's loss and gradient come from tfjs autodiff over the
 * differentiable forward (grad.ts/gradForward.ts, training mode when dropout is on); dev loss and
 * accuracy from the fast forward of `bert loss` (BertClassifier.evaluate, eval mode).
 *
 * Memory: parameters, gradients and AdamW's two moments (4× the weights: 1.75 GB in F32 for
 * BERT-base's 109.5M parameters), the activations (and tape) of one micro-batch, plus one more copy of
 * the weights in the dev evaluator when a dev set is given. On WASM/CPU the moments live in
 * JavaScript memory and micro-batches' gradients are summed in place, so a thread's WebAssembly heap
 * (at most 4 GB) holds the parameters, the running gradient sum, one micro-batch's gradient and its
 * tape. `accumulate` N takes N micro-batches of `batch` per update (HF's gradient_accumulation_steps),
 * so an update too large to fit runs in parts; a micro-batch that does not fit stops the run at its
 * first step with a one-line error naming the flags to change (outOfHeap.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ownedCopy } from '../../tensor/inPlace';
import { BertTokenizer } from '../../text/bertTokenizer';
import { CancelToken, isCancelled, now } from '../../util/cancel';
import { InputError } from '../../util/errors';
import { ProgressMeter, type ProgressSink } from '../../util/progress';
import type { LoadedCheckpoint } from '../checkpoint';
import { expectedShapes, isRegression, type BertConfig } from '../config';
import { encodeBatches, type Example } from '../data';
import { gradient, type GradientFn } from '../grad';
import type { EvaluateResult } from '../loss';
import { BertClassifier } from '../model';
import { isHeapExhausted } from '../../tensor/heapGuard';
import { AdamW, clipFactor, globalNorm, linearScheduleFactor, warmupSteps } from './adamw';
import { modelSafetensors, optimizerSafetensors, taskConfigJson, type HostParam, type SaveDtype } from './hfFolder';
import { outOfHeapError } from './outOfHeap';
import { checkResumeState } from './resume';
import type { LogEntry, ResumeState } from './records';

export type { LogEntry, ResumeState } from './records';
import { dropoutFor, initLinear, microBatch, mixSeed, totalSteps, type PlanOptions } from './plan';

/** Hyperparameters (defaults as HF's Trainer for GLUE; see the CLI verb). */
export interface FinetuneHyper {
  steps?: number;
  epochs: number;
  batch: number;
  accumulate: number;
  lr: number;
  weightDecay: number;
  warmupRatio: number;
  maxGradNorm: number;
  /** One rate for every dropout; undefined = the config's hidden/attention/classifier rates. */
  dropout?: number;
  shuffle: boolean;
  seed: number;
  saveEvery?: number;
  evalEvery?: number;
  maxLength: number;
  dtype: SaveDtype;
}

export interface FinetuneInputs {
  origin: Pick<LoadedCheckpoint, 'name' | 'config' | 'tensors' | 'vocab' | 'doLowerCase' | 'sha256'>;
  train: Example[];
  dev?: Example[];
}

export interface FinetuneCallbacks {
  token?: CancelToken;
  onProgress?: ProgressSink;
  onLog?: (e: LogEntry) => void;
  /**
   * Computes each update's loss and gradient (default: grad.ts's `gradient` on this thread; the CLI
   * passes a data-parallel one, engine/node/gradParallel.ts).
   */
  gradient?: GradientFn;
  /** Replicas `gradient` computes on, recorded as `gradient_replicas` in trainer_state.json (default 1). */
  gradientReplicas?: number;
  /** Writes one checkpoint folder (`step-NNNNNN` or `final`): file name → bytes. */
  onCheckpoint: (folder: string, files: Map<string, Uint8Array>) => Promise<void>;
}

export interface FinetuneResult {
  steps: number;
  final_loss: number;
  checkpoints: string[];
  seconds: number;
  log: LogEntry[];
}

/** Labels the task has: 1 (regression) for non-integer targets, else max + 1 (at least 2). */
export function labelsOf(examples: readonly Example[]): number {
  if (examples.some((e) => !Number.isInteger(e.label))) return 1;
  return Math.max(2, ...examples.map((e) => e.label + 1));
}

/** The task's config and its starting parameters (origin's own arrays, a missing head/pooler initialised as HF); read only. */
export function startingPoint(
  origin: FinetuneInputs['origin'],
  train: readonly Example[],
  seed: number,
): { config: BertConfig; names: string[]; shapes: number[][]; values: Float32Array[] } {
  const hasHead = origin.tensors.has('classifier.weight');
  const numLabels = hasHead ? origin.config.numLabels : labelsOf(train);
  const config: BertConfig = { ...origin.config, numLabels };
  if (hasHead && !isRegression(config)) {
    const bad = train.find((e) => !Number.isInteger(e.label) || e.label < 0 || e.label >= numLabels);
    if (bad)
      throw new InputError(
        `train data line ${bad.line}: label ${bad.label} is not one of ${origin.name}'s ${numLabels} labels`,
      );
  }
  const std = Number(origin.config.raw.initializer_range ?? 0.02);
  const names: string[] = [];
  const shapes: number[][] = [];
  const values: Float32Array[] = [];
  const inits = new Map<string, { weight: Float32Array; bias: Float32Array }>();
  for (const [name, shape] of expectedShapes(config)) {
    names.push(name);
    shapes.push(shape);
    const t = origin.tensors.get(name);
    if (t) {
      values.push(t.data); // not copied: the caller uploads copies (ownedCopy) and never writes these
      continue;
    }
    const layer = name.replace(/\.(weight|bias)$/, '');
    if (layer !== 'classifier' && layer !== 'pooler.dense')
      throw new InputError(`${origin.name}: tensor ${name} is missing`);
    if (!inits.has(layer))
      inits.set(
        layer,
        initLinear(
          shape[0],
          layer === 'classifier' ? config.hiddenSize : shape[1],
          std,
          mixSeed(seed, layer === 'classifier' ? 1 : 2),
        ),
      );
    const init = inits.get(layer)!;
    values.push(name.endsWith('.bias') ? init.bias : init.weight);
  }
  return { config, names, shapes, values };
}

/** Fine-tunes `inputs.origin` on `inputs.train`; see the header. */
export async function runFinetune(
  inputs: FinetuneInputs,
  hp: FinetuneHyper,
  cb: FinetuneCallbacks,
  resume?: ResumeState,
): Promise<FinetuneResult> {
  const t0 = now();
  const token = cb.token ?? CancelToken.none();
  const { origin, train, dev } = inputs;
  if (!origin.vocab) throw new InputError(`${origin.name}: no vocab.txt in the checkpoint folder (needed to tokenize)`);
  const tok = new BertTokenizer(origin.vocab, { doLowerCase: origin.doLowerCase ?? true });
  const start = startingPoint(origin, train, hp.seed);
  const { config, names, shapes } = start;
  const plan: PlanOptions = {
    examples: train.length,
    batch: hp.batch,
    accumulate: hp.accumulate,
    steps: hp.steps,
    epochs: hp.epochs,
    shuffle: hp.shuffle,
    seed: hp.seed,
  };
  const T = totalSteps(plan);
  const W = warmupSteps(T, hp.warmupRatio);
  const raw = config.raw;
  const rates = {
    hidden: hp.dropout ?? Number(raw.hidden_dropout_prob ?? 0.1),
    attention: hp.dropout ?? Number(raw.attention_probs_dropout_prob ?? 0.1),
    classifier: hp.dropout ?? Number(raw.classifier_dropout ?? raw.hidden_dropout_prob ?? 0.1),
  };
  const encode = (ex: readonly Example[]) =>
    encodeBatches([...ex], tok, { maxLength: hp.maxLength, batchSize: ex.length });
  const devBatches = dev ? encodeBatches([...dev], tok, { maxLength: hp.maxLength, batchSize: hp.batch }) : [];
  const configJson = new TextEncoder().encode(
    taskConfigJson(
      config,
      config.numLabels,
      config.numLabels === origin.config.numLabels && origin.config.id2label
        ? Object.values(origin.config.id2label)
        : undefined,
    ),
  );
  const vocabTxt = new TextEncoder().encode(origin.vocab.join('\n') + '\n');

  if (resume) checkResumeState(resume, names, shapes, 'checkpoint');
  let step = resume?.step ?? 0;
  if (step > T) throw new InputError(`--resume: the checkpoint is at step ${step}, past this run's ${T} steps`);
  const host = (n: string, i: number) => resume?.params.get(n) ?? start.values[i];
  // Owned copies: AdamW may update them in place, and the CPU backend would otherwise keep these arrays.
  let params = names.map((n, i) => tf.keep(ownedCopy(host(n, i), shapes[i])));
  const opt = new AdamW(names, shapes);
  if (resume)
    opt.load(
      resume.step,
      names.map((n) => resume.m.get(n)!),
      names.map((n) => resume.v.get(n)!),
    );
  const log: LogEntry[] = [...(resume?.log ?? [])];
  const checkpoints: string[] = [];
  let devModel: BertClassifier | null = null;
  let lastLoss = Number.NaN;
  let savedStep = step;
  const emit = (e: LogEntry) => {
    log.push(e);
    cb.onLog?.(e);
  };

  const hostParams = async (): Promise<HostParam[]> =>
    Promise.all(
      params.map(async (p, i) => ({ name: names[i], shape: shapes[i], data: (await p.data()) as Float32Array })),
    );

  const save = async (folder: string): Promise<void> => {
    const hostP = await hostParams();
    const { m, v } = await opt.moments();
    const files = new Map<string, Uint8Array>();
    files.set('config.json', configJson);
    files.set('vocab.txt', vocabTxt);
    files.set('model.safetensors', modelSafetensors(hostP, hp.dtype, { step: String(step), origin: origin.sha256 }));
    files.set('optimizer.safetensors', optimizerSafetensors(hostP, m, v, step, hp.dtype !== 'F32'));
    const state = {
      global_step: step,
      max_steps: T,
      warmup_steps: W,
      origin: { name: origin.name, sha256: origin.sha256 },
      train_examples: train.length,
      hyperparameters: hp,
      // N replicas sum the gradient in another float32 order: a bit-for-bit resume needs the same N.
      gradient_replicas: cb.gradientReplicas ?? 1,
      log_history: log,
    };
    files.set('trainer_state.json', new TextEncoder().encode(JSON.stringify(state, null, 1) + '\n'));
    await cb.onCheckpoint(folder, files);
    checkpoints.push(folder);
    savedStep = step;
  };

  const evaluateDev = async (): Promise<EvaluateResult> => {
    const values = new Map(names.map((n, i) => [n, params[i]]));
    if (!devModel) {
      const tensors = new Map((await hostParams()).map((p) => [p.name, { shape: [...p.shape], data: p.data }]));
      devModel = BertClassifier.fromCheckpoint({ name: origin.name, config, tensors });
    } else devModel.assignParams(values);
    return devModel.evaluate(devBatches, { token });
  };

  const meter = new ProgressMeter('fine-tune', T, cb.onProgress, 'steps', step);
  try {
    while (step < T) {
      const t = step + 1;
      const micro = Array.from(
        { length: hp.accumulate },
        (_, i) => encode(microBatch(plan, (t - 1) * hp.accumulate + i).map((j) => train[j]))[0],
      );
      const g = await (cb.gradient ?? gradient)({ config, names, tensors: params }, micro, {
        token,
        dropout: (i) => dropoutFor(rates, hp.seed, t, i),
      }).catch((err: unknown) => {
        if (!isHeapExhausted(err)) throw err;
        throw outOfHeapError(t, { ...hp, replicas: cb.gradientReplicas ?? 1 }, err as Error);
      });
      let grads = g.grads;
      try {
        const norm = await globalNorm(grads);
        if (!Number.isFinite(norm) || !Number.isFinite(g.loss))
          throw new Error(
            `fine-tune step ${t}: non-finite ${Number.isFinite(g.loss) ? 'gradient norm' : 'loss'} (loss ${g.loss}, ‖g‖ ${norm}); lower --lr or check the data`,
          );
        const c = clipFactor(norm, hp.maxGradNorm);
        const lr = hp.lr * linearScheduleFactor(t - 1, T, W);
        if (!opt.applyInPlace(params, grads, c, lr, hp.weightDecay)) {
          if (c < 1) {
            const scaled = grads.map((x) => tf.keep(tf.mul(x, c)));
            tf.dispose(grads);
            grads = scaled;
          }
          const next = opt.apply(params, grads, lr, hp.weightDecay);
          tf.dispose(params);
          params = next;
        }
        step = t;
        lastLoss = g.loss;
        emit({ step, loss: g.loss, lr, grad_norm: norm });
      } finally {
        tf.dispose(grads);
      }
      if (dev && (step === T || (hp.evalEvery !== undefined && step % hp.evalEvery === 0))) {
        const r = await evaluateDev();
        emit({ step, dev_loss: r.loss, dev_accuracy: Number.isNaN(r.accuracy) ? null : r.accuracy });
      }
      if (step === T || (hp.saveEvery !== undefined && step % hp.saveEvery === 0))
        await save(`step-${String(step).padStart(6, '0')}`);
      meter.tick({ loss: Number(lastLoss.toPrecision(6)) });
    }
    await save('final');
    return { steps: step, final_loss: lastLoss, checkpoints, seconds: (now() - t0) / 1000, log };
  } catch (err) {
    // Cancelled (Ctrl-C, the app's Pause/Cancel): keep what was computed, so --resume continues from it.
    if (isCancelled(err) && step > savedStep) await save(`step-${String(step).padStart(6, '0')}`);
    throw err;
  } finally {
    tf.dispose(params);
    opt.dispose();
    (devModel as BertClassifier | null)?.dispose();
  }
}
