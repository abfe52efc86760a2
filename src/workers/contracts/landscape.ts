/**
 * The landscape studio's job contracts: what each job takes, returns and reports. Imported by the
 * worker's handlers (jobs/landscape.ts) and, as types, by the store and the screens, so both sides
 * agree on every field. Result shapes are the engine services' own (engine/landscape/services/).
 */
import type { SurfaceFile, SurfaceSpec } from '../../engine/io/surfaceFile';
import type { CurveData } from '../../engine/landscape/services/curve';
import type { LayersData } from '../../engine/landscape/services/layers';
import type { SensesData } from '../../engine/landscape/services/senses';
import type { TrajectoryData } from '../../engine/landscape/services/trajectory';
import type { Progress } from '../../engine/util/progress';
import type { JobSpec } from '../protocol';

export type { CurveData, LayersData, SensesData, TrajectoryData };

/** A checkpoint as the studio lists it. */
export interface CheckpointSummary {
  id: string;
  name: string;
  files: { name: string; bytes: number; sha256?: string }[];
  sha256: string;
  dtype: string;
  parameters: number;
  tensors: number;
  layers: number;
  hidden: number;
  vocabSize: number;
  /** Has a classification head (classifier.*): can serve as the head of a landscape. */
  hasHead: boolean;
  numLabels: number;
  labels: string[];
  /** How the worker holds the weights between analyses. */
  hold: CheckpointHold;
}

/** Precision of the weights the worker holds between analyses (an analysis always computes in F32). */
export type HoldDtype = 'F32' | 'F16';

export interface CheckpointHold {
  dtype: HoldDtype;
  /** Bytes of weights held (4 or 2 per parameter). */
  bytes: number;
  /** F16 only: some F32 weight was rounded (an F16 file is held exactly). */
  rounded: boolean;
  /** ‖θ_F16 − θ‖ / ‖θ‖ (0 unless rounded). */
  relativeChange: number;
}

export interface DataSummary {
  id: string;
  name: string;
  bytes: number;
  task: string;
  rows: number;
  /** Label string → count, in first-seen order. */
  labels: [string, number][];
}

/** Where checkpoints and examples come from for one computation (ids of opened checkpoints and data). */
export interface LandscapeInputs {
  origin: string;
  head?: string;
  data: string;
  split: string;
  maxExamples?: number;
  maxLength?: number;
  batchSize?: number;
}

/** A point-by-point job's progress: the engine's report (done/total, rate, ETA) and the partial result. */
export type PointProgress<P> = Progress & { partial: P };

export type LandscapeJobs = {
  lsOpenCheckpoint: JobSpec<{ id: string; name: string; files: File[]; hold?: HoldDtype }, CheckpointSummary, never>;
  /** Re-holds the checkpoints as F16 (half the memory) or F32 (back from F16: the files are re-read when rounded). */
  lsHold: JobSpec<{ ids: string[]; dtype: HoldDtype }, { id: string; hold: CheckpointHold }[], never>;
  lsOpenData: JobSpec<{ id: string; file: File }, DataSummary, never>;
  lsForget: JobSpec<{ ids: string[] }, { forgotten: number }, never>;
  /** Checks that the checkpoints in these roles fit together; resolves with the moving tensor count or rejects naming the mismatch. */
  lsValidate: JobSpec<
    { origin: string; head: string; others: { role: string; id: string }[] },
    { moving: number },
    never
  >;
  lsCurve: JobSpec<LandscapeInputs & { toward: string; alphas: number[] }, CurveData, PointProgress<CurveData>>;
  lsSurface: JobSpec<
    LandscapeInputs & {
      x: string;
      y: string | 'random';
      grid: SurfaceSpec['grid'];
      seed?: number;
      normalize?: 'filter' | 'layer' | 'none';
      ignore?: 'bias-ln' | 'none';
      resume?: SurfaceFile;
    },
    SurfaceFile,
    PointProgress<SurfaceFile>
  >;
  lsTrajectory: JobSpec<
    LandscapeInputs & { toward: string; checkpoints: string[] },
    TrajectoryData,
    PointProgress<null>
  >;
  lsLayers: JobSpec<LandscapeInputs & { toward: string; alphas: number[] }, LayersData, PointProgress<LayersData>>;
  /**
   * The sense probe (`landscape senses`): per layer and position (α along origin → toward, or each
   * checkpoint), WSI scores of BERT's clusters or SCWS ρ. `files`: the task's test XML files and gold
   * key (`*.key`), or SCWS ratings.txt.
   */
  lsSenses: JobSpec<
    {
      origin: string;
      toward?: string;
      alphas?: number[];
      checkpoints?: string[];
      task: 'semeval2010' | 'semeval2013' | 'scws';
      files: File[];
      clusters?: number;
      layers?: number[];
      maxInstances?: number;
      maxLength?: number;
      batchSize?: number;
      /** Use the Word2Sense model loaded in the sense explorer (agreement, baseline, per-instance senses). */
      w2s?: boolean;
      /** Return the per-instance view (SensesDetail) for the click-through. */
      detail?: boolean;
    },
    SensesData,
    PointProgress<SensesData>
  >;
  /** Reads and validates a surface file (e.g. made by the CLI or merged from shards). */
  lsReadSurface: JobSpec<{ file: File }, SurfaceFile, never>;
  /** The surface file's JSON text and a long-format CSV (x, y, loss, accuracy). */
  lsExportSurface: JobSpec<{ surface: SurfaceFile }, { json: string; csv: string }, never>;
};
