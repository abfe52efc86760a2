/**
 * BertForSequenceClassification in eval mode: parameters on the current tfjs backend
 * (params.ts), logits through the device forward pass (deviceForward.ts) or, on WASM/CPU, the host
 * speed path (hostForward.ts), and the mean loss over batches (loss.ts). Mean cross-entropy (MSE for
 * regression) and accuracy are computed on the host in float64 from the downloaded logits, so the
 * loss is exactly the mean over examples whatever the batching.
 *
 * `erf`: tf.erf. Measured against Python's math.erf on [−8, 8]: max |error| 4.3e-8 on WASM (native
 * erf) and 1.7e-7 on CPU (Abramowitz–Stegun 7.1.26, as WebGL/WebGPU), i.e. at float32 resolution;
 * logits match PyTorch to ~1e-6 relative (see model.test.ts).
 *
 * Memory: parameters are device tensors owned by the classifier (`dispose()` frees them); each batch
 * runs inside `tf.tidy`, and only its logits leave it, read with `await data()` and disposed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CancelToken, Checkpointer } from '../util/cancel';
import { InputError } from '../util/errors';
import type { LoadedCheckpoint } from './checkpoint';
import type { BertConfig } from './config';
import { validateBatch, type EncodedBatch } from './data';
import { deviceForward } from './deviceForward';
import { SimdGemm } from './gemmSimd';
import { hostForward } from './hostForward';
import { openInterpolation, type PointMover, type SparseRows } from './interpolate';
import { pooledHiddenStates, type TokenSpan } from './hiddenStates';
import { hostPooledHiddenStates } from './hostHiddenStates';
import { LossAccumulator, type EvaluateOptions, type EvaluateResult } from './loss';
import { hostEmbed } from './ops';
import { BertParams } from './params';
import { openPlaneMover, preparePlaneParams, type PlaneLayout } from './plane';

export class BertClassifier {
  private readonly P: BertParams;
  /** The SIMD attention kernel (WASM/CPU path, head size a multiple of 4, WebAssembly SIMD present). */
  private readonly gemm: SimdGemm | null;
  private disposed = false;

  private constructor(
    readonly config: BertConfig,
    hostAssist?: boolean,
    heapLinears?: boolean,
  ) {
    const hostPath = hostAssist ?? ['wasm', 'cpu'].includes(tf.getBackend());
    const d = config.hiddenSize / config.numAttentionHeads;
    this.gemm = hostPath && d % 4 === 0 && config.numHiddenLayers > 0 ? SimdGemm.create() : null;
    this.P = new BertParams(config, hostPath, this.gemm !== null, heapLinears);
  }

  /**
   * Uploads the checkpoint's tensors to the current tfjs backend. `opts.hostAssist` overrides the
   * WASM/CPU speed path choice (default: on for 'wasm' and 'cpu', off for GPU backends);
   * `opts.heapLinears: false` keeps tfjs's Linears on that path where the SIMD heap kernel would run.
   */
  static fromCheckpoint(
    ckpt: Pick<LoadedCheckpoint, 'name' | 'config' | 'tensors'>,
    opts: { hostAssist?: boolean; heapLinears?: boolean } = {},
  ): BertClassifier {
    const m = new BertClassifier(ckpt.config, opts.hostAssist, opts.heapLinears);
    for (const [name, shape] of m.P.expected) {
      const t = ckpt.tensors.get(name);
      if (!t) throw new InputError(`${ckpt.name}: tensor ${name} is missing`);
      if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
        throw new InputError(`${ckpt.name}: tensor ${name} has shape [${t.shape}], expected [${shape}]`);
      m.P.set(name, tf.keep(tf.tensor(t.data, t.shape, 'float32')));
    }
    m.P.rebuild([...m.P.expected.keys()]);
    return m;
  }

  /**
   * A replica that moves only on a shared plane (plane.ts): the fixed parameters from `fixed`, the
   * moving ones written by the returned mover from `planes` ([θ0, d_1, …], laid out as `layout`; its
   * `heapLinears` decides how the replica runs its Linears). Its
   * `params` hold the fixed parameters only; do not `assignParams` or open another interpolation on it.
   */
  static forPlane(
    fixed: Pick<LoadedCheckpoint, 'name' | 'config' | 'tensors'>,
    layout: PlaneLayout,
    planes: readonly Float32Array[],
  ): { model: BertClassifier; mover: PointMover } {
    const m = new BertClassifier(fixed.config, undefined, layout.heapLinears);
    try {
      preparePlaneParams(m.P, fixed.tensors, layout);
      return { model: m, mover: openPlaneMover(m.P, layout, planes) };
    } catch (err) {
      m.dispose();
      throw err;
    }
  }

  /** Device tensors by normalised name; the model owns them. */
  get params(): ReadonlyMap<string, tf.Tensor> {
    return this.P.tensors;
  }

  /**
   * Replaces parameters (any subset, by normalised name). Takes ownership of nothing: each value is
   * cloned (tfjs clones share data, no copy) and the old tensor disposed. Shapes must match.
   */
  assignParams(values: Map<string, tf.Tensor>): void {
    this.checkAlive();
    this.P.assign(values);
  }

  /**
   * Opens an in-place interpolation base + Σ c_k·dirs[k] over `names` (interpolate.ts): each
   * `moveTo` writes the point into the tensors the forward pass reads. Close it (`dispose`) before
   * using `params` or `assignParams` again. Base and directions stay the caller's.
   * @param opts.sparseRows matrices of which only these rows need to move (the others keep their values)
   */
  interpolator(
    base: ReadonlyMap<string, tf.Tensor>,
    dirs: readonly ReadonlyMap<string, tf.Tensor>[],
    names: readonly string[],
    opts: { sparseRows?: readonly SparseRows[] } = {},
  ): Promise<PointMover> {
    this.checkAlive();
    return openInterpolation(this.P, base, dirs, names, opts.sparseRows);
  }

  /** Logits [batch, numLabels] for one batch; the caller owns (and must dispose) the result. */
  forward(b: EncodedBatch): tf.Tensor2D {
    this.checkAlive();
    validateBatch(this.config, b);
    return tf.tidy(() => deviceForward(this.P, b, hostEmbed(this.P, b)));
  }

  /** Mean loss and accuracy over all examples of `batches`, at the current parameters. */
  async evaluate(batches: EncodedBatch[], opts: EvaluateOptions = {}): Promise<EvaluateResult> {
    this.checkAlive();
    for (const b of batches) validateBatch(this.config, b);
    const total = batches.reduce((a, b) => a + b.batch, 0);
    const cp = new Checkpointer(opts.token ?? CancelToken.none());
    const acc = new LossAccumulator(this.config, total, opts.keepLogits);
    opts.onProgress?.({ stage: 'loss', done: 0, total });
    for (const b of batches) {
      await cp.check();
      acc.add(b, await this.batchLogits(b));
      opts.onProgress?.({ stage: 'loss', done: acc.examples, total });
    }
    return acc.result();
  }

  /**
   * Logits of one batch downloaded to the host: [batch × numLabels] row-major. Same numbers as
   * {@link forward}, through the WASM/CPU speed path where it applies (the data-parallel workers of
   * `engine/node/bertParallel.ts` call this).
   */
  async logits(b: EncodedBatch): Promise<Float32Array> {
    this.checkAlive();
    validateBatch(this.config, b);
    return this.batchLogits(b);
  }

  private async batchLogits(b: EncodedBatch): Promise<Float32Array> {
    await this.P.refreshHostEmbeddings();
    const emb = hostEmbed(this.P, b);
    if (this.gemm && emb) return hostForward(this.P, this.gemm, b, emb);
    const out = tf.tidy(() => deviceForward(this.P, b, emb));
    try {
      return (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
  }

  /**
   * Mean hidden state over each token span at each requested layer (0 = embeddings … numHiddenLayers),
   * downloaded: [layers.length × spans.length × hiddenSize] row-major, layer-major. The tfjs-op
   * forward (hiddenStates.ts) on GPU backends, the host-attention speed path (hostHiddenStates.ts) on
   * WASM/CPU; the batch's labels are not read.
   */
  async hiddenStates(b: EncodedBatch, spans: readonly TokenSpan[], layers: readonly number[]): Promise<Float32Array> {
    this.checkAlive();
    validateBatch(this.config, { ...b, labels: new Float32Array(b.batch) });
    for (const l of layers)
      if (!Number.isInteger(l) || l < 0 || l > this.config.numHiddenLayers)
        throw new InputError(`layer ${l} is not in 0…${this.config.numHiddenLayers}`);
    if (spans.length === 0 || layers.length === 0) return new Float32Array(0);
    await this.P.refreshHostEmbeddings();
    const emb = hostEmbed(this.P, b);
    if (this.gemm && emb) return hostPooledHiddenStates(this.P, this.gemm, b, emb, spans, layers);
    const out = tf.tidy(() => pooledHiddenStates(this.P, b, emb, spans, layers));
    try {
      return (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.P.dispose();
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('BertClassifier was disposed');
  }
}
