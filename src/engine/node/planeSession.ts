/**
 * Node-only: a landscape session whose points are evaluated by data-parallel worker replicas on one
 * shared plane (bert/plane.ts). θ0 and each direction θ_k − θ0 are computed once on this thread into
 * SharedArrayBuffers in the kernel layout; every worker (BertWorkerPool.startPlane) holds the fixed
 * parameters and one working copy it moves itself, and takes whole batches from the pool's queue, so
 * a point's loss is the same float64 sum over the same per-batch logits as on one thread.
 *
 * Memory: the plane (θ0 + directions, word embeddings reduced to the rows the examples use) once, one
 * working copy and one batch's activations per worker, and no model on this thread. With
 * `releaseWeights`, the checkpoints' host tensors are dropped once copied (the CLI never reads them
 * again), so their file buffers can be collected before the workers grow.
 *
 * Used by the CLI's landscape verbs through {@link planeSessionOpener}; the app's worker and the
 * one-thread path keep LandscapeSession.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { HostTensor, LoadedCheckpoint } from '../bert/checkpoint';
import type { EncodedBatch } from '../bert/data';
import type { DirectionSpec } from '../io/surfaceFile';
import { fillPlane, planeLayout, type PlaneLayout } from '../bert/plane';
import { EMBEDDINGS } from '../bert/params';
import type { CancelToken } from '../util/cancel';
import { checkCompatibility, shapesOf } from '../landscape/compat';
import type { EvalResult, LandscapeContext, LandscapeModel, PointMover } from '../landscape/model';
import type { AnalysisSession, SessionOpener, SessionRequest } from '../landscape/services/common';
import { BertWorkerPool } from './bertParallel';
import { collectGarbage } from './gc';

const WORD = EMBEDDINGS[0];

/** The landscape model the analyses see: moves and evaluates through the pool, owns no tensors here. */
class PlaneModel implements LandscapeModel<EncodedBatch> {
  readonly params: ReadonlyMap<string, tf.Tensor> = new Map();
  constructor(
    private readonly pool: BertWorkerPool,
    private readonly base: ReadonlyMap<string, tf.Tensor>,
    private readonly dirs: readonly ReadonlyMap<string, tf.Tensor>[],
    private readonly layout: PlaneLayout,
  ) {}

  assignParams(): void {
    throw new Error('a plane replica moves only through its interpolator');
  }

  interpolator(
    base: ReadonlyMap<string, tf.Tensor>,
    dirs: readonly ReadonlyMap<string, tf.Tensor>[],
    names: readonly string[],
  ): Promise<PointMover> {
    const index = dirs.map((d) => this.dirs.indexOf(d));
    const same = names.length === this.layout.names.length && names.every((n, i) => n === this.layout.names[i]);
    if (base !== this.base || index.includes(-1) || !same)
      throw new Error('plane session: an interpolation outside the plane it was opened with');
    return Promise.resolve({
      moveTo: (coeffs: readonly number[]) => {
        if (coeffs.length !== index.length)
          throw new Error(`moveTo: ${index.length} directions but ${coeffs.length} coefficients`);
        const all = new Array<number>(this.dirs.length).fill(0);
        index.forEach((j, k) => (all[j] += coeffs[k]));
        this.pool.moveTo(all);
      },
      dispose: () => undefined,
    });
  }

  evaluate(batches: EncodedBatch[], opts: { token?: CancelToken } = {}): Promise<EvalResult> {
    return this.pool.evaluate(batches, opts);
  }
}

/** A session on a shared plane (see the file header). */
export class PlaneSession implements AnalysisSession {
  private constructor(
    readonly names: string[],
    private readonly pool: BertWorkerPool,
    private readonly model: PlaneModel,
    /** Stands for θ0 in the contexts (holds no tensors: the values are in the plane). */
    private readonly base: ReadonlyMap<string, tf.Tensor>,
    private readonly directions: readonly LoadedCheckpoint[],
    /** Stand for θ_k − θ0, one per direction. */
    private readonly dirTokens: readonly ReadonlyMap<string, tf.Tensor>[],
  ) {}

  /** Replicas over `threads` workers; `directions` are the checkpoints δ is taken toward. */
  static async open(req: SessionRequest, opts: { threads: number; releaseWeights?: boolean }): Promise<PlaneSession> {
    const { origin, head, others, directions, batches } = req;
    const names = checkCompatibility(origin, head, shapesOf(head), others);
    const shapes = shapesOf(head);
    const V = shapes.get(WORD)?.[0] ?? 0;
    const used = new Set<number>();
    for (const list of batches) for (const b of list) for (const id of b.inputIds) used.add(id);
    const sparse =
      names.includes(WORD) && used.size < 0.5 * V
        ? [{ name: WORD, rows: Int32Array.from([...used].sort((a, b) => a - b)) }]
        : [];
    const layout = planeLayout(shapes, names, sparse);
    const data = (c: LoadedCheckpoint) => (name: string) => c.tensors.get(name)!.data;
    const planes = [origin, ...directions].map((c, k) => {
      const buf = new SharedArrayBuffer(layout.floats * 4);
      fillPlane(layout, new Float32Array(buf), data(c), k === 0 ? undefined : data(origin));
      return buf;
    });
    const moving = new Set(names);
    const fixed = new Map<string, HostTensor>();
    for (const [name, t] of head.tensors)
      if (!moving.has(name)) fixed.set(name, { ...t, data: t.data.slice() } as HostTensor);
    if (opts.releaseWeights) {
      for (const c of [origin, head, ...directions]) c.tensors.clear();
      collectGarbage(); // the file buffers go back before the workers grow
    }
    const pool = await BertWorkerPool.startPlane(
      { name: head.name, config: head.config, tensors: fixed },
      { layout, planes },
      opts.threads,
    );
    const base = new Map<string, tf.Tensor>();
    const dirTokens = directions.map(() => new Map<string, tf.Tensor>());
    const model = new PlaneModel(pool, base, dirTokens, layout);
    return new PlaneSession(names, pool, model, base, directions, dirTokens);
  }

  /** Replicas (worker threads). */
  get threads(): number {
    return this.pool.threads;
  }

  context(batches: EncodedBatch[], token?: CancelToken): LandscapeContext<EncodedBatch> {
    return { model: this.model, batches, origin: this.base, names: this.names, token };
  }

  /** Stands for θ_k − θ0 (its values are a plane of the session): only valid in this session's contexts. */
  directionTo(ckpt: LoadedCheckpoint): Map<string, tf.Tensor> {
    const k = this.directions.indexOf(ckpt);
    if (k < 0) throw new Error(`plane session: ${ckpt.name} was not opened as a direction`);
    return this.dirTokens[k] as Map<string, tf.Tensor>;
  }

  /** A checkpoint direction's stand-in; random directions are drawn on θ0, which this thread does not hold. */
  direction(spec: DirectionSpec, ckpt?: LoadedCheckpoint): Map<string, tf.Tensor> {
    if (spec.kind === 'random' || !ckpt)
      throw new Error('plane session: random directions need the one-thread session');
    return this.directionTo(ckpt);
  }

  dispose(): Promise<void> {
    return this.pool.close();
  }
}

/** True where plane replicas can run: tfjs WASM here (the workers choose the same), SIMD attention shapes. */
export function planeSupported(head: LoadedCheckpoint): boolean {
  const c = head.config;
  return (
    tf.getBackend() === 'wasm' &&
    c.numHiddenLayers > 0 &&
    (c.hiddenSize / c.numAttentionHeads) % 4 === 0 &&
    typeof WebAssembly.validate === 'function'
  );
}

/**
 * The CLI's session opener: plane replicas over `threads` workers where {@link planeSupported},
 * threads > 1 and every direction is a checkpoint's, else null (the services then open the one-thread LandscapeSession).
 */
export function planeSessionOpener(threads: number, opts: { releaseWeights?: boolean } = {}): SessionOpener {
  return async (req) => {
    if (threads <= 1 || req.randomDirections > 0 || !planeSupported(req.head)) return null;
    return PlaneSession.open(req, { threads, releaseWeights: opts.releaseWeights });
  };
}
