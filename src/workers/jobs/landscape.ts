/**
 * Landscape jobs for the studio: open dropped checkpoints and data files (kept in the worker, so
 * hundreds of MB of weights never cross back to the UI thread), validate roles, and compute curves,
 * surfaces, trajectories and layer-wise curves with the same engine calls as `sensescape landscape`.
 * Progress carries the partial results (small: ≤ a few thousand numbers), so points appear as they
 * are computed; surfaces resume from a partial surface file.
 */
import type { LoadedCheckpoint } from '../../engine/bert/checkpoint';
import { parseGlueTsv } from '../../engine/io/glue';
import { blobSource, type ByteSource } from '../../engine/io/bytes';
import {
  checkResumable,
  countComputed,
  createSurface,
  parseSurface,
  serializeSurface,
  setPoint,
  type DirectionSpec,
  type SurfaceFile,
  type SurfaceSpec,
} from '../../engine/io/surfaceFile';
import { checkCompatibility, layerGroups, shapesOf } from '../../engine/landscape/compat';
import { computeCurve } from '../../engine/landscape/curve';
import { computeLayers } from '../../engine/landscape/layers';
import { loadOriginCheckpoint } from '../../engine/landscape/originCheckpoint';
import { disposeAll, LandscapeSession, prepareData, refOf, type DataOptions } from '../../engine/landscape/session';
import { computeSurfacePoints, pendingTasks } from '../../engine/landscape/surface';
import { computeTrajectory } from '../../engine/landscape/trajectory';
import { currentBackend } from '../../engine/tensor/backend';
import { InputError } from '../../engine/util/errors';
import { SOFTWARE_VERSION } from '../../engine/version';
import type { JobHandlers } from '../host';
import type { JobSpec } from '../protocol';

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

/** Where checkpoints and examples come from for one computation. */
export interface LandscapeInputs {
  origin: string;
  head?: string;
  data: string;
  split: string;
  maxExamples?: number;
  maxLength?: number;
  batchSize?: number;
}

export interface PointProgress<P> {
  done: number;
  total: number;
  pointsPerSecond: number;
  etaSeconds: number;
  partial: P;
}

export interface CurveData {
  alphas: number[];
  loss: (number | null)[];
  accuracy: (number | null)[];
  spec: Record<string, unknown>;
}

export interface LayersData {
  alphas: number[];
  groups: { name: string; parameters: number; loss: (number | null)[]; accuracy: (number | null)[] }[];
  spec: Record<string, unknown>;
}

export interface TrajectoryData {
  points: { checkpoint: string; alpha: number; beta: number; loss: number | null; accuracy: number | null }[];
  deltaNorm: number;
}

export type LandscapeJobs = {
  lsOpenCheckpoint: JobSpec<{ id: string; name: string; files: File[] }, CheckpointSummary, never>;
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
  /** Reads and validates a surface file (e.g. made by the CLI or merged from shards). */
  lsReadSurface: JobSpec<{ file: File }, SurfaceFile, never>;
  /** The surface file's JSON text and a long-format CSV (x, y, loss, accuracy). */
  lsExportSurface: JobSpec<{ surface: SurfaceFile }, { json: string; csv: string }, never>;
};

const checkpoints = new Map<string, LoadedCheckpoint>();
const datasets = new Map<string, { name: string; bytes: Uint8Array }>();

function checkpoint(id: string, role: string): LoadedCheckpoint {
  const c = checkpoints.get(id);
  if (!c) throw new InputError(`${role}: checkpoint ${id} is not loaded (drop it again)`);
  return c;
}

function headOf(c: LoadedCheckpoint, role: string): LoadedCheckpoint {
  if (!c.tensors.has('classifier.weight'))
    throw new InputError(
      `${c.name} (${role}) has no classification head (classifier.weight); choose a fine-tuned checkpoint as the head`,
    );
  return c;
}

/** The head an analysis evaluates with: the one named, else the fine-tuned checkpoint it moves toward. */
function headFor(inputs: { head?: string }, fallback: LoadedCheckpoint): LoadedCheckpoint {
  return headOf(inputs.head ? checkpoint(inputs.head, 'head') : fallback, 'head');
}

/** Origin, fine-tuned end and head of an origin → toward analysis (curve, trajectory, layers). */
function endpoints(inputs: { origin: string; toward: string; head?: string }) {
  const origin = checkpoint(inputs.origin, 'origin');
  const toward = checkpoint(inputs.toward, 'toward');
  return { origin, toward, head: headFor(inputs, toward) };
}

/** The studio's max length is a ceiling: it is clamped to what the head's position embeddings allow. */
function dataOptions(inputs: LandscapeInputs, head: LoadedCheckpoint): DataOptions {
  const maxLength = Math.min(inputs.maxLength ?? 128, head.config.maxPositionEmbeddings);
  return { split: inputs.split, maxExamples: inputs.maxExamples, maxLength, batchSize: inputs.batchSize ?? 16 };
}

async function prepare(inputs: LandscapeInputs, head: LoadedCheckpoint) {
  const data = datasets.get(inputs.data);
  if (!data) throw new InputError('no data file loaded (drop a GLUE-style TSV)');
  return prepareData(data.bytes, data.name, head, dataOptions(inputs, head));
}

/** Streams results: `tick` counts a point and forwards a progress report with the partial results. */
function pointProgress<P>(total: number, report: (p: PointProgress<P>) => void, partial: () => P) {
  const t0 = performance.now();
  let done = 0;
  return () => {
    done++;
    const seconds = (performance.now() - t0) / 1000;
    const rate = done / Math.max(seconds, 1e-9);
    report({ done, total, pointsPerSecond: rate, etaSeconds: (total - done) / rate, partial: partial() });
  };
}

const nullIfNaN = (v: number) => (Number.isNaN(v) ? null : v);

async function withSession<T>(
  origin: LoadedCheckpoint,
  head: LoadedCheckpoint,
  others: { role: string; ckpt: LoadedCheckpoint }[],
  run: (s: LandscapeSession) => Promise<T>,
): Promise<T> {
  const session = LandscapeSession.open(origin, head, others);
  try {
    return await run(session);
  } finally {
    session.dispose();
  }
}

export const landscapeHandlers: JobHandlers<LandscapeJobs> = {
  async lsOpenCheckpoint({ id, name, files }) {
    const sources = new Map<string, ByteSource>();
    for (const f of files) sources.set(f.name, blobSource(f, `${name}/${f.name}`));
    const ckpt = await loadOriginCheckpoint(sources, name);
    checkpoints.set(id, ckpt);
    let parameters = 0;
    for (const t of ckpt.tensors.values()) parameters += t.data.length;
    const cfg = ckpt.config;
    const labels = Array.from({ length: cfg.numLabels }, (_, k) => cfg.id2label?.[String(k)] ?? `LABEL_${k}`);
    return {
      id,
      name,
      files: files.map((f) => ({
        name: f.name,
        bytes: f.size,
        sha256: ckpt.weightFiles.find((w) => w.name === f.name)?.sha256,
      })),
      sha256: ckpt.sha256,
      dtype: ckpt.dtype,
      parameters,
      tensors: ckpt.tensors.size,
      layers: cfg.numHiddenLayers,
      hidden: cfg.hiddenSize,
      vocabSize: cfg.vocabSize,
      hasHead: ckpt.tensors.has('classifier.weight'),
      numLabels: cfg.numLabels,
      labels,
    };
  },

  async lsOpenData({ id, file }) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const table = parseGlueTsv(new TextDecoder('utf-8').decode(bytes), file.name);
    const counts = new Map<string, number>();
    for (const row of table.rows) counts.set(row.label, (counts.get(row.label) ?? 0) + 1);
    datasets.set(id, { name: file.name, bytes });
    return {
      id,
      name: file.name,
      bytes: bytes.byteLength,
      task: table.task,
      rows: table.rows.length,
      labels: [...counts],
    };
  },

  async lsReadSurface({ file }) {
    return parseSurface(await file.text(), file.name);
  },

  async lsExportSurface({ surface }) {
    const rows = ['x,y,loss,accuracy'];
    surface.y.forEach((y, j) =>
      surface.x.forEach((x, i) =>
        rows.push(`${x},${y},${surface.values.loss[j][i] ?? ''},${surface.values.accuracy[j][i] ?? ''}`),
      ),
    );
    return { json: serializeSurface(surface, 1), csv: `${rows.join('\n')}\n` };
  },

  async lsForget({ ids }) {
    let n = 0;
    for (const id of ids) n += Number(checkpoints.delete(id)) + Number(datasets.delete(id));
    return { forgotten: n };
  },

  async lsValidate({ origin, head, others }) {
    const o = checkpoint(origin, 'origin');
    const h = headOf(checkpoint(head, 'head'), 'head');
    const rest = others.map(({ role, id }) => ({ role, ckpt: checkpoint(id, role) }));
    return { moving: checkCompatibility(o, h, shapesOf(h), rest).length };
  },

  async lsCurve(inputs, ctx) {
    const { origin, toward, head } = endpoints(inputs);
    const data = await prepare(inputs, head);
    const alphas = [...inputs.alphas];
    const partial: CurveData = {
      alphas,
      loss: alphas.map(() => null),
      accuracy: alphas.map(() => null),
      spec: {
        analysis: 'curve',
        origin: refOf(origin),
        toward: refOf(toward),
        head: refOf(head),
        data: data.spec,
        backend: currentBackend()?.backend,
        software: `sensescape ${SOFTWARE_VERSION}`,
      },
    };
    const tick = pointProgress(alphas.length, ctx.progress, () => partial);
    return withSession(origin, head, [{ role: 'toward', ckpt: toward }], async (session) => {
      const delta = session.directionTo(toward);
      try {
        await computeCurve(session.context(data.batches, ctx.token), delta, alphas, {
          onPoint: (k, r) => {
            partial.loss[k] = r.loss;
            partial.accuracy[k] = nullIfNaN(r.accuracy);
            tick();
          },
        });
        return partial;
      } finally {
        disposeAll(delta);
      }
    });
  },

  async lsSurface(inputs, ctx) {
    const origin = checkpoint(inputs.origin, 'origin');
    const xCkpt = checkpoint(inputs.x, 'x');
    const yCkpt = inputs.y === 'random' ? undefined : checkpoint(inputs.y, 'y');
    const head = headFor(inputs, xCkpt);
    const data = await prepare(inputs, head);
    const seed = inputs.seed ?? 0;
    const direction = (c: LoadedCheckpoint | undefined, s: number): DirectionSpec =>
      c
        ? { kind: 'checkpoint', checkpoint: refOf(c) }
        : { kind: 'random', seed: s, normalize: inputs.normalize ?? 'filter', ignore: inputs.ignore ?? 'bias-ln' };
    const spec: SurfaceSpec = {
      analysis: 'surface',
      origin: refOf(origin),
      head: refOf(head),
      x: direction(xCkpt, seed + 1),
      y: direction(yCkpt, seed),
      data: data.spec,
      grid: inputs.grid,
      software: `sensescape ${SOFTWARE_VERSION}`,
    };
    let file: SurfaceFile;
    if (inputs.resume) {
      checkResumable(inputs.resume, spec, 'the saved partial surface');
      file = inputs.resume;
    } else file = createSurface(spec);
    file.provenance = {
      ...(file.provenance ?? {}),
      backend: currentBackend()?.backend ?? 'unknown',
      computedBy: 'sensescape app',
    };
    const tasks = pendingTasks(file);
    const tick = pointProgress(tasks.length, ctx.progress, () => file);
    const others = [{ role: 'x', ckpt: xCkpt }, ...(yCkpt ? [{ role: 'y', ckpt: yCkpt }] : [])];
    return withSession(origin, head, others, async (session) => {
      const d1 = session.direction(spec.x, xCkpt);
      let d2;
      try {
        d2 = session.direction(spec.y, yCkpt);
        await computeSurfacePoints(session.context(data.batches, ctx.token), [d1, d2], tasks, {
          onPoint: (t, r) => {
            setPoint(file, t.i, t.j, r.loss, Number.isNaN(r.accuracy) ? Number.NaN : r.accuracy);
            tick();
          },
        });
        file.provenance = { ...file.provenance, computed: countComputed(file) };
        return file;
      } finally {
        disposeAll(d1, d2);
      }
    });
  },

  async lsTrajectory(inputs, ctx) {
    const { origin, toward, head } = endpoints(inputs);
    const ckpts = inputs.checkpoints.map((id, k) => checkpoint(id, `trajectory checkpoint ${k + 1}`));
    const data = await prepare(inputs, head);
    const tick = pointProgress(ckpts.length, ctx.progress, () => null);
    const others = [
      { role: 'toward', ckpt: toward },
      ...ckpts.map((ckpt) => ({ role: 'trajectory checkpoint', ckpt })),
    ];
    return withSession(origin, head, others, async (session) => {
      const delta = session.directionTo(toward);
      try {
        const r = await computeTrajectory(session.context(data.batches, ctx.token), delta, ckpts, {
          evaluate: true,
          head,
          origin,
          toward,
          onProgress: (p) => {
            if (p.done > 0) tick();
          },
        });
        return {
          deltaNorm: r.deltaNorm,
          points: r.points.map((p) => ({
            checkpoint: p.checkpoint,
            alpha: p.alpha,
            beta: p.beta,
            loss: p.loss,
            accuracy: p.accuracy === null ? null : nullIfNaN(p.accuracy),
          })),
        };
      } finally {
        disposeAll(delta);
      }
    });
  },

  async lsLayers(inputs, ctx) {
    const { origin, toward, head } = endpoints(inputs);
    const data = await prepare(inputs, head);
    const alphas = [...inputs.alphas];
    return withSession(origin, head, [{ role: 'toward', ckpt: toward }], async (session) => {
      const groups = layerGroups(session.names);
      const partial: LayersData = {
        alphas,
        groups: groups.map((g) => ({
          name: g.name,
          parameters: 0,
          loss: alphas.map(() => null),
          accuracy: alphas.map(() => null),
        })),
        spec: {
          analysis: 'layers',
          origin: refOf(origin),
          toward: refOf(toward),
          head: refOf(head),
          data: data.spec,
          software: `sensescape ${SOFTWARE_VERSION}`,
        },
      };
      const tick = pointProgress(groups.length * alphas.length, ctx.progress, () => partial);
      const delta = session.directionTo(toward);
      try {
        const r = await computeLayers(session.context(data.batches, ctx.token), toward, delta, alphas, {
          onPoint: (group, index, loss, accuracy) => {
            const g = partial.groups.find((x) => x.name === group);
            if (g) {
              g.loss[index] = loss;
              g.accuracy[index] = nullIfNaN(accuracy);
            }
            tick();
          },
        });
        for (const g of r.groups) {
          const target = partial.groups.find((x) => x.name === g.name);
          if (target) target.parameters = g.parameters;
        }
        return partial;
      } finally {
        disposeAll(delta);
      }
    });
  },
};
