/**
 * The landscape studio in IndexedDB, so a reload restores it: the dropped files (saved when they are
 * dropped — the store holds no Blobs), and, as a subscriber to the store, the settings, the roles and
 * every finished or partial result. A surface saved while running is resumed by the store on restore.
 */
import type { SurfaceFile } from '../engine/io/surfaceFile';
import type { CurveData, LayersData, TrajectoryData } from '../workers/contracts/landscape';
import { deleteArtefact, listArtefacts, saveArtefact } from './artefacts';
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

/** Saves a dropped checkpoint folder (record + one artefact per file). */
export async function saveCheckpointFiles(
  id: string,
  name: string,
  files: readonly File[],
  role: Role,
  order: number,
): Promise<void> {
  await saveArtefact({
    id,
    kind: 'checkpoint',
    name,
    meta: { role, order, files: files.map((f) => f.name) },
    blob: null,
  });
  await Promise.all(
    files.map((f, k) =>
      saveArtefact({ id: `${id}/file/${k}`, kind: 'file', name: f.name, meta: { checkpoint: id }, blob: f }),
    ),
  );
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

export async function loadSavedLandscape(): Promise<SavedLandscape> {
  const jobs = await listArtefacts('job');
  const fileRecords = await listArtefacts('file');
  const checkpoints = (await listArtefacts('checkpoint'))
    .sort((a, b) => a.createdAt - b.createdAt)
    .map((r) => ({
      id: r.id,
      name: r.name,
      files: fileRecords.filter((f) => f.meta.checkpoint === r.id && f.blob).map((f) => new File([f.blob!], f.name)),
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
