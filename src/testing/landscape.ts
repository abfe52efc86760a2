/**
 * Test-only helpers (imported by *.test.ts, never by app code): a tiny stand-in model with the same
 * `params` / `assignParams` / `evaluate` shape as BertClassifier — a linear softmax classifier over fixed
 * features with "moving" weights and a "fixed" head bias — so the landscape algebra can be checked
 * against plain JS arithmetic, and an origin/direction set of host tensors with seeded values.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '../engine/util/random';
import type { EvalResult, LandscapeModel } from '../engine/landscape/model';
import type { HostTensor } from '../engine/landscape/params';
import type { SurfaceSpec } from '../engine/io/surfaceFile';

export interface StandInBatch {
  features: Float32Array; // [n, d]
  labels: Int32Array; // [n]
}

/** logits = X·(W1 + W2)ᵀ + b with W1 'encoder.layer.0.w' [c, d], W2 'embeddings.w' [c, d] and b 'classifier.bias' [c]. */
export class StandInModel implements LandscapeModel<StandInBatch> {
  readonly params = new Map<string, tf.Tensor>();
  evaluations = 0;

  constructor(init: ReadonlyMap<string, HostTensor>) {
    for (const [n, t] of init) this.params.set(n, tf.tensor(t.data, t.shape, 'float32'));
  }

  assignParams(values: Map<string, tf.Tensor>): void {
    for (const [n, v] of values) {
      const old = this.params.get(n);
      if (!old) throw new Error(`unknown parameter ${n}`);
      this.params.set(n, tf.clone(v));
      old.dispose();
    }
  }

  async evaluate(batches: StandInBatch[]): Promise<EvalResult> {
    this.evaluations++;
    let lossSum = 0;
    let correct = 0;
    let n = 0;
    for (const b of batches) {
      const rows = b.labels.length;
      const out = tf.tidy(() => {
        const x = tf.tensor2d(b.features, [rows, b.features.length / rows]);
        const w = tf.add(this.params.get('encoder.layer.0.w')!, this.params.get('embeddings.w')!);
        const logits = tf.add(tf.matMul(x, w, false, true), this.params.get('classifier.bias')!);
        const logp = tf.logSoftmax(logits);
        const y = tf.oneHot(tf.tensor1d(b.labels, 'int32'), logits.shape[1]!);
        const nll = tf.neg(tf.sum(tf.mul(logp, y), 1));
        const hit = tf.equal(tf.argMax(logits, 1), tf.tensor1d(b.labels, 'int32'));
        return tf.stack([tf.sum(nll), tf.sum(tf.cast(hit, 'float32'))]);
      });
      const v = await out.data();
      out.dispose();
      lossSum += v[0];
      correct += v[1];
      n += rows;
    }
    return { loss: lossSum / n, accuracy: correct / n, examples: n };
  }

  dispose(): void {
    for (const t of this.params.values()) t.dispose();
    this.params.clear();
  }
}

/** Seeded host tensors for the stand-in: c classes, d features. */
export function standInTensors(seed: number, c = 3, d = 4, scale = 1): Map<string, HostTensor> {
  const r = mulberry32(seed);
  const rand = (n: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
  return new Map<string, HostTensor>([
    ['encoder.layer.0.w', { shape: [c, d], data: rand(c * d) }],
    ['embeddings.w', { shape: [c, d], data: rand(c * d) }],
    ['classifier.bias', { shape: [c], data: rand(c) }],
  ]);
}

/** Seeded batches for the stand-in. */
export function standInBatches(seed: number, n = 12, c = 3, d = 4, batch = 5): StandInBatch[] {
  const r = mulberry32(seed);
  const out: StandInBatch[] = [];
  for (let s = 0; s < n; s += batch) {
    const rows = Math.min(batch, n - s);
    out.push({
      features: Float32Array.from({ length: rows * d }, () => r() * 2 - 1),
      labels: Int32Array.from({ length: rows }, () => Math.floor(r() * c)),
    });
  }
  return out;
}

/** The stand-in's loss computed in plain float64 JS for given weights (reference for tests). */
export function standInLossJs(
  w: Float64Array[],
  bias: ArrayLike<number>,
  batches: StandInBatch[],
  c: number,
  d: number,
): { loss: number; accuracy: number } {
  let loss = 0;
  let correct = 0;
  let n = 0;
  for (const b of batches) {
    for (let r = 0; r < b.labels.length; r++) {
      const logits: number[] = [];
      for (let k = 0; k < c; k++) {
        let s = bias[k];
        for (let f = 0; f < d; f++) s += b.features[r * d + f] * (w[0][k * d + f] + w[1][k * d + f]);
        logits.push(s);
      }
      const m = Math.max(...logits);
      const lse = m + Math.log(logits.reduce((a, v) => a + Math.exp(v - m), 0));
      loss += lse - logits[b.labels[r]];
      if (logits.indexOf(m) === b.labels[r]) correct++;
      n++;
    }
  }
  return { loss: loss / n, accuracy: correct / n };
}

/** A complete surface spec for tests, with overrides. */
export function demoSpec(over: Partial<SurfaceSpec> = {}): SurfaceSpec {
  return {
    analysis: 'surface',
    origin: { name: 'origin', sha256: 'a'.repeat(64) },
    head: { name: 'ft-a', sha256: 'b'.repeat(64) },
    x: { kind: 'checkpoint', checkpoint: { name: 'ft-a', sha256: 'b'.repeat(64) } },
    y: { kind: 'random', seed: 7, normalize: 'filter', ignore: 'bias-ln' },
    data: {
      file: 'dev.tsv',
      sha256: 'c'.repeat(64),
      split: 'dev',
      examples: 20,
      maxExamples: null,
      sample: null,
      seed: null,
      maxLength: 128,
    },
    grid: { x: { min: -1, max: 1, n: 3 }, y: { min: 0, max: 2, n: 2 } },
    software: 'sensescape 0.1.0',
    ...over,
  };
}
