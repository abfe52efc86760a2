/**
 * Contextual vectors of the sense probe: for every instance, BERT's hidden state of the target at the
 * requested layers (mean over its WordPiece sub-tokens), at the model's current parameters — the
 * service moves the model along θ(α) or to each checkpoint and calls this once per position.
 *
 * Memory: device, one batch's activations (BertClassifier.hiddenStates); host, the result,
 * layers × instances × H float32 (bert-base, 13 layers × 8915 SemEval-2010 instances: 356 MB — pass
 * fewer layers to bound it). Cancellable between batches.
 */
import type { BertClassifier } from '../bert/model';
import { CancelToken, Checkpointer } from '../util/cancel';
import type { SenseBatch } from './senseData';

/** Per requested layer, the vectors [instances × H] row-major (instance order of the batches' `index`). */
export interface SenseVectors {
  layers: number[];
  hidden: number;
  instances: number;
  byLayer: Float32Array[];
}

/** The pooled target vectors of every instance at `layers`, batch by batch. */
export async function computeSenseVectors(
  model: Pick<BertClassifier, 'hiddenStates' | 'config'>,
  batches: readonly SenseBatch[],
  layers: readonly number[],
  opts: { token?: CancelToken; onBatch?: (done: number) => void } = {},
): Promise<SenseVectors> {
  const H = model.config.hiddenSize;
  const n = batches.reduce((a, b) => a + b.index.length, 0);
  const byLayer = layers.map(() => new Float32Array(n * H));
  const cp = new Checkpointer(opts.token ?? CancelToken.none());
  let done = 0;
  for (const b of batches) {
    await cp.check();
    const out = await model.hiddenStates(b.batch, b.spans, layers);
    const m = b.spans.length;
    layers.forEach((_, li) => {
      for (let i = 0; i < m; i++) byLayer[li].set(out.subarray((li * m + i) * H, (li * m + i + 1) * H), b.index[i] * H);
    });
    done += m;
    opts.onBatch?.(done);
  }
  return { layers: [...layers], hidden: H, instances: n, byLayer };
}
