/**
 * Test helpers: seeded random BERT checkpoints of any shape (HF layout, F32, in memory) and random
 * encoded batches for them, for tests that need a model of a given size rather than specific values
 * (memory and in-place interpolation tests). Never imported by shipped code.
 */
import { bertConfigFromJson, expectedShapes, type LoadedCheckpoint } from '../engine/bert/checkpoint';
import type { PreparedData } from '../engine/landscape/session';
import type { EncodedBatch } from '../engine/bert/data';
import { gaussian, mulberry32 } from '../engine/util/random';

export interface RandomBertShape {
  layers: number;
  hidden: number;
  vocab: number;
  /** Attention heads (default hidden / 32). */
  heads?: number;
  maxPositions?: number;
  numLabels?: number;
}

/**
 * A checkpoint with N(0, noise²) entries (LayerNorm weights 1 + noise), or `base` plus that noise.
 * `name` doubles as a fake SHA-256 (repeated to 64 characters).
 */
export function randomBertCheckpoint(
  name: string,
  shape: RandomBertShape,
  seed: number,
  opts: { base?: LoadedCheckpoint; noise?: number } = {},
): LoadedCheckpoint {
  const config = bertConfigFromJson({
    vocab_size: shape.vocab,
    hidden_size: shape.hidden,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads ?? Math.max(1, shape.hidden / 32),
    intermediate_size: 4 * shape.hidden,
    max_position_embeddings: shape.maxPositions ?? 64,
    num_labels: shape.numLabels ?? 2,
  });
  const g = gaussian(mulberry32(seed));
  const noise = opts.noise ?? 0.02;
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [n, s] of expectedShapes(config)) {
    const size = s.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const b = opts.base?.tensors.get(n)?.data;
    const ln = /LayerNorm\.weight$/.test(n);
    for (let i = 0; i < size; i++) data[i] = (b ? b[i] : ln ? 1 : 0) + noise * g();
    tensors.set(n, { shape: s, data });
  }
  return {
    name,
    config,
    tensors,
    weightFiles: [],
    sha256: name.repeat(64).slice(0, 64),
    dtype: 'F32',
    tensorDtypes: new Map(),
  };
}

/** `count` batches of `batch` rows of `seqLen` token ids in [1, vocab), some rows padded, labels in {0, 1}. */
export function randomBatches(
  vocab: number,
  count: number,
  batch: number,
  seqLen: number,
  seed: number,
): EncodedBatch[] {
  const r = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const n = batch * seqLen;
    const inputIds = new Int32Array(n);
    const attentionMask = new Int32Array(n);
    const labels = new Float32Array(batch);
    for (let i = 0; i < batch; i++) {
      const len = Math.max(2, Math.ceil(r() * seqLen));
      for (let j = 0; j < len; j++) {
        inputIds[i * seqLen + j] = 1 + Math.floor(r() * (vocab - 1));
        attentionMask[i * seqLen + j] = 1;
      }
      labels[i] = r() < 0.5 ? 0 : 1;
    }
    return { inputIds, tokenTypeIds: new Int32Array(n), attentionMask, batch, seqLen, labels };
  });
}

/** {@link randomBatches} as a landscape service's prepared data (a placeholder spec: these rows come from no file). */
export function randomPreparedData(
  vocab: number,
  count: number,
  batch: number,
  seqLen: number,
  seed: number,
): PreparedData {
  return {
    batches: randomBatches(vocab, count, batch, seqLen, seed),
    spec: {
      file: 'random.tsv',
      sha256: '0'.repeat(64),
      split: 'dev',
      examples: count * batch,
      maxExamples: null,
      sample: null,
      seed: null,
      maxLength: seqLen,
    },
  };
}
