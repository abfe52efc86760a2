/**
 * The Fine-tune panel's state: hyperparameters (HF Trainer's defaults shown), one fine-tuning run at a
 * time through the {@link TaskRunner} (Start / Pause / Cancel / Resume), its log for the live charts,
 * and what it saves: each checkpoint folder goes into the studio's tray (as if dropped: IndexedDB and
 * the worker) with the trajectory role, the trajectory is recomputed while a surface is shown, and the
 * run's record (hyperparameters, last checkpoint, log) is kept in IndexedDB so a reload can resume it.
 * A store of its own beside the landscape store (landscape.ts), which it drives through its actions.
 */
import { zipSync } from 'fflate';
import { create } from 'zustand';
import type {
  FinetuneHyper,
  FinetuneJobs,
  FinetuneProgress,
  LogEntry,
  SavedFolder,
} from '../workers/contracts/finetune';
import { deleteArtefact, listArtefacts, loadArtefact, saveArtefact } from './artefacts';
import { compute } from './compute';
import { useLandscape } from './landscape';
import { byRole, dataFor, type LandscapeState } from './landscapeTypes';
import type { Role } from './landscapeRoles';
import { IDLE, messageOf, TaskRunner, type TaskState } from './task';

/** The panel's hyperparameters; `steps` 0 = by epochs. Shown with HF Trainer's GLUE defaults. */
export interface FinetuneForm {
  steps: number;
  epochs: number;
  batch: number;
  accumulate: number;
  lr: number;
  weightDecay: number;
  warmupRatio: number;
  maxGradNorm: number;
  /** Negative = the config's dropout rates. */
  dropout: number;
  shuffle: boolean;
  seed: number;
  saveEvery: number;
  /** 0 = only at the end. */
  evalEvery: number;
  maxLength: number;
  /** 0 = every training example. */
  maxExamples: number;
}

export const FINETUNE_FORM_DEFAULTS: FinetuneForm = {
  steps: 0,
  epochs: 3,
  batch: 32,
  accumulate: 1,
  lr: 2e-5,
  weightDecay: 0,
  warmupRatio: 0,
  maxGradNorm: 1,
  dropout: -1,
  shuffle: true,
  seed: 42,
  saveEvery: 500,
  evalEvery: 0,
  maxLength: 128,
  maxExamples: 0,
};

/** The engine's hyperparameters for a form (unset ones take the engine's defaults). */
export function hyperOf(f: FinetuneForm): Partial<FinetuneHyper> {
  return {
    steps: f.steps > 0 ? f.steps : undefined,
    epochs: f.epochs,
    batch: f.batch,
    accumulate: f.accumulate,
    lr: f.lr,
    weightDecay: f.weightDecay,
    warmupRatio: f.warmupRatio,
    maxGradNorm: f.maxGradNorm,
    dropout: f.dropout >= 0 ? f.dropout : undefined,
    shuffle: f.shuffle,
    seed: f.seed,
    saveEvery: f.saveEvery > 0 ? f.saveEvery : undefined,
    evalEvery: f.evalEvery > 0 ? f.evalEvery : undefined,
    maxLength: f.maxLength,
    dtype: 'F32',
  };
}

/** One run as kept in IndexedDB (`finetune-run`): enough to resume it after a reload. */
export interface RunRecord {
  label: string;
  originId: string;
  originRole: 'origin' | 'random';
  form: FinetuneForm;
  status: 'running' | 'paused' | 'done';
  /** Tray checkpoints this run saved, in order (`final` last when finished). */
  saved: { folder: string; step: number; checkpointId: string }[];
  log: LogEntry[];
}

type RunResult = FinetuneJobs['ftRun']['result'];

export interface FinetuneState {
  form: FinetuneForm;
  originRole: 'origin' | 'random';
  task: TaskState<RunResult, FinetuneProgress>;
  /** The current (or last) run; null before any. */
  record: RunRecord | null;
  /** Set while the Hao comparison runs: which of its stages is running. */
  comparison: string | null;
  setForm(patch: Partial<FinetuneForm>): void;
  setOriginRole(role: 'origin' | 'random'): void;
  start(): Promise<RunResult | undefined>;
  pause(): void;
  cancel(): void;
  resume(): Promise<RunResult | undefined>;
  /** Loads the saved run (after a reload); a running or paused one can then be resumed. */
  restoreRun(): Promise<void>;
  /** A saved checkpoint as a zipped Hugging Face folder `<name>/` (config.json, vocab.txt, model.safetensors, trainer_state.json). */
  zipCheckpoint(checkpointId: string, name: string): Promise<Blob>;
  /** Hao et al.: the same task from the pretrained origin and from its random initialisation, then both curves and surfaces. */
  haoComparison(): Promise<void>;
}

const runner = new TaskRunner();
const RECORD_ID = 'finetune-run';
/** The files of a downloaded checkpoint (the optimizer state stays in the app, for resuming). */
const ZIPPED = ['config.json', 'vocab.txt', 'model.safetensors', 'trainer_state.json'];
const landscape = () => useLandscape.getState();

/** Saved files of a tray checkpoint, from IndexedDB (the store holds no Blobs). */
async function filesOf(checkpointId: string): Promise<File[]> {
  const records = (await listArtefacts('file')).filter((f) => f.meta.checkpoint === checkpointId && f.blob);
  return records.map((f) => new File([f.blob!], f.name));
}

/** Resolves when the landscape analysis `kind` is no longer running. */
function settled(kind: 'curve' | 'surface' | 'randomSurface' | 'trajectory'): Promise<LandscapeState[typeof kind]> {
  return new Promise((resolve) => {
    const check = (s: LandscapeState) => {
      if (s[kind].state === 'running') return false;
      resolve(s[kind]);
      return true;
    };
    if (check(landscape())) return;
    const stop = useLandscape.subscribe((s) => check(s) && stop());
  });
}

export const useFinetune = create<FinetuneState>((set, get) => {
  let pausing = false;

  const persist = (record: RunRecord | null) =>
    record
      ? saveArtefact({ id: RECORD_ID, kind: 'job', name: 'fine-tune run', meta: { ...record }, blob: null })
      : deleteArtefact(RECORD_ID);

  const patchRecord = (patch: Partial<RunRecord>) => {
    const record = get().record;
    if (!record) return;
    const next = { ...record, ...patch };
    set({ record: next });
    void persist(next);
  };

  /** Puts a saved folder into the tray (IndexedDB + worker) in its role; returns its id. */
  async function addToTray(record: RunRecord, f: SavedFolder): Promise<string | null> {
    const name = `${record.label}-${f.folder}`;
    const files = [...f.files].map(([n, bytes]) => new File([bytes as BlobPart], n));
    await landscape().addCheckpointFiles([{ name, files }]);
    const entry = landscape()
      .checkpoints.filter((c) => c.name === name)
      .at(-1);
    if (!entry) return null;
    let role: Role = 'none';
    if (f.folder !== 'final') role = record.originRole === 'origin' ? 'trajectory' : 'none';
    else if (record.originRole === 'origin') role = get().comparison || !byRole(landscape, 'taskA') ? 'taskA' : 'none';
    else role = get().comparison || !byRole(landscape, 'scratch') ? 'scratch' : 'none';
    if (entry.role !== role) landscape().setRole(entry.id, role);
    return entry.id;
  }

  /** Takes the folders the worker saved for `run` into the tray; redraws the trajectory on a shown surface. */
  async function takeSaved(run: string): Promise<void> {
    const folders = await compute.run('ftTakeCheckpoints', { run });
    for (const f of folders) {
      const record = get().record;
      if (!record) return;
      const id = await addToTray(record, f);
      if (id) patchRecord({ saved: [...record.saved, { folder: f.folder, step: f.step, checkpointId: id }] });
    }
    if (folders.some((f) => f.folder !== 'final') && get().record?.originRole === 'origin') void drawTrajectory();
  }

  /**
   * Recomputes the trajectory while a surface is shown (so each new step appears on it): one run at a
   * time — a step saved while it runs is drawn by one more run after it, not by restarting it.
   */
  let trajectoryWanted = false;
  async function drawTrajectory(): Promise<void> {
    const ls = landscape();
    if (ls.surface.state !== 'done' || !byRole(landscape, 'taskA')) return;
    if (ls.trajectory.state === 'running') {
      if (trajectoryWanted) return;
      trajectoryWanted = true;
      await settled('trajectory');
      trajectoryWanted = false;
    }
    landscape().runTrajectory();
  }

  /** Runs (or continues) the current record's fine-tuning in the worker. */
  async function go(resumeFrom?: { checkpointId: string }): Promise<RunResult | undefined> {
    const record = get().record!;
    const train = dataFor(landscape, 'train');
    if (!train) {
      set({ task: { state: 'failed', error: 'drop a train TSV in Examples first' } });
      return undefined;
    }
    const dev = dataFor(landscape, 'dev');
    const resume = resumeFrom ? await filesOf(resumeFrom.checkpointId) : undefined;
    const run = `${record.label}-${Date.now().toString(36)}`;
    let taken = record.saved.length;
    let chain = Promise.resolve();
    pausing = false;
    patchRecord({ status: 'running' });
    const result = await runner.run<RunResult, FinetuneProgress>(
      'finetune',
      (task) => set({ task }),
      (onProgress) =>
        compute.run(
          'ftRun',
          {
            run,
            origin: record.originId,
            train: train.id,
            dev: dev?.id,
            maxExamples: record.form.maxExamples > 0 ? record.form.maxExamples : undefined,
            hyper: hyperOf(record.form),
            resume,
          },
          {
            onProgress: (p) => {
              onProgress(p);
              patchLog(p.log);
              // New folders wait in the worker: take them in order, one batch at a time.
              if (p.saved > taken) {
                taken = p.saved;
                chain = chain.then(() => takeSaved(run));
              }
            },
          },
        ),
    );
    // After the end (or a pause, which saves the last finished update), take what is left.
    chain = chain.then(() => takeSaved(run));
    await chain;
    if (result) patchRecord({ status: 'done', log: result.log });
    else if (pausing) patchRecord({ status: 'paused' });
    return result;
  }

  let lastLogSave = 0;
  const patchLog = (log: LogEntry[]) => {
    const record = get().record;
    if (!record) return;
    const next = { ...record, log };
    set({ record: next });
    // Keep the log in IndexedDB at most once a second while running.
    if (Date.now() - lastLogSave > 1000) {
      lastLogSave = Date.now();
      void persist(next);
    }
  };

  /** A label for a new run's checkpoints (unique among the tray's names). */
  const labelFor = (originName: string) => {
    const names = landscape().checkpoints.map((c) => c.name);
    const base = `ft-${originName}`;
    let label = base;
    for (let k = 2; names.some((n) => n.startsWith(`${label}-`)); k++) label = `${base}-${k}`;
    return label;
  };

  return {
    form: FINETUNE_FORM_DEFAULTS,
    originRole: 'origin',
    task: IDLE,
    record: null,
    comparison: null,

    setForm(patch) {
      set({ form: { ...get().form, ...patch } });
    },

    setOriginRole(originRole) {
      set({ originRole });
    },

    async start() {
      const role = get().originRole;
      const origin = byRole(landscape, role);
      if (!origin) {
        set({ task: { state: 'failed', error: `assign a checkpoint to the ${role} role in the tray first` } });
        return undefined;
      }
      const record: RunRecord = {
        label: labelFor(origin.name),
        originId: origin.id,
        originRole: role,
        form: { ...get().form },
        status: 'running',
        saved: [],
        log: [],
      };
      set({ record });
      await persist(record);
      return go();
    },

    pause() {
      pausing = true;
      runner.cancel('finetune', 'paused');
    },

    cancel() {
      pausing = false;
      runner.cancel('finetune', 'cancelled by the user');
      set({ comparison: null });
      void persist(null);
      set({ record: get().record && { ...get().record!, status: 'done' } });
    },

    async resume() {
      const record = get().record;
      if (!record) return undefined;
      // From the last saved step; a run stopped before its first save starts again.
      const last = record.saved.filter((s) => s.folder !== 'final').at(-1);
      if (!last) patchRecord({ log: [] });
      return go(last && { checkpointId: last.checkpointId });
    },

    async restoreRun() {
      const saved = await loadArtefact(RECORD_ID).catch(() => undefined);
      if (!saved || get().record) return;
      const record = saved.meta as unknown as RunRecord;
      set({ record, form: record.form, originRole: record.originRole });
    },

    async zipCheckpoint(checkpointId, name) {
      const files = (await filesOf(checkpointId)).filter((f) => ZIPPED.includes(f.name));
      const folder: Record<string, Uint8Array> = {};
      for (const f of files) folder[f.name] = new Uint8Array(await f.arrayBuffer());
      // Stored, not deflated: float weights barely compress and level 0 keeps a 440 MB zip fast.
      return new Blob([zipSync({ [name]: folder }, { level: 0 }) as BlobPart], { type: 'application/zip' });
    },

    async haoComparison() {
      const stages: ['origin' | 'random', string][] = [
        ['origin', 'fine-tuning from the pretrained origin'],
        ['random', 'training from the random initialisation'],
      ];
      try {
        for (const [role, what] of stages) {
          set({ comparison: what, originRole: role });
          if (!(await get().start())) return;
        }
        set({ comparison: 'curves' });
        landscape().runCurve();
        await settled('curve');
        set({ comparison: 'surfaces' });
        if (!byRole(landscape, 'taskB')) landscape().setSettings({ yDirection: 'random' });
        landscape().runSurface();
        await settled('surface');
        landscape().runRandomSurface();
        await settled('randomSurface');
      } catch (err) {
        set({ task: { state: 'failed', error: messageOf(err) } });
      } finally {
        set({ comparison: null });
      }
    },
  };
});
