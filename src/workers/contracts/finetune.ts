/**
 * The fine-tuning jobs' contracts (the app's side of `sensescape bert finetune`): what the worker's
 * handlers (jobs/finetune.ts) take, return and report, imported by both sides. A run reports its whole
 * log so far (small: four numbers a step) and how many checkpoints it has saved; the checkpoint folders
 * themselves wait in the worker until the store takes them (`ftTakeCheckpoints`), so none is lost to the
 * 10 Hz progress throttle or to a cancel.
 */
import type { FinetuneHyper, FinetuneResult, LogEntry } from '../../engine/bert/finetune/finetune';
import type { Progress } from '../../engine/util/progress';
import type { JobSpec } from '../protocol';

export type { FinetuneHyper, LogEntry };

/** A run's request: ids of the opened origin checkpoint and data files, hyperparameters, a resume folder. */
export interface FinetuneRequest {
  /** Names this run's checkpoints in the worker until they are taken. */
  run: string;
  origin: string;
  train: string;
  dev?: string;
  maxExamples?: number;
  /** Unset fields take HF Trainer's defaults (engine/bert/finetune/inputs.ts). */
  hyper: Partial<FinetuneHyper>;
  /** The files of a `step-NNNNNN` folder this run continues from (config.json, optimizer.safetensors, …). */
  resume?: File[];
}

/** Progress of a run: the engine's report (steps, rate, ETA), the log so far, checkpoints saved so far. */
export type FinetuneProgress = Progress & { log: LogEntry[]; saved: number };

/** One saved checkpoint folder (`step-NNNNNN` or `final`): file name → bytes (transferred). */
export interface SavedFolder {
  folder: string;
  step: number;
  files: Map<string, Uint8Array>;
}

export type FinetuneJobs = {
  ftRun: JobSpec<FinetuneRequest, Omit<FinetuneResult, 'log'> & { log: LogEntry[] }, FinetuneProgress>;
  /** The checkpoint folders `run` saved since the last call (and forgets them in the worker). */
  ftTakeCheckpoints: JobSpec<{ run: string }, SavedFolder[], never>;
};
