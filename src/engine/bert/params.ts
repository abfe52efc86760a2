/**
 * The parameters of a BertForSequenceClassification on the current tfjs backend, and the derived
 * copies the WASM/CPU speed path needs.
 *
 * WASM/CPU speed path: the three embedding tables have host mirrors (read back with `await data()`
 * after they change; tfjs-wasm's `gather` moves ~25 MB/s). The Linears run one of two ways:
 * - on WASM with SIMD, by the project's kernel on the weights as stored (bert/heapLinear.ts,
 *   {@link BertParams.heapLinears}): no derived copy at all;
 * - elsewhere (the CPU backend, a threaded WASM heap), through tfjs, where `matMul(x, W, false, true)`
 *   is ~9× slower than `matMul(x, Wᵀ)`: every Linear weight also has a pre-transposed copy
 *   (`kernels`, rebuilt by {@link BertParams.assign}), and the Q/K/V projections of each layer a fused
 *   [Wqᵀ | Wkᵀ | Wvᵀ] kernel when the SIMD attention runs.
 * GPU backends hold none of these.
 *
 * Memory: every tensor here is a device tensor owned by this object (`dispose()` frees them all).
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../util/errors';
import { expectedShapes, type BertConfig } from './config';
import { heapLinearAvailable } from './heapLinear';

/** The embedding tables, in the order the host embedding sums them. */
export const EMBEDDINGS = [
  'embeddings.word_embeddings.weight',
  'embeddings.token_type_embeddings.weight',
  'embeddings.position_embeddings.weight',
] as const;

const QKV = /^encoder\.layer\.(\d+)\.attention\.self\.(query|key|value)\.(weight|bias)$/;

/** True for the weight of a Linear (PyTorch layout [out, in]): not an embedding table, not a LayerNorm. */
export function isLinearWeight(name: string): boolean {
  return name.endsWith('.weight') && !name.startsWith('embeddings.') && !name.includes('LayerNorm');
}

export class BertParams {
  /** Device tensors by normalised name, in PyTorch layout. */
  readonly tensors = new Map<string, tf.Tensor>();
  /** Transposed Linear weights [in, out] (the tfjs host path only; empty when {@link heapLinears}). */
  readonly kernels = new Map<string, tf.Tensor2D>();
  /** Host attention on the tfjs host path: fused [Wqᵀ | Wkᵀ | Wvᵀ] kernels [H, 3H] and biases [3H] per layer. */
  readonly qkv = new Map<number, { w: tf.Tensor2D; b: tf.Tensor1D }>();
  /** Host mirrors of the embedding tables (WASM/CPU path only); null when stale. */
  hostEmbeddings: Float32Array[] | null = null;
  /** Expected shape of every parameter. */
  readonly expected: Map<string, number[]>;
  /**
   * Linears as single first-order tape nodes on WASM (tensor/linearFirstOrder.ts): set by the gradient's
   * parameter view when no second derivative will be taken.
   */
  firstOrderLinears = false;
  /**
   * The Linears run by the SIMD kernel on the WASM heap, reading the PyTorch-layout weights in
   * `tensors` (bert/heapLinear.ts): no `kernels`, no fused `qkv`. Inference only (not differentiable):
   * set on the host path, which no gradient uses.
   */
  readonly heapLinears: boolean;

  /**
   * @param hostPath keep the transposed kernels and embedding mirrors (the WASM/CPU speed path)
   * @param fuseQkv also keep fused QKV kernels (the SIMD host attention runs)
   * @param heapLinears false keeps the tfjs Linears on the host path even where the heap kernel runs
   */
  constructor(
    readonly config: BertConfig,
    readonly hostPath: boolean,
    readonly fuseQkv: boolean,
    heapLinears = true,
  ) {
    this.expected = expectedShapes(config);
    this.heapLinears = heapLinears && hostPath && heapLinearAvailable([config.hiddenSize, config.intermediateSize]);
  }

  /** True when the Q/K/V weights are held as fused transposed kernels in {@link qkv}. */
  get fusedQkvKernels(): boolean {
    return this.hostPath && this.fuseQkv && !this.heapLinears;
  }

  /** The tensor `name`; throws when it is missing. */
  get(name: string): tf.Tensor {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`parameter ${name} is missing`);
    return t;
  }

  /** Throws an InputError naming `what` unless `shape` is the expected shape of `name`. */
  checkShape(what: string, name: string, shape: readonly number[]): void {
    const want = this.expected.get(name);
    if (!want) throw new InputError(`${what}: unknown parameter ${name}`);
    if (shape.length !== want.length || shape.some((d, i) => d !== want[i]))
      throw new InputError(`${what}: ${name} has shape [${shape}], expected [${want}]`);
  }

  /** Takes ownership of `t` as parameter `name` (disposing the previous one); derived copies are not rebuilt. */
  set(name: string, t: tf.Tensor): void {
    this.tensors.get(name)?.dispose();
    this.tensors.set(name, t);
  }

  /**
   * Replaces parameters (any subset, by normalised name). Takes ownership of nothing: each value is
   * cloned (tfjs clones share data, no copy) and the old tensor disposed. Shapes must match.
   */
  assign(values: Map<string, tf.Tensor>): void {
    for (const [name, v] of values) this.checkShape('assignParams', name, v.shape);
    for (const [name, v] of values) this.set(name, tf.keep(v.dtype === 'float32' ? v.clone() : tf.cast(v, 'float32')));
    this.rebuild([...values.keys()]);
  }

  /**
   * WASM/CPU: refreshes the transposed kernels for `names` (and the fused QKV kernels of their layers
   * on the host-attention path) unless the Linears run on the heap; marks the host embedding mirror stale.
   */
  rebuild(names: string[]): void {
    if (!this.hostPath) return;
    const qkvLayers = new Set<number>();
    for (const name of names) {
      if ((EMBEDDINGS as readonly string[]).includes(name)) this.hostEmbeddings = null;
      if (this.heapLinears) continue; // the Linears read the weights as stored: nothing derived
      const m = QKV.exec(name);
      if (m && this.fuseQkv) qkvLayers.add(Number(m[1]));
      else if (isLinearWeight(name)) {
        this.kernels.get(name)?.dispose();
        this.kernels.set(name, tf.keep(tf.transpose(this.get(name)) as tf.Tensor2D));
      }
    }
    for (const l of qkvLayers) {
      const p = `encoder.layer.${l}.attention.self`;
      const old = this.qkv.get(l);
      const fused = tf.tidy(() => ({
        w: tf.keep(
          tf.concat(
            ['query', 'key', 'value'].map((n) => tf.transpose(this.get(`${p}.${n}.weight`))),
            1,
          ) as tf.Tensor2D,
        ),
        b: tf.keep(tf.concat(['query', 'key', 'value'].map((n) => this.get(`${p}.${n}.bias`))) as tf.Tensor1D),
      }));
      this.qkv.set(l, fused);
      if (old) tf.dispose([old.w, old.b]);
    }
  }

  /** Reads the embedding tables back into the host mirrors when they are stale (WASM/CPU path). */
  async refreshHostEmbeddings(): Promise<void> {
    if (!this.hostPath || this.hostEmbeddings) return;
    const out: Float32Array[] = [];
    for (const n of EMBEDDINGS) out.push((await this.get(n).data()) as Float32Array);
    this.hostEmbeddings = out;
  }

  dispose(): void {
    for (const t of this.tensors.values()) t.dispose();
    for (const t of this.kernels.values()) t.dispose();
    for (const { w, b } of this.qkv.values()) tf.dispose([w, b]);
    this.qkv.clear();
    this.tensors.clear();
    this.kernels.clear();
    this.hostEmbeddings = null;
  }
}
