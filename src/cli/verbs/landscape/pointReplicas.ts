/**
 * The `--threads N` flag of the landscape verbs that evaluate points (`curve`, `surface`): N worker
 * replicas on one shared plane of θ0 and the directions (engine/node/planeSession.ts), each point's
 * batches split among them. Default: the cores (at most 8) when all the points' forward passes total
 * more than MIN_PARALLEL_FLOPS, else 1 (in process, on the device session).
 */
import type { BertConfig } from '../../../engine/bert/checkpoint';
import type { EncodedBatch } from '../../../engine/bert/data';
import { defaultThreads, forwardFlops, MIN_PARALLEL_FLOPS } from '../../../engine/node/bertParallel';
import { planeSessionOpener } from '../../../engine/node/planeSession';
import type { SessionOpener } from '../../../engine/landscape/services/common';
import type { CliIO } from '../../command';

export const POINT_THREADS_FLAG = {
  threads: {
    kind: 'int',
    min: 1,
    max: 64,
    placeholder: 'N',
    description: `worker replicas sharing one copy of θ0 and the directions, each point's batches split among them; 1 = in process (default: the cores, at most 8 — here ${defaultThreads()} — when the points' forward passes total over ~2e10 FLOPs, else 1)`,
  },
} as const;

/** Replicas for `points` evaluations of `datasets` when the user did not choose. */
export function autoPointThreads(
  config: BertConfig,
  datasets: readonly (readonly EncodedBatch[])[],
  points: number,
): number {
  const flops = points * datasets.reduce((a, d) => a + forwardFlops(config, d), 0);
  if (flops < MIN_PARALLEL_FLOPS) return 1;
  return Math.max(1, Math.min(defaultThreads(), Math.max(...datasets.map((d) => d.length))));
}

/**
 * The session opener for `threads` replicas (undefined for 1), announced on stderr. The checkpoints'
 * host tensors are released into the plane (the verbs read only their names and hashes afterwards).
 */
export function pointReplicas(threads: number, io: CliIO, verb: string): SessionOpener | undefined {
  if (threads <= 1) return undefined;
  const open = planeSessionOpener(threads, { releaseWeights: true });
  return async (req) => {
    const s = await open(req);
    if (s) io.stderr(`${verb}: ${threads} worker replicas on one shared copy of θ0 and the directions`);
    return s;
  };
}
