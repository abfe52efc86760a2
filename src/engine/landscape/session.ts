/**
 * Setting up a landscape computation from loaded checkpoints and data text — the same steps for the
 * CLI and the app's worker: validate every checkpoint against the origin and the head before any
 * device work, tokenize the fixed examples with the head's vocabulary, build the model from the head
 * (its non-moving parameters stay fixed), upload θ0 for the moving parameters, and build directions on
 * the device.
 *
 * Device memory of a session: the model (working copy, 1×), θ0 (1× moving), and one or two directions
 * (1× moving each); a point adds one transient copy of the moving tensors during the fused update.
 * For BERT-base (110 M parameters, 440 MB in F32) that is 4 × 440 MB ≈ 1.8 GB for a surface, plus one
 * transient 440 MB and the activations of one batch.
 *
 * Word embeddings: only the rows of tokens that occur in the fixed examples affect the loss, so curve and
 * surface points update just those rows (gathered once) and scatter them into the matrix; the other rows
 * are zero in the model while a landscape runs (`context(…, { sparseEmbeddings: false })` turns this off).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { BertClassifier } from '../bert/model';
import { encodeBatches, loadExamples, type EncodedBatch } from '../bert/data';
import { isRegression, type LoadedCheckpoint } from '../bert/checkpoint';
import { BertTokenizer } from '../text/bertTokenizer';
import { sha256Hex } from '../io/sha256';
import type { CheckpointRef, DataSpec, DirectionSpec } from '../io/surfaceFile';
import type { CancelToken } from '../util/cancel';
import { InputError } from '../util/errors';
import { checkCompatibility, shapesOf } from './compat';
import { randomDirection, type IgnoreMode, type Normalization } from './directions';
import type { LandscapeContext } from './model';
import { disposeParamSet, subtract, uploadParams, type ParamSet } from './params';

/** The data options of `bert loss`, shared by every landscape verb. */
export interface DataOptions {
  maxExamples?: number;
  sample?: number;
  seed?: number;
  maxLength?: number;
  batchSize?: number;
  /** `train`, `dev`, … as recorded in the spec. */
  split: string;
}

export interface PreparedData {
  batches: EncodedBatch[];
  spec: DataSpec;
}

/** Tokenizes the examples of a TSV with the head checkpoint's vocabulary and records the data spec. */
export async function prepareData(
  bytes: Uint8Array,
  fileName: string,
  head: LoadedCheckpoint,
  opts: DataOptions,
): Promise<PreparedData> {
  const text = new TextDecoder('utf-8').decode(bytes);
  if (!head.vocab)
    throw new InputError(`${head.name}: no vocab.txt in the head checkpoint folder (needed to tokenize ${fileName})`);
  const maxLength = opts.maxLength ?? Math.min(128, head.config.maxPositionEmbeddings);
  if (maxLength > head.config.maxPositionEmbeddings)
    throw new InputError(
      `--max-length ${maxLength} exceeds ${head.name}'s max_position_embeddings ${head.config.maxPositionEmbeddings}`,
    );
  const examples = loadExamples(text, fileName, {
    maxExamples: opts.maxExamples,
    sample: opts.sample,
    seed: opts.seed ?? 0,
    label2id: isRegression(head.config) ? undefined : head.config.label2id,
    numLabels: isRegression(head.config) ? undefined : head.config.numLabels,
  });
  const tok = new BertTokenizer(head.vocab, { doLowerCase: head.doLowerCase ?? true });
  const batches = encodeBatches(examples, tok, { maxLength, batchSize: opts.batchSize ?? 32 });
  return {
    batches,
    spec: {
      file: fileName,
      sha256: await sha256Hex(bytes),
      split: opts.split,
      examples: examples.length,
      maxExamples: opts.maxExamples ?? null,
      sample: opts.sample ?? null,
      seed: opts.sample !== undefined ? (opts.seed ?? 0) : null,
      maxLength,
    },
  };
}

/**
 * The sorted word-embedding rows of the tokens in `batches` — the only rows that affect their loss — or
 * null when they are half of the `vocab` rows or more (then the whole table is cheaper to move).
 */
export function usedEmbeddingRows(batches: Iterable<EncodedBatch>, vocab: number): Int32Array | null {
  const used = new Set<number>();
  for (const b of batches) for (const id of b.inputIds) used.add(id);
  return used.size < 0.5 * vocab ? Int32Array.from([...used].sort((a, b) => a - b)) : null;
}

export const refOf = (c: LoadedCheckpoint): CheckpointRef => ({ name: c.name, sha256: c.sha256 });

/** A ready-to-evaluate landscape: the model (from the head), θ0 and the moving names. Dispose when done. */
export class LandscapeSession {
  private constructor(
    readonly model: BertClassifier,
    readonly origin: ParamSet,
    readonly names: string[],
    readonly originCkpt: LoadedCheckpoint,
    readonly head: LoadedCheckpoint,
  ) {}

  /**
   * Validates all checkpoints (named mismatches), builds the model from `head` and uploads θ0.
   * @param others checkpoints that must span the moving parameters (directions, trajectory points), with their role for messages.
   */
  static open(
    origin: LoadedCheckpoint,
    head: LoadedCheckpoint,
    others: readonly { role: string; ckpt: LoadedCheckpoint }[],
  ): LandscapeSession {
    const names = checkCompatibility(origin, head, shapesOf(head), others);
    const model = BertClassifier.fromCheckpoint(head);
    try {
      return new LandscapeSession(model, uploadParams(origin.tensors, names, origin.name), names, origin, head);
    } catch (err) {
      model.dispose();
      throw err;
    }
  }

  /** The context the analyses take. */
  context(
    batches: EncodedBatch[],
    token?: CancelToken,
    opts: { sparseEmbeddings?: boolean } = {},
  ): LandscapeContext<EncodedBatch> {
    const ctx: LandscapeContext<EncodedBatch> = {
      model: this.model,
      batches,
      origin: this.origin,
      names: this.names,
      token,
    };
    // Only the word-embedding rows of tokens in the examples affect the loss: point updates compute just those.
    const name = 'embeddings.word_embeddings.weight';
    const w = this.origin.get(name);
    if (opts.sparseEmbeddings !== false && w && batches.length > 0) {
      const rows = usedEmbeddingRows(batches, w.shape[0]);
      if (rows) ctx.sparseRows = [{ name, rows }];
    }
    return ctx;
  }

  /**
   * δ = θ_k − θ0 on the device (caller owns; dispose with disposeParamSet). Uploaded and subtracted one
   * tensor at a time, so the transient is one tensor, not a second copy of θ_k (the WASM heap never
   * shrinks: a transient full copy would stay in the process's memory for its whole life).
   */
  directionTo(ckpt: LoadedCheckpoint): ParamSet {
    const out: ParamSet = new Map();
    try {
      for (const name of this.names) {
        const up = uploadParams(ckpt.tensors, [name], ckpt.name);
        try {
          out.set(name, subtract(up, this.origin, [name]).get(name)!);
        } finally {
          disposeParamSet(up);
        }
      }
      return out;
    } catch (err) {
      disposeParamSet(out);
      throw err;
    }
  }

  /** A seeded normalised random direction (Li et al.) for the moving parameters. */
  randomDirection(seed: number, normalize: Normalization, ignore: IgnoreMode): ParamSet {
    return randomDirection(this.origin, { seed, normalize, ignore });
  }

  /** A direction from its spec (checkpoint directions need the loaded checkpoint). */
  direction(spec: DirectionSpec, ckpt?: LoadedCheckpoint): ParamSet {
    if (spec.kind === 'random') return this.randomDirection(spec.seed, spec.normalize, spec.ignore);
    if (!ckpt) throw new Error(`direction toward ${spec.checkpoint.name} needs its checkpoint`);
    return this.directionTo(ckpt);
  }

  /** Device bytes held: model + θ0 (directions are the caller's). */
  get deviceBytes(): number {
    let n = 0;
    for (const t of this.model.params.values()) n += t.size;
    for (const t of this.origin.values()) n += t.size;
    return n * 4;
  }

  dispose(): void {
    disposeParamSet(this.origin);
    this.model.dispose();
  }
}

/** Frees directions (convenience for finally blocks). */
export function disposeAll(...sets: (ParamSet | Map<string, tf.Tensor> | undefined)[]): void {
  for (const s of sets) if (s) disposeParamSet(s);
}
