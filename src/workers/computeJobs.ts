/** The job map of the compute worker: every area's jobs, merged. Areas add theirs under jobs/. */
import type { FinetuneJobs } from './contracts/finetune';
import type { CurvatureJobs } from './contracts/curvature';
import type { LandscapeJobs } from './contracts/landscape';
import type { SensesJobs } from './contracts/senses';
import type { SystemJobs } from './contracts/system';

export type ComputeJobs = SystemJobs & LandscapeJobs & SensesJobs & FinetuneJobs & CurvatureJobs;

/** Events the compute worker broadcasts. */
export type ComputeEvent =
  | { type: 'backend'; report: import('../engine/tensor/backend').BackendReport; reason?: string }
  | { type: 'backend-failed'; message: string };
