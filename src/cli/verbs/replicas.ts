/**
 * The `--threads N` flag of the verbs that differentiate (`bert finetune`, `landscape hessian`,
 * `landscape flatness`): data-parallel replicas for their gradients and Hessian-vector products
 * (engine/node/gradParallel.ts, gradReplicas.ts), announced on stderr. Each verb chooses its default
 * by the cost of one update or one H·v (`autoGradThreads`).
 */
import { defaultThreads } from '../../engine/node/bertParallel';
import { lazyGradientPool } from '../../engine/node/gradReplicas';
import type { CliIO } from '../command';

/** The flag; `unit` names what the default's cost rule measures ("an update", "one H·v"). */
export function threadsFlag(what: string, unit: string) {
  return {
    threads: {
      kind: 'int',
      min: 1,
      max: 64,
      placeholder: 'N',
      description: `data-parallel replicas for ${what}, one tfjs backend each; 1 = in process (default: the cores, at most 8 — here ${defaultThreads()} — when ${unit} is over ~2e9 FLOPs, else 1)`,
    },
  } as const;
}

/** A lazy pool of `threads` replicas (`close` it when done), announced on stderr when there is more than one. */
export function gradientReplicas(threads: number, io: CliIO, verb: string): ReturnType<typeof lazyGradientPool> {
  if (threads > 1)
    io.stderr(`${verb}: ${threads} gradient replicas (this thread + ${threads - 1} worker${threads > 2 ? 's' : ''})`);
  return lazyGradientPool(threads);
}
