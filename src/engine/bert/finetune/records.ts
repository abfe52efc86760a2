/** The records a fine-tuning run writes and resumes from (shared by finetune.ts and resume.ts). */

/** One line of `log.jsonl`: an update (`loss`, the `lr` it used, ‖g‖ before clipping) or a dev evaluation. */
export type LogEntry =
  | { step: number; loss: number; lr: number; grad_norm: number }
  | { step: number; dev_loss: number; dev_accuracy: number | null };

/** A run's state at a saved step (resume.ts reads it from a checkpoint folder). */
export interface ResumeState {
  step: number;
  /** F32 parameters by normalised name. */
  params: Map<string, Float32Array>;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
  log: LogEntry[];
  /** The data-parallel gradient replicas the run used (`trainer_state.json`'s `gradient_replicas`; absent in older folders). */
  gradientReplicas?: number;
}
