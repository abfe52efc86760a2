/**
 * Landscape studio slice: the dropped checkpoints (summaries only; weights stay in the worker), their
 * roles, the data files, settings, and the results of each analysis (small arrays). Inputs and results
 * are kept in IndexedDB, so a reload restores the studio and resumes an unfinished surface.
 */
import { create } from 'zustand';
import type { SurfaceFile } from '../engine/io/surfaceFile';
import { isStopped, type JobHandle } from '../workers/client';
import type {
  CheckpointSummary,
  CurveData,
  DataSummary,
  LandscapeInputs,
  LayersData,
  TrajectoryData,
} from '../workers/jobs/landscape';
import { deleteArtefact, listArtefacts, saveArtefact } from './artefacts';
import { compute } from './compute';

export type Role = 'origin' | 'taskA' | 'taskB' | 'random' | 'scratch' | 'trajectory' | 'none';

export const ROLE_LABELS: Record<Role, string> = {
  origin: 'origin θ0 (pretrained)',
  taskA: 'fine-tuned on task A (θ1)',
  taskB: 'fine-tuned on task B (θ2)',
  random: 'random initialisation',
  scratch: 'trained from scratch',
  trajectory: 'training checkpoint (trajectory)',
  none: 'unassigned',
};

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

export interface RunState<R> {
  state: 'idle' | 'running' | 'done' | 'cancelled' | 'failed';
  result?: R;
  error?: string;
  done?: number;
  total?: number;
  pointsPerSecond?: number;
  etaSeconds?: number;
}

export interface CurveSet {
  /** Series keyed by "train"/"dev" × origin kind. */
  series: { key: string; label: string; data: CurveData }[];
}

interface LandscapeState {
  checkpoints: CheckpointEntry[];
  data: DataEntry[];
  settings: Settings;
  validation: { ok: boolean; message: string } | null;
  curve: RunState<CurveSet>;
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
  showSurface(file: SurfaceFile): void;
  restore(): Promise<void>;
}

const DEFAULT_SETTINGS: Settings = {
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

type JobKind = 'curve' | 'surface' | 'randomSurface' | 'trajectory' | 'layers';
const jobs: Partial<Record<JobKind, JobHandle<unknown>>> = {};
let nextId = 1;
const newId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${nextId++}`;

function range(min: number, max: number, n: number): number[] {
  if (n <= 1) return [min];
  return Array.from({ length: n }, (_, k) => (k === n - 1 ? max : min + ((max - min) * k) / (n - 1)));
}

export const useLandscape = create<LandscapeState>((set, get) => {
  const byRole = (role: Role) => get().checkpoints.find((c) => c.role === role && c.status === 'ready');
  const dataFor = (split: 'train' | 'dev') => get().data.find((d) => d.split === split && d.status === 'ready');
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
  const failed = (kind: JobKind, err: unknown) =>
    set({
      [kind]: isStopped(err)
        ? { ...get()[kind], state: 'cancelled' }
        : { state: 'failed', error: err instanceof Error ? err.message : String(err) },
    } as Partial<LandscapeState>);

  /** The inputs of a one-split analysis (train when dropped, else dev); null after marking the job failed. */
  const splitInputs = (kind: JobKind, origin: CheckpointEntry): LandscapeInputs | null => {
    try {
      return inputs(origin, dataFor('train') ? 'train' : 'dev');
    } catch (err) {
      failed(kind, err);
      return null;
    }
  };

  /** Tracks a job; when it finishes its result is shown and kept for the next reload. */
  function settle<R>(kind: 'randomSurface' | 'trajectory' | 'layers', job: JobHandle<R>): void {
    jobs[kind] = job;
    job.then(
      (result) => {
        set({ [kind]: { state: 'done', result } } as Partial<LandscapeState>);
        void keepResult(kind, result);
      },
      (err) => failed(kind, err),
    );
  }

  async function validate(): Promise<void> {
    const origin = byRole('origin');
    const head = byRole('taskA');
    if (!origin || !head) {
      set({ validation: null });
      return;
    }
    const others = get()
      .checkpoints.filter(
        (c) =>
          c.status === 'ready' &&
          c.id !== origin.id &&
          c.role !== 'none' &&
          c.role !== 'random' &&
          c.role !== 'scratch',
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
      if (isStopped(err)) return;
      set({ validation: { ok: false, message: err instanceof Error ? err.message : String(err) } });
    }
  }

  /** Keeps a finished result in IndexedDB so a reload shows it again. */
  function keepResult(kind: 'randomSurface' | 'trajectory' | 'layers', result: unknown): Promise<unknown> {
    return saveArtefact({ id: `landscape-${kind}`, kind: 'job', name: kind, meta: { result }, blob: null });
  }

  async function persistRoles(): Promise<void> {
    const records = new Map((await listArtefacts('checkpoint')).map((r) => [r.id, r]));
    for (const c of get().checkpoints) {
      const record = records.get(c.id);
      if (record) await saveArtefact({ ...record, meta: { ...record.meta, role: c.role, order: c.order } });
    }
  }

  async function openCheckpoint(id: string, name: string, files: File[], role: Role, order: number): Promise<void> {
    set({ checkpoints: [...get().checkpoints, { id, name, status: 'loading', role, order }] });
    try {
      const summary = await compute.run('lsOpenCheckpoint', { id, name, files });
      set({ checkpoints: get().checkpoints.map((c) => (c.id === id ? { ...c, status: 'ready', summary } : c)) });
    } catch (err) {
      set({
        checkpoints: get().checkpoints.map((c) =>
          c.id === id ? { ...c, status: 'error', error: err instanceof Error ? err.message : String(err) } : c,
        ),
      });
    }
  }

  function guessRole(name: string): Role {
    const n = name.toLowerCase();
    const taken = (r: Role) => get().checkpoints.some((c) => c.role === r);
    if (/step|traj|ckpt-\d|checkpoint-\d/.test(n)) return 'trajectory';
    if (/random|init/.test(n) && !taken('random')) return 'random';
    if (/scratch/.test(n) && !taken('scratch')) return 'scratch';
    if (/pretrain|origin|base/.test(n) && !taken('origin')) return 'origin';
    if (!taken('taskA')) return 'taskA';
    if (!taken('taskB')) return 'taskB';
    return 'none';
  }

  return {
    checkpoints: [],
    data: [],
    settings: DEFAULT_SETTINGS,
    validation: null,
    curve: { state: 'idle' },
    surface: { state: 'idle' },
    randomSurface: { state: 'idle' },
    trajectory: { state: 'idle' },
    layers: { state: 'idle' },
    restored: false,

    async addCheckpointFiles(groups) {
      for (const g of groups) {
        const id = newId('ckpt');
        const role = guessRole(g.name);
        const order = get().checkpoints.filter((c) => c.role === 'trajectory').length;
        await saveArtefact({
          id,
          kind: 'checkpoint',
          name: g.name,
          meta: { role, order, files: g.files.map((f) => f.name) },
          blob: null,
        });
        await Promise.all(
          g.files.map((f, k) =>
            saveArtefact({ id: `${id}/file/${k}`, kind: 'file', name: f.name, meta: { checkpoint: id }, blob: f }),
          ),
        );
        await openCheckpoint(id, g.name, g.files, role, order);
      }
      await validate();
    },

    removeCheckpoint(id) {
      set({ checkpoints: get().checkpoints.filter((c) => c.id !== id) });
      void compute.run('lsForget', { ids: [id] });
      void deleteArtefact(id);
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
      void persistRoles();
      void validate();
    },

    async addData(file, split) {
      const id = newId(`data-${split}`);
      set({ data: [...get().data.filter((d) => d.split !== split), { id, split, status: 'loading' }] });
      await saveArtefact({
        id: `data-${split}`,
        kind: 'file',
        name: file.name,
        meta: { split, dataId: id },
        blob: file,
      });
      try {
        const summary = await compute.run('lsOpenData', { id, file });
        set({ data: get().data.map((d) => (d.id === id ? { ...d, status: 'ready', summary } : d)) });
      } catch (err) {
        set({
          data: get().data.map((d) =>
            d.id === id ? { ...d, status: 'error', error: err instanceof Error ? err.message : String(err) } : d,
          ),
        });
      }
    },

    setSettings(patch) {
      set({ settings: { ...get().settings, ...patch } });
      void saveArtefact({
        id: 'landscape-settings',
        kind: 'job',
        name: 'settings',
        meta: { ...get().settings },
        blob: null,
      });
    },

    runCurve() {
      const origin = byRole('origin');
      const toward = byRole('taskA');
      if (!origin || !toward)
        return set({ curve: { state: 'failed', error: 'assign an origin and a task-A checkpoint first' } });
      const s = get().settings;
      const alphas = range(s.alphaMin, s.alphaMax, s.alphaN);
      const plan: {
        key: string;
        label: string;
        origin: CheckpointEntry;
        toward: CheckpointEntry;
        split: 'train' | 'dev';
      }[] = [];
      for (const split of ['train', 'dev'] as const) {
        if (!dataFor(split)) continue;
        plan.push({ key: `pretrained-${split}`, label: `${split}, from ${origin.name}`, origin, toward, split });
        const random = byRole('random');
        const scratch = byRole('scratch');
        if (random && scratch)
          plan.push({
            key: `random-${split}`,
            label: `${split}, from ${random.name}`,
            origin: random,
            toward: scratch,
            split,
          });
      }
      if (plan.length === 0) return set({ curve: { state: 'failed', error: 'drop a train or dev TSV first' } });
      const series: CurveSet['series'] = [];
      set({ curve: { state: 'running', result: { series }, done: 0, total: plan.length * alphas.length } });
      void (async () => {
        try {
          for (const [k, step] of plan.entries()) {
            const job = compute.run(
              'lsCurve',
              { ...inputs(step.origin, step.split), toward: step.toward.id, alphas },
              {
                onProgress: (p) => {
                  const current = [...series, { key: step.key, label: step.label, data: p.partial }];
                  set({
                    curve: {
                      state: 'running',
                      result: { series: current },
                      done: k * alphas.length + p.done,
                      total: plan.length * alphas.length,
                      pointsPerSecond: p.pointsPerSecond,
                      etaSeconds:
                        p.etaSeconds + ((plan.length - k - 1) * alphas.length) / Math.max(p.pointsPerSecond, 1e-9),
                    },
                  });
                },
              },
            );
            jobs.curve = job;
            series.push({ key: step.key, label: step.label, data: await job });
          }
          set({ curve: { state: 'done', result: { series: [...series] } } });
          await saveArtefact({ id: 'landscape-curve', kind: 'curve', name: 'curve', meta: { series }, blob: null });
        } catch (err) {
          failed('curve', err);
        }
      })();
    },

    runSurface(resume) {
      const origin = byRole('origin');
      const x = byRole('taskA');
      const s = get().settings;
      const y = s.yDirection === 'random' ? 'random' : byRole('taskB')?.id;
      if (!origin || !x)
        return set({ surface: { state: 'failed', error: 'assign an origin and a task-A checkpoint first' } });
      if (!y)
        return set({
          surface: { state: 'failed', error: 'assign a task-B checkpoint, or choose a random y direction' },
        });
      const base = splitInputs('surface', origin);
      if (!base) return;
      const axis = { min: s.gridMin, max: s.gridMax, n: s.gridN };
      set({ surface: { state: 'running', result: resume, done: 0 } });
      const job = compute.run(
        'lsSurface',
        {
          ...base,
          x: x.id,
          y,
          grid: resume ? resume.spec.grid : { x: axis, y: axis },
          seed: s.seed,
          normalize: s.normalize,
          ignore: 'bias-ln',
          resume,
        },
        {
          onProgress: (p) => {
            set({
              surface: {
                state: 'running',
                result: p.partial,
                done: p.done,
                total: p.total,
                pointsPerSecond: p.pointsPerSecond,
                etaSeconds: p.etaSeconds,
              },
            });
            void saveArtefact({
              id: 'landscape-surface',
              kind: 'surface',
              name: 'surface',
              meta: { file: p.partial, complete: false },
              blob: null,
            });
          },
        },
      );
      jobs.surface = job;
      job.then(
        (file) => {
          set({ surface: { state: 'done', result: file } });
          void saveArtefact({
            id: 'landscape-surface',
            kind: 'surface',
            name: 'surface',
            meta: { file, complete: true },
            blob: null,
          });
        },
        (err) => failed('surface', err),
      );
    },

    runRandomSurface() {
      const origin = byRole('random');
      const x = byRole('scratch');
      if (!origin || !x)
        return set({
          randomSurface: {
            state: 'failed',
            error: 'assign a random-initialisation and a trained-from-scratch checkpoint first',
          },
        });
      const s = get().settings;
      const base = splitInputs('randomSurface', origin);
      if (!base) return;
      const axis = { min: s.gridMin, max: s.gridMax, n: s.gridN };
      // The y direction is a filter-normalised random one: there is no "task B from scratch".
      set({ randomSurface: { state: 'running', done: 0 } });
      const job = compute.run(
        'lsSurface',
        {
          ...base,
          head: x.id,
          x: x.id,
          y: 'random',
          grid: { x: axis, y: axis },
          seed: s.seed,
          normalize: s.normalize,
          ignore: 'bias-ln',
        },
        {
          onProgress: (p) =>
            set({
              randomSurface: {
                state: 'running',
                result: p.partial,
                done: p.done,
                total: p.total,
                pointsPerSecond: p.pointsPerSecond,
                etaSeconds: p.etaSeconds,
              },
            }),
        },
      );
      settle('randomSurface', job);
    },

    runTrajectory() {
      const origin = byRole('origin');
      const toward = byRole('taskA');
      const steps = get()
        .checkpoints.filter((c) => c.role === 'trajectory' && c.status === 'ready')
        .sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
      if (!origin || !toward)
        return set({ trajectory: { state: 'failed', error: 'assign an origin and a task-A checkpoint first' } });
      if (steps.length === 0)
        return set({
          trajectory: { state: 'failed', error: 'assign at least one training checkpoint to the trajectory' },
        });
      const base = splitInputs('trajectory', origin);
      if (!base) return;
      set({ trajectory: { state: 'running', done: 0, total: steps.length } });
      const job = compute.run(
        'lsTrajectory',
        { ...base, toward: toward.id, checkpoints: [...steps.map((c) => c.id), toward.id] },
        {
          onProgress: (p) =>
            set({
              trajectory: {
                state: 'running',
                done: p.done,
                total: p.total,
                pointsPerSecond: p.pointsPerSecond,
                etaSeconds: p.etaSeconds,
              },
            }),
        },
      );
      settle('trajectory', job);
    },

    runLayers() {
      const origin = byRole('origin');
      const toward = byRole('taskA');
      if (!origin || !toward)
        return set({ layers: { state: 'failed', error: 'assign an origin and a task-A checkpoint first' } });
      const base = splitInputs('layers', origin);
      if (!base) return;
      const s = get().settings;
      const alphas = range(Math.min(0, s.alphaMin), Math.max(1, s.alphaMax), s.alphaN);
      set({ layers: { state: 'running', done: 0 } });
      const job = compute.run(
        'lsLayers',
        { ...base, toward: toward.id, alphas },
        {
          onProgress: (p) =>
            set({
              layers: {
                state: 'running',
                result: p.partial,
                done: p.done,
                total: p.total,
                pointsPerSecond: p.pointsPerSecond,
                etaSeconds: p.etaSeconds,
              },
            }),
        },
      );
      settle('layers', job);
    },

    cancel(kind) {
      jobs[kind]?.cancel('cancelled by the user');
    },

    showSurface(file) {
      set({ surface: { state: 'done', result: file } });
    },

    async restore() {
      if (get().restored) return;
      set({ restored: true });
      const settings = (await listArtefacts('job')).find((r) => r.id === 'landscape-settings');
      if (settings) set({ settings: { ...DEFAULT_SETTINGS, ...(settings.meta as Partial<Settings>) } });
      const records = await listArtefacts('checkpoint');
      const fileRecords = await listArtefacts('file');
      for (const r of records.sort((a, b) => a.createdAt - b.createdAt)) {
        const files = fileRecords
          .filter((f) => f.meta.checkpoint === r.id && f.blob)
          .map((f) => new File([f.blob!], f.name));
        await openCheckpoint(r.id, r.name, files, (r.meta.role as Role) ?? 'none', Number(r.meta.order ?? 0));
      }
      for (const split of ['train', 'dev'] as const) {
        const d = fileRecords.find((f) => f.id === `data-${split}` && f.blob);
        if (d) await get().addData(new File([d.blob!], d.name), split);
      }
      await validate();
      const curve = (await listArtefacts('curve')).find((r) => r.id === 'landscape-curve');
      if (curve) set({ curve: { state: 'done', result: { series: curve.meta.series as CurveSet['series'] } } });
      const kept = await listArtefacts('job');
      for (const kind of ['randomSurface', 'trajectory', 'layers'] as const) {
        const r = kept.find((k) => k.id === `landscape-${kind}`);
        if (r) set({ [kind]: { state: 'done', result: r.meta.result } } as Partial<LandscapeState>);
      }
      const surface = (await listArtefacts('surface')).find((r) => r.id === 'landscape-surface');
      if (surface) {
        const file = surface.meta.file as SurfaceFile;
        if (surface.meta.complete) set({ surface: { state: 'done', result: file } });
        else get().runSurface(file);
      }
    },
  };
});
