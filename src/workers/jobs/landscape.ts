/**
 * Landscape jobs for the studio: open dropped checkpoints and data files (kept in the worker, so
 * hundreds of MB of weights never cross back to the UI thread), validate roles, and run the engine's
 * landscape services (engine/landscape/services/ — the same calls as `sensescape landscape`) on them.
 * A handler only resolves ids to loaded inputs and forwards the service's progress with the partial
 * result (small: ≤ a few thousand numbers), so points appear as they are computed.
 */
import type { LoadedCheckpoint } from '../../engine/bert/checkpoint';
import { parseGlueTsv } from '../../engine/io/glue';
import { blobSource, type ByteSource } from '../../engine/io/bytes';
import { countComputed, parseSurface, serializeSurface } from '../../engine/io/surfaceFile';
import { checkCompatibility, shapesOf, type ShapedCheckpoint } from '../../engine/landscape/compat';
import { loadOriginCheckpoint } from '../../engine/landscape/originCheckpoint';
import { runCurve } from '../../engine/landscape/services/curve';
import { localPlaneOpener } from '../../engine/landscape/planeSession';
import { runLayers } from '../../engine/landscape/services/layers';
import { runSenses } from '../../engine/landscape/services/senses';
import { senseTaskFromTexts } from '../../engine/landscape/senseData';
import { runSurface, startSurface, type SurfaceRequest } from '../../engine/landscape/services/surface';
import { runTrajectory } from '../../engine/landscape/services/trajectory';
import { prepareData, type DataOptions } from '../../engine/landscape/session';
import { InputError } from '../../engine/util/errors';
import type { Progress } from '../../engine/util/progress';
import type { LandscapeInputs, LandscapeJobs, PointProgress } from '../contracts/landscape';
import type { JobHandlers } from '../host';
import {
  checkpoint,
  checkpointShapes,
  forgetCheckpoint,
  holdCheckpoint,
  keepCheckpoint,
  parametersOf,
} from './heldCheckpoints';
import { loadedWord2Sense } from './senses';

const datasets = new Map<string, { name: string; bytes: Uint8Array }>();

/** The opened data file `id` (its name and bytes; also used by jobs/finetune.ts and jobs/curvature.ts). */
export function dataFile(id: string): { name: string; bytes: Uint8Array } {
  const d = datasets.get(id);
  if (!d) throw new InputError('no data file loaded (drop a GLUE-style TSV)');
  return d;
}

function headOf<C extends ShapedCheckpoint>(c: C, role: string): C {
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

/**
 * Reads checkpoint `name` from its dropped files (again, when an F16 hold goes back to F32). A closure
 * of its own: one made inside the handler would share the handler's scope, and with it keep the
 * loaded F32 tensors alive for as long as the held checkpoint keeps its reader.
 */
function reader(name: string, files: readonly File[]): () => Promise<LoadedCheckpoint> {
  return () => {
    const sources = new Map<string, ByteSource>();
    for (const f of files) sources.set(f.name, blobSource(f, `${name}/${f.name}`));
    return loadOriginCheckpoint(sources, name);
  };
}

/** Forwards the service's progress with the latest partial result attached (from the first point on). */
function withPartial<P>(report: (p: PointProgress<P>) => void) {
  let partial: P | undefined;
  return {
    onPartial: (p: P) => (partial = p),
    onProgress: (p: Progress) => {
      if (partial !== undefined) report({ ...p, partial });
    },
  };
}

export const landscapeHandlers: JobHandlers<LandscapeJobs> = {
  async lsOpenCheckpoint({ id, name, files, hold: dtype }) {
    const read = reader(name, files);
    const ckpt = await read();
    const parameters = parametersOf(ckpt);
    const hold = keepCheckpoint(id, ckpt, read, dtype ?? 'F32');
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
      hold,
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
    for (const id of ids) n += Number(forgetCheckpoint(id)) + Number(datasets.delete(id));
    return { forgotten: n };
  },

  async lsHold({ ids, dtype }) {
    const out = [];
    for (const id of ids) out.push({ id, hold: await holdCheckpoint(id, dtype) });
    return out;
  },

  async lsValidate({ origin, head, others }) {
    const o = checkpointShapes(origin, 'origin');
    const h = headOf(checkpointShapes(head, 'head'), 'head');
    const rest = others.map(({ role, id }) => ({ role, ckpt: checkpointShapes(id, role) }));
    return { moving: checkCompatibility(o, h, shapesOf(h), rest).length };
  },

  async lsCurve(inputs, ctx) {
    const { origin, toward, head } = endpoints(inputs);
    const data = await prepare(inputs, head);
    const [curve] = await runCurve(
      { origin, toward, head, datasets: [data], alphas: inputs.alphas },
      { token: ctx.token, openSession: localPlaneOpener(), ...withPartial(ctx.progress) },
    );
    return curve;
  },

  async lsSurface(inputs, ctx) {
    const xCkpt = checkpoint(inputs.x, 'x');
    const yCkpt = inputs.y === 'random' ? null : checkpoint(inputs.y, 'y');
    const head = headFor(inputs, xCkpt);
    const req: SurfaceRequest = {
      origin: checkpoint(inputs.origin, 'origin'),
      head,
      x: xCkpt,
      y: yCkpt,
      data: await prepare(inputs, head),
      seed: inputs.seed ?? 0,
      normalize: inputs.normalize ?? 'filter',
      ignore: inputs.ignore ?? 'bias-ln',
    };
    const file = startSurface(
      req,
      inputs.grid,
      inputs.resume ? { file: inputs.resume, name: 'the saved partial surface' } : undefined,
    );
    await runSurface(
      req,
      file,
      { provenance: { computedBy: 'sensescape app' } },
      { token: ctx.token, openSession: localPlaneOpener(), onProgress: (p) => ctx.progress({ ...p, partial: file }) },
    );
    file.provenance = { ...file.provenance, computed: countComputed(file) };
    return file;
  },

  async lsTrajectory(inputs, ctx) {
    const { origin, toward, head } = endpoints(inputs);
    const ckpts = inputs.checkpoints.map((id, k) => checkpoint(id, `trajectory checkpoint ${k + 1}`));
    const data = await prepare(inputs, head);
    return runTrajectory(
      { origin, toward, head, checkpoints: ckpts, data },
      { token: ctx.token, onProgress: (p) => ctx.progress({ ...p, partial: null }) },
    );
  },

  async lsLayers(inputs, ctx) {
    const { origin, toward, head } = endpoints(inputs);
    const data = await prepare(inputs, head);
    return runLayers(
      { origin, toward, head, data, alphas: inputs.alphas },
      { token: ctx.token, ...withPartial(ctx.progress) },
    );
  },

  async lsSenses(inputs, ctx) {
    const origin = checkpoint(inputs.origin, 'origin');
    const toward = inputs.toward ? checkpoint(inputs.toward, 'toward') : undefined;
    const ckpts = (inputs.checkpoints ?? []).map((id, k) => checkpoint(id, `checkpoint ${k + 1}`));
    const texts = await Promise.all(inputs.files.map(async (f) => ({ name: f.name, text: await f.text() })));
    const data =
      inputs.task === 'scws'
        ? senseTaskFromTexts(
            'scws',
            { scws: texts[0]?.text ?? '', name: texts[0]?.name ?? 'SCWS' },
            inputs.maxInstances,
          )
        : senseTaskFromTexts(
            inputs.task,
            {
              xml: texts.filter((t) => t.name.endsWith('.xml')),
              gold: texts.find((t) => t.name.endsWith('.key'))?.text ?? '',
              where: 'the dropped files',
            },
            inputs.maxInstances,
          );
    if (data.task !== 'scws' && !data.gold) throw new InputError('drop the gold key (a .key file) with the test XML');
    const head = toward ?? ckpts[0] ?? origin;
    const w2s = inputs.w2s ? loadedWord2Sense() : undefined;
    if (inputs.w2s && !w2s) throw new InputError('no Word2Sense model is loaded (open one in the Senses tab)');
    return runSenses(
      {
        origin,
        toward,
        alphas: inputs.alphas,
        checkpoints: ckpts,
        data,
        clusters: inputs.clusters ?? 3,
        layers: inputs.layers,
        maxLength: Math.min(inputs.maxLength ?? 128, head.config.maxPositionEmbeddings),
        batchSize: inputs.batchSize ?? 16,
        w2s: w2s ?? undefined,
        detail: inputs.detail,
      },
      { token: ctx.token, ...withPartial(ctx.progress) },
    );
  },
};
