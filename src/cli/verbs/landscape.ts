/**
 * `sensescape landscape …` verbs. Each verb parses its flags, validates input files before compute, calls
 * engine/, prints JSON with --json and progress on stderr.
 *
 *   landscape curve      --origin DIR --toward DIR --data TSV (--alphas A,B,… | --range MIN:MAX:N) [--head DIR] [--svg OUT]
 *   landscape surface    --origin DIR --x DIR --y DIR|random --data TSV (--grid X0:X1:NX,Y0:Y1:NY | --points x:y,…)
 *                        [--seed S --normalize filter|layer|none --ignore bias-ln|none] [--shard I/N] [--resume FILE] --out FILE
 *   landscape trajectory --origin DIR --toward DIR --checkpoints DIR… [--data TSV] [--pca]
 *   landscape layers     --origin DIR --toward DIR --data TSV --alphas LIST [--groups G,…] [--svg OUT]
 *   landscape merge      FILE… --out FILE
 *   landscape render     FILE --svg OUT [--log] [--trajectory FILE] [--quantity loss|accuracy] [--colormap viridis|cividis]
 *
 * Every computing verb takes the data options of `bert loss` (--max-examples, --sample/--seed, --max-length,
 * --batch) and --split. A partial surface is saved atomically while it is computed and on Ctrl-C, so
 * `--resume` continues it.
 */
import { arg, UsageError, type CliIO, type FlagSpec, type ParsedArgs, type VerbSpec } from '../command';
import { positiveInt } from '../inputFiles';
import { baseName, joinPath, pathKind, readInputBytes as readBytes, writeFileAtomic } from '../../engine/node/fs';
import { initNodeBackend } from '../../engine/node/backend';
import { checkpointFiles, loadCheckpointDir } from '../../engine/node/checkpoint';
import type { LoadedCheckpoint } from '../../engine/bert/checkpoint';
import { loadOriginCheckpoint } from '../../engine/landscape/originCheckpoint';
import { LandscapeSession, prepareData, refOf, disposeAll, type PreparedData } from '../../engine/landscape/session';
import {
  axisValues,
  parseAxis,
  parseGrid,
  parseNumberList,
  parsePoints,
  parseShard,
} from '../../engine/landscape/grid';
import { computeCurve } from '../../engine/landscape/curve';
import { computeSurfacePoints, pendingTasks } from '../../engine/landscape/surface';
import { computeTrajectory } from '../../engine/landscape/trajectory';
import { computeLayers } from '../../engine/landscape/layers';
import type { ParamSet } from '../../engine/landscape/params';
import {
  checkResumable,
  countComputed,
  createSurface,
  mergeSurfaces,
  parseSurface,
  serializeSurface,
  setPoint,
  type DirectionSpec,
  type SurfaceFile,
  type SurfaceSpec,
} from '../../engine/io/surfaceFile';
import { SOFTWARE_VERSION } from '../../engine/version';
import { CancelToken, isCancelled } from '../../engine/util/cancel';
import { InputError } from '../../engine/util/errors';
import { throttleProgress, type Progress } from '../../engine/util/progress';
import { renderSurfaceSvg, type TrajectoryOverlayPoint } from '../../viz/surfaceSvg';
import { renderCurveSvg } from '../../viz/curveSvg';

// ---------------------------------------------------------------------------------------------
// Shared flags and helpers
// ---------------------------------------------------------------------------------------------

const DATA_FLAGS: Record<string, FlagSpec> = {
  data: {
    kind: 'string',
    placeholder: 'TSV|DIR',
    description: 'GLUE/generic TSV, or a GLUE task folder (then --split picks train.tsv/dev.tsv)',
  },
  split: {
    kind: 'string',
    placeholder: 'train|dev',
    description: 'which split the examples are (default: from the file name, else dev)',
  },
  'max-examples': { kind: 'int', placeholder: 'N', description: 'use the first N examples' },
  sample: { kind: 'int', placeholder: 'N', description: 'use N examples drawn with --seed (file order kept)' },
  seed: { kind: 'int', placeholder: 'S', description: 'seed for --sample (default 0)' },
  'max-length': {
    kind: 'int',
    placeholder: 'L',
    description: 'truncate to L tokens (default 128, or max_position_embeddings if smaller)',
  },
  batch: { kind: 'int', placeholder: 'B', description: 'examples per batch (default 32)' },
};

const ORIGIN_FLAGS: Record<string, FlagSpec> = {
  origin: {
    kind: 'string',
    required: true,
    placeholder: 'DIR',
    description: 'θ0: pretrained (or randomly initialised) checkpoint; its tensors are the moving parameters',
  },
  head: {
    kind: 'string',
    placeholder: 'DIR',
    description: 'checkpoint the fixed parameters (task head) come from (default: --toward / --x)',
  },
};

function progressLine(io: CliIO, label: string): (p: Progress) => void {
  return throttleProgress((p) => {
    const rate = Number(p.detail?.pointsPerSecond ?? 0);
    const eta = Number(p.detail?.etaSeconds ?? Number.NaN);
    const etaText = Number.isFinite(eta)
      ? `, ETA ${eta < 90 ? `${eta.toFixed(0)} s` : `${(eta / 60).toFixed(1)} min`}`
      : '';
    io.stderr(`${label}: ${p.done}/${p.total} points, ${rate.toFixed(2)} points/s${etaText}`);
  }, 1000);
}

/** The display name recorded in specs: the folder's base name, so files from different machines merge. */
const dirName = (dir: string): string => baseName(dir);

async function loadDir(dir: string, role: string): Promise<LoadedCheckpoint> {
  try {
    const ckpt = await loadCheckpointDir(dir);
    ckpt.name = dirName(dir);
    return ckpt;
  } catch (err) {
    if (err instanceof Error) err.message = `${role}: ${err.message}`;
    throw err;
  }
}

async function loadOrigin(dir: string): Promise<LoadedCheckpoint> {
  try {
    return await loadOriginCheckpoint(await checkpointFiles(dir), dirName(dir));
  } catch (err) {
    if (err instanceof Error) err.message = `origin: ${err.message}`;
    throw err;
  }
}

function dataOptions(args: ParsedArgs, sampleSeedFlag = 'seed') {
  const maxExamples = positiveInt('max-examples', arg.optionalNumber(args, 'max-examples'));
  const sample = positiveInt('sample', arg.optionalNumber(args, 'sample'));
  const seed = arg.optionalNumber(args, sampleSeedFlag);
  if (maxExamples !== undefined && sample !== undefined)
    throw new UsageError('use either --max-examples N (first N) or --sample N --seed S, not both');
  return {
    maxExamples,
    sample,
    seed: seed ?? 0,
    maxLength: positiveInt('max-length', arg.optionalNumber(args, 'max-length'), 3),
    batchSize: positiveInt('batch', arg.optionalNumber(args, 'batch')) ?? 32,
  };
}

/** Resolves --data (file or GLUE folder) and --split, reads and tokenizes the examples with the head's vocab. */
async function loadData(args: ParsedArgs, head: LoadedCheckpoint, sampleSeedFlag = 'seed'): Promise<PreparedData> {
  let path = arg.requiredString(args, 'data');
  let split = arg.string(args, 'split');
  if (split !== undefined && !/^[A-Za-z0-9_.-]+$/.test(split))
    throw new UsageError(`--split '${split}' must be a simple name such as train or dev`);
  const kind = await pathKind(path);
  if (kind === 'missing') throw new InputError(`${path}: no such data file or folder`);
  if (kind === 'dir') {
    split ??= 'dev';
    path = joinPath(path, `${split}.tsv`);
  } else if (split === undefined) {
    const b = baseName(path).toLowerCase();
    split = /train/.test(b) ? 'train' : /test/.test(b) ? 'test' : 'dev';
  }
  const bytes = await readBytes(path, 'data');
  return prepareData(bytes, baseName(path), head, { ...dataOptions(args, sampleSeedFlag), split });
}

function parseAlphas(args: ParsedArgs, required = true): number[] | undefined {
  const list = arg.string(args, 'alphas');
  const range = arg.string(args, 'range');
  if (list && range) throw new UsageError('use either --alphas A,B,… or --range MIN:MAX:N, not both');
  if (list) return parseNumberList(list, '--alphas');
  if (range) return axisValues(parseAxis(range, '--range'));
  if (required) throw new UsageError('give the points as --alphas A,B,… or --range MIN:MAX:N');
  return undefined;
}

/** Cancels `token` on Ctrl-C / SIGTERM (once), so long runs stop between points and save. */
function cancelOnSignal(token: CancelToken, io: CliIO): () => void {
  const onSignal = (sig: string) => {
    if (token.cancelled) process.exit(130);
    io.stderr(`sensescape: ${sig}: stopping after the current point (press again to abort without saving)`);
    token.cancel(sig);
  };
  const int = () => onSignal('SIGINT');
  const term = () => onSignal('SIGTERM');
  process.on('SIGINT', int);
  process.on('SIGTERM', term);
  return () => {
    process.off('SIGINT', int);
    process.off('SIGTERM', term);
  };
}

// ---------------------------------------------------------------------------------------------
// curve
// ---------------------------------------------------------------------------------------------

const curve: VerbSpec = {
  area: 'landscape',
  verb: 'curve',
  summary: '1-D loss curve J(θ0 + α(θ1 − θ0)) between a pretrained origin and a fine-tuned checkpoint',
  flags: {
    ...ORIGIN_FLAGS,
    toward: { kind: 'string', required: true, placeholder: 'DIR', description: 'θ1: the fine-tuned checkpoint' },
    alphas: { kind: 'string', placeholder: 'A,B,…', description: 'α values' },
    range: { kind: 'string', placeholder: 'MIN:MAX:N', description: 'N evenly spaced α values' },
    ...DATA_FLAGS,
    data: { ...DATA_FLAGS.data, required: true },
    split: {
      kind: 'string',
      placeholder: 'train|dev[,…]',
      description: 'split(s); with a GLUE folder, several (train,dev) give one curve each, the first in loss/accuracy',
    },
    svg: { kind: 'string', placeholder: 'OUT', description: 'also write the curve(s) as SVG' },
  },
  async run(args, io) {
    const alphas = parseAlphas(args)!;
    const splits = (arg.string(args, 'split') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (splits.length > 1 && (await pathKind(arg.requiredString(args, 'data'))) !== 'dir') {
      throw new UsageError(
        'several --split values need --data to be a GLUE task folder (holding train.tsv, dev.tsv, …)',
      );
    }
    const origin = await loadOrigin(arg.requiredString(args, 'origin'));
    const toward = await loadDir(arg.requiredString(args, 'toward'), 'toward');
    const headDir = arg.string(args, 'head');
    const head = headDir ? await loadDir(headDir, 'head') : toward;
    const datasets: PreparedData[] = [];
    for (const split of splits.length ? splits : [undefined])
      datasets.push(await loadData({ ...args, flags: { ...args.flags, split } }, head));
    await initNodeBackend();
    const session = LandscapeSession.open(origin, head, [{ role: 'toward', ckpt: toward }]);
    const token = new CancelToken();
    const release = cancelOnSignal(token, io);
    let delta: ParamSet | undefined;
    try {
      delta = session.directionTo(toward);
      const results = [];
      for (const data of datasets) {
        const r = await computeCurve(session.context(data.batches, token), delta, alphas, {
          onProgress: progressLine(io, `landscape curve (${data.spec.split})`),
        });
        results.push({
          split: data.spec.split,
          data: data.spec,
          alphas: r.alphas,
          loss: r.loss,
          accuracy: r.accuracy.map((a) => (Number.isNaN(a) ? null : a)),
        });
      }
      const first = results[0];
      const out: Record<string, unknown> = { alphas: first.alphas, loss: first.loss, accuracy: first.accuracy };
      if (results.length > 1)
        out.splits = Object.fromEntries(
          results.map((r) => [r.split, { loss: r.loss, accuracy: r.accuracy, examples: r.data.examples }]),
        );
      const svgPath = arg.string(args, 'svg');
      if (svgPath) {
        await writeFileAtomic(
          svgPath,
          renderCurveSvg({
            title: `Loss from ${origin.name} toward ${toward.name}`,
            xLabel: 'α  (θ = θ0 + α·(θ1 − θ0))',
            yLabel: 'loss',
            series: results.map((r, k) => ({
              name: `${r.split} (${r.data.examples} examples)`,
              x: r.alphas,
              y: r.loss,
              dashed: k > 0,
            })),
            markersAt: [
              { x: 0, label: `θ0 ${origin.name}` },
              { x: 1, label: `θ1 ${toward.name}` },
            ],
            metadata: {
              analysis: 'curve',
              origin: refOf(origin),
              toward: refOf(toward),
              head: refOf(head),
              data: results.map((r) => r.data),
              software: `sensescape ${SOFTWARE_VERSION}`,
            },
          }).svg,
        );
      }
      if (args.json) io.stdout(JSON.stringify(out));
      else {
        for (const r of results) {
          io.stdout(
            `α        loss        accuracy   (${origin.name} → ${toward.name}, ${r.data.examples} ${r.split} examples)`,
          );
          r.alphas.forEach((a, k) =>
            io.stdout(
              `${String(a).padEnd(8)} ${r.loss[k].toPrecision(7).padEnd(11)} ${r.accuracy[k] === null ? 'n/a' : r.accuracy[k]!.toFixed(4)}`,
            ),
          );
        }
      }
    } finally {
      release();
      disposeAll(delta);
      session.dispose();
    }
  },
};

// ---------------------------------------------------------------------------------------------
// surface
// ---------------------------------------------------------------------------------------------

const surface: VerbSpec = {
  area: 'landscape',
  verb: 'surface',
  summary: '2-D loss surface J(θ0 + x·d1 + y·d2), coarse-to-fine, resumable and shardable',
  flags: {
    ...ORIGIN_FLAGS,
    x: {
      kind: 'string',
      required: true,
      placeholder: 'DIR|random',
      description: 'd1 = θ1 − θ0 for a fine-tuned checkpoint (or random, then --head is needed)',
    },
    y: {
      kind: 'string',
      required: true,
      placeholder: 'DIR|random',
      description: 'd2 = θ2 − θ0, or a seeded random direction (Li et al.)',
    },
    grid: { kind: 'string', placeholder: 'X0:X1:NX,Y0:Y1:NY', description: 'the grid' },
    points: { kind: 'string', placeholder: 'x:y,x:y,…', description: 'evaluate just these points (no file)' },
    normalize: {
      kind: 'string',
      placeholder: 'filter|layer|none',
      description: 'random direction normalisation (default filter)',
    },
    ignore: {
      kind: 'string',
      placeholder: 'bias-ln|none',
      description: 'zero biases and LayerNorm in random directions (default bias-ln)',
    },
    shard: {
      kind: 'string',
      placeholder: 'I/N',
      description: 'compute only shard I of N (merge the N files with landscape merge)',
    },
    resume: { kind: 'string', placeholder: 'FILE', description: 'continue a partial surface file (same spec)' },
    out: { kind: 'string', placeholder: 'FILE', description: 'surface file to write (JSON; saved while computing)' },
    ...DATA_FLAGS,
    data: { ...DATA_FLAGS.data, required: true },
    seed: {
      kind: 'int',
      placeholder: 'S',
      description: 'seed of random directions (y: S, x: S + 1) and, without --sample-seed, of --sample',
    },
    'sample-seed': { kind: 'int', placeholder: 'S', description: 'seed for --sample (default: --seed, else 0)' },
  },
  async run(args, io) {
    const gridText = arg.string(args, 'grid');
    const pointsText = arg.string(args, 'points');
    if ((gridText === undefined) === (pointsText === undefined))
      throw new UsageError('give either --grid X0:X1:NX,Y0:Y1:NY or --points x:y,…');
    const points = pointsText ? parsePoints(pointsText) : undefined;
    const grid = gridText ? parseGrid(gridText) : undefined;
    const shard = arg.string(args, 'shard') ? parseShard(arg.string(args, 'shard')!) : undefined;
    const resumePath = arg.string(args, 'resume');
    const outPath = arg.string(args, 'out') ?? resumePath;
    if (grid && !outPath) throw new UsageError("'landscape surface --grid' needs --out FILE (or --resume FILE)");
    if (points && (outPath || shard))
      throw new UsageError('--points evaluates a list and prints it; --out, --resume and --shard apply to --grid');
    const normalize = (arg.string(args, 'normalize') ?? 'filter') as 'filter' | 'layer' | 'none';
    if (!['filter', 'layer', 'none'].includes(normalize))
      throw new UsageError(`--normalize must be filter, layer or none, got '${normalize}'`);
    const ignore = (arg.string(args, 'ignore') ?? 'bias-ln') as 'bias-ln' | 'none';
    if (!['bias-ln', 'none'].includes(ignore))
      throw new UsageError(`--ignore must be bias-ln or none, got '${ignore}'`);
    const seed = arg.optionalNumber(args, 'seed') ?? 0;
    const xArg = arg.requiredString(args, 'x');
    const yArg = arg.requiredString(args, 'y');
    if ((xArg === 'random' || yArg === 'random') && arg.optionalNumber(args, 'seed') === undefined)
      io.stderr('landscape surface: random direction with --seed 0 (pass --seed S to choose)');

    const origin = await loadOrigin(arg.requiredString(args, 'origin'));
    const xCkpt = xArg === 'random' ? undefined : await loadDir(xArg, 'x');
    const yCkpt = yArg === 'random' ? undefined : await loadDir(yArg, 'y');
    const headDir = arg.string(args, 'head');
    const head = headDir ? await loadDir(headDir, 'head') : (xCkpt ?? yCkpt);
    if (!head)
      throw new UsageError(
        'with --x random and --y random, give --head DIR (the checkpoint whose task head stays fixed)',
      );
    const sampleSeed = arg.optionalNumber(args, 'sample-seed') !== undefined ? 'sample-seed' : 'seed';
    const data = await loadData(args, head, sampleSeed);
    const dirSpec = (c: LoadedCheckpoint | undefined, s: number): DirectionSpec =>
      c ? { kind: 'checkpoint', checkpoint: refOf(c) } : { kind: 'random', seed: s, normalize, ignore };
    const xSpec = dirSpec(xCkpt, seed + 1);
    const ySpec = dirSpec(yCkpt, seed);

    let file: SurfaceFile | undefined;
    if (grid) {
      const spec: SurfaceSpec = {
        analysis: 'surface',
        origin: refOf(origin),
        head: refOf(head),
        x: xSpec,
        y: ySpec,
        data: data.spec,
        grid: { x: grid.x, y: grid.y },
        software: `sensescape ${SOFTWARE_VERSION}`,
      };
      if (resumePath) {
        file = parseSurface(
          new TextDecoder().decode(await readBytes(resumePath, 'surface file to resume')),
          resumePath,
        );
        checkResumable(file, spec, resumePath);
        io.stderr(
          `landscape surface: resuming ${resumePath} (${countComputed(file)} of ${grid.x.n * grid.y.n} points already computed)`,
        );
      } else file = createSurface(spec);
    }

    const others = [...(xCkpt ? [{ role: 'x', ckpt: xCkpt }] : []), ...(yCkpt ? [{ role: 'y', ckpt: yCkpt }] : [])];
    const backend = await initNodeBackend();
    const session = LandscapeSession.open(origin, head, others);
    const token = new CancelToken();
    const release = cancelOnSignal(token, io);
    let d1: ParamSet | undefined;
    let d2: ParamSet | undefined;
    try {
      d1 = session.direction(xSpec, xCkpt);
      d2 = session.direction(ySpec, yCkpt);
      const ctx = session.context(data.batches, token);
      if (points) {
        const tasks = points.map((p, k) => ({ i: k, j: 0, x: p.x, y: p.y }));
        const r = await computeSurfacePoints(ctx, [d1, d2], tasks, {
          onProgress: progressLine(io, 'landscape surface'),
        });
        const out = points.map((p, k) => ({
          x: p.x,
          y: p.y,
          loss: r[k].loss,
          accuracy: Number.isNaN(r[k].accuracy) ? null : r[k].accuracy,
        }));
        if (args.json) io.stdout(JSON.stringify(out));
        else
          for (const o of out)
            io.stdout(`x ${o.x}  y ${o.y}  loss ${o.loss.toPrecision(7)}  accuracy ${o.accuracy ?? 'n/a'}`);
        return;
      }
      const f = file!;
      f.provenance = {
        ...(f.provenance ?? {}),
        backend: backend.backend,
        ...(shard ? { shard: `${shard.index}/${shard.count}` } : {}),
      };
      const tasks = pendingTasks(f, shard);
      io.stderr(
        `landscape surface: ${tasks.length} points to compute${shard ? ` (shard ${shard.index}/${shard.count})` : ''} on ${backend.backend}, ${data.spec.examples} examples each`,
      );
      let lastSave = performance.now();
      const save = () => writeFileAtomic(outPath!, serializeSurface(f, 1));
      let status = 0;
      try {
        await computeSurfacePoints(ctx, [d1, d2], tasks, {
          onProgress: progressLine(io, 'landscape surface'),
          async onPoint(t, r) {
            setPoint(f, t.i, t.j, r.loss, Number.isNaN(r.accuracy) ? Number.NaN : r.accuracy);
            if (performance.now() - lastSave > 2000) {
              lastSave = performance.now();
              await save();
            }
          },
        });
      } catch (err) {
        if (!isCancelled(err)) throw err;
        status = 130;
      }
      await save();
      const done = countComputed(f);
      const total = f.x.length * f.y.length;
      if (status)
        io.stderr(
          `landscape surface: stopped; ${done} of ${total} points saved in ${outPath} (continue with --resume ${outPath})`,
        );
      if (args.json) io.stdout(JSON.stringify({ out: outPath, computed: done, total, complete: done === total }));
      else io.stdout(`wrote ${outPath}: ${done} of ${total} points`);
      return status;
    } finally {
      release();
      disposeAll(d1, d2);
      session.dispose();
    }
  },
};

// ---------------------------------------------------------------------------------------------
// trajectory
// ---------------------------------------------------------------------------------------------

const trajectory: VerbSpec = {
  area: 'landscape',
  verb: 'trajectory',
  summary: 'Project fine-tuning checkpoints onto the θ0 → θ1 plane (α_i, β_i) and report their loss J(θ_i)',
  flags: {
    ...ORIGIN_FLAGS,
    toward: { kind: 'string', required: true, placeholder: 'DIR', description: 'θ1: the final fine-tuned checkpoint' },
    checkpoints: {
      kind: 'strings',
      required: true,
      placeholder: 'DIR',
      description: 'checkpoints saved during fine-tuning, in order',
    },
    pca: { kind: 'boolean', description: 'also PCA coordinates pc1, pc2 of [θ0, θ_i…, θ1] − θ1 (Li et al.)' },
    ...DATA_FLAGS,
  },
  async run(args, io) {
    const origin = await loadOrigin(arg.requiredString(args, 'origin'));
    const toward = await loadDir(arg.requiredString(args, 'toward'), 'toward');
    const headDir = arg.string(args, 'head');
    const head = headDir ? await loadDir(headDir, 'head') : toward;
    const ckpts: LoadedCheckpoint[] = [];
    for (const d of arg.strings(args, 'checkpoints')) ckpts.push(await loadDir(d, 'checkpoints'));
    const data = arg.string(args, 'data') ? await loadData(args, head) : undefined;
    await initNodeBackend();
    const session = LandscapeSession.open(origin, head, [
      { role: 'toward', ckpt: toward },
      ...ckpts.map((ckpt) => ({ role: 'checkpoint', ckpt })),
    ]);
    const token = new CancelToken();
    const release = cancelOnSignal(token, io);
    let delta: ParamSet | undefined;
    try {
      delta = session.directionTo(toward);
      const r = await computeTrajectory(session.context(data?.batches ?? [], token), delta, ckpts, {
        evaluate: Boolean(data),
        head,
        pca: arg.boolean(args, 'pca'),
        origin,
        toward,
        onProgress: progressLine(io, 'landscape trajectory'),
      });
      const out = r.points.map((p) => ({
        checkpoint: p.checkpoint,
        alpha: p.alpha,
        beta: p.beta,
        loss: p.loss,
        accuracy: p.accuracy === null || Number.isNaN(p.accuracy) ? null : p.accuracy,
        norm: p.norm,
        cosine: p.cosine,
        ...(p.pc1 !== undefined ? { pc1: p.pc1, pc2: p.pc2 } : {}),
      }));
      if (args.json) io.stdout(JSON.stringify(out));
      else {
        io.stdout(`‖θ1 − θ0‖ = ${r.deltaNorm.toPrecision(6)} over ${session.names.length} moving tensors`);
        for (const p of out)
          io.stdout(
            `${p.checkpoint.padEnd(24)} α ${p.alpha.toFixed(4)}  β ${p.beta.toFixed(4)}  loss ${p.loss === null ? '—' : p.loss.toPrecision(6)}${p.pc1 !== undefined ? `  pc ${p.pc1.toFixed(4)}, ${p.pc2!.toFixed(4)}` : ''}`,
          );
        if (r.pca)
          io.stdout(
            `PCA explained variance: ${r.pca.explainedVarianceRatio.map((v) => (v * 100).toFixed(1) + '%').join(', ')}`,
          );
      }
    } finally {
      release();
      disposeAll(delta);
      session.dispose();
    }
  },
};

// ---------------------------------------------------------------------------------------------
// layers
// ---------------------------------------------------------------------------------------------

const layers: VerbSpec = {
  area: 'landscape',
  verb: 'layers',
  summary: 'Layer-wise curves: roll one group (layer.l, embeddings, pooler) back toward θ0 while the rest stays at θ1',
  flags: {
    ...ORIGIN_FLAGS,
    toward: { kind: 'string', required: true, placeholder: 'DIR', description: 'θ1: the fine-tuned checkpoint' },
    alphas: { kind: 'string', placeholder: 'A,B,…', description: 'α values (1 = fine-tuned, 0 = group rolled back)' },
    range: { kind: 'string', placeholder: 'MIN:MAX:N', description: 'N evenly spaced α values' },
    groups: { kind: 'string', placeholder: 'G,…', description: 'only these groups (default: all)' },
    ...DATA_FLAGS,
    data: { ...DATA_FLAGS.data, required: true },
    svg: { kind: 'string', placeholder: 'OUT', description: 'also write small multiples as SVG' },
  },
  async run(args, io) {
    const alphas = parseAlphas(args)!;
    const origin = await loadOrigin(arg.requiredString(args, 'origin'));
    const toward = await loadDir(arg.requiredString(args, 'toward'), 'toward');
    const headDir = arg.string(args, 'head');
    const head = headDir ? await loadDir(headDir, 'head') : toward;
    const data = await loadData(args, head);
    await initNodeBackend();
    const session = LandscapeSession.open(origin, head, [{ role: 'toward', ckpt: toward }]);
    const token = new CancelToken();
    const release = cancelOnSignal(token, io);
    let delta: ParamSet | undefined;
    try {
      delta = session.directionTo(toward);
      const groups = arg
        .string(args, 'groups')
        ?.split(',')
        .map((s) => s.trim());
      let r;
      try {
        r = await computeLayers(session.context(data.batches, token), toward, delta, alphas, {
          groups,
          onProgress: progressLine(io, 'landscape layers'),
        });
      } catch (err) {
        if (err instanceof Error && /^unknown layer group/.test(err.message))
          throw new UsageError(`--groups: ${err.message}`);
        throw err;
      }
      const out = {
        alphas: r.alphas,
        groups: r.groups.map((g) => ({
          name: g.name,
          loss: g.loss,
          accuracy: g.accuracy.map((a) => (Number.isNaN(a) ? null : a)),
          parameters: g.parameters,
        })),
      };
      const svgPath = arg.string(args, 'svg');
      if (svgPath) {
        await writeFileAtomic(
          svgPath,
          renderCurveSvg({
            title: `Layer-wise loss: ${origin.name} → ${toward.name}`,
            xLabel: 'α (1 = fine-tuned, 0 = group rolled back)',
            yLabel: `loss (${data.spec.split}, ${data.spec.examples} examples)`,
            smallMultiples: true,
            series: r.groups.map((g) => ({ name: g.name, x: r.alphas, y: g.loss })),
            metadata: {
              analysis: 'layers',
              origin: refOf(origin),
              toward: refOf(toward),
              head: refOf(head),
              data: data.spec,
              software: `sensescape ${SOFTWARE_VERSION}`,
            },
          }).svg,
        );
      }
      if (args.json) io.stdout(JSON.stringify(out));
      else {
        io.stdout(`group        ${r.alphas.map((a) => `α=${a}`.padEnd(10)).join(' ')}`);
        for (const g of r.groups)
          io.stdout(`${g.name.padEnd(12)} ${g.loss.map((v) => v.toPrecision(6).padEnd(10)).join(' ')}`);
      }
    } finally {
      release();
      disposeAll(delta);
      session.dispose();
    }
  },
};

// ---------------------------------------------------------------------------------------------
// merge, render
// ---------------------------------------------------------------------------------------------

async function readSurface(path: string): Promise<SurfaceFile> {
  return parseSurface(new TextDecoder().decode(await readBytes(path, 'surface file')), path);
}

const merge: VerbSpec = {
  area: 'landscape',
  verb: 'merge',
  summary: 'Join surface files with the same spec (shards, partial runs) into one',
  flags: { out: { kind: 'string', required: true, placeholder: 'FILE', description: 'merged surface file' } },
  positionals: { name: 'FILE', description: 'surface files to merge', min: 1, variadic: true },
  async run(args, io) {
    const files = [];
    for (const p of args.positionals) files.push({ name: p, file: await readSurface(p) });
    const merged = mergeSurfaces(files);
    const out = arg.requiredString(args, 'out');
    await writeFileAtomic(out, serializeSurface(merged, 1));
    const done = countComputed(merged);
    const total = merged.x.length * merged.y.length;
    if (args.json)
      io.stdout(JSON.stringify({ out, files: files.length, computed: done, total, complete: done === total }));
    else
      io.stdout(
        `wrote ${out}: ${done} of ${total} points from ${files.length} files${done < total ? ` (${total - done} still missing)` : ''}`,
      );
  },
};

function parseTrajectory(text: string, path: string): TrajectoryOverlayPoint[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InputError(`${path}: not JSON (expected the output of landscape trajectory --json)`);
  }
  const list = Array.isArray(json) ? json : (json as { points?: unknown } | null)?.points;
  if (!Array.isArray(list)) throw new InputError(`${path}: expected a list of {checkpoint, alpha, beta}`);
  return list.map((p, k) => {
    const o = p as Record<string, unknown>;
    if (typeof o?.alpha !== 'number' || typeof o.beta !== 'number')
      throw new InputError(`${path}: entry ${k} has no numeric alpha and beta`);
    return {
      checkpoint: String(o.checkpoint ?? `#${k + 1}`),
      alpha: o.alpha,
      beta: o.beta,
      loss: typeof o.loss === 'number' ? o.loss : null,
    };
  });
}

const render: VerbSpec = {
  area: 'landscape',
  verb: 'render',
  summary: 'Render a surface file as a standalone SVG (the same renderer the app exports with)',
  flags: {
    svg: { kind: 'string', required: true, placeholder: 'OUT', description: 'SVG file to write' },
    log: { kind: 'boolean', description: 'log colour scale' },
    trajectory: {
      kind: 'string',
      placeholder: 'FILE',
      description: 'overlay the output of landscape trajectory --json',
    },
    quantity: { kind: 'string', placeholder: 'loss|accuracy', description: 'which values to draw (default loss)' },
    colormap: { kind: 'string', placeholder: 'viridis|cividis', description: 'colour map (default viridis)' },
    title: { kind: 'string', placeholder: 'TEXT', description: 'figure title' },
    levels: { kind: 'int', placeholder: 'N', description: 'approximate number of contour bands (default 14)' },
    domain: {
      kind: 'string',
      placeholder: 'MIN:MAX',
      description: 'fix the colour scale (e.g. to compare two surfaces on one scale)',
    },
    width: { kind: 'int', placeholder: 'PX', description: 'width (default 640)' },
    height: { kind: 'int', placeholder: 'PX', description: 'height (default 520)' },
  },
  positionals: { name: 'FILE', description: 'surface file', min: 1 },
  async run(args, io) {
    const path = args.positionals[0];
    const file = await readSurface(path);
    const quantity = arg.string(args, 'quantity') ?? 'loss';
    if (quantity !== 'loss' && quantity !== 'accuracy')
      throw new UsageError(`--quantity must be loss or accuracy, got '${quantity}'`);
    const cmap = arg.string(args, 'colormap') ?? 'viridis';
    if (cmap !== 'viridis' && cmap !== 'cividis')
      throw new UsageError(`--colormap must be viridis or cividis, got '${cmap}'`);
    const trajPath = arg.string(args, 'trajectory');
    const traj = trajPath
      ? parseTrajectory(new TextDecoder().decode(await readBytes(trajPath, 'trajectory file')), trajPath)
      : undefined;
    const domainText = arg.string(args, 'domain');
    let domain: [number, number] | undefined;
    if (domainText !== undefined) {
      const [lo, hi] = domainText.split(':').map(Number);
      if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo))
        throw new UsageError(`--domain '${domainText}' is not MIN:MAX with MAX > MIN`);
      if (arg.boolean(args, 'log') && lo <= 0) throw new UsageError('--domain MIN must be positive with --log');
      domain = [lo, hi];
    }
    const svg = renderSurfaceSvg(file, {
      domain,
      quantity,
      log: arg.boolean(args, 'log'),
      colormap: cmap,
      trajectory: traj,
      title: arg.string(args, 'title'),
      levels: positiveInt('levels', arg.optionalNumber(args, 'levels'), 2),
      width: positiveInt('width', arg.optionalNumber(args, 'width'), 200),
      height: positiveInt('height', arg.optionalNumber(args, 'height'), 160),
    }).svg;
    const out = arg.requiredString(args, 'svg');
    await writeFileAtomic(out, svg);
    const done = countComputed(file);
    if (args.json)
      io.stdout(JSON.stringify({ svg: out, bytes: svg.length, computed: done, total: file.x.length * file.y.length }));
    else io.stdout(`wrote ${out} (${svg.length} bytes; ${done} of ${file.x.length * file.y.length} points)`);
  },
};

export const landscapeVerbs: VerbSpec[] = [curve, surface, trajectory, layers, merge, render];
