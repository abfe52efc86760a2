/**
 * The studio's analyses: curve (pretrained and random origins, train and dev), surface, the surface
 * around the random initialisation, trajectory and layer-wise curves — each an action that builds
 * the job's inputs from the tray and runs it through the {@link TaskRunner} (newest request wins).
 */
import type { SurfaceFile } from '../engine/io/surfaceFile';
import type {
  CurveData,
  LandscapeInputs,
  LayersData,
  PointProgress,
  TrajectoryData,
} from '../workers/contracts/landscape';
import { compute } from './compute';
import type { CurveSeries } from './landscapePersistence';
import { evenRange } from './landscapeRoles';
import {
  byRole,
  dataFor,
  type CheckpointEntry,
  type GetLandscape,
  type JobKind,
  type LandscapeState,
  type SetLandscape,
} from './landscapeTypes';
import { chainJobs, IDLE, mapJob, messageOf, TaskRunner } from './task';

const runner = new TaskRunner();

type AnalysisKeys =
  | JobKind
  | 'runCurve'
  | 'runSurface'
  | 'runRandomSurface'
  | 'runTrajectory'
  | 'runLayers'
  | 'cancel'
  | 'openSurfaceFile'
  | 'exportSurface';

export function analysesSlice(set: SetLandscape, get: GetLandscape): Pick<LandscapeState, AnalysisKeys> {
  const updater =
    <K extends JobKind>(kind: K) =>
    (t: LandscapeState[K]) =>
      set({ [kind]: t } as Partial<LandscapeState>);
  const fail = (kind: JobKind, error: string) => set({ [kind]: { state: 'failed', error } } as Partial<LandscapeState>);

  /** The inputs of an analysis on one split; throws naming what is missing. */
  const inputs = (origin: CheckpointEntry, split: 'train' | 'dev'): LandscapeInputs => {
    const d = dataFor(get, split);
    if (!d) throw new Error(`drop a ${split} TSV first`);
    const s = get().settings;
    return {
      origin: origin.id,
      data: d.id,
      split,
      maxExamples: s.maxExamples,
      maxLength: s.maxLength,
      batchSize: s.batchSize,
    };
  };
  /** One-split analyses use train when dropped, else dev; null after marking the job failed. */
  const splitInputs = (kind: JobKind, origin: CheckpointEntry): LandscapeInputs | null => {
    try {
      return inputs(origin, dataFor(get, 'train') ? 'train' : 'dev');
    } catch (err) {
      fail(kind, messageOf(err));
      return null;
    }
  };
  const grid = () => {
    const s = get().settings;
    const axis = { min: s.gridMin, max: s.gridMax, n: s.gridN };
    return { x: axis, y: axis };
  };

  return {
    curve: IDLE,
    surface: IDLE,
    randomSurface: IDLE,
    trajectory: IDLE,
    layers: IDLE,

    runCurve() {
      const origin = byRole(get, 'origin');
      const toward = byRole(get, 'taskA');
      if (!origin || !toward) return fail('curve', 'assign an origin and a task-A checkpoint first');
      const s = get().settings;
      const alphas = evenRange(s.alphaMin, s.alphaMax, s.alphaN);
      const plan: {
        key: string;
        label: string;
        origin: CheckpointEntry;
        toward: CheckpointEntry;
        split: 'train' | 'dev';
      }[] = [];
      const random = byRole(get, 'random');
      const scratch = byRole(get, 'scratch');
      for (const split of ['train', 'dev'] as const) {
        if (!dataFor(get, split)) continue;
        plan.push({ key: `pretrained-${split}`, label: `${split}, from ${origin.name}`, origin, toward, split });
        if (random && scratch)
          plan.push({
            key: `random-${split}`,
            label: `${split}, from ${random.name}`,
            origin: random,
            toward: scratch,
            split,
          });
      }
      if (plan.length === 0) return fail('curve', 'drop a train or dev TSV first');
      const total = plan.length * alphas.length;
      const seriesOf = (k: number, data: CurveData): CurveSeries => ({ key: plan[k].key, label: plan[k].label, data });
      void runner.run<CurveSeries[], PointProgress<unknown>>(
        'curve',
        updater('curve'),
        (onProgress) =>
          mapJob(
            chainJobs<CurveData>(plan.length, (k, previous) =>
              compute.run(
                'lsCurve',
                { ...inputs(plan[k].origin, plan[k].split), toward: plan[k].toward.id, alphas },
                {
                  // Progress over the whole plan: the ETA adds the steps still to come at this step's rate.
                  onProgress: (p) => {
                    const rate = p.rate ?? 0;
                    const later = (plan.length - k - 1) * alphas.length;
                    onProgress({
                      ...p,
                      done: k * alphas.length + p.done,
                      total,
                      etaSeconds: (p.etaSeconds ?? Number.NaN) + (rate > 0 ? later / rate : Number.NaN),
                      partial: [...previous.map((d, i) => seriesOf(i, d)), seriesOf(k, p.partial)],
                    });
                  },
                },
              ),
            ),
            (all) => all.map((d, k) => seriesOf(k, d)),
          ),
        { partial: (p) => p.partial as CurveSeries[] },
      );
    },

    runSurface(resume) {
      const origin = byRole(get, 'origin');
      const x = byRole(get, 'taskA');
      const s = get().settings;
      const y = s.yDirection === 'random' ? 'random' : byRole(get, 'taskB')?.id;
      if (!origin || !x) return fail('surface', 'assign an origin and a task-A checkpoint first');
      if (!y) return fail('surface', 'assign a task-B checkpoint, or choose a random y direction');
      const base = splitInputs('surface', origin);
      if (!base) return;
      void runner.run<SurfaceFile, PointProgress<unknown>>(
        'surface',
        updater('surface'),
        (onProgress) =>
          compute.run(
            'lsSurface',
            {
              ...base,
              x: x.id,
              y,
              grid: resume ? resume.spec.grid : grid(),
              seed: s.seed,
              normalize: s.normalize,
              ignore: 'bias-ln',
              resume,
            },
            { onProgress },
          ),
        { partial: (p) => p.partial as SurfaceFile, initial: { result: resume } },
      );
    },

    runRandomSurface() {
      const origin = byRole(get, 'random');
      const x = byRole(get, 'scratch');
      if (!origin || !x)
        return fail('randomSurface', 'assign a random-initialisation and a trained-from-scratch checkpoint first');
      const s = get().settings;
      const base = splitInputs('randomSurface', origin);
      if (!base) return;
      // The y direction is a filter-normalised random one: there is no "task B from scratch".
      void runner.run<SurfaceFile, PointProgress<unknown>>(
        'randomSurface',
        updater('randomSurface'),
        (onProgress) =>
          compute.run(
            'lsSurface',
            {
              ...base,
              head: x.id,
              x: x.id,
              y: 'random',
              grid: grid(),
              seed: s.seed,
              normalize: s.normalize,
              ignore: 'bias-ln',
            },
            { onProgress },
          ),
        { partial: (p) => p.partial as SurfaceFile },
      );
    },

    runTrajectory() {
      const origin = byRole(get, 'origin');
      const toward = byRole(get, 'taskA');
      const steps = get()
        .checkpoints.filter((c) => c.role === 'trajectory' && c.status === 'ready')
        .sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
      if (!origin || !toward) return fail('trajectory', 'assign an origin and a task-A checkpoint first');
      if (steps.length === 0) return fail('trajectory', 'assign at least one training checkpoint to the trajectory');
      const base = splitInputs('trajectory', origin);
      if (!base) return;
      void runner.run<TrajectoryData, PointProgress<unknown>>('trajectory', updater('trajectory'), (onProgress) =>
        compute.run(
          'lsTrajectory',
          { ...base, toward: toward.id, checkpoints: [...steps.map((c) => c.id), toward.id] },
          { onProgress },
        ),
      );
    },

    runLayers() {
      const origin = byRole(get, 'origin');
      const toward = byRole(get, 'taskA');
      if (!origin || !toward) return fail('layers', 'assign an origin and a task-A checkpoint first');
      const base = splitInputs('layers', origin);
      if (!base) return;
      const s = get().settings;
      const alphas = evenRange(Math.min(0, s.alphaMin), Math.max(1, s.alphaMax), s.alphaN);
      void runner.run<LayersData, PointProgress<unknown>>(
        'layers',
        updater('layers'),
        (onProgress) => compute.run('lsLayers', { ...base, toward: toward.id, alphas }, { onProgress }),
        { partial: (p) => p.partial as LayersData },
      );
    },

    cancel(kind) {
      runner.cancel(kind);
    },

    async openSurfaceFile(file) {
      set({ surface: { state: 'done', result: await compute.run('lsReadSurface', { file }) } });
    },

    exportSurface(surface) {
      return compute.run('lsExportSurface', { surface });
    },
  };
}
