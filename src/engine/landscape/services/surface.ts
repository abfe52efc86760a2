/**
 * The 2-D surface service: the spec of a surface (what determines its values), and computing its
 * points into a surface file — coarse-to-fine, skipping what a resumed file already holds, restricted
 * to a shard when asked, streaming each point, and saving through `onSave` every few seconds and
 * once more when the run ends (complete, cancelled or failed), so a partial file always resumes.
 * Also the plain list mode (`--points`). Called by `sensescape landscape surface` and the studio.
 */
import type { LoadedCheckpoint } from '../../bert/checkpoint';
import { now } from '../../util/cancel';
import {
  checkResumable,
  createSurface,
  setPoint,
  type AxisSpec,
  type DirectionSpec,
  type SurfaceFile,
  type SurfaceSpec,
} from '../../io/surfaceFile';
import type { IgnoreMode, Normalization } from '../directions';
import { disposeAll, refOf, type PreparedData } from '../session';
import { computeSurfacePoints, pendingTasks } from '../surface';
import {
  backendName,
  nullIfNaN,
  SOFTWARE,
  withAnalysisSession,
  type ServiceHooks,
  type SessionRequest,
} from './common';

export interface SurfaceRequest {
  origin: LoadedCheckpoint;
  head: LoadedCheckpoint;
  /** d1 = θ_x − θ0, or null for a seeded random direction (seed + 1). */
  x: LoadedCheckpoint | null;
  /** d2 = θ_y − θ0, or null for a seeded random direction (seed). */
  y: LoadedCheckpoint | null;
  data: PreparedData;
  /** Seed of random directions (y: seed, x: seed + 1). */
  seed: number;
  normalize: Normalization;
  ignore: IgnoreMode;
}

/** The direction specs of a request: checkpoints by reference, random ones by seed (y: seed, x: seed + 1). */
export function directionSpecs(req: SurfaceRequest): { x: DirectionSpec; y: DirectionSpec } {
  const spec = (c: LoadedCheckpoint | null, seed: number): DirectionSpec =>
    c
      ? { kind: 'checkpoint', checkpoint: refOf(c) }
      : { kind: 'random', seed, normalize: req.normalize, ignore: req.ignore };
  return { x: spec(req.x, req.seed + 1), y: spec(req.y, req.seed) };
}

/** Everything that determines the values of the surface over `grid`. */
export function surfaceSpec(req: SurfaceRequest, grid: { x: AxisSpec; y: AxisSpec }): SurfaceSpec {
  return {
    analysis: 'surface',
    origin: refOf(req.origin),
    head: refOf(req.head),
    ...directionSpecs(req),
    data: req.data.spec,
    grid: { x: grid.x, y: grid.y },
    software: SOFTWARE,
  };
}

/**
 * A new surface file for the request, or `resume` after checking that it was computed with the same
 * spec (a SurfaceMergeError names the field that differs).
 */
export function startSurface(
  req: SurfaceRequest,
  grid: { x: AxisSpec; y: AxisSpec },
  resume?: { file: SurfaceFile; name: string },
): SurfaceFile {
  const spec = surfaceSpec(req, grid);
  if (!resume) return createSurface(spec);
  checkResumable(resume.file, spec, resume.name);
  return resume.file;
}

export interface SurfaceHooks extends ServiceHooks {
  /** After each point, with the file holding it. */
  onPoint?: (file: SurfaceFile) => void;
  /** Saves the file: every `saveEveryMs` while computing and once when the run ends, however it ends. */
  onSave?: (file: SurfaceFile) => Promise<void>;
  saveEveryMs?: number;
}

function others(req: SurfaceRequest): { role: string; ckpt: LoadedCheckpoint }[] {
  return [...(req.x ? [{ role: 'x', ckpt: req.x }] : []), ...(req.y ? [{ role: 'y', ckpt: req.y }] : [])];
}

/** What the session is opened for. */
function sessionRequest(req: SurfaceRequest): SessionRequest {
  const dirs = [req.x, req.y];
  return {
    origin: req.origin,
    head: req.head,
    others: others(req),
    directions: dirs.filter((d): d is LoadedCheckpoint => d !== null),
    randomDirections: dirs.filter((d) => d === null).length,
    batches: [req.data.batches],
  };
}

/**
 * Computes the points of `file` (from {@link startSurface}) not yet computed, restricted to shard I/N
 * when given. The backend and `provenance` are recorded in the file. Returns the file; throws the
 * CancelledError of a cancelled run after the final save.
 */
export async function runSurface(
  req: SurfaceRequest,
  file: SurfaceFile,
  opts: { shard?: { index: number; count: number }; provenance?: Record<string, unknown> } = {},
  hooks: SurfaceHooks = {},
): Promise<SurfaceFile> {
  file.provenance = { ...(file.provenance ?? {}), backend: backendName(), ...(opts.provenance ?? {}) };
  const specs = directionSpecs(req);
  const tasks = pendingTasks(file, opts.shard);
  return withAnalysisSession(sessionRequest(req), hooks.openSession, async (session) => {
    const d1 = session.direction(specs.x, req.x ?? undefined);
    let d2;
    let lastSave = now();
    try {
      d2 = session.direction(specs.y, req.y ?? undefined);
      await computeSurfacePoints(session.context(req.data.batches, hooks.token), [d1, d2], tasks, {
        onProgress: hooks.onProgress,
        async onPoint(t, r) {
          setPoint(file, t.i, t.j, r.loss, r.accuracy);
          hooks.onPoint?.(file);
          if (hooks.onSave && now() - lastSave > (hooks.saveEveryMs ?? 2000)) {
            lastSave = now();
            await hooks.onSave(file);
          }
        },
      });
      return file;
    } finally {
      disposeAll(d1, d2);
      await hooks.onSave?.(file);
    }
  });
}

/** The points still to compute in `file` (shard I/N when given). */
export function pendingCount(file: SurfaceFile, shard?: { index: number; count: number }): number {
  return pendingTasks(file, shard).length;
}

/** J at listed (x, y) points, in order (no file). */
export async function runSurfacePoints(
  req: SurfaceRequest,
  points: readonly { x: number; y: number }[],
  hooks: ServiceHooks = {},
): Promise<{ x: number; y: number; loss: number; accuracy: number | null }[]> {
  const specs = directionSpecs(req);
  return withAnalysisSession(sessionRequest(req), hooks.openSession, async (session) => {
    const d1 = session.direction(specs.x, req.x ?? undefined);
    let d2;
    try {
      d2 = session.direction(specs.y, req.y ?? undefined);
      const tasks = points.map((p, k) => ({ i: k, j: 0, x: p.x, y: p.y }));
      const r = await computeSurfacePoints(session.context(req.data.batches, hooks.token), [d1, d2], tasks, {
        onProgress: hooks.onProgress,
      });
      return points.map((p, k) => ({ x: p.x, y: p.y, loss: r[k].loss, accuracy: nullIfNaN(r[k].accuracy) }));
    } finally {
      disposeAll(d1, d2);
    }
  });
}
