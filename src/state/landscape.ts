/**
 * Landscape studio slice: the dropped checkpoints (summaries only; weights stay in the worker), their
 * roles, the data files, settings, and one task state per analysis (small results). Every compute
 * call goes through an action here and the {@link TaskRunner} (newest request wins); persistence is
 * a subscriber (landscapePersistence.ts), role guessing is landscapeRoles.ts.
 */
import { create } from 'zustand';
import type { SurfaceFile } from '../engine/io/surfaceFile';
import { isStopped } from '../workers/client';
import type {
  CheckpointSummary,
  CurveData,
  DataSummary,
  LandscapeInputs,
  LayersData,
  PointProgress,
  TrajectoryData,
} from '../workers/contracts/landscape';
import { compute } from './compute';
import {
  deleteCheckpointFiles,
  loadSavedLandscape,
  persistChanges,
  saveCheckpointFiles,
  saveDataFile,
  type CurveSeries,
} from './landscapePersistence';
import { evenRange, guessRole, ROLE_LABELS, type Role } from './landscapeRoles';
import { chainJobs, IDLE, mapJob, messageOf, TaskRunner, type TaskState } from './task';

export { ROLE_LABELS, type Role } from './landscapeRoles';
export type { CurveSeries } from './landscapePersistence';

export interface CheckpointEntry {
  id: string;
  name: string;
  status: 'loading' | 'ready' | 'error';
  error?: string;
  summary?: CheckpointSummary;
  role: Role;
  /** Order among trajectory checkpoints. */
  order: number;
}

export interface DataEntry {
  id: string;
  split: 'train' | 'dev';
  status: 'loading' | 'ready' | 'error';
  error?: string;
  summary?: DataSummary;
}

export interface Settings {
  maxExamples: number;
  maxLength: number;
  batchSize: number;
  alphaMin: number;
  alphaMax: number;
  alphaN: number;
  gridMin: number;
  gridMax: number;
  gridN: number;
  yDirection: 'taskB' | 'random';
  seed: number;
  normalize: 'filter' | 'layer' | 'none';
}

/** A point-by-point analysis as the screens see it. */
export type RunState<R> = TaskState<R, PointProgress<unknown>>;

export type JobKind = 'curve' | 'surface' | 'randomSurface' | 'trajectory' | 'layers';

interface LandscapeState {
  checkpoints: CheckpointEntry[];
  data: DataEntry[];
  settings: Settings;
  validation: { ok: boolean; message: string } | null;
  curve: RunState<CurveSeries[]>;
  surface: RunState<SurfaceFile>;
  /** The same grid around the random initialisation (θ0 = random init, x = from-scratch result). */
  randomSurface: RunState<SurfaceFile>;
  trajectory: RunState<TrajectoryData>;
  layers: RunState<LayersData>;
  restored: boolean;
  addCheckpointFiles(groups: { name: string; files: File[] }[]): Promise<void>;
  removeCheckpoint(id: string): void;
  setRole(id: string, role: Role): void;
  addData(file: File, split: 'train' | 'dev'): Promise<void>;
  setSettings(patch: Partial<Settings>): void;
  runCurve(): void;
  runSurface(resume?: SurfaceFile): void;
  runRandomSurface(): void;
  runTrajectory(): void;
  runLayers(): void;
  cancel(kind: JobKind): void;
  /** Shows a surface file (dropped, or read from the CLI's output); rejects naming what is wrong with it. */
  openSurfaceFile(file: File): Promise<void>;
  /** The shown surface as JSON text and long-format CSV, for download. */
  exportSurface(surface: SurfaceFile): Promise<{ json: string; csv: string }>;
  restore(): Promise<void>;
}

export const DEFAULT_SETTINGS: Settings = {
  maxExamples: 64,
  maxLength: 128,
  batchSize: 16,
  alphaMin: -0.5,
  alphaMax: 1.5,
  alphaN: 9,
  gridMin: -0.5,
  gridMax: 1.5,
  gridN: 9,
  yDirection: 'taskB',
  seed: 0,
  normalize: 'filter',
};

const runner = new TaskRunner();
let nextId = 1;
const newId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${nextId++}`;

export const useLandscape = create<LandscapeState>((set, get) => {
  const byRole = (role: Role) => get().checkpoints.find((c) => c.role === role && c.status === 'ready');
  const dataFor = (split: 'train' | 'dev') => get().data.find((d) => d.split === split && d.status === 'ready');
  const updater =
    <K extends JobKind>(kind: K) =>
    (t: LandscapeState[K]) =>
      set({ [kind]: t } as Partial<LandscapeState>);
  const fail = (kind: JobKind, error: string) => set({ [kind]: { state: 'failed', error } } as Partial<LandscapeState>);

  /** The inputs of an analysis on one split; throws naming what is missing. */
  const inputs = (origin: CheckpointEntry, split: 'train' | 'dev'): LandscapeInputs => {
    const d = dataFor(split);
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
      return inputs(origin, dataFor('train') ? 'train' : 'dev');
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

  async function validate(): Promise<void> {
    const origin = byRole('origin');
    const head = byRole('taskA');
    if (!origin || !head) return set({ validation: null });
    const others = get()
      .checkpoints.filter(
        (c) => c.status === 'ready' && c.id !== origin.id && !['none', 'random', 'scratch'].includes(c.role),
      )
      .map((c) => ({ role: ROLE_LABELS[c.role], id: c.id }));
    try {
      const { moving } = await compute.latest('ls-validate', 'lsValidate', {
        origin: origin.id,
        head: head.id,
        others,
      });
      set({ validation: { ok: true, message: `compatible: ${moving} moving tensors` } });
    } catch (err) {
      if (!isStopped(err)) set({ validation: { ok: false, message: messageOf(err) } });
    }
  }

  const patchCheckpoint = (id: string, patch: Partial<CheckpointEntry>) =>
    set({ checkpoints: get().checkpoints.map((c) => (c.id === id ? { ...c, ...patch } : c)) });

  async function openCheckpoint(id: string, name: string, files: File[], role: Role, order: number): Promise<void> {
    set({ checkpoints: [...get().checkpoints, { id, name, status: 'loading', role, order }] });
    try {
      patchCheckpoint(id, { status: 'ready', summary: await compute.run('lsOpenCheckpoint', { id, name, files }) });
    } catch (err) {
      patchCheckpoint(id, { status: 'error', error: messageOf(err) });
    }
  }

  async function openData(id: string, file: File, split: 'train' | 'dev'): Promise<void> {
    set({ data: [...get().data.filter((d) => d.split !== split), { id, split, status: 'loading' }] });
    const patch = (p: Partial<DataEntry>) => set({ data: get().data.map((d) => (d.id === id ? { ...d, ...p } : d)) });
    try {
      patch({ status: 'ready', summary: await compute.run('lsOpenData', { id, file }) });
    } catch (err) {
      patch({ status: 'error', error: messageOf(err) });
    }
  }

  return {
    checkpoints: [],
    data: [],
    settings: DEFAULT_SETTINGS,
    validation: null,
    curve: IDLE,
    surface: IDLE,
    randomSurface: IDLE,
    trajectory: IDLE,
    layers: IDLE,
    restored: false,

    async addCheckpointFiles(groups) {
      for (const g of groups) {
        const id = newId('ckpt');
        const role = guessRole(g.name, (r) => get().checkpoints.some((c) => c.role === r));
        const order = get().checkpoints.filter((c) => c.role === 'trajectory').length;
        await saveCheckpointFiles(id, g.name, g.files, role, order);
        await openCheckpoint(id, g.name, g.files, role, order);
      }
      await validate();
    },

    removeCheckpoint(id) {
      set({ checkpoints: get().checkpoints.filter((c) => c.id !== id) });
      void compute.run('lsForget', { ids: [id] });
      void deleteCheckpointFiles(id);
      void validate();
    },

    setRole(id, role) {
      const order = role === 'trajectory' ? get().checkpoints.filter((c) => c.role === 'trajectory').length : 0;
      set({
        checkpoints: get().checkpoints.map((c) => {
          if (c.id === id) return { ...c, role, order };
          if (role !== 'trajectory' && role !== 'none' && c.role === role) return { ...c, role: 'none' };
          return c;
        }),
      });
      void validate();
    },

    async addData(file, split) {
      const id = newId(`data-${split}`);
      await saveDataFile(split, id, file);
      await openData(id, file, split);
    },

    setSettings(patch) {
      set({ settings: { ...get().settings, ...patch } });
    },

    runCurve() {
      const origin = byRole('origin');
      const toward = byRole('taskA');
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
      const random = byRole('random');
      const scratch = byRole('scratch');
      for (const split of ['train', 'dev'] as const) {
        if (!dataFor(split)) continue;
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
      const origin = byRole('origin');
      const x = byRole('taskA');
      const s = get().settings;
      const y = s.yDirection === 'random' ? 'random' : byRole('taskB')?.id;
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
      const origin = byRole('random');
      const x = byRole('scratch');
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
      const origin = byRole('origin');
      const toward = byRole('taskA');
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
      const origin = byRole('origin');
      const toward = byRole('taskA');
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

    async restore() {
      if (get().restored) return;
      set({ restored: true });
      const saved = await loadSavedLandscape();
      if (saved.settings) set({ settings: { ...DEFAULT_SETTINGS, ...(saved.settings as Partial<Settings>) } });
      for (const c of saved.checkpoints) await openCheckpoint(c.id, c.name, c.files, c.role, c.order);
      for (const d of saved.data) await get().addData(d.file, d.split);
      await validate();
      if (saved.curve) set({ curve: { state: 'done', result: saved.curve } });
      for (const [kind, result] of Object.entries(saved.results))
        set({ [kind]: { state: 'done', result } } as Partial<LandscapeState>);
      if (saved.surface) {
        if (saved.surface.complete) set({ surface: { state: 'done', result: saved.surface.file } });
        else get().runSurface(saved.surface.file);
      }
    },
  };
});

useLandscape.subscribe(persistChanges);
