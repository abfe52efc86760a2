/**
 * The optimizer side of fine-tuning, exactly as Hugging Face's Trainer sets it up, so a run here is
 * comparable step by step with one there:
 * - `torch.optim.AdamW` (β = (0.9, 0.999), ε = 1e-8): decoupled weight decay θ ← θ(1 − lr·wd) first,
 *   then m ← β1 m + (1 − β1) g, v ← β2 v + (1 − β2) g², θ ← θ − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 *   — torch's own order of operations, so float32 rounding follows it as closely as tfjs ops allow;
 * - weight decay on every parameter except biases and LayerNorm weights (Trainer's
 *   `get_decay_parameter_names`);
 * - `get_linear_schedule_with_warmup`: update t = 1…T uses lr·λ(t − 1), λ(s) = s / W for s < W, else
 *   max(0, (T − s) / (T − W)), W = ceil(warmup_ratio · T);
 * - `clip_grad_norm_`: the global L2 norm over all gradients; when max_norm / (norm + 1e-6) < 1 every
 *   gradient is scaled by it. The norm before clipping is what the log reports (as Trainer's grad_norm).
 * Where the moments live: on a GPU backend, as tensors on the device ('device' storage: `apply`, ~15
 * tensor ops per parameter, nothing read back but the gradient norm). Where the backend's memory is
 * the host's (WASM, CPU), as plain Float32Arrays in JavaScript memory ('host' storage), outside the
 * WebAssembly heap, whose 4 GB per thread must also hold the parameters, gradients and activations —
 * for BERT-base the moments alone are 876 MB; `applyInPlace` then does the clipping and the update in
 * one pass over host memory, rounding every step to float32 as the tensor ops do, so both give the
 * same numbers bit for bit (tested).
 */
import * as tf from '@tensorflow/tfjs-core';
import { addMany } from '../../tensor/addMany';
import { afterWrite, hasHostViews, hostView } from '../../tensor/inPlace';

/** AdamW hyperparameters (torch's defaults for betas and eps). */
export interface AdamWConfig {
  lr: number;
  weightDecay: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** Whether Trainer applies weight decay to a parameter (normalised name): not to biases nor LayerNorm. */
export function decays(name: string): boolean {
  return !name.endsWith('.bias') && !name.includes('LayerNorm');
}

/** W = ceil(warmupRatio · T), the warmup updates of {@link linearScheduleFactor}. */
export function warmupSteps(totalSteps: number, warmupRatio: number): number {
  return Math.ceil(warmupRatio * totalSteps);
}

/** λ(s) of `get_linear_schedule_with_warmup` for scheduler step s = t − 1 (dimensionless). */
export function linearScheduleFactor(s: number, totalSteps: number, warmup: number): number {
  if (s < warmup) return s / Math.max(1, warmup);
  return Math.max(0, (totalSteps - s) / Math.max(1, totalSteps - warmup));
}

/** Global L2 norm of `grads` (all tensors together), read back as a number. */
export async function globalNorm(grads: readonly tf.Tensor[]): Promise<number> {
  // One tidy per tensor: its square (up to 94 MB for BERT-base's word embeddings) is freed at once.
  const parts = grads.map((g) => tf.tidy(() => tf.sum(tf.square(g))));
  const sq = tf.tidy(() => addMany(parts));
  tf.dispose(parts);
  const v = (await sq.data())[0];
  sq.dispose();
  return Math.sqrt(v);
}

/** clip_grad_norm_'s factor: max_norm / (norm + 1e-6) when that is below 1, else 1 (no clipping; ≤ 0 disables). */
export function clipFactor(norm: number, maxNorm: number): number {
  if (!(maxNorm > 0)) return 1;
  const c = maxNorm / (norm + 1e-6);
  return c < 1 ? c : 1;
}

/** Where {@link AdamW} keeps its moments (see the header). */
export type MomentStorage = 'device' | 'host';

/** AdamW state: the step count and first/second moments per parameter, in the parameters' order. */
export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Updates taken so far (torch's `state['step']`). */
  step = 0;
  /** 'device' storage: kept tensors, same shapes as the parameters; owned by this object. */
  private m: tf.Tensor[] = [];
  private v: tf.Tensor[] = [];
  /** 'host' storage: one Float32Array per parameter (row-major, the parameter's shape). */
  private mHost: Float32Array[] = [];
  private vHost: Float32Array[] = [];

  /** `storage` defaults to 'host' where the backend has host views (WASM, CPU), else 'device'. */
  constructor(
    private readonly names: readonly string[],
    private readonly shapes: readonly (readonly number[])[],
    cfg: Omit<AdamWConfig, 'lr' | 'weightDecay'> = {},
    readonly storage: MomentStorage = hasHostViews() ? 'host' : 'device',
  ) {
    this.beta1 = cfg.beta1 ?? 0.9;
    this.beta2 = cfg.beta2 ?? 0.999;
    this.eps = cfg.eps ?? 1e-8;
    const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
    if (storage === 'host') {
      this.mHost = shapes.map((s) => new Float32Array(size(s)));
      this.vHost = shapes.map((s) => new Float32Array(size(s)));
    } else {
      this.m = shapes.map((s) => tf.keep(tf.zeros([...s])));
      this.v = shapes.map((s) => tf.keep(tf.zeros([...s])));
    }
  }

  /** Restores the moments (host values per parameter, as saved by a checkpoint) and the step. */
  load(step: number, m: readonly Float32Array[], v: readonly Float32Array[]): void {
    const check = (values: readonly Float32Array[], what: string) =>
      this.shapes.forEach((s, i) => {
        const n = s.reduce((a, b) => a * b, 1);
        if (values[i]?.length !== n)
          throw new Error(`optimizer state ${what}.${this.names[i]}: ${values[i]?.length} values, expected ${n}`);
      });
    check(m, 'exp_avg');
    check(v, 'exp_avg_sq');
    this.step = step;
    if (this.storage === 'host') {
      this.mHost = m.map((x) => x.slice());
      this.vHost = v.map((x) => x.slice());
      return;
    }
    const upload = (old: tf.Tensor[], values: readonly Float32Array[]) => {
      const out = values.map((x, i) => tf.keep(tf.tensor(x.slice(), [...this.shapes[i]], 'float32')));
      tf.dispose(old);
      return out;
    };
    this.m = upload(this.m, m);
    this.v = upload(this.v, v);
  }

  /**
   * One update at learning rate `lr`: returns the new parameters (kept; the caller disposes the old
   * ones) from `params` and the (already clipped) gradients `grads`, all in the constructor's order.
   */
  apply(params: readonly tf.Tensor[], grads: readonly tf.Tensor[], lr: number, weightDecay: number): tf.Tensor[] {
    if (this.storage !== 'device') throw new Error('AdamW.apply: the moments are held on the host; use applyInPlace');
    this.step++;
    const { beta1: b1, beta2: b2, eps } = this;
    const bc1 = 1 - b1 ** this.step;
    const bc2Sqrt = Math.sqrt(1 - b2 ** this.step);
    const stepSize = lr / bc1;
    const out: tf.Tensor[] = [];
    for (let i = 0; i < params.length; i++) {
      const [p, m, v] = tf.tidy(() => {
        const g = grads[i];
        let p = params[i];
        if (weightDecay !== 0 && decays(this.names[i])) p = tf.mul(p, 1 - lr * weightDecay);
        const m = tf.add(this.m[i], tf.mul(tf.sub(g, this.m[i]), 1 - b1)); // torch: exp_avg.lerp_(grad, 1 − β1)
        const v = tf.add(tf.mul(this.v[i], b2), tf.mul(tf.mul(g, g), 1 - b2));
        const denom = tf.add(tf.div(tf.sqrt(v), bc2Sqrt), eps);
        return [tf.keep(tf.sub(p, tf.mul(tf.div(m, denom), stepSize))), tf.keep(m), tf.keep(v)];
      });
      this.m[i].dispose();
      this.v[i].dispose();
      this.m[i] = m;
      this.v[i] = v;
      out.push(p);
    }
    return out;
  }

  /**
   * The same update as {@link apply} after clipping the gradients by `clip` (1: none), written in place
   * into `params` (through host views) and the host-held moments; `grads` are left unscaled. Returns
   * false, having changed nothing, with 'device' storage or when a tensor has no host view (GPU
   * backends): use the tensor ops then.
   */
  applyInPlace(
    params: readonly tf.Tensor[],
    grads: readonly tf.Tensor[],
    clip: number,
    lr: number,
    weightDecay: number,
  ): boolean {
    if (this.storage !== 'host') return false;
    const views = params.map((p, i) => [hostView(p), hostView(grads[i]), this.mHost[i], this.vHost[i]]);
    if (views.some((vs) => vs.some((x) => x === null))) return false;
    this.step++;
    const f = Math.fround;
    // Each tensor op of `apply` rounds its scalar operand and its result to float32; so does this loop.
    const C = f(clip);
    const B1c = f(1 - this.beta1);
    const B2 = f(this.beta2);
    const B2c = f(1 - this.beta2);
    const BC2 = f(Math.sqrt(1 - this.beta2 ** this.step));
    const EPS = f(this.eps);
    const SS = f(lr / (1 - this.beta1 ** this.step));
    const WD = f(1 - lr * weightDecay);
    for (let i = 0; i < params.length; i++) {
      const [p, g, m, v] = views[i] as Float32Array[];
      const decay = weightDecay !== 0 && decays(this.names[i]);
      for (let j = 0; j < p.length; j++) {
        const gj = clip < 1 ? f(g[j] * C) : g[j];
        const pj = decay ? f(p[j] * WD) : p[j];
        const mj = f(m[j] + f(f(gj - m[j]) * B1c));
        const vj = f(f(v[j] * B2) + f(f(gj * gj) * B2c));
        const denom = f(f(f(Math.sqrt(vj)) / BC2) + EPS);
        p[j] = f(pj - f(f(mj / denom) * SS));
        m[j] = mj;
        v[j] = vj;
      }
      afterWrite(params[i]);
    }
    return true;
  }

  /** The moments on the host (for a checkpoint): the held arrays themselves with 'host' storage (read, do not keep), else copies. */
  async moments(): Promise<{ m: Float32Array[]; v: Float32Array[] }> {
    if (this.storage === 'host') return { m: this.mHost, v: this.vHost };
    const read = (ts: tf.Tensor[]) => Promise.all(ts.map(async (t) => (await t.data()) as Float32Array));
    return { m: await read(this.m), v: await read(this.v) };
  }

  dispose(): void {
    tf.dispose(this.m);
    tf.dispose(this.v);
    this.m = [];
    this.v = [];
    this.mHost = [];
    this.vHost = [];
  }
}
