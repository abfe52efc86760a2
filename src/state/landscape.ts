/**
 * Landscape studio slice: the tray (landscapeTray.ts: checkpoints, roles, data, settings, restore)
 * and the analyses (landscapeAnalyses.ts: one task state per analysis, small results), composed
 * into one store. Every compute call goes through an action (newest request wins); persistence is
 * a subscriber (landscapePersistence.ts).
 */
import { create } from 'zustand';
import { analysesSlice } from './landscapeAnalyses';
import { persistChanges } from './landscapePersistence';
import { traySlice } from './landscapeTray';
import type { LandscapeState } from './landscapeTypes';

export { ROLE_LABELS, type Role } from './landscapeRoles';
export type { CurveSeries } from './landscapePersistence';
export type { CheckpointEntry, DataEntry, JobKind, RunState, Settings } from './landscapeTypes';
export { DEFAULT_SETTINGS } from './landscapeTypes';

export const useLandscape = create<LandscapeState>((set, get) => ({
  ...traySlice(set, get),
  ...analysesSlice(set, get),
}));

useLandscape.subscribe(persistChanges);
