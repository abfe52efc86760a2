/**
 * The studio's tray: dropped checkpoints (summaries; weights stay in the worker) and their roles,
 * the data files, the settings, the compatibility check of the assigned roles, and the restore of
 * all of it (and of the results) after a reload. A checkpoint that the browser cannot store stays in
 * the tray in memory only, with a note saying so.
 */
import { isStopped } from '../workers/client';
import { compute } from './compute';
import {
  deleteCheckpointFiles,
  loadSavedLandscape,
  saveCheckpointFiles,
  saveDataFile,
  type CheckpointStorage,
} from './landscapePersistence';
import { guessRole, ROLE_LABELS, type Role } from './landscapeRoles';
import {
  byRole,
  DEFAULT_SETTINGS,
  type CheckpointEntry,
  type DataEntry,
  type GetLandscape,
  type LandscapeState,
  type SetLandscape,
  type Settings,
} from './landscapeTypes';
import { messageOf } from './task';

let nextId = 1;
const newId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${nextId++}`;

type TrayKeys =
  | 'checkpoints'
  | 'data'
  | 'settings'
  | 'validation'
  | 'holdNote'
  | 'restored'
  | 'addCheckpointFiles'
  | 'removeCheckpoint'
  | 'setRole'
  | 'addData'
  | 'setSettings'
  | 'setHold'
  | 'restore';

export function traySlice(set: SetLandscape, get: GetLandscape): Pick<LandscapeState, TrayKeys> {
  async function validate(): Promise<void> {
    const origin = byRole(get, 'origin');
    const head = byRole(get, 'taskA');
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

  async function openCheckpoint(
    id: string,
    name: string,
    files: File[],
    role: Role,
    order: number,
    storage: CheckpointStorage,
  ): Promise<void> {
    set({ checkpoints: [...get().checkpoints, { id, name, status: 'loading', role, order, storage }] });
    try {
      const hold = get().settings.hold;
      patchCheckpoint(id, {
        status: 'ready',
        summary: await compute.run('lsOpenCheckpoint', { id, name, files, hold }),
      });
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
    holdNote: null,
    restored: false,

    async addCheckpointFiles(groups) {
      for (const g of groups) {
        const id = newId('ckpt');
        const role = guessRole(g.name, (r) => get().checkpoints.some((c) => c.role === r));
        const order = get().checkpoints.filter((c) => c.role === 'trajectory').length;
        const storage = await saveCheckpointFiles(id, g.name, g.files, role, order);
        await openCheckpoint(id, g.name, g.files, role, order, storage);
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
      // A data file the browser cannot store is still used; it is only not restored after a reload.
      await saveDataFile(split, id, file).catch(() => undefined);
      await openData(id, file, split);
    },

    setSettings(patch) {
      set({ settings: { ...get().settings, ...patch } });
    },

    async setHold(dtype) {
      set({ settings: { ...get().settings, hold: dtype } });
      const ids = get()
        .checkpoints.filter((c) => c.status === 'ready' && c.summary && c.summary.hold.dtype !== dtype)
        .map((c) => c.id);
      if (ids.length === 0) return;
      set({ holdNote: { state: 'running', message: `holding ${ids.length} checkpoint(s) as ${dtype}…` } });
      try {
        const held = new Map((await compute.run('lsHold', { ids, dtype })).map((h) => [h.id, h.hold]));
        set({
          holdNote: null,
          checkpoints: get().checkpoints.map((c) => {
            const hold = held.get(c.id);
            return hold && c.summary ? { ...c, summary: { ...c.summary, hold } } : c;
          }),
        });
      } catch (err) {
        set({ holdNote: { state: 'failed', message: messageOf(err) } });
      }
    },

    async restore() {
      if (get().restored) return;
      set({ restored: true });
      const saved = await loadSavedLandscape();
      if (saved.settings) set({ settings: { ...DEFAULT_SETTINGS, ...(saved.settings as Partial<Settings>) } });
      for (const c of saved.checkpoints) {
        const bytes = c.files.reduce((sum, f) => sum + f.size, 0);
        await openCheckpoint(c.id, c.name, c.files, c.role, c.order, { stored: true, bytes });
      }
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
}
