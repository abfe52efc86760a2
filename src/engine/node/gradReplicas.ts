/**
 * How many data-parallel gradient replicas to use (`autoGradThreads`) and a pool that starts on first
 * use (`lazyGradientPool`) — what the CLI verbs and benches hold instead of a GradientPool
 * (gradParallel.ts), since the parameter layout is known only once a run has built its model.
 */
import { gradient, hessianVectorProduct, type GradientFn, type HvpFn, type ParamPoint } from '../bert/grad';
import type { BertConfig } from '../bert/config';
import type { EncodedBatch } from '../bert/data';
import { defaultThreads, MIN_PARALLEL_FLOPS } from './bertParallel';
import { GradientPool } from './gradParallel';

/**
 * {@link GradientFn} and {@link HvpFn} over `threads` replicas that start their pool on first use (names
 * and shapes are known only then, e.g. after fine-tuning adds a new head); `threads` 1 gives the
 * in-thread `gradient` and `hessianVectorProduct`.
 * Call `close` when done (a no-op when nothing started).
 */
export function lazyGradientPool(threads: number): { gradient: GradientFn; hvp: HvpFn; close(): Promise<void> } {
  let pool: GradientPool | null = null;
  let layout = '';
  const started = (point: ParamPoint): GradientPool => {
    // A new parameter layout (another checkpoint's head, in `landscape flatness`) needs new buffers.
    const key = JSON.stringify([point.names, point.tensors.map((t) => t.shape)]);
    if (pool && key !== layout) {
      void pool.close();
      pool = null;
    }
    layout = key;
    return (pool ??= GradientPool.start(
      point.config,
      point.names,
      point.tensors.map((t) => t.shape),
      threads,
    ));
  };
  return {
    gradient: threads > 1 ? (point, batches, opts) => started(point).gradient(point, batches, opts) : gradient,
    hvp: threads > 1 ? (point, batches, v, opts) => started(point).hvp(point, batches, v, opts) : hessianVectorProduct,
    close: async () => {
      await pool?.close();
      pool = null;
    },
  };
}

/**
 * Replicas for fine-tuning when the user did not choose: the machine's cores (at most 8) when one
 * update — forward and backward, ~3× the forward pass's 2 · encoder parameters · tokens FLOPs over
 * `batch × accumulate` sequences of `maxLength` — is above a tenth of {@link MIN_PARALLEL_FLOPS}
 * (~0.2 s of one WASM thread: the per-update exchange then costs a few per cent), else 1.
 */
export function autoGradThreads(config: BertConfig, batch: number, accumulate: number, maxLength: number): number {
  const H = config.hiddenSize;
  const perToken = 2 * config.numHiddenLayers * (4 * H * H + 2 * H * config.intermediateSize);
  if (3 * perToken * batch * accumulate * maxLength < MIN_PARALLEL_FLOPS / 10) return 1;
  return Math.min(defaultThreads(), Math.max(1, batch));
}

/**
 * Replicas for H·v over `batches` when the user did not choose: one H·v costs about a gradient over all
 * the rows once more, so {@link autoGradThreads}'s rule with twice the rows.
 */
export function autoHvpThreads(config: BertConfig, batches: readonly EncodedBatch[]): number {
  const rows = batches.reduce((a, b) => a + b.batch, 0);
  return autoGradThreads(config, 2 * rows, 1, Math.max(1, ...batches.map((b) => b.seqLen)));
}
