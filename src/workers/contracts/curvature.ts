/**
 * The Curvature panel's job contracts (issue 16): the Hessian of one checkpoint (`landscape hessian`)
 * and the flatness table across the tray's checkpoints (`landscape flatness`). Result shapes are the
 * engine services' own (engine/landscape/services/curvature.ts, flatness.ts), so the panel shows and
 * exports exactly what the CLI prints with --json.
 */
import type { HessianReport } from '../../engine/landscape/services/curvature';
import type { FlatnessReport } from '../../engine/landscape/services/flatness';
import type { Progress } from '../../engine/util/progress';
import type { JobSpec } from '../protocol';

export type { FlatnessReport, HessianReport };

/** The data flags of the CLI verbs: examples, truncation length and batch size. */
export interface CurvatureData {
  maxExamples?: number;
  maxLength?: number;
  batchSize?: number;
}

/** `landscape hessian`'s flags; ids are checkpoints and data files opened by the landscape jobs. */
export interface HessianInputs extends CurvatureData {
  model: string;
  data: string;
  split: string;
  top?: number;
  iters?: number;
  tol?: number;
  traceSamples?: number;
  density?: boolean;
  groups?: boolean;
  seed?: number;
}

/** `landscape flatness`'s flags. The examples are tokenized with the first checkpoint's vocabulary (as the CLI). */
export interface FlatnessInputs extends CurvatureData {
  checkpoints: string[];
  train: string;
  dev: string;
  /** θ0 of every row's 1-D curve (a tray checkpoint id; one `--origin DIR`): adds curve_curvature and basin_width. */
  origin?: string;
  /** δ of basin_width (`--basin-delta`). */
  basinDelta?: number;
  epsilon?: number;
  radius?: number;
  iters?: number;
  traceSamples?: number;
  seed?: number;
}

export type CurvatureJobs = {
  lsHessian: JobSpec<HessianInputs, HessianReport, Progress>;
  lsFlatness: JobSpec<FlatnessInputs, FlatnessReport, Progress>;
};
