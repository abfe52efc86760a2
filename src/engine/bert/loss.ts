/**
 * The loss of a classifier from its host logits: mean cross-entropy (natural log, by log-sum-exp)
 * for classification, mean squared error over the outputs for regression, and accuracy —
 * accumulated batch by batch in float64, so the loss is exactly the mean over examples whatever the
 * batching, and feeding the same logits in the same order gives bit-identical results however they
 * were computed (one model, or data-parallel workers).
 */
import type { CancelToken } from '../util/cancel';
import type { ProgressSink } from '../util/progress';
import { isRegression, type BertConfig } from './checkpoint';
import type { EncodedBatch } from './data';

export interface EvaluateOptions {
  token?: CancelToken;
  onProgress?: ProgressSink;
  /** Also return all logits, [examples × numLabels] row-major. */
  keepLogits?: boolean;
}

export interface EvaluateResult {
  /** Mean cross-entropy (natural log) over examples, or mean squared error for regression. */
  loss: number;
  /** Fraction of argmax == label; NaN for regression. */
  accuracy: number;
  examples: number;
  logits?: Float32Array;
}

/** Accumulates loss and accuracy over batches of host logits ([batch × numLabels] row-major each). */
export class LossAccumulator {
  private lossSum = 0;
  private correct = 0;
  private done = 0;
  private readonly regression: boolean;
  private readonly all?: Float32Array;

  /** `total` examples expected; `keepLogits` keeps them all ([total × numLabels] row-major). */
  constructor(
    private readonly config: BertConfig,
    private readonly total: number,
    keepLogits = false,
  ) {
    this.regression = isRegression(config);
    if (keepLogits) this.all = new Float32Array(total * config.numLabels);
  }

  /** Examples added so far. */
  get examples(): number {
    return this.done;
  }

  /** Adds one batch's logits ([batch × numLabels] row-major) with its labels. */
  add(b: Pick<EncodedBatch, 'batch' | 'labels'>, logits: Float32Array): void {
    const N = this.config.numLabels;
    if (logits.length !== b.batch * N)
      throw new Error(`logits have ${logits.length} values, expected ${b.batch} × ${N}`);
    for (let i = 0; i < b.batch; i++) {
      const row = logits.subarray(i * N, (i + 1) * N);
      const y = b.labels[i];
      if (this.regression) {
        let se = 0;
        for (let j = 0; j < N; j++) se += (row[j] - y) ** 2;
        this.lossSum += se / N;
      } else {
        let max = -Infinity;
        let arg = 0;
        for (let j = 0; j < N; j++) if (row[j] > max) [max, arg] = [row[j], j];
        let s = 0;
        for (let j = 0; j < N; j++) s += Math.exp(row[j] - max);
        this.lossSum += max + Math.log(s) - row[y];
        if (arg === y) this.correct++;
      }
    }
    this.all?.set(logits, this.done * N);
    this.done += b.batch;
  }

  result(): EvaluateResult {
    const n = this.done;
    if (n !== this.total) throw new Error(`loss over ${n} of ${this.total} examples`);
    return {
      loss: this.lossSum / n,
      accuracy: this.regression ? NaN : this.correct / n,
      examples: n,
      logits: this.all,
    };
  }
}
