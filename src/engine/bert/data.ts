/**
 * Examples for the BERT loss: labelled rows from a GLUE/generic TSV (labels resolved through the
 * checkpoint's label2id, else integers, scores, or GLUE's label names), optional first-N or seeded
 * sampling, and batches tokenized with {@link BertTokenizer} and padded to each batch's longest
 * sequence (pad id 0 / mask 0, as HF's `DataCollatorWithPadding`).
 */
import { GLUE_LABELS, parseGlueTsv } from '../io/glue';
import { isRegression, type BertConfig } from './config';
import type { BertTokenizer } from '../text/bertTokenizer';
import { InputError } from '../util/errors';
import { seededPermutation } from '../util/random';

/** One labelled example: class index (integer) or regression target. */
export interface Example {
  textA: string;
  textB?: string;
  label: number;
  /** 1-based line in the source file. */
  line: number;
}

/** A padded batch, row-major [batch, seqLen]. */
export interface EncodedBatch {
  inputIds: Int32Array;
  tokenTypeIds: Int32Array;
  attentionMask: Int32Array;
  batch: number;
  seqLen: number;
  /** [batch]: class indices (as floats) or regression targets. */
  labels: Float32Array;
}

export interface LoadExamplesOptions {
  /** Keep the first N rows. */
  maxExamples?: number;
  /** Keep N rows drawn without replacement with `seed` (file order kept). Applied after maxExamples. */
  sample?: number;
  seed?: number;
  /** The checkpoint's label2id: label strings map through it first. */
  label2id?: Record<string, number>;
  /** A classifier's number of labels: class labels must be integers in [0, numLabels). Unset for regression. */
  numLabels?: number;
}

/** Reads labelled examples from TSV text (see io/glue.ts for the layouts). */
export function loadExamples(tsvText: string, fileName: string, opts: LoadExamplesOptions = {}): Example[] {
  let rows = parseGlueTsv(tsvText, fileName).rows;
  if (opts.maxExamples !== undefined) {
    if (!Number.isSafeInteger(opts.maxExamples) || opts.maxExamples < 1)
      throw new InputError(`max examples must be a positive integer, got ${opts.maxExamples}`);
    rows = rows.slice(0, opts.maxExamples);
  }
  if (opts.sample !== undefined) {
    if (!Number.isSafeInteger(opts.sample) || opts.sample < 1)
      throw new InputError(`sample must be a positive integer, got ${opts.sample}`);
    if (opts.sample < rows.length) {
      const perm = seededPermutation(rows.length, opts.seed ?? 0).subarray(0, opts.sample);
      const keep = Array.from(perm).sort((x, y) => x - y);
      rows = keep.map((i) => rows[i]);
    }
  }
  if (rows.length === 0) throw new InputError(`${fileName}: no labelled rows`);
  return rows.map((r) => ({
    textA: r.textA,
    textB: r.textB,
    label: resolveLabel(r.label, r.line, fileName, opts.label2id, opts.numLabels),
    line: r.line,
  }));
}

/** GLUE label names and the label count of the tasks that use them (RTE/QNLI/WNLI: 2, MNLI: 3). */
const GLUE_LABEL_COUNTS: Record<string, readonly number[]> = {
  entailment: [2, 3],
  not_entailment: [2],
  neutral: [3],
  contradiction: [3],
};

/** True when label2id only holds transformers' placeholder names LABEL_0, LABEL_1, …. */
const placeholderNames = (label2id: Record<string, number>): boolean =>
  Object.keys(label2id).every((k) => /^LABEL_\d+$/.test(k));

/**
 * A row's label: a name in the checkpoint's label2id; else a number (a class index must be an
 * integer in [0, numLabels), a regression target finite); else a GLUE label name, but only when the
 * checkpoint does not name its labels (no label2id, or only LABEL_k) and has that GLUE task's label
 * count — `neutral` is never read as index 1 of a 2-label model. (docs/bert.md, "Labels".)
 */
function resolveLabel(
  raw: string,
  line: number,
  file: string,
  label2id?: Record<string, number>,
  numLabels?: number,
): number {
  if (label2id && Object.prototype.hasOwnProperty.call(label2id, raw)) return label2id[raw];
  if (/^[+-]?\d+(\.\d*)?([eE][+-]?\d+)?$|^[+-]?\.\d+([eE][+-]?\d+)?$/.test(raw)) {
    const v = Number(raw);
    if (!Number.isFinite(v)) throw new InputError(`${file}: line ${line}: label '${raw}' is not a finite number`);
    if (numLabels !== undefined && !(Number.isInteger(v) && v >= 0 && v < numLabels))
      throw new InputError(
        `${file}: line ${line}: label '${raw}' is not a class index of the checkpoint's ${numLabels} labels (0…${numLabels - 1})`,
      );
    return v;
  }
  if (Object.prototype.hasOwnProperty.call(GLUE_LABELS, raw)) {
    const named = label2id && !placeholderNames(label2id);
    if (named)
      throw new InputError(
        `${file}: line ${line}: label '${raw}' is not one of the checkpoint's label names (${Object.keys(label2id).join(', ')})`,
      );
    if (numLabels !== undefined && !GLUE_LABEL_COUNTS[raw].includes(numLabels))
      throw new InputError(
        `${file}: line ${line}: GLUE label '${raw}' belongs to a ${GLUE_LABEL_COUNTS[raw].join('- or ')}-label task, but the checkpoint has ${numLabels} labels (give it label2id in config.json)`,
      );
    return GLUE_LABELS[raw];
  }
  const known = label2id ? Object.keys(label2id).join(', ') : '';
  throw new InputError(
    `${file}: line ${line}: label '${raw}' is neither in the checkpoint's label2id${known ? ` (${known})` : ''}, a number, nor a GLUE label name`,
  );
}

export interface EncodeOptions {
  /** Truncation length in tokens, special tokens included (default 128). */
  maxLength?: number;
  /** Examples per batch (default 32). */
  batchSize?: number;
}

/** Tokenizes and pads examples into batches, in order. */
export function encodeBatches(examples: Example[], tokenizer: BertTokenizer, opts: EncodeOptions = {}): EncodedBatch[] {
  const maxLength = opts.maxLength ?? 128;
  const batchSize = opts.batchSize ?? 32;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new InputError(`batch size must be a positive integer, got ${batchSize}`);
  if (!Number.isSafeInteger(maxLength) || maxLength < 3)
    throw new InputError(`max length must be an integer ≥ 3, got ${maxLength}`);
  const out: EncodedBatch[] = [];
  for (let s = 0; s < examples.length; s += batchSize) {
    const chunk = examples.slice(s, s + batchSize);
    const enc = chunk.map((e) => tokenizer.encode(e.textA, e.textB, maxLength));
    const seqLen = Math.max(...enc.map((e) => e.inputIds.length));
    const n = chunk.length;
    const inputIds = new Int32Array(n * seqLen).fill(tokenizer.padId);
    const tokenTypeIds = new Int32Array(n * seqLen);
    const attentionMask = new Int32Array(n * seqLen);
    enc.forEach((e, i) => {
      inputIds.set(e.inputIds, i * seqLen);
      tokenTypeIds.set(e.tokenTypeIds, i * seqLen);
      attentionMask.fill(1, i * seqLen, i * seqLen + e.inputIds.length);
    });
    out.push({
      inputIds,
      tokenTypeIds,
      attentionMask,
      batch: n,
      seqLen,
      labels: Float32Array.from(chunk, (e) => e.label),
    });
  }
  return out;
}

/**
 * Checks one batch against the config before any compute: array lengths, sequence length within
 * max_position_embeddings, token ids and types in range, labels valid for the head. Throws InputError.
 */
export function validateBatch(c: BertConfig, b: EncodedBatch): void {
  const n = b.batch * b.seqLen;
  if (
    b.batch < 1 ||
    b.seqLen < 1 ||
    b.inputIds.length !== n ||
    b.tokenTypeIds.length !== n ||
    b.attentionMask.length !== n ||
    b.labels.length !== b.batch
  ) {
    throw new InputError(`batch arrays do not match batch ${b.batch} × length ${b.seqLen}`);
  }
  if (b.seqLen > c.maxPositionEmbeddings)
    throw new InputError(
      `sequence length ${b.seqLen} exceeds max_position_embeddings ${c.maxPositionEmbeddings} (lower --max-length)`,
    );
  for (let i = 0; i < n; i++) {
    if (b.inputIds[i] < 0 || b.inputIds[i] >= c.vocabSize)
      throw new InputError(
        `token id ${b.inputIds[i]} is outside the vocabulary of ${c.vocabSize} (vocab.txt does not belong to this checkpoint?)`,
      );
    if (b.tokenTypeIds[i] < 0 || b.tokenTypeIds[i] >= c.typeVocabSize)
      throw new InputError(`token type ${b.tokenTypeIds[i]} is outside type_vocab_size ${c.typeVocabSize}`);
  }
  if (!isRegression(c)) {
    for (const y of b.labels) {
      if (!Number.isInteger(y) || y < 0 || y >= c.numLabels)
        throw new InputError(`label ${y} is not a class index of this ${c.numLabels}-label classifier`);
    }
  } else if (!b.labels.every(Number.isFinite)) {
    throw new InputError('regression labels must be finite numbers');
  }
}

/** Rows [start, end) of a batch (same sequence length; views, not copies). */
export function sliceBatch(b: EncodedBatch, start: number, end: number): EncodedBatch {
  const L = b.seqLen;
  return {
    inputIds: b.inputIds.subarray(start * L, end * L),
    tokenTypeIds: b.tokenTypeIds.subarray(start * L, end * L),
    attentionMask: b.attentionMask.subarray(start * L, end * L),
    batch: end - start,
    seqLen: L,
    labels: b.labels.subarray(start, end),
  };
}
