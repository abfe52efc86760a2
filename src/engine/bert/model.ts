/**
 * BertForSequenceClassification's forward pass and loss in tfjs, eval mode, following transformers'
 * modeling_bert.py: embeddings (word + token type + absolute position) → LayerNorm; post-LN encoder
 * layers (scaled dot-product attention with HF's additive mask `(1 − mask)·finfo(float32).min`, GELU
 * (erf) / gelu_new (tanh form) / relu feed-forward); tanh pooler on [CLS]; linear classifier. Mean
 * cross-entropy (MSE for regression) and accuracy are computed on the host in float64 from the
 * downloaded logits, so the loss is exactly the mean over examples whatever the batching.
 *
 * `erf`: tf.erf. Measured against Python's math.erf on [−8, 8]: max |error| 4.3e-8 on WASM (native
 * erf) and 1.7e-7 on CPU (Abramowitz–Stegun 7.1.26, as WebGL/WebGPU), i.e. at float32 resolution;
 * logits match PyTorch to ~1e-6 relative (see model.test.ts).
 *
 * The last layer computes queries, attention output and feed-forward for the [CLS] row only (the
 * pooler reads nothing else): identical results, ~1/numLayers less work.
 *
 * WASM/CPU speed path (measured on tfjs-backend-wasm 4.22): `matMul(x, W, false, true)` is ~9× slower
 * than `matMul(x, Wᵀ)` and `gather` moves ~25 MB/s, so on those backends the model keeps a
 * pre-transposed copy of every Linear weight (`kernels`, rebuilt by `assignParams`) and sums the
 * three embeddings on the host from mirrors of the embedding tables (read back with `await data()`
 * after they change), in float32 with the same rounding as the device. GPU backends use
 * `transposeB` and `gather` directly and hold no extra copies.
 *
 * Memory: parameters are device tensors owned by the classifier (`dispose()` frees them); each batch
 * runs inside `tf.tidy`, and only its logits leave it, read with `await data()` and disposed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CancelToken, Checkpointer } from '../util/cancel';
import type { ProgressSink } from '../util/progress';
import { InputError } from '../util/errors';
import { expectedShapes, isRegression, type BertConfig, type LoadedCheckpoint } from './checkpoint';
import type { EncodedBatch } from './data';
import { SimdGemm } from './gemmSimd';
import { attentionFloats, hostAttention } from './hostAttention';
import { readInto, upload } from './hostTransfer';

/** torch.finfo(torch.float32).min, which HF multiplies (1 − mask) by. */
export const FLOAT32_MIN = -3.4028234663852886e38;

export interface EvaluateOptions {
  token?: CancelToken;
  onProgress?: ProgressSink;
  /** Also return all logits, [examples × numLabels] row-major. */
  keepLogits?: boolean;
}

export interface EvaluateResult {
  /** Mean cross-entropy (natural log) over examples, or mean squared error for regression. */
  loss: number;
  /** Fraction of argmax == label; NaN for regression. */
  accuracy: number;
  examples: number;
  logits?: Float32Array;
}

const EMBEDDINGS = [
  'embeddings.word_embeddings.weight',
  'embeddings.token_type_embeddings.weight',
  'embeddings.position_embeddings.weight',
] as const;

export class BertClassifier {
  private readonly tensors = new Map<string, tf.Tensor>();
  /** Transposed Linear weights [in, out] (WASM/CPU path only). */
  private readonly kernels = new Map<string, tf.Tensor2D>();
  /** Host-attention path: fused [Wqᵀ | Wkᵀ | Wvᵀ] kernels [H, 3H] and biases [3H] per layer. */
  private readonly qkv = new Map<number, { w: tf.Tensor2D; b: tf.Tensor1D }>();
  /** The SIMD attention kernel (WASM/CPU path, head size a multiple of 4, WebAssembly SIMD present). */
  private readonly gemm: SimdGemm | null;
  /** Host mirrors of the embedding tables (WASM/CPU path only); null when stale. */
  private hostEmbeddings: Float32Array[] | null = null;
  private readonly expected: Map<string, number[]>;
  private readonly hostPath: boolean;
  private disposed = false;

  private constructor(
    readonly config: BertConfig,
    hostAssist?: boolean,
  ) {
    this.expected = expectedShapes(config);
    this.hostPath = hostAssist ?? ['wasm', 'cpu'].includes(tf.getBackend());
    const d = config.hiddenSize / config.numAttentionHeads;
    this.gemm = this.hostPath && d % 4 === 0 && config.numHiddenLayers > 0 ? SimdGemm.create() : null;
  }

  /**
   * Uploads the checkpoint's tensors to the current tfjs backend. `opts.hostAssist` overrides the
   * WASM/CPU speed path choice (default: on for 'wasm' and 'cpu', off for GPU backends).
   */
  static fromCheckpoint(
    ckpt: Pick<LoadedCheckpoint, 'name' | 'config' | 'tensors'>,
    opts: { hostAssist?: boolean } = {},
  ): BertClassifier {
    const m = new BertClassifier(ckpt.config, opts.hostAssist);
    for (const [name, shape] of m.expected) {
      const t = ckpt.tensors.get(name);
      if (!t) throw new InputError(`${ckpt.name}: tensor ${name} is missing`);
      if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
        throw new InputError(`${ckpt.name}: tensor ${name} has shape [${t.shape}], expected [${shape}]`);
      m.tensors.set(name, tf.keep(tf.tensor(t.data, t.shape, 'float32')));
    }
    m.rebuildKernels([...m.expected.keys()]);
    return m;
  }

  private isLinearWeight(name: string): boolean {
    return name.endsWith('.weight') && !name.startsWith('embeddings.') && !name.includes('LayerNorm');
  }

  /**
   * WASM/CPU: refresh transposed kernels for `names` (and the fused QKV kernels of their layers on
   * the host-attention path); mark the host embedding mirror stale.
   */
  private rebuildKernels(names: string[]): void {
    if (!this.hostPath) return;
    const qkvLayers = new Set<number>();
    for (const name of names) {
      const m = /^encoder\.layer\.(\d+)\.attention\.self\.(query|key|value)\.(weight|bias)$/.exec(name);
      if (m && this.gemm) qkvLayers.add(Number(m[1]));
      else if (this.isLinearWeight(name)) {
        this.kernels.get(name)?.dispose();
        this.kernels.set(name, tf.keep(tf.transpose(this.tensors.get(name)!) as tf.Tensor2D));
      }
      if ((EMBEDDINGS as readonly string[]).includes(name)) this.hostEmbeddings = null;
    }
    for (const l of qkvLayers) {
      const p = `encoder.layer.${l}.attention.self`;
      const old = this.qkv.get(l);
      const fused = tf.tidy(() => ({
        w: tf.keep(
          tf.concat(
            ['query', 'key', 'value'].map((n) => tf.transpose(this.p(`${p}.${n}.weight`))),
            1,
          ) as tf.Tensor2D,
        ),
        b: tf.keep(tf.concat(['query', 'key', 'value'].map((n) => this.p(`${p}.${n}.bias`))) as tf.Tensor1D),
      }));
      this.qkv.set(l, fused);
      if (old) tf.dispose([old.w, old.b]);
    }
  }

  private async refreshHostEmbeddings(): Promise<void> {
    if (!this.hostPath || this.hostEmbeddings) return;
    const out: Float32Array[] = [];
    for (const n of EMBEDDINGS) out.push((await this.tensors.get(n)!.data()) as Float32Array);
    this.hostEmbeddings = out;
  }

  /** (word + token type) + position, rounded to float32 at each add as on the device: [B·L, H]. */
  private hostEmbed(b: EncodedBatch): Float32Array | null {
    if (!this.hostEmbeddings) return null;
    const [word, type, pos] = this.hostEmbeddings;
    const H = this.config.hiddenSize;
    const out = new Float32Array(b.batch * b.seqLen * H);
    const fr = Math.fround;
    for (let r = 0; r < b.batch * b.seqLen; r++) {
      const w = b.inputIds[r] * H;
      const t = b.tokenTypeIds[r] * H;
      const p = (r % b.seqLen) * H;
      const o = r * H;
      for (let j = 0; j < H; j++) out[o + j] = fr(fr(word[w + j] + type[t + j]) + pos[p + j]);
    }
    return out;
  }

  /** Device tensors by normalised name; the model owns them. */
  get params(): ReadonlyMap<string, tf.Tensor> {
    return this.tensors;
  }

  /**
   * Replaces parameters (any subset, by normalised name). Takes ownership of nothing: each value is
   * cloned (tfjs clones share data, no copy) and the old tensor disposed. Shapes must match.
   */
  assignParams(values: Map<string, tf.Tensor>): void {
    this.checkAlive();
    for (const [name, v] of values) {
      const shape = this.expected.get(name);
      if (!shape) throw new InputError(`assignParams: unknown parameter ${name}`);
      if (v.shape.length !== shape.length || v.shape.some((d, i) => d !== shape[i]))
        throw new InputError(`assignParams: ${name} has shape [${v.shape}], expected [${shape}]`);
    }
    for (const [name, v] of values) {
      const next = tf.keep(v.dtype === 'float32' ? v.clone() : tf.cast(v, 'float32'));
      this.tensors.get(name)!.dispose();
      this.tensors.set(name, next);
    }
    this.rebuildKernels([...values.keys()]);
  }

  /** Logits [batch, numLabels] for one batch; the caller owns (and must dispose) the result. */
  forward(b: EncodedBatch): tf.Tensor2D {
    this.checkAlive();
    this.validateBatch(b);
    return tf.tidy(() => this.forwardTidy(b, this.hostEmbed(b)));
  }

  /** Mean loss and accuracy over all examples of `batches`, at the current parameters. */
  async evaluate(batches: EncodedBatch[], opts: EvaluateOptions = {}): Promise<EvaluateResult> {
    this.checkAlive();
    for (const b of batches) this.validateBatch(b);
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
    this.validateBatch(b);
    return this.batchLogits(b);
  }

  private async batchLogits(b: EncodedBatch): Promise<Float32Array> {
    await this.refreshHostEmbeddings();
    const emb = this.hostEmbed(b);
    if (this.gemm && emb) return this.hostForward(b, emb);
    const out = tf.tidy(() => this.forwardTidy(b, emb));
    try {
      return (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
  }

  /**
   * The WASM/CPU forward pass with attention on the host (hostAttention.ts): per layer, the fused
   * QKV projection is downloaded, attended with the SIMD kernel, and the context uploaded for the
   * output dense, LayerNorms and feed-forward on tfjs. Same maths as {@link forwardTidy}.
   */
  private async hostForward(b: EncodedBatch, emb: Float32Array): Promise<Float32Array> {
    const c = this.config;
    const { batch: B, seqLen: L } = b;
    const H = c.hiddenSize;
    const shape = { batch: B, seqLen: L, hidden: H, heads: c.numAttentionHeads };
    let x = tf.tidy(() => this.layerNorm(tf.tensor2d(emb, [B * L, H]), 'embeddings.LayerNorm'));
    try {
      for (let l = 0; l < c.numHiddenLayers; l++) {
        const p = `encoder.layer.${l}`;
        const last = l === c.numHiddenLayers - 1;
        const fused = this.qkv.get(l)!;
        const gemm = this.gemm!;
        const qkvT = tf.tidy(() => this.affine(x, fused.w, fused.b));
        try {
          gemm.reserve(attentionFloats(shape, last));
          await readInto(qkvT, gemm.f32, 0);
        } finally {
          qkvT.dispose();
        }
        const ctx = hostAttention(gemm, b.attentionMask, shape, last);
        const rows = last ? 1 : L;
        const prev = x;
        x = tf.tidy(() => {
          const qIn = last ? (tf.gather(prev, tf.range(0, B * L, L, 'int32')) as tf.Tensor2D) : prev;
          return this.layerNorm(
            tf.add(this.linear(upload<tf.Rank.R2>(ctx, [B * rows, H]), `${p}.attention.output.dense`), qIn),
            `${p}.attention.output.LayerNorm`,
          );
        });
        prev.dispose();
        const attn = x;
        let inner: tf.Tensor2D;
        if (c.hiddenAct === 'gelu') {
          // erf GELU in the SIMD kernel: one download/upload instead of tfjs-wasm's scalar erf + 4 ops.
          const h = tf.tidy(() => this.linear(attn, `${p}.intermediate.dense`));
          const gemm = this.gemm!;
          try {
            gemm.reserve(Math.ceil(h.size / 4) * 4);
            await readInto(h, gemm.f32, 0);
          } finally {
            h.dispose();
          }
          gemm.geluErf(0, h.size);
          inner = upload<tf.Rank.R2>(gemm.f32.subarray(0, h.size), h.shape as [number, number]);
        } else {
          inner = tf.tidy(() => this.feedForwardIn(attn, `${p}.intermediate.dense`));
        }
        try {
          x = tf.tidy(() =>
            this.layerNorm(tf.add(this.linear(inner, `${p}.output.dense`), attn), `${p}.output.LayerNorm`),
          );
        } finally {
          inner.dispose();
          attn.dispose();
        }
      }
      const out = tf.tidy(() => this.linear(tf.tanh(this.linear(x, 'pooler.dense')), 'classifier'));
      try {
        return (await out.data()) as Float32Array;
      } finally {
        out.dispose();
      }
    } finally {
      x.dispose();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.tensors.values()) t.dispose();
    for (const t of this.kernels.values()) t.dispose();
    for (const { w, b } of this.qkv.values()) tf.dispose([w, b]);
    this.qkv.clear();
    this.tensors.clear();
    this.kernels.clear();
    this.hostEmbeddings = null;
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error('BertClassifier was disposed');
  }

  private validateBatch(b: EncodedBatch): void {
    validateBatch(this.config, b);
  }

  private p(name: string): tf.Tensor {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`parameter ${name} is missing`);
    return t;
  }

  /**
   * x [rows, in] · Wᵀ + b with W [out, in] (PyTorch Linear). With a pre-transposed kernel (WASM/CPU)
   * this is one fused matMul + bias (+ relu). Without one (GPU backends) it is matMul(transposeB) +
   * add, not `tf.fused.matMul`: with transposeB its bias is broadcast wrongly on the WASM backend in
   * tfjs 4.22 (measured: row 1 gets the wrong bias element; the scalar path indexes the bias by the
   * flat output position).
   */
  private linear(x: tf.Tensor2D, prefix: string, activation?: 'relu'): tf.Tensor2D {
    const kernel = this.kernels.get(`${prefix}.weight`);
    if (kernel) return this.affine(x, kernel, this.p(`${prefix}.bias`) as tf.Tensor1D, activation);
    const y = tf.add(
      tf.matMul(x, this.p(`${prefix}.weight`) as tf.Tensor2D, false, true),
      this.p(`${prefix}.bias`),
    ) as tf.Tensor2D;
    return activation === 'relu' ? tf.relu(y) : y;
  }

  /**
   * x [rows, in] · kernel [in, out] + bias (+ relu), fused: no transpose, so on WASM this is XNNPACK's
   * fully-connected operator with the bias inside (correct there; the tfjs 4.22 bias bug is in the
   * scalar transposeB/batched path only).
   */
  private affine(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, activation?: 'relu'): tf.Tensor2D {
    return tf.fused.matMul({ a: x, b: kernel, bias, activation: activation ?? 'linear' }) as tf.Tensor2D;
  }

  /**
   * Q (of the rows `qRows` only, when given), K and V of layer `l` for x [B·L, H]: one fused product
   * split in three where the host-attention kernels exist, else three Linears.
   */
  private projections(x: tf.Tensor2D, l: number, qRows: tf.Tensor1D | null): tf.Tensor2D[] {
    const fused = this.qkv.get(l);
    if (fused) {
      const [q, k, v] = tf.split(this.affine(x, fused.w, fused.b), 3, 1) as tf.Tensor2D[];
      return [qRows ? (tf.gather(q, qRows) as tf.Tensor2D) : q, k, v];
    }
    const p = `encoder.layer.${l}.attention.self`;
    return [
      this.linear(qRows ? (tf.gather(x, qRows) as tf.Tensor2D) : x, `${p}.query`),
      this.linear(x, `${p}.key`),
      this.linear(x, `${p}.value`),
    ];
  }

  private layerNorm(x: tf.Tensor2D, prefix: string): tf.Tensor2D {
    const mean = tf.mean(x, -1, true);
    const xc = tf.sub(x, mean);
    const variance = tf.mean(tf.square(xc), -1, true);
    const y = tf.mul(xc, tf.rsqrt(tf.add(variance, this.config.layerNormEps)));
    return tf.add(tf.mul(y, this.p(`${prefix}.weight`)), this.p(`${prefix}.bias`));
  }

  private feedForwardIn(x: tf.Tensor2D, prefix: string): tf.Tensor2D {
    const act = this.config.hiddenAct;
    if (act === 'relu') return this.linear(x, prefix, 'relu');
    const h = this.linear(x, prefix);
    if (act === 'gelu') return tf.mul(tf.mul(h, 0.5), tf.add(1, tf.erf(tf.mul(h, Math.SQRT1_2))));
    // gelu_new: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
    const inner = tf.mul(tf.add(h, tf.mul(tf.pow(h, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return tf.mul(tf.mul(h, 0.5), tf.add(1, tf.tanh(inner)));
  }

  /** (word + token type) + position on the device (HF's order): [B·L, H]. */
  private deviceEmbed(b: EncodedBatch): tf.Tensor2D {
    const { batch: B, seqLen: L } = b;
    const H = this.config.hiddenSize;
    const word = tf.gather(this.p('embeddings.word_embeddings.weight'), tf.tensor1d(b.inputIds, 'int32'));
    const type = tf.gather(this.p('embeddings.token_type_embeddings.weight'), tf.tensor1d(b.tokenTypeIds, 'int32'));
    const pos = tf.slice(this.p('embeddings.position_embeddings.weight'), [0, 0], [L, H]);
    return tf.reshape(tf.add(tf.reshape(tf.add(word, type), [B, L, H]), pos), [B * L, H]) as tf.Tensor2D;
  }

  private forwardTidy(b: EncodedBatch, hostEmb: Float32Array | null): tf.Tensor2D {
    const c = this.config;
    const B = b.batch;
    const L = b.seqLen;
    const H = c.hiddenSize;
    const nh = c.numAttentionHeads;
    const d = H / nh;
    const emb = hostEmb ? tf.tensor2d(hostEmb, [B * L, H]) : this.deviceEmbed(b);
    let x = this.layerNorm(emb, 'embeddings.LayerNorm');
    const maskAdd = tf.reshape(tf.mul(tf.sub(1, tf.tensor1d(Float32Array.from(b.attentionMask))), FLOAT32_MIN), [
      B,
      1,
      1,
      L,
    ]);
    const heads = (t: tf.Tensor2D, rows: number): tf.Tensor3D =>
      tf.reshape(tf.transpose(tf.reshape(t, [B, rows, nh, d]), [0, 2, 1, 3]), [B * nh, rows, d]);
    const scale = Math.sqrt(d);
    const clsRows = tf.range(0, B * L, L, 'int32');
    for (let l = 0; l < c.numHiddenLayers; l++) {
      const p = `encoder.layer.${l}`;
      const last = l === c.numHiddenLayers - 1;
      const qIn = last ? (tf.gather(x, clsRows) as tf.Tensor2D) : x;
      const rows = last ? 1 : L;
      const [qx, kx, vx] = this.projections(x, l, last ? clsRows : null);
      const q = heads(qx, rows);
      const k = heads(kx, L);
      const v = heads(vx, L);
      const scores = tf.add(tf.reshape(tf.div(tf.matMul(q, k, false, true), scale), [B, nh, rows, L]), maskAdd);
      const probs = tf.reshape(tf.softmax(scores), [B * nh, rows, L]);
      const ctx = tf.reshape(tf.transpose(tf.reshape(tf.matMul(probs, v), [B, nh, rows, d]), [0, 2, 1, 3]), [
        B * rows,
        H,
      ]) as tf.Tensor2D;
      const attn = this.layerNorm(
        tf.add(this.linear(ctx, `${p}.attention.output.dense`), qIn),
        `${p}.attention.output.LayerNorm`,
      );
      const ff = this.linear(this.feedForwardIn(attn, `${p}.intermediate.dense`), `${p}.output.dense`);
      x = this.layerNorm(tf.add(ff, attn), `${p}.output.LayerNorm`);
    }
    const cls = c.numHiddenLayers > 0 ? x : (tf.gather(x, clsRows) as tf.Tensor2D);
    const pooled = tf.tanh(this.linear(cls, 'pooler.dense'));
    return this.linear(pooled, 'classifier');
  }
}

/**
 * Checks one batch against the config before any compute: array lengths, sequence length within
 * max_position_embeddings, token ids and types in range, labels valid for the head. Throws InputError.
 */
export function validateBatch(c: BertConfig, b: EncodedBatch): void {
  const n = b.batch * b.seqLen;
  if (
    b.batch < 1 ||
    b.seqLen < 1 ||
    b.inputIds.length !== n ||
    b.tokenTypeIds.length !== n ||
    b.attentionMask.length !== n ||
    b.labels.length !== b.batch
  ) {
    throw new InputError(`batch arrays do not match batch ${b.batch} × length ${b.seqLen}`);
  }
  if (b.seqLen > c.maxPositionEmbeddings)
    throw new InputError(
      `sequence length ${b.seqLen} exceeds max_position_embeddings ${c.maxPositionEmbeddings} (lower --max-length)`,
    );
  for (let i = 0; i < n; i++) {
    if (b.inputIds[i] < 0 || b.inputIds[i] >= c.vocabSize)
      throw new InputError(
        `token id ${b.inputIds[i]} is outside the vocabulary of ${c.vocabSize} (vocab.txt does not belong to this checkpoint?)`,
      );
    if (b.tokenTypeIds[i] < 0 || b.tokenTypeIds[i] >= c.typeVocabSize)
      throw new InputError(`token type ${b.tokenTypeIds[i]} is outside type_vocab_size ${c.typeVocabSize}`);
  }
  if (!isRegression(c)) {
    for (const y of b.labels) {
      if (!Number.isInteger(y) || y < 0 || y >= c.numLabels)
        throw new InputError(`label ${y} is not a class index of this ${c.numLabels}-label classifier`);
    }
  } else if (!b.labels.every(Number.isFinite)) {
    throw new InputError('regression labels must be finite numbers');
  }
}

/**
 * Mean loss and accuracy from host logits, accumulated batch by batch in float64: cross-entropy by
 * log-sum-exp (natural log) for classification, mean squared error over the outputs for regression.
 * Feeding the same logits in the same order gives bit-identical results, however they were computed
 * (one model, or data-parallel workers).
 */
export class LossAccumulator {
  private lossSum = 0;
  private correct = 0;
  private done = 0;
  private readonly regression: boolean;
  private readonly all?: Float32Array;

  /** `total` examples expected; `keepLogits` keeps them all ([total × numLabels] row-major). */
  constructor(
    private readonly config: BertConfig,
    private readonly total: number,
    keepLogits = false,
  ) {
    this.regression = isRegression(config);
    if (keepLogits) this.all = new Float32Array(total * config.numLabels);
  }

  /** Examples added so far. */
  get examples(): number {
    return this.done;
  }

  /** Adds one batch's logits ([batch × numLabels] row-major) with its labels. */
  add(b: Pick<EncodedBatch, 'batch' | 'labels'>, logits: Float32Array): void {
    const N = this.config.numLabels;
    if (logits.length !== b.batch * N)
      throw new Error(`logits have ${logits.length} values, expected ${b.batch} × ${N}`);
    for (let i = 0; i < b.batch; i++) {
      const row = logits.subarray(i * N, (i + 1) * N);
      const y = b.labels[i];
      if (this.regression) {
        let se = 0;
        for (let j = 0; j < N; j++) se += (row[j] - y) ** 2;
        this.lossSum += se / N;
      } else {
        let max = -Infinity;
        let arg = 0;
        for (let j = 0; j < N; j++) if (row[j] > max) [max, arg] = [row[j], j];
        let s = 0;
        for (let j = 0; j < N; j++) s += Math.exp(row[j] - max);
        this.lossSum += max + Math.log(s) - row[y];
        if (arg === y) this.correct++;
      }
    }
    this.all?.set(logits, this.done * N);
    this.done += b.batch;
  }

  result(): EvaluateResult {
    const n = this.done;
    if (n !== this.total) throw new Error(`loss over ${n} of ${this.total} examples`);
    return {
      loss: this.lossSum / n,
      accuracy: this.regression ? NaN : this.correct / n,
      examples: n,
      logits: this.all,
    };
  }
}
