/**
 * The flatness service (issue 16): for each checkpoint, the train and dev loss and accuracy, the
 * generalisation gap, and four flatness measures on the training examples — the Hessian's top
 * eigenvalue (power iteration) and trace (Hutchinson), ε-sharpness and the random-direction rise
 * (sharpness.ts) — and, given an origin θ0, two read off the 1-D curve θ0 → checkpoint on the training
 * examples (basin.ts): its curvature J''(1) and the width of its basin at δ — then Spearman's ρ and
 * Kendall's τ-b between each measure and each gap across the checkpoints, with n. Seeded, cancellable,
 * progress per checkpoint and stage. Called by `sensescape landscape flatness` and the studio's worker.
 *
 * Gaps: gap_loss = dev_loss − train_loss; gap_accuracy = train_accuracy − dev_accuracy (null for
 * regression).
 */
import type { LoadedCheckpoint } from '../../bert/checkpoint';
import type { EncodedBatch } from '../../bert/data';
import { pointOf } from '../../bert/grad';
import { BertClassifier } from '../../bert/model';
import { CancelToken } from '../../util/cancel';
import { InputError } from '../../util/errors';
import { ProgressMeter } from '../../util/progress';
import { hutchinsonTrace, topEigenvalues } from '../curvature';
import { kendallTauB, spearman } from '../flatnessStats';
import { epsilonSharpness, randomDirectionRise } from '../sharpness';
import { basinWidth, curvatureAtOne, gridAroundOne } from '../basin';
import { computeCurve } from '../curve';
import { disposeAll } from '../session';
import { nullIfNaN, withSession, type ServiceHooks } from './common';
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
  /**
   * θ0 of the 1-D curves — one for every checkpoint, or one per checkpoint (e.g. the pretrained model
   * for the fine-tuned ones and the random initialisation for one trained from scratch): each checkpoint's
   * curve θ0 + α(θ − θ0) with its own head, α over 1 ± `curveSpan` in steps of `curveStep` (defaults 1
   * and 0.1: 21 points). Without one (or for θ0 itself) the curve measures are null.
   */
  origins?: readonly LoadedCheckpoint[];
  curveSpan?: number;
  curveStep?: number;
  /** δ of the basin (loss units above J(1)); default 0.1. */
  basinDelta?: number;
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
  /** J''(1) along θ0 → this checkpoint (null without an origin, or for the origin itself). */
  curve_curvature: number | null;
  /** Width in α of {J ≤ J(1) + δ} around α = 1, its ends, and whether the scanned range cut them. */
  basin_width: number | null;
  basin: { left: number; right: number; censored: { left: boolean; right: boolean } } | null;
}

export const FLATNESS_MEASURES = [
  'eigenvalue',
  'trace',
  'epsilon_sharpness',
  'random_direction_rise',
  'curve_curvature',
  'basin_width',
] as const;

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
  settings: Required<Omit<FlatnessRequest, 'checkpoints' | 'train' | 'dev' | 'diff' | 'origins'>> & {
    /** θ0 of each row's curve (null: none). */
    origins: (string | null)[];
  };
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
    curveSpan: req.curveSpan ?? 1,
    curveStep: req.curveStep ?? 0.1,
    basinDelta: req.basinDelta ?? 0.1,
  };
  const alphas = gridAroundOne(settings.curveSpan, settings.curveStep);
  const origins = req.origins ?? [];
  if (origins.length > 1 && origins.length !== req.checkpoints.length)
    throw new InputError(
      `give one origin for all checkpoints or one per checkpoint (${req.checkpoints.length}), not ${origins.length}`,
    );
  const originOf = (i: number): LoadedCheckpoint | undefined => origins[origins.length === 1 ? 0 : i];
  const token = hooks.token ?? CancelToken.none();
  const rows: FlatnessRow[] = [];
  for (const [ci, ckpt] of req.checkpoints.entries()) {
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
      const curve = await curveMeasures(originOf(ci), ckpt, req.train, alphas, settings.basinDelta, token, stage);
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
        ...curve,
      });
    } finally {
      model.dispose();
    }
  }
  const correlations: FlatnessCorrelation[] = [];
  for (const measure of FLATNESS_MEASURES) {
    for (const gap of ['gap_loss', 'gap_accuracy'] as const) {
      const pairs = rows.filter((r) => r[gap] !== null && r[measure] !== null && Number.isFinite(r[measure]));
      const x = pairs.map((r) => r[measure] as number);
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
  return {
    rows,
    correlations,
    examples: { train: count(req.train), dev: count(req.dev) },
    settings: { ...settings, origins: req.checkpoints.map((_, i) => originOf(i)?.name ?? null) },
  };
}

/** The curve θ0 → ckpt on the training batches (ckpt's head) and what basin.ts reads off it; nulls without θ0. */
async function curveMeasures(
  origin: LoadedCheckpoint | undefined,
  ckpt: LoadedCheckpoint,
  batches: readonly EncodedBatch[],
  alphas: readonly number[],
  delta: number,
  token: CancelToken,
  stage: (name: string, total: number) => (n: number) => void,
): Promise<Pick<FlatnessRow, 'curve_curvature' | 'basin_width' | 'basin'>> {
  const none = { curve_curvature: null, basin_width: null, basin: null };
  if (!origin || origin === ckpt || (origin.sha256 !== undefined && origin.sha256 === ckpt.sha256)) return none;
  const tick = stage('1-D curve', alphas.length);
  let done = 0;
  const loss = await withSession(origin, ckpt, [{ role: 'toward', ckpt }], async (session) => {
    const delta = session.directionTo(ckpt);
    try {
      return (await computeCurve(session.context([...batches], token), delta, alphas, { onPoint: () => tick(++done) }))
        .loss;
    } finally {
      disposeAll(delta);
    }
  });
  const b = basinWidth(alphas, loss, delta);
  return {
    curve_curvature: nullIfNaN(curvatureAtOne(alphas, loss)),
    basin_width: nullIfNaN(b.width),
    basin: { left: b.left, right: b.right, censored: b.censored },
  };
}
