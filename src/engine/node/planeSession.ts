/**
 * Node-only: landscape points evaluated by data-parallel worker replicas on one shared plane
 * (landscape/planeSession.ts, bert/plane.ts). θ0 and each direction θ_k − θ0 are computed once on
 * this thread into SharedArrayBuffers in the kernel layout; every worker (BertWorkerPool.startPlane)
 * holds the fixed parameters and one working copy it moves itself, and takes whole batches from the
 * pool's queue, so a point's loss is the same float64 sum over the same per-batch logits as on one thread.
 *
 * Memory: the plane (θ0 + directions, word embeddings reduced to the rows the examples use) once, one
 * working copy (on WASM only XNNPACK's packed kernels) and one batch's activations per worker, and no
 * model on this thread. With `releaseWeights`, the checkpoints' host tensors are dropped once copied
 * (the CLI never reads them again) and collected before the workers grow.
 *
 * Used by the CLI's landscape verbs through {@link planeSessionOpener}; the app's worker uses the
 * in-thread replica of landscape/planeSession.ts.
 */
import type { LoadedCheckpoint } from '../bert/checkpoint';
import { buildPlane, planeSupported, PlaneSession } from '../landscape/planeSession';
import type { SessionOpener, SessionRequest } from '../landscape/services/common';
import { BertWorkerPool } from './bertParallel';
import { collectGarbage } from './gc';

/** Opens a plane session over `threads` worker replicas. */
export async function openPooledPlaneSession(
  req: SessionRequest,
  opts: { threads: number; releaseWeights?: boolean },
): Promise<PlaneSession> {
  const { names, layout, planes, fixed } = buildPlane(req, (n) => new Float32Array(new SharedArrayBuffer(n * 4)));
  if (opts.releaseWeights) release([req.origin, req.head, ...req.directions]);
  const pool = await BertWorkerPool.startPlane(
    { name: req.head.name, config: req.head.config, tensors: fixed },
    { layout, planes: planes.map((p) => p.buffer as SharedArrayBuffer) },
    opts.threads,
  );
  return new PlaneSession(
    names,
    { moveTo: (all) => pool.moveTo(all), evaluate: (b, o) => pool.evaluate(b, o), close: () => pool.close() },
    req.directions,
  );
}

/** Drops the checkpoints' host tensors and collects their file buffers now, before the replicas grow. */
function release(ckpts: readonly LoadedCheckpoint[]): void {
  for (const c of ckpts) c.tensors.clear();
  collectGarbage();
}

/**
 * The CLI's session opener: `threads` (> 1) worker replicas where plane replicas can run
 * (landscape/planeSession.ts `planeSupported`), else null — the services then open LandscapeSession,
 * the one-thread path the CLI's tests compare everything else with.
 */
export function planeSessionOpener(threads: number, opts: { releaseWeights?: boolean } = {}): SessionOpener {
  return async (req) =>
    threads > 1 && planeSupported(req)
      ? openPooledPlaneSession(req, { threads, releaseWeights: opts.releaseWeights })
      : null;
}
