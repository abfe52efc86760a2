/**
 * Starts the compute worker (a dedicated module worker) and returns the typed client for it.
 * One worker per page; `rungs` restricts the backend ladder (e.g. to test a fallback).
 */
import { WorkerClient } from './client';
import type { ComputeJobs } from './computeJobs';

export function startComputeWorker(rungs?: readonly string[]): WorkerClient<ComputeJobs> {
  const name = `sensescape-compute${rungs && rungs.length > 0 ? `?rungs=${rungs.join(',')}` : ''}`;
  const worker = new Worker(new URL('./compute.worker.ts', import.meta.url), { type: 'module', name });
  return new WorkerClient<ComputeJobs>(worker);
}
