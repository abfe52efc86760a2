/**
 * The surface file: one JSON document holding a 2-D loss landscape and everything needed to reproduce
 * it — checkpoint SHA-256s, data file SHA-256, split, examples, directions, normalisation, seed, grid and
 * software version — with values row-major, `values.loss[j][i]` at (x_i, y_j), and `null` for points
 * not computed yet. Partial files resume; shards with the same spec merge; different specs refuse to
 * merge, naming the field that differs. A diverged point is stored as the string "NaN"/"Infinity"/
 * "-Infinity" (JSON has no non-finite numbers) and read back as the number. Reading validates every
 * number (docs/landscape.md, "Surface file"): losses ≥ 0, accuracies in [0, 1], grids with
 * min < max, coordinates equal to what the grid implies.
 *
 * Pure TS (browser and Node): reading and writing the bytes is the caller's job.
 */
import { InputError } from '../util/errors';

export const SURFACE_FORMAT = 'sensescape-surface';
export const SURFACE_FORMAT_VERSION = 1;

/** A checkpoint by display name and SHA-256 of its weights. */
export interface CheckpointRef {
  name: string;
  sha256: string;
}

/** A direction: θ_k − θ0 for a checkpoint, or a seeded normalised Gaussian (Li et al.). */
export type DirectionSpec =
  | { kind: 'checkpoint'; checkpoint: CheckpointRef }
  | { kind: 'random'; seed: number; normalize: 'filter' | 'layer' | 'none'; ignore: 'bias-ln' | 'none' };

/** The examples every point is evaluated on. */
export interface DataSpec {
  /** File name (not the path, so files computed on different machines merge). */
  file: string;
  sha256: string;
  split: string;
  /** Number of examples actually evaluated. */
  examples: number;
  maxExamples: number | null;
  sample: number | null;
  seed: number | null;
  maxLength: number;
}

export interface AxisSpec {
  min: number;
  max: number;
  n: number;
}

/** Everything that determines the values. Two files merge only when their specs are equal. */
export interface SurfaceSpec {
  analysis: 'surface';
  origin: CheckpointRef;
  /** Where the fixed (non-moving) parameters, i.e. the task head, come from. */
  head: CheckpointRef;
  x: DirectionSpec;
  y: DirectionSpec;
  data: DataSpec;
  grid: { x: AxisSpec; y: AxisSpec };
  /** Software that computed it, e.g. "sensescape 0.1.0". */
  software: string;
}

/** Values: [ny][nx]; null = not computed; NaN/±Infinity = diverged. */
export type Grid = (number | null)[][];

export interface SurfaceFile {
  format: typeof SURFACE_FORMAT;
  version: typeof SURFACE_FORMAT_VERSION;
  spec: SurfaceSpec;
  /** x_i, i = 0…nx−1. */
  x: number[];
  /** y_j, j = 0…ny−1. */
  y: number[];
  values: { loss: Grid; accuracy: Grid };
  /** Informational, never compared: backend, shards merged, timings. */
  provenance?: Record<string, unknown>;
}

/** Axis coordinates min + k·(max − min)/(n − 1) (n = 1 gives [min]). */
export function axisCoordinates(a: AxisSpec): number[] {
  if (a.n === 1) return [a.min];
  return Array.from({ length: a.n }, (_, k) => (k === a.n - 1 ? a.max : a.min + (k * (a.max - a.min)) / (a.n - 1)));
}

/** An empty (all-null) surface for a spec. */
export function createSurface(spec: SurfaceSpec, provenance?: Record<string, unknown>): SurfaceFile {
  const nx = spec.grid.x.n;
  const ny = spec.grid.y.n;
  const empty = (): Grid => Array.from({ length: ny }, () => new Array<number | null>(nx).fill(null));
  return {
    format: SURFACE_FORMAT,
    version: SURFACE_FORMAT_VERSION,
    spec,
    x: axisCoordinates(spec.grid.x),
    y: axisCoordinates(spec.grid.y),
    values: { loss: empty(), accuracy: empty() },
    ...(provenance ? { provenance } : {}),
  };
}

/** Stores the result of point (i, j). */
export function setPoint(file: SurfaceFile, i: number, j: number, loss: number, accuracy: number): void {
  file.values.loss[j][i] = loss;
  file.values.accuracy[j][i] = accuracy;
}

/** Number of computed points (non-null loss). */
export function countComputed(file: SurfaceFile): number {
  let n = 0;
  for (const row of file.values.loss) for (const v of row) if (v !== null) n++;
  return n;
}

/** True when every point is computed. */
export function isComplete(file: SurfaceFile): boolean {
  return countComputed(file) === file.spec.grid.x.n * file.spec.grid.y.n;
}

const encodeValue = (v: number | null): number | string | null =>
  v === null ? null : Number.isFinite(v) ? v : String(v);

/** The JSON text of a surface file (non-finite values as strings). */
export function serializeSurface(file: SurfaceFile, indent = 0): string {
  const out = {
    ...file,
    values: {
      loss: file.values.loss.map((r) => r.map(encodeValue)),
      accuracy: file.values.accuracy.map((r) => r.map(encodeValue)),
    },
  };
  if (indent === 0) return JSON.stringify(out);
  // Keep each grid row on one line so big files stay readable.
  const rows = (g: unknown[][]) => `[\n${g.map((r) => `      ${JSON.stringify(r)}`).join(',\n')}\n    ]`;
  const head = JSON.stringify({ ...out, values: '__VALUES__' }, null, indent);
  return head.replace(
    '"__VALUES__"',
    `{\n    "loss": ${rows(out.values.loss)},\n    "accuracy": ${rows(out.values.accuracy)}\n  }`,
  );
}

/** Parses and validates a surface file; every problem is one line naming the file and the part. */
export function parseSurface(text: string, fileName: string): SurfaceFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${fileName}: not JSON (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
  return validateSurface(json, fileName);
}

/** Most points per axis (as `--grid` allows). */
export const MAX_AXIS_POINTS = 10_000;
/** Coordinates must equal the spec's to this relative tolerance (of max(1, |min|, |max|)). */
export const COORD_TOLERANCE = 1e-9;

/**
 * One stored value: null (not computed); a loss is a finite number ≥ 0 or the string "NaN" or
 * "Infinity" (a diverged point); an accuracy is a number in [0, 1] or "NaN" (a regression task or a
 * diverged point). A JSON number that overflows (1e999) is refused: non-finite values are strings.
 */
function readValue(
  key: 'loss' | 'accuracy',
  v: unknown,
  part: string,
  fail: (part: string, msg: string) => never,
): number | null {
  if (v === null) return null;
  if (typeof v === 'number') {
    if (!Number.isFinite(v))
      return fail(
        part,
        'overflows to a non-finite number (a diverged point is written as the string "NaN"/"Infinity")',
      );
    if (key === 'loss' && v < 0) return fail(part, `is ${v}, but a loss is ≥ 0`);
    if (key === 'accuracy' && !(v >= 0 && v <= 1)) return fail(part, `is ${v}, but an accuracy lies in [0, 1]`);
    return v;
  }
  if (v === 'NaN' || (key === 'loss' && v === 'Infinity')) return Number(v);
  return fail(
    part,
    `is ${JSON.stringify(v).slice(0, 40)}, not ${key === 'loss' ? 'a number ≥ 0, "NaN", "Infinity"' : 'a number in [0, 1], "NaN"'} or null`,
  );
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Validates a parsed JSON value as a surface file (decoding "NaN"/"Infinity" strings). */
export function validateSurface(json: unknown, fileName: string): SurfaceFile {
  const fail = (part: string, msg: string): never => {
    throw new InputError(`${fileName}: ${part} ${msg}`);
  };
  if (!isObj(json)) fail('document', 'is not a JSON object');
  const doc = json as Record<string, unknown>;
  if (doc.format !== SURFACE_FORMAT)
    fail('format', `is ${JSON.stringify(doc.format)}, expected "${SURFACE_FORMAT}" (not a surface file?)`);
  if (doc.version !== SURFACE_FORMAT_VERSION)
    fail(
      'version',
      `${JSON.stringify(doc.version)} is not supported (this build reads version ${SURFACE_FORMAT_VERSION})`,
    );
  const spec = doc.spec;
  if (!isObj(spec)) fail('spec', 'is missing or not an object');
  const s = spec as Record<string, unknown>;
  if (s.analysis !== 'surface') fail('spec.analysis', `is ${JSON.stringify(s.analysis)}, expected "surface"`);
  const ref = (v: unknown, part: string) => {
    if (!isObj(v) || typeof v.name !== 'string' || typeof v.sha256 !== 'string') fail(part, 'must be {name, sha256}');
  };
  ref(s.origin, 'spec.origin');
  ref(s.head, 'spec.head');
  for (const axis of ['x', 'y'] as const) {
    const d = s[axis];
    const part = `spec.${axis}`;
    if (!isObj(d)) fail(part, 'is missing');
    const dd = d as Record<string, unknown>;
    if (dd.kind === 'checkpoint') ref(dd.checkpoint, `${part}.checkpoint`);
    else if (dd.kind === 'random') {
      if (!Number.isInteger(dd.seed)) fail(`${part}.seed`, 'must be an integer');
      if (!['filter', 'layer', 'none'].includes(dd.normalize as string))
        fail(`${part}.normalize`, 'must be filter, layer or none');
      if (!['bias-ln', 'none'].includes(dd.ignore as string)) fail(`${part}.ignore`, 'must be bias-ln or none');
    } else fail(`${part}.kind`, 'must be "checkpoint" or "random"');
  }
  const data = s.data;
  if (!isObj(data)) fail('spec.data', 'is missing');
  const dt = data as Record<string, unknown>;
  if (typeof dt.file !== 'string' || typeof dt.sha256 !== 'string' || typeof dt.split !== 'string')
    fail('spec.data', 'needs file, sha256 and split strings');
  if (!Number.isInteger(dt.examples) || (dt.examples as number) < 1)
    fail('spec.data.examples', 'must be a positive integer');
  const grid = s.grid;
  if (!isObj(grid)) fail('spec.grid', 'is missing');
  const g = grid as Record<string, unknown>;
  for (const axis of ['x', 'y'] as const) {
    const a = g[axis];
    if (
      !isObj(a) ||
      !Number.isFinite(a.min) ||
      !Number.isFinite(a.max) ||
      !Number.isInteger(a.n) ||
      (a.n as number) < 1 ||
      (a.n as number) > MAX_AXIS_POINTS
    )
      fail(`spec.grid.${axis}`, `must be {min, max, n} with finite min, max and 1 ≤ n ≤ ${MAX_AXIS_POINTS}`);
    const ax = a as unknown as AxisSpec;
    if (ax.n > 1 ? !(ax.max > ax.min) : !(ax.max >= ax.min))
      fail(`spec.grid.${axis}`, `has min ${ax.min} and max ${ax.max}: max must be greater than min`);
  }
  if (typeof s.software !== 'string') fail('spec.software', 'must be a string');
  const nx = (g.x as AxisSpec).n;
  const ny = (g.y as AxisSpec).n;
  const coords = (v: unknown, axis: AxisSpec, part: string): number[] => {
    const n = axis.n;
    if (!Array.isArray(v) || v.length !== n || !v.every((c) => typeof c === 'number' && Number.isFinite(c)))
      fail(part, `must be ${n} finite numbers (spec.grid)`);
    const want = axisCoordinates(axis);
    const tol = COORD_TOLERANCE * Math.max(1, Math.abs(axis.min), Math.abs(axis.max));
    (v as number[]).forEach((c, k) => {
      if (!(Math.abs(c - want[k]) <= tol))
        fail(`${part}[${k}]`, `is ${c}, but spec.grid.${part} implies ${want[k]} (min + k·(max − min)/(n − 1))`);
    });
    return v as number[];
  };
  const x = coords(doc.x, g.x as AxisSpec, 'x');
  const y = coords(doc.y, g.y as AxisSpec, 'y');
  const values = doc.values;
  if (!isObj(values)) fail('values', 'is missing');
  const grids = {} as { loss: Grid; accuracy: Grid };
  for (const key of ['loss', 'accuracy'] as const) {
    const rows = (values as Record<string, unknown>)[key];
    if (!Array.isArray(rows) || rows.length !== ny) fail(`values.${key}`, `must have ${ny} rows (one per y)`);
    grids[key] = (rows as unknown[]).map((row, j) => {
      if (!Array.isArray(row) || row.length !== nx) fail(`values.${key}[${j}]`, `must have ${nx} values (one per x)`);
      return (row as unknown[]).map((v, i) => readValue(key, v, `values.${key}[${j}][${i}]`, fail));
    });
  }
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      if ((grids.loss[j][i] === null) !== (grids.accuracy[j][i] === null))
        fail(`values[${j}][${i}]`, 'has loss without accuracy or accuracy without loss');
    }
  }
  const file: SurfaceFile = {
    format: SURFACE_FORMAT,
    version: SURFACE_FORMAT_VERSION,
    spec: spec as unknown as SurfaceSpec,
    x,
    y,
    values: grids,
  };
  if (isObj(doc.provenance)) file.provenance = doc.provenance;
  return file;
}

/**
 * The first difference between two specs as "spec.data.sha256 (a… vs b…)", or null when equal.
 * Numbers compare exactly; objects compare key by key (missing and extra keys count).
 */
export function specDifference(a: unknown, b: unknown, path = 'spec'): string | null {
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const d = specDifference(a[k], b[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path} (length ${a.length} vs ${b.length})`;
    for (let k = 0; k < a.length; k++) {
      const d = specDifference(a[k], b[k], `${path}[${k}]`);
      if (d) return d;
    }
    return null;
  }
  if (a === b) return null;
  const show = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v).slice(0, 80));
  return `${path} (${show(a)} vs ${show(b)})`;
}

/** Raised when files cannot be merged; the message says why. */
export class SurfaceMergeError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'SurfaceMergeError';
  }
}

/**
 * Checks that `resume` can continue a computation of `spec` (same spec, field by field).
 * @throws SurfaceMergeError naming the differing field.
 */
export function checkResumable(resume: SurfaceFile, spec: SurfaceSpec, resumeName: string): void {
  const diff = specDifference(withoutSoftware(resume.spec), withoutSoftware(spec));
  if (diff) throw new SurfaceMergeError(`${resumeName}: cannot resume, its spec differs from this run: ${diff}`);
}

// The software version is recorded, and compared when merging; resuming a file with a newer build is allowed.
function withoutSoftware(spec: SurfaceSpec): Omit<SurfaceSpec, 'software'> {
  const { software: _software, ...rest } = spec;
  return rest;
}

/** Relative tolerance under which two computed values of the same point count as the same. */
export const MERGE_TOLERANCE = 1e-5;

function sameValue(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= MERGE_TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Merges surfaces with equal specs into a new file: the union of their computed points. A point
 * computed in several files must agree (to {@link MERGE_TOLERANCE}); the first file's value is kept.
 * @throws SurfaceMergeError for different specs (naming the field) or conflicting values (naming the point).
 */
export function mergeSurfaces(files: readonly { name: string; file: SurfaceFile }[]): SurfaceFile {
  if (files.length === 0) throw new SurfaceMergeError('merge needs at least one surface file');
  const first = files[0];
  const out = createSurface(first.file.spec);
  const sources: string[] = [];
  for (const { name, file } of files) {
    const diff = specDifference(first.file.spec, file.spec);
    if (diff) throw new SurfaceMergeError(`${name}: cannot merge with ${first.name}, specs differ: ${diff}`);
    for (let j = 0; j < file.y.length; j++) {
      for (let i = 0; i < file.x.length; i++) {
        const loss = file.values.loss[j][i];
        const acc = file.values.accuracy[j][i];
        if (loss === null || acc === null) continue;
        const have = out.values.loss[j][i];
        const haveAcc = out.values.accuracy[j][i];
        if (have !== null && haveAcc !== null) {
          if (!sameValue(have, loss) || !sameValue(haveAcc, acc)) {
            throw new SurfaceMergeError(
              `${name}: point (x=${file.x[i]}, y=${file.y[j]}) has loss ${loss}, accuracy ${acc}, but an earlier file has ${have}, ${haveAcc}`,
            );
          }
          continue;
        }
        setPoint(out, i, j, loss, acc);
      }
    }
    sources.push(name);
  }
  out.provenance = { ...(first.file.provenance ?? {}), mergedFrom: sources };
  return out;
}
