/**
 * A landscape session on a plane (bert/plane.ts): θ0 and each direction θ_k − θ0 computed once on the
 * host into flat arrays in the kernel layout, and replicas that hold the fixed parameters plus one
 * working copy each, moved by one fused axpy per buffer. Who evaluates is a {@link PlaneRunner}: one
 * replica in this thread ({@link openLocalPlaneSession}: the app's worker and the one-thread CLI on
 * WASM), or the Node CLI's worker replicas (engine/node/planeSession.ts, SharedArrayBuffers).
 *
 * Memory (WASM, F32 BERT-base curve): the plane (θ0 + δ ≈ 2 × 345 MB of host arrays) + the replica's
 * one working copy of the moving weights (≈ 340 MB of heap, read in place by the SIMD heap Linears),
 * against the in-process session's model + θ0 + δ on the heap. Values are the in-process session's bit
 * for bit (both run the same kernels).
 * Random directions are drawn on θ0 on the device, so they need LandscapeSession.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { HostTensor, LoadedCheckpoint } from '../bert/checkpoint';
import type { EncodedBatch } from '../bert/data';
import type { DirectionSpec } from '../io/surfaceFile';
import { halvesOf } from '../bert/halfHold';
import { BertClassifier } from '../bert/model';
import { fillPlane, planeFits, planeLayout, type PlaneLayout } from '../bert/plane';
import { EMBEDDINGS } from '../bert/params';
import type { CancelToken } from '../util/cancel';
import { checkCompatibility, shapesOf } from './compat';
import { usedEmbeddingRows } from './session';
import type { EvalResult, LandscapeContext, LandscapeModel, PointMover } from './model';
import type { AnalysisSession, SessionOpener, SessionRequest } from './services/common';

const WORD = EMBEDDINGS[0];

/** Moves the replicas to θ0 + Σ all[k]·d_k and evaluates batches there. */
export interface PlaneRunner {
  moveTo(all: number[]): void;
  evaluate(batches: EncodedBatch[], opts: { token?: CancelToken }): Promise<EvalResult>;
  close(): void | Promise<void>;
}

/** The plane of a request: the moving names, the layout and the filled arrays [θ0, d_1, …]. */
export interface PlaneParts {
  names: string[];
  layout: PlaneLayout;
  planes: Float32Array[];
  /** The head's fixed (non-moving) tensors, copied (so the checkpoints can be released). */
  fixed: Map<string, HostTensor>;
}

/** Builds the plane of `req` into arrays from `alloc` (Float32Array, or views of SharedArrayBuffers). */
export function buildPlane(req: SessionRequest, alloc: (floats: number) => Float32Array): PlaneParts {
  const { origin, head, others, directions, batches } = req;
  const shapes = shapesOf(head);
  const names = checkCompatibility(origin, head, shapes, others);
  const rows = names.includes(WORD) ? usedEmbeddingRows(batches.flat(), shapes.get(WORD)![0]) : null;
  const layout = planeLayout(shapes, names, rows ? [{ name: WORD, rows }] : []);
  // A checkpoint held as F16 is read as its halves, widened one tensor at a time by fillPlane: through
  // `.data` the fill's one synchronous pass would keep every widened tensor alive (WeakRef semantics).
  const data = (c: LoadedCheckpoint) => (name: string) => {
    const t = c.tensors.get(name)!;
    return halvesOf(t) ?? t.data;
  };
  const planes = [origin, ...directions].map((c, k) => {
    const p = alloc(layout.floats);
    fillPlane(layout, p, data(c), k === 0 ? undefined : data(origin));
    return p;
  });
  const moving = new Set(names);
  const fixed = new Map<string, HostTensor>();
  for (const [name, t] of head.tensors)
    if (!moving.has(name)) fixed.set(name, { ...t, data: t.data.slice() } as HostTensor);
  return { names, layout, planes, fixed };
}

/** The landscape model the analyses see: moves and evaluates through the runner, owns no tensors. */
class PlaneModel implements LandscapeModel<EncodedBatch> {
  readonly params: ReadonlyMap<string, tf.Tensor> = new Map();
  constructor(
    private readonly runner: PlaneRunner,
    private readonly base: ReadonlyMap<string, tf.Tensor>,
    private readonly dirs: readonly ReadonlyMap<string, tf.Tensor>[],
    private readonly names: readonly string[],
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
    const same = names.length === this.names.length && names.every((n, i) => n === this.names[i]);
    if (base !== this.base || index.includes(-1) || !same)
      throw new Error('plane session: an interpolation outside the plane it was opened with');
    return Promise.resolve({
      moveTo: (coeffs: readonly number[]) => {
        if (coeffs.length !== index.length)
          throw new Error(`moveTo: ${index.length} directions but ${coeffs.length} coefficients`);
        const all = new Array<number>(this.dirs.length).fill(0);
        index.forEach((j, k) => (all[j] += coeffs[k]));
        this.runner.moveTo(all);
      },
      dispose: () => undefined,
    });
  }

  evaluate(batches: EncodedBatch[], opts: { token?: CancelToken } = {}): Promise<EvalResult> {
    return this.runner.evaluate(batches, opts);
  }
}

/** A session on a plane (see the file header). */
export class PlaneSession implements AnalysisSession {
  /** Stands for θ0 in the contexts (holds no tensors: the values are in the plane). */
  private readonly base = new Map<string, tf.Tensor>();
  /** Stand for θ_k − θ0, one per direction. */
  private readonly dirTokens: Map<string, tf.Tensor>[];
  private readonly model: PlaneModel;

  constructor(
    readonly names: string[],
    private readonly runner: PlaneRunner,
    private readonly directions: readonly LoadedCheckpoint[],
  ) {
    this.dirTokens = directions.map(() => new Map<string, tf.Tensor>());
    this.model = new PlaneModel(runner, this.base, this.dirTokens, names);
  }

  context(batches: EncodedBatch[], token?: CancelToken): LandscapeContext<EncodedBatch> {
    return { model: this.model, batches, origin: this.base, names: this.names, token };
  }

  /** Stands for θ_k − θ0 (its values are a plane of the session): only valid in this session's contexts. */
  directionTo(ckpt: LoadedCheckpoint): Map<string, tf.Tensor> {
    const k = this.directions.indexOf(ckpt);
    if (k < 0) throw new Error(`plane session: ${ckpt.name} was not opened as a direction`);
    return this.dirTokens[k];
  }

  /** A checkpoint direction's stand-in; random directions are drawn on θ0, which a plane session does not hold. */
  direction(spec: DirectionSpec, ckpt?: LoadedCheckpoint): Map<string, tf.Tensor> {
    if (spec.kind === 'random' || !ckpt) throw new Error('plane session: random directions need the device session');
    return this.directionTo(ckpt);
  }

  async dispose(): Promise<void> {
    await this.runner.close();
  }
}

/**
 * True where plane replicas run: tfjs WASM here, the SIMD attention's head sizes, checkpoint directions
 * only, and whole Q/K/V layers moving.
 */
export function planeSupported(req: SessionRequest): boolean {
  const c = req.head.config;
  return (
    tf.getBackend() === 'wasm' &&
    req.randomDirections === 0 &&
    c.numHiddenLayers > 0 &&
    (c.hiddenSize / c.numAttentionHeads) % 4 === 0 &&
    planeFits([...req.origin.tensors.keys()])
  );
}

/** One plane replica in this thread. */
export function openLocalPlaneSession(req: SessionRequest): PlaneSession {
  const { names, layout, planes, fixed } = buildPlane(req, (n) => new Float32Array(n));
  const { model, mover } = BertClassifier.forPlane(
    { name: req.head.name, config: req.head.config, tensors: fixed },
    layout,
    planes,
  );
  const runner: PlaneRunner = {
    moveTo: (all) => mover.moveTo(all),
    evaluate: (batches, opts) => model.evaluate(batches, opts),
    close: () => {
      mover.dispose();
      model.dispose();
    },
  };
  return new PlaneSession(names, runner, req.directions);
}

/** The opener of one in-thread plane replica where {@link planeSupported}, else null (the services then open LandscapeSession). */
export function localPlaneOpener(): SessionOpener {
  return (req) => Promise.resolve(planeSupported(req) ? openLocalPlaneSession(req) : null);
}
