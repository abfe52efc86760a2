/**
 * The landscape studio's state: the shape of the store (landscape.ts composes it from the tray and
 * analyses slices) and its default settings.
 */
import type { StoreApi } from 'zustand';
import type { SurfaceFile } from '../engine/io/surfaceFile';
import type {
  CheckpointSummary,
  DataSummary,
  HoldDtype,
  LayersData,
  PointProgress,
  TrajectoryData,
} from '../workers/contracts/landscape';
import type { CheckpointStorage, CurveSeries } from './landscapePersistence';
import type { Role } from './landscapeRoles';
import type { TaskState } from './task';

export interface CheckpointEntry {
  id: string;
  name: string;
  status: 'loading' | 'ready' | 'error';
  error?: string;
  summary?: CheckpointSummary;
  role: Role;
  /** Order among trajectory checkpoints. */
  order: number;
  /** Stored in IndexedDB or kept in memory only (with the note the tray shows). */
  storage?: CheckpointStorage;
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
  /** Precision the worker holds checkpoints' weights in between analyses (F16: half the memory). */
  hold: HoldDtype;
}

/** A point-by-point analysis as the screens see it. */
export type RunState<R> = TaskState<R, PointProgress<unknown>>;

export type JobKind = 'curve' | 'surface' | 'randomSurface' | 'trajectory' | 'layers';

export interface LandscapeState {
  checkpoints: CheckpointEntry[];
  data: DataEntry[];
  settings: Settings;
  validation: { ok: boolean; message: string } | null;
  /** A change of the held precision in progress or failed (null when none). */
  holdNote: { state: 'running' | 'failed'; message: string } | null;
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
  /** Holds every checkpoint's weights (and those dropped later) as F16 or F32 in the worker. */
  setHold(dtype: HoldDtype): Promise<void>;
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
  hold: 'F32',
};

export type SetLandscape = StoreApi<LandscapeState>['setState'];
export type GetLandscape = StoreApi<LandscapeState>['getState'];

/** The ready checkpoint in `role`, and the ready data file of a split. */
export const byRole = (get: GetLandscape, role: Role) =>
  get().checkpoints.find((c) => c.role === role && c.status === 'ready');
export const dataFor = (get: GetLandscape, split: 'train' | 'dev') =>
  get().data.find((d) => d.split === split && d.status === 'ready');
