/**
 * The flatness service (issue 16): for each checkpoint, the train and dev loss and accuracy, the
 * generalisation gap, and four flatness measures on the training examples — the Hessian's top
 * eigenvalue (power iteration) and trace (Hutchinson), ε-sharpness and the random-direction rise
 * (sharpness.ts) — then Spearman's ρ and Kendall's τ-b between each measure and each gap across the
 * checkpoints, with n. Seeded, cancellable, progress per checkpoint and stage. Called by
 * `sensescape landscape flatness`.
 *
 * Gaps: gap_loss = dev_loss − train_loss; gap_accuracy = train_accuracy − dev_accuracy (null for
 * regression).
 */
import type { LoadedCheckpoint } from '../../bert/checkpoint';
import type { EncodedBatch } from '../../bert/data';
import { pointOf } from '../../bert/grad';
import { BertClassifier } from '../../bert/model';
import { CancelToken } from '../../util/cancel';
import { ProgressMeter } from '../../util/progress';
import { hutchinsonTrace, topEigenvalues } from '../curvature';
import { kendallTauB, spearman } from '../flatnessStats';
import { epsilonSharpness, randomDirectionRise } from '../sharpness';
import { nullIfNaN, type ServiceHooks } from './common';
import { hessianOperator, type Differentiation } from './curvature';

export interface FlatnessRequest {
  checkpoints: readonly LoadedCheckpoint[];
  train: readonly EncodedBatch[];
  dev: readonly EncodedBatch[];
  /** ε of ε-sharpness (relative box half-width); default 1e-3. */
  epsilon?: number;
  /** Radius of the random-direction rise (units of the filter-normalised direction); default 0.1. */
  radius?: number;
  /** Random directions averaged; default 5. */
  directions?: number;
  /** Ascent steps of ε-sharpness; default 5. */
  ascentSteps?: number;
  /** Power-iteration limit and tolerance for the top eigenvalue; default 50, 1e-3. */
  iters?: number;
  tol?: number;
  /** Hutchinson samples; default 20. */
  traceSamples?: number;
  seed?: number;
  /** Who computes gradients and H·v (default: grad.ts in this thread; the CLI passes data-parallel replicas). */
  diff?: Differentiation;
}

export interface FlatnessRow {
  name: string;
  train_loss: number;
  train_accuracy: number | null;
  dev_loss: number;
  dev_accuracy: number | null;
  gap_loss: number;
  gap_accuracy: number | null;
  eigenvalue: number;
  trace: number;
  trace_stderr: number;
  epsilon_sharpness: number;
  random_direction_rise: number;
}

export const FLATNESS_MEASURES = ['eigenvalue', 'trace', 'epsilon_sharpness', 'random_direction_rise'] as const;

export interface FlatnessCorrelation {
  measure: (typeof FLATNESS_MEASURES)[number];
  gap: 'gap_loss' | 'gap_accuracy';
  spearman: number | null;
  kendall: number | null;
  n: number;
}

export interface FlatnessReport {
  rows: FlatnessRow[];
  correlations: FlatnessCorrelation[];
  examples: { train: number; dev: number };
  settings: Required<Omit<FlatnessRequest, 'checkpoints' | 'train' | 'dev' | 'diff'>>;
}

/** Runs the table and correlations (see the header). */
export async function runFlatness(req: FlatnessRequest, hooks: ServiceHooks = {}): Promise<FlatnessReport> {
  const settings = {
    epsilon: req.epsilon ?? 1e-3,
    radius: req.radius ?? 0.1,
    directions: req.directions ?? 5,
    ascentSteps: req.ascentSteps ?? 5,
    iters: req.iters ?? 50,
    tol: req.tol ?? 1e-3,
    traceSamples: req.traceSamples ?? 20,
    seed: req.seed ?? 0,
  };
  const token = hooks.token ?? CancelToken.none();
  const rows: FlatnessRow[] = [];
  for (const ckpt of req.checkpoints) {
    const stage = (name: string, total: number): ((n: number) => void) => {
      const meter = new ProgressMeter(`${ckpt.name}: ${name}`, total, hooks.onProgress);
      let last = 0;
      return (n) => {
        meter.tick(undefined, n - last);
        last = n;
      };
    };
    const model = BertClassifier.fromCheckpoint(ckpt);
    try {
      const train = await model.evaluate([...req.train], { token });
      const dev = await model.evaluate([...req.dev], { token });
      const op = hessianOperator(pointOf(ckpt.config, model.params), req.train, token, { hvps: 0 }, req.diff?.hvp);
      const eig = await topEigenvalues(op, 1, {
        iters: settings.iters,
        tol: settings.tol,
        seed: settings.seed,
        onStep: stage('eigenvalue', settings.iters),
      });
      const trace = await hutchinsonTrace(op, settings.traceSamples, {
        seed: settings.seed + 1000,
        onStep: stage('trace', settings.traceSamples),
      });
      const eps = await epsilonSharpness(model, req.train, {
        epsilon: settings.epsilon,
        steps: settings.ascentSteps,
        token,
        gradient: req.diff?.gradient,
        onStep: stage('ε-sharpness', settings.ascentSteps + 1),
      });
      const rnd = await randomDirectionRise(model, req.train, {
        radius: settings.radius,
        directions: settings.directions,
        seed: settings.seed,
        token,
        onStep: stage('random directions', settings.directions),
      });
      const gapAcc = train.accuracy - dev.accuracy;
      rows.push({
        name: ckpt.name,
        train_loss: train.loss,
        train_accuracy: nullIfNaN(train.accuracy),
        dev_loss: dev.loss,
        dev_accuracy: nullIfNaN(dev.accuracy),
        gap_loss: dev.loss - train.loss,
        gap_accuracy: nullIfNaN(gapAcc),
        eigenvalue: eig.values[0],
        trace: trace.estimate,
        trace_stderr: trace.stderr,
        epsilon_sharpness: eps.rise,
        random_direction_rise: rnd.rise,
      });
    } finally {
      model.dispose();
    }
  }
  const correlations: FlatnessCorrelation[] = [];
  for (const measure of FLATNESS_MEASURES) {
    for (const gap of ['gap_loss', 'gap_accuracy'] as const) {
      const pairs = rows.filter((r) => r[gap] !== null && Number.isFinite(r[measure]));
      const x = pairs.map((r) => r[measure]);
      const y = pairs.map((r) => r[gap] as number);
      const ok = pairs.length >= 2;
      correlations.push({
        measure,
        gap,
        spearman: ok ? nullIfNaN(spearman(x, y)) : null,
        kendall: ok ? nullIfNaN(kendallTauB(x, y)) : null,
        n: pairs.length,
      });
    }
  }
  const count = (bs: readonly EncodedBatch[]) => bs.reduce((a, b) => a + b.batch, 0);
  return { rows, correlations, examples: { train: count(req.train), dev: count(req.dev) }, settings };
}
