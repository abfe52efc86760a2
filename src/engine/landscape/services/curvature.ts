/**
 * The curvature service: the Hessian of a checkpoint's mean loss on prepared examples, through exact
 * Hessian-vector products (engine/bert/grad.ts): the loss and gradient norm, the top-K eigenvalues by
 * magnitude, Hutchinson's trace with its standard error, optionally the spectral density (stochastic
 * Lanczos quadrature) and, per block of the block-diagonal Hessian (embeddings, layer.l, pooler,
 * classifier), the block's top eigenvalue and trace — the algorithms of ../curvature.ts. Seeded,
 * cancellable, progress with ETA per stage. Called by `sensescape landscape hessian`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LoadedCheckpoint } from '../../bert/checkpoint';
import type { EncodedBatch } from '../../bert/data';
import { gradient, hessianVectorProduct, pointOf, type GradientFn, type HvpFn, type ParamPoint } from '../../bert/grad';
import { BertClassifier } from '../../bert/model';
import { CancelToken } from '../../util/cancel';
import { ProgressMeter, type ProgressSink } from '../../util/progress';
import {
  blockOperator,
  groupOf,
  hutchinsonTrace,
  slqDensity,
  topEigenvalues,
  type HessianOperator,
  type TraceEstimate,
} from '../curvature';
import { vnorm } from '../curvatureVec';
import type { ServiceHooks } from './common';

export interface HessianRequest {
  ckpt: LoadedCheckpoint;
  batches: readonly EncodedBatch[];
  /** Eigenvalues to find (largest magnitude first); default 3. */
  top?: number;
  /** Power-iteration limit per eigenvalue; default 100. */
  iters?: number;
  /** Relative tolerance of the power iteration; default 1e-3 (PyHessian's). */
  tol?: number;
  /** Hutchinson samples; default 50. */
  traceSamples?: number;
  /** Spectral density: Lanczos vectors and steps (default 1 × 30) on `bins` grid points (default 200). */
  density?: boolean | { vectors?: number; steps?: number; bins?: number };
  /** Also the per-block figures. */
  groups?: boolean;
  seed?: number;
  /** Who computes gradients and H·v (default: grad.ts in this thread; the CLI passes data-parallel replicas). */
  diff?: Differentiation;
}

/** The gradient and H·v functions an analysis uses (engine/node/gradParallel.ts has data-parallel ones). */
export interface Differentiation {
  gradient?: GradientFn;
  hvp?: HvpFn;
}

export interface GroupCurvature {
  name: string;
  parameters: number;
  /** The block's eigenvalue of largest magnitude. */
  eigenvalue: number;
  trace: TraceEstimate;
}

export interface HessianReport {
  loss: number;
  gradient_norm: number;
  parameters: number;
  examples: number;
  /** Top-K by magnitude, with sign. */
  eigenvalues: number[];
  trace: TraceEstimate;
  density?: { grid: number[]; values: number[]; vectors: number; steps: number };
  groups?: GroupCurvature[];
  settings: { top: number; iters: number; tol: number; traceSamples: number; seed: number; hvps: number };
}

/** The operator H·v of the mean loss over `batches` at `point`, counting products. */
export function hessianOperator(
  point: ParamPoint,
  batches: readonly EncodedBatch[],
  token: CancelToken,
  count: { hvps: number },
  hvp: HvpFn = hessianVectorProduct,
): HessianOperator {
  return {
    shapes: point.tensors.map((t) => [...t.shape]),
    async apply(v) {
      count.hvps++;
      return hvp(point, batches, v, { token });
    },
  };
}

/** Runs the analysis (see the header) on a fresh model of `req.ckpt`, disposed at the end. */
export async function runHessian(req: HessianRequest, hooks: ServiceHooks = {}): Promise<HessianReport> {
  const top = req.top ?? 3;
  const iters = req.iters ?? 100;
  const tol = req.tol ?? 1e-3;
  const traceSamples = req.traceSamples ?? 50;
  const seed = req.seed ?? 0;
  const token = hooks.token ?? CancelToken.none();
  const model = BertClassifier.fromCheckpoint(req.ckpt, { hostAssist: false });
  try {
    const point = pointOf(req.ckpt.config, model.params);
    const count = { hvps: 0 };
    const op = hessianOperator(point, req.batches, token, count, req.diff?.hvp);
    const stage = (name: string, total: number): ((n: number) => void) => {
      const meter = new ProgressMeter(name, total, hooks.onProgress as ProgressSink | undefined, 'H·v');
      let last = 0;
      return (n) => {
        meter.tick(undefined, n - last);
        last = n;
      };
    };
    const g = await (req.diff?.gradient ?? gradient)(point, req.batches, { token });
    const gradientNorm = await vnorm(g.grads);
    tf.dispose(g.grads);
    const eig = await topEigenvalues(op, top, { iters, tol, seed, onStep: stage('eigenvalues', top * iters) });
    const trace = await hutchinsonTrace(op, traceSamples, { seed: seed + 1000, onStep: stage('trace', traceSamples) });
    const report: HessianReport = {
      loss: g.loss,
      gradient_norm: gradientNorm,
      parameters: point.tensors.reduce((a, t) => a + t.size, 0),
      examples: g.examples,
      eigenvalues: eig.values,
      trace,
      settings: { top, iters, tol, traceSamples, seed, hvps: 0 },
    };
    if (req.density) {
      const d = typeof req.density === 'object' ? req.density : {};
      const vectors = d.vectors ?? 1;
      const steps = d.steps ?? 30;
      const dens = await slqDensity(op, {
        vectors,
        steps,
        bins: d.bins ?? 200,
        seed: seed + 2000,
        onStep: stage('density', vectors * steps),
      });
      report.density = { grid: dens.grid, values: dens.values, vectors, steps };
    }
    if (req.groups) {
      const names = [...new Set(point.names.map(groupOf))];
      report.groups = [];
      for (const name of names) {
        const mask = point.names.map((n) => groupOf(n) === name);
        const block = blockOperator(op, mask);
        const be = await topEigenvalues(block, 1, { iters, tol, seed, onStep: stage(`block ${name}`, iters) });
        const bt = await hutchinsonTrace(block, traceSamples, {
          seed: seed + 1000,
          onStep: stage(`block ${name} trace`, traceSamples),
        });
        const parameters = point.tensors.reduce((a, t, i) => a + (mask[i] ? t.size : 0), 0);
        report.groups.push({ name, parameters, eigenvalue: be.values[0], trace: bt });
      }
    }
    report.settings.hvps = count.hvps;
    return report;
  } finally {
    model.dispose();
  }
}
