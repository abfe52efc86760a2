/**
 * The Curvature panel's store (issue 16): its settings (the CLI verbs' flags, with their defaults),
 * and one task per analysis — the Hessian of one checkpoint (`landscape hessian`, with density and
 * per-block figures) and the flatness table across the tray's fine-tuned checkpoints (`landscape
 * flatness`, optionally with one tray checkpoint as the origin of the 1-D curves). Inputs come from the
 * landscape studio's tray and data settings (useLandscape); the jobs run through the {@link TaskRunner}
 * (newest request wins, cancel, progress).
 */
import { create } from 'zustand';
import type { Progress } from '../engine/util/progress';
import type { FlatnessReport, HessianReport } from '../workers/contracts/curvature';
import { compute } from './compute';
import { useLandscape, type CheckpointEntry } from './landscape';
import { IDLE, mapJob, TaskRunner, type TaskState } from './task';

export interface CurvatureSettings {
  /** The checkpoint of the Hessian run (id); null: the task-A checkpoint, else the first with a head. */
  model: string | null;
  top: number;
  iters: number;
  tol: number;
  traceSamples: number;
  density: boolean;
  groups: boolean;
  /** `landscape flatness`'s power-iteration limit and Hutchinson samples (its defaults differ from `hessian`'s). */
  flatnessIters: number;
  flatnessTraceSamples: number;
  epsilon: number;
  radius: number;
  seed: number;
  /** θ0 of the flatness rows' 1-D curves (a tray checkpoint id, `--origin`); null: none, no curve measures. */
  flatnessOrigin: string | null;
  /** δ of basin_width (`--basin-delta`). */
  basinDelta: number;
}

/** The CLI's defaults (`landscape hessian`, `landscape flatness`). */
export const CURVATURE_DEFAULTS: CurvatureSettings = {
  model: null,
  top: 3,
  iters: 100,
  tol: 1e-3,
  traceSamples: 50,
  density: true,
  groups: true,
  flatnessIters: 50,
  flatnessTraceSamples: 20,
  epsilon: 1e-3,
  radius: 0.1,
  seed: 0,
  flatnessOrigin: null,
  basinDelta: 0.1,
};

export type CurvatureKind = 'hessian' | 'flatness';

/** A Hessian result with the name of the checkpoint it is of. */
export interface HessianResult {
  checkpoint: string;
  report: HessianReport;
}

export interface CurvatureState {
  settings: CurvatureSettings;
  hessian: TaskState<HessianResult, Progress>;
  flatness: TaskState<FlatnessReport, Progress>;
  setSettings(patch: Partial<CurvatureSettings>): void;
  runHessian(): void;
  runFlatness(): void;
  cancel(kind: CurvatureKind): void;
}

const ROLE_ORDER = ['taskA', 'taskB', 'scratch', 'trajectory', 'origin', 'random', 'none'];

/** The tray's ready checkpoints that have a classification head, in role order (A, B, scratch, trajectory…). */
export function headCheckpoints(checkpoints: readonly CheckpointEntry[]): CheckpointEntry[] {
  return checkpoints
    .filter((c) => c.status === 'ready' && c.summary?.hasHead)
    .sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) || a.order - b.order);
}

/** The checkpoint the Hessian run uses under `settings` (see {@link CurvatureSettings.model}). */
export function hessianModel(settings: CurvatureSettings, checkpoints: readonly CheckpointEntry[]) {
  const heads = headCheckpoints(checkpoints);
  return heads.find((c) => c.id === settings.model) ?? heads[0];
}

/** The tray's ready checkpoint chosen as the flatness origin, or null (none chosen, or it left the tray). */
export function flatnessOrigin(settings: CurvatureSettings, checkpoints: readonly CheckpointEntry[]) {
  return checkpoints.find((c) => c.id === settings.flatnessOrigin && c.status === 'ready') ?? null;
}

const runner = new TaskRunner();

export const useCurvature = create<CurvatureState>((set, get) => {
  const fail = (kind: CurvatureKind, error: string) => set({ [kind]: { state: 'failed', error } });
  /** The studio's data flags and the ready data file of a split. */
  const studio = () => {
    const s = useLandscape.getState();
    const file = (split: 'train' | 'dev') => s.data.find((d) => d.split === split && d.status === 'ready');
    const flags = {
      maxExamples: s.settings.maxExamples,
      maxLength: s.settings.maxLength,
      batchSize: s.settings.batchSize,
    };
    return { checkpoints: s.checkpoints, train: file('train'), dev: file('dev'), flags };
  };
  return {
    settings: CURVATURE_DEFAULTS,
    hessian: IDLE,
    flatness: IDLE,
    setSettings: (patch) => set({ settings: { ...get().settings, ...patch } }),

    runHessian() {
      const { checkpoints, train, dev, flags } = studio();
      const s = get().settings;
      const model = hessianModel(s, checkpoints);
      if (!model) return fail('hessian', 'drop a fine-tuned checkpoint (one with a classification head) first');
      const data = train ?? dev;
      if (!data) return fail('hessian', 'drop a train or dev TSV first');
      void runner.run<HessianResult, Progress>(
        'hessian',
        (t) => set({ hessian: t }),
        (onProgress) => {
          const job = compute.run(
            'lsHessian',
            {
              model: model.id,
              data: data.id,
              split: data.split,
              ...flags,
              top: s.top,
              iters: s.iters,
              tol: s.tol,
              traceSamples: s.traceSamples,
              density: s.density,
              groups: s.groups,
              seed: s.seed,
            },
            { onProgress },
          );
          return mapJob(job, (report) => ({ checkpoint: model.name, report }));
        },
      );
    },

    runFlatness() {
      const { checkpoints, train, dev, flags } = studio();
      const heads = headCheckpoints(checkpoints);
      if (heads.length === 0) return fail('flatness', 'drop fine-tuned checkpoints (with a classification head) first');
      if (!train || !dev) return fail('flatness', 'drop both a train and a dev TSV (the gap is dev − train)');
      const s = get().settings;
      const origin = flatnessOrigin(s, checkpoints);
      void runner.run<FlatnessReport, Progress>(
        'flatness',
        (t) => set({ flatness: t }),
        (onProgress) =>
          compute.run(
            'lsFlatness',
            {
              checkpoints: heads.map((c) => c.id),
              train: train.id,
              dev: dev.id,
              ...flags,
              epsilon: s.epsilon,
              radius: s.radius,
              iters: s.flatnessIters,
              traceSamples: s.flatnessTraceSamples,
              seed: s.seed,
              ...(origin ? { origin: origin.id, basinDelta: s.basinDelta } : {}),
            },
            { onProgress },
          ),
      );
    },

    cancel: (kind) => runner.cancel(kind),
  };
});
