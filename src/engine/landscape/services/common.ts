/**
 * What every landscape service shares: the hooks a caller passes (progress, cancel), the session
 * each analysis runs in (opened, validated and disposed here, not by the callers), and the small
 * conversions of results into their JSON shape. The CLI verbs and the worker handlers call the
 * services in this folder and nothing below them, so the two cannot drift.
 */
import type { LoadedCheckpoint } from '../../bert/checkpoint';
import type { EncodedBatch } from '../../bert/data';
import { currentBackend } from '../../tensor/backend';
import type { CancelToken } from '../../util/cancel';
import type { ProgressSink } from '../../util/progress';
import { SOFTWARE_VERSION } from '../../version';
import { LandscapeSession } from '../session';

/** What a caller gives every service besides its request. */
export interface ServiceHooks {
  /** Reports done/total with rate and ETA (one {@link Progress} per point). */
  onProgress?: ProgressSink;
  token?: CancelToken;
  /** Opens the session instead of the one-thread LandscapeSession where it returns one (the Node CLI's worker replicas). */
  openSession?: SessionOpener;
}

/** What an analysis needs of its session: LandscapeSession has it, and so does the Node CLI's plane session. */
export type AnalysisSession = Pick<LandscapeSession, 'names' | 'context' | 'directionTo' | 'direction'> & {
  dispose(): void | Promise<void>;
};

/** What a session is opened for: the checkpoints, those δ is taken toward, and every dataset's batches. */
export interface SessionRequest {
  origin: LoadedCheckpoint;
  head: LoadedCheckpoint;
  others: readonly { role: string; ckpt: LoadedCheckpoint }[];
  directions: readonly LoadedCheckpoint[];
  /** How many seeded random directions the analysis draws (on θ0, so on a session holding it). */
  randomDirections: number;
  batches: readonly (readonly EncodedBatch[])[];
}

/** Opens a session for a request, or returns null for the default (LandscapeSession.open). */
export type SessionOpener = (req: SessionRequest) => Promise<AnalysisSession | null>;

/** Streams the partial result after each point (the same object, mutated; copy it if you keep it). */
export interface PartialHooks<P> extends ServiceHooks {
  onPartial?: (partial: P) => void;
}

/** The software tag recorded in every spec. */
export const SOFTWARE = `sensescape ${SOFTWARE_VERSION}`;

/** The tfjs backend in use, for provenance. */
export const backendName = (): string => currentBackend()?.backend ?? 'unknown';

/** NaN (no accuracy for regression; not yet computed) as null, for JSON. */
export const nullIfNaN = (v: number): number | null => (Number.isNaN(v) ? null : v);

/**
 * Opens a session (validating every checkpoint against the origin and head, naming mismatches),
 * runs `run` in it and disposes it whatever happens.
 */
export async function withAnalysisSession<T>(
  req: SessionRequest,
  open: SessionOpener | undefined,
  run: (s: AnalysisSession) => Promise<T>,
): Promise<T> {
  const session = (await open?.(req)) ?? LandscapeSession.open(req.origin, req.head, req.others);
  try {
    return await run(session);
  } finally {
    await session.dispose();
  }
}

/** {@link withAnalysisSession} with the one-thread LandscapeSession and all of its operations. */
export async function withSession<T>(
  origin: LoadedCheckpoint,
  head: LoadedCheckpoint,
  others: readonly { role: string; ckpt: LoadedCheckpoint }[],
  run: (s: LandscapeSession) => Promise<T>,
): Promise<T> {
  const session = LandscapeSession.open(origin, head, others);
  try {
    return await run(session);
  } finally {
    session.dispose();
  }
}
