/**
 * The landscape studio in IndexedDB, so a reload restores it: the dropped files (saved when they are
 * dropped — the store holds no Blobs), and, as a subscriber to the store, the settings, the roles and
 * every finished or partial result. A surface saved while running is resumed by the store on restore.
 * A checkpoint is saved only when the browser's estimate says it fits, in one transaction, and rolled
 * back when the write fails; otherwise it stays in memory only and says so (never a half-written store).
 */
import type { SurfaceFile } from '../engine/io/surfaceFile';
import type { CurveData, LayersData, TrajectoryData } from '../workers/contracts/landscape';
import { deleteArtefact, deleteArtefacts, listArtefacts, saveArtefact, saveArtefactsAtomically } from './artefacts';
import { askPersistOnce, useBrowserStorage } from './browserStorage';
import {
  decideFit,
  isCompleteCheckpoint,
  memoryOnlyMessage,
  writeAllOrNothing,
  writeFailureReason,
} from './storageFit';
import type { Role } from './landscapeRoles';
import type { TaskState } from './task';

/** The curve series the studio shows (train/dev × pretrained/random origin). */
export interface CurveSeries {
  key: string;
  label: string;
  data: CurveData;
}

/** The parts of the studio's state that are kept. */
export interface PersistedLandscape {
  settings: object;
  checkpoints: { id: string; role: Role; order: number }[];
  curve: TaskState<CurveSeries[], unknown>;
  surface: TaskState<SurfaceFile, unknown>;
  randomSurface: TaskState<SurfaceFile, unknown>;
  trajectory: TaskState<TrajectoryData, unknown>;
  layers: TaskState<LayersData, unknown>;
}

const RESULTS = ['randomSurface', 'trajectory', 'layers'] as const;

/** Where a tray checkpoint's files are kept: in IndexedDB (restored on reload) or in memory only. */
export interface CheckpointStorage {
  stored: boolean;
  /** Total bytes of the dropped files. */
  bytes: number;
  /** Why it is in memory only (one line for the tray); absent when stored. */
  note?: string;
}

const fileRecordId = (id: string, k: number) => `${id}/file/${k}`;

/**
 * Saves a dropped checkpoint folder (one record + one artefact per file) if the browser's storage
 * estimate says it fits, all in one transaction; asks `persist()` at the first save. When it would not
 * fit or the write fails, deletes whatever may have been written and reports the checkpoint as kept in
 * memory only. Never throws.
 */
export async function saveCheckpointFiles(
  id: string,
  name: string,
  files: readonly File[],
  role: Role,
  order: number,
): Promise<CheckpointStorage> {
  const bytes = files.reduce((sum, f) => sum + f.size, 0);
  await askPersistOnce();
  const fit = decideFit(await useBrowserStorage.getState().refresh(), bytes);
  if (!fit.fits) return { stored: false, bytes, note: memoryOnlyMessage(fit.reason) };
  const outcome = await writeAllOrNothing(
    () =>
      saveArtefactsAtomically([
        ...files.map((f, k) => ({
          id: fileRecordId(id, k),
          kind: 'file' as const,
          name: f.name,
          meta: { checkpoint: id },
          blob: f,
        })),
        { id, kind: 'checkpoint', name, meta: { role, order, files: files.map((f) => f.name) }, blob: null },
      ]),
    () => deleteArtefacts([id, ...files.map((_, k) => fileRecordId(id, k))]),
  );
  void useBrowserStorage.getState().refresh();
  if (outcome.ok) return { stored: true, bytes };
  const reason = writeFailureReason(outcome.error);
  return {
    stored: false,
    bytes,
    note: memoryOnlyMessage(outcome.rolledBack ? reason : `${reason}; its partial records could not be removed`),
  };
}

/** Forgets a checkpoint and its files. */
export async function deleteCheckpointFiles(id: string): Promise<void> {
  const files = (await listArtefacts('file')).filter((f) => f.meta.checkpoint === id);
  await Promise.all([deleteArtefact(id), ...files.map((f) => deleteArtefact(f.id))]);
}

/** Saves the data file of a split (replacing the previous one). */
export function saveDataFile(split: 'train' | 'dev', dataId: string, file: File): Promise<unknown> {
  return saveArtefact({ id: `data-${split}`, kind: 'file', name: file.name, meta: { split, dataId }, blob: file });
}

/** What a reload gets back: files to reopen, settings and results to show, a surface to resume. */
export interface SavedLandscape {
  settings?: Record<string, unknown>;
  checkpoints: { id: string; name: string; files: File[]; role: Role; order: number }[];
  data: { split: 'train' | 'dev'; file: File }[];
  curve?: CurveSeries[];
  results: Partial<{ randomSurface: SurfaceFile; trajectory: TrajectoryData; layers: LayersData }>;
  surface?: { file: SurfaceFile; complete: boolean };
}

/**
 * Reads back the saved studio. A checkpoint record whose files are not all present (a store left
 * half-written by an older version or an interrupted write) is not restored: it and its file records
 * are deleted, as are file records whose checkpoint record is gone.
 */
export async function loadSavedLandscape(): Promise<SavedLandscape> {
  const jobs = await listArtefacts('job');
  const fileRecords = await listArtefacts('file');
  const records = (await listArtefacts('checkpoint')).sort((a, b) => a.createdAt - b.createdAt);
  const filesOf = (id: string) => fileRecords.filter((f) => f.meta.checkpoint === id && f.blob);
  const complete = records.filter((r) =>
    isCompleteCheckpoint({
      expected: Array.isArray(r.meta.files) ? (r.meta.files as string[]) : [],
      present: filesOf(r.id).map((f) => f.name),
    }),
  );
  const kept = new Set(complete.map((r) => r.id));
  const partial = [
    ...records.filter((r) => !kept.has(r.id)).map((r) => r.id),
    ...fileRecords
      .filter((f) => typeof f.meta.checkpoint === 'string' && !kept.has(f.meta.checkpoint))
      .map((f) => f.id),
  ];
  if (partial.length > 0) await deleteArtefacts(partial).catch(() => undefined);
  const checkpoints = complete.map((r) => ({
    id: r.id,
    name: r.name,
    files: filesOf(r.id).map((f) => new File([f.blob!], f.name)),
    role: (r.meta.role as Role) ?? 'none',
    order: Number(r.meta.order ?? 0),
  }));
  const data = (['train', 'dev'] as const).flatMap((split) => {
    const d = fileRecords.find((f) => f.id === `data-${split}` && f.blob);
    return d ? [{ split, file: new File([d.blob!], d.name) }] : [];
  });
  const results: SavedLandscape['results'] = {};
  for (const kind of RESULTS) {
    const r = jobs.find((k) => k.id === `landscape-${kind}`);
    if (r) Object.assign(results, { [kind]: r.meta.result });
  }
  const curve = (await listArtefacts('curve')).find((r) => r.id === 'landscape-curve');
  const surface = (await listArtefacts('surface')).find((r) => r.id === 'landscape-surface');
  return {
    settings: jobs.find((r) => r.id === 'landscape-settings')?.meta,
    checkpoints,
    data,
    curve: curve?.meta.series as CurveSeries[] | undefined,
    results,
    surface: surface ? { file: surface.meta.file as SurfaceFile, complete: Boolean(surface.meta.complete) } : undefined,
  };
}

/** Saves what changed between two states of the studio (the store's subscriber). */
export function persistChanges(next: PersistedLandscape, prev: PersistedLandscape): void {
  if (next.settings !== prev.settings)
    void saveArtefact({
      id: 'landscape-settings',
      kind: 'job',
      name: 'settings',
      meta: { ...next.settings },
      blob: null,
    });
  if (next.checkpoints !== prev.checkpoints) void saveRoles(next.checkpoints, prev.checkpoints);
  if (next.curve !== prev.curve && next.curve.state === 'done' && next.curve.result)
    void saveArtefact({
      id: 'landscape-curve',
      kind: 'curve',
      name: 'curve',
      meta: { series: next.curve.result },
      blob: null,
    });
  // A running surface's partial file is saved after every report (complete: false), so a reload resumes it.
  if (next.surface.result && next.surface.result !== prev.surface.result)
    void saveArtefact({
      id: 'landscape-surface',
      kind: 'surface',
      name: 'surface',
      meta: { file: next.surface.result, complete: next.surface.state === 'done' },
      blob: null,
    });
  for (const kind of RESULTS) {
    const t = next[kind];
    if (t !== prev[kind] && t.state === 'done' && t.result)
      void saveArtefact({ id: `landscape-${kind}`, kind: 'job', name: kind, meta: { result: t.result }, blob: null });
  }
}

async function saveRoles(
  next: PersistedLandscape['checkpoints'],
  prev: PersistedLandscape['checkpoints'],
): Promise<void> {
  const before = new Map(prev.map((c) => [c.id, c]));
  const changed = next.filter((c) => before.get(c.id)?.role !== c.role || before.get(c.id)?.order !== c.order);
  if (changed.length === 0) return;
  const records = new Map((await listArtefacts('checkpoint')).map((r) => [r.id, r]));
  for (const c of changed) {
    const record = records.get(c.id);
    if (record) await saveArtefact({ ...record, meta: { ...record.meta, role: c.role, order: c.order } });
  }
}
