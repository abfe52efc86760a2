/**
 * The `--threads N` flag of the verbs that differentiate (`landscape hessian`, `landscape flatness`):
 * data-parallel replicas for their gradients and Hessian-vector products (engine/node/gradParallel.ts),
 * chosen by cost when the user did not say, announced on stderr.
 */
import type { BertConfig } from '../../../engine/bert/config';
import type { EncodedBatch } from '../../../engine/bert/data';
import { defaultThreads } from '../../../engine/node/bertParallel';
import { autoGradThreads, lazyGradientPool } from '../../../engine/node/gradReplicas';
import { UsageError, type CliIO } from '../../command';

export const THREADS_FLAG = {
  threads: {
    kind: 'int',
    min: 1,
    placeholder: 'N',
    description: `data-parallel replicas for gradients and H·v, one tfjs backend each; 1 = in process (default: the cores, at most 8 — here ${defaultThreads()} — when one H·v is over ~2e9 FLOPs, else 1)`,
  },
} as const;

/** The replicas for `batches` (a lazy pool; `close` it when done), or null for one thread. */
export function replicasFor(
  flag: number | undefined,
  config: BertConfig,
  batches: readonly EncodedBatch[],
  io: CliIO,
  verb: string,
): ReturnType<typeof lazyGradientPool> | null {
  if (flag !== undefined && flag > 64) throw new UsageError(`--threads must be at most 64, got ${flag}`);
  const rows = batches.reduce((a, b) => a + b.batch, 0);
  const seqLen = Math.max(1, ...batches.map((b) => b.seqLen));
  // One H·v costs about a gradient over all the rows once more: the fine-tuning rule with 2 × the rows.
  const threads = flag ?? autoGradThreads(config, 2 * rows, 1, seqLen);
  if (threads <= 1) return null;
  io.stderr(`${verb}: ${threads} replicas (this thread + ${threads - 1} worker${threads > 2 ? 's' : ''})`);
  return lazyGradientPool(threads);
}
