/**
 * `sensescape landscape surface --origin DIR --x DIR|random --y DIR|random --data TSV
 * (--grid X0:X1:NX,Y0:Y1:NY | --points x:y,…) [--seed S --normalize … --ignore …] [--shard I/N]
 * [--resume FILE] [--threads N] --out FILE`: the 2-D surface (engine services startSurface/runSurface), saved
 * atomically while it is computed and on Ctrl-C/SIGTERM, so `--resume` continues it and a shard's
 * file merges with the others (`landscape merge`).
 */
import { countComputed, parseSurface, serializeSurface, type SurfaceFile } from '../../../engine/io/surfaceFile';
import { parseGrid, parsePoints, parseShard } from '../../../engine/landscape/grid';
import {
  pendingCount,
  runSurface,
  runSurfacePoints,
  startSurface,
  type SurfaceRequest,
} from '../../../engine/landscape/services/surface';
import { initNodeBackend } from '../../../engine/node/backend';
import { readInputBytes, writeFileAtomic } from '../../../engine/node/fs';
import { checkOutputPath } from '../../../engine/node/input';
import { CancelToken, isCancelled } from '../../../engine/util/cancel';
import { autoPointThreads, pointReplicas, POINT_THREADS_FLAG } from './pointReplicas';
import { defineVerb, UsageError } from '../../command';
import { cancelOnSignal, DATA_FLAGS, loadData, loadDir, loadOrigin, ORIGIN_FLAGS, progressLine } from './shared';

export const surface = defineVerb({
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
    grid: { kind: 'string', placeholder: 'X0:X1:NX,Y0:Y1:NY', description: 'the grid', conflicts: ['points'] },
    points: { kind: 'string', placeholder: 'x:y,x:y,…', description: 'evaluate just these points (no file)' },
    normalize: {
      kind: 'enum',
      values: ['filter', 'layer', 'none'],
      default: 'filter',
      description: 'random direction normalisation (default filter)',
    },
    ignore: {
      kind: 'enum',
      values: ['bias-ln', 'none'],
      default: 'bias-ln',
      description: 'zero biases and LayerNorm in random directions (default bias-ln)',
    },
    shard: {
      kind: 'string',
      placeholder: 'I/N',
      description: 'compute only shard I of N (merge the N files with landscape merge)',
    },
    resume: { kind: 'string', placeholder: 'FILE', description: 'continue a partial surface file (same spec)' },
    out: { kind: 'string', placeholder: 'FILE', description: 'surface file to write (JSON; saved while computing)' },
    'save-every': {
      kind: 'number',
      min: 0,
      default: 2,
      placeholder: 'S',
      description:
        'save the surface file at most every S seconds while computing (default 2; atomic, so a kill loses at most S seconds)',
    },
    ...DATA_FLAGS,
    seed: {
      kind: 'int',
      placeholder: 'S',
      description: 'seed of random directions (y: S, x: S + 1) and, without --sample-seed, of --sample',
    },
    'sample-seed': { kind: 'int', placeholder: 'S', description: 'seed for --sample (default: --seed, else 0)' },
    ...POINT_THREADS_FLAG,
  },
  async run({ flags, json }, io) {
    if ((flags.grid === undefined) === (flags.points === undefined))
      throw new UsageError('give either --grid X0:X1:NX,Y0:Y1:NY or --points x:y,…');
    const points = flags.points ? parsePoints(flags.points) : undefined;
    const grid = flags.grid ? parseGrid(flags.grid) : undefined;
    const shard = flags.shard ? parseShard(flags.shard) : undefined;
    const outPath = flags.out ?? flags.resume;
    if (grid && !outPath) throw new UsageError("'landscape surface --grid' needs --out FILE (or --resume FILE)");
    if (points && (outPath || shard))
      throw new UsageError('--points evaluates a list and prints it; --out, --resume and --shard apply to --grid');
    if ((flags.x === 'random' || flags.y === 'random') && flags.seed === undefined)
      io.stderr('landscape surface: random direction with --seed 0 (pass --seed S to choose)');

    if (outPath) await checkOutputPath(outPath, 'surface file');
    const origin = await loadOrigin(flags.origin);
    const x = flags.x === 'random' ? null : await loadDir(flags.x, 'x');
    const y = flags.y === 'random' ? null : await loadDir(flags.y, 'y');
    const head = flags.head ? await loadDir(flags.head, 'head') : (x ?? y);
    if (!head)
      throw new UsageError(
        'with --x random and --y random, give --head DIR (the checkpoint whose task head stays fixed)',
      );
    const req: SurfaceRequest = {
      origin,
      head,
      x,
      y,
      data: await loadData(flags, head, flags.split, flags['sample-seed'] ?? flags.seed),
      seed: flags.seed ?? 0,
      normalize: flags.normalize,
      ignore: flags.ignore,
    };
    let file: SurfaceFile | undefined;
    if (grid) {
      const resume = flags.resume
        ? {
            name: flags.resume,
            file: parseSurface(
              new TextDecoder().decode(await readInputBytes(flags.resume, 'surface file to resume')),
              flags.resume,
            ),
          }
        : undefined;
      file = startSurface(req, grid, resume);
      if (resume)
        io.stderr(
          `landscape surface: resuming ${resume.name} (${countComputed(file)} of ${grid.x.n * grid.y.n} points already computed)`,
        );
    }
    const backend = await initNodeBackend();
    const nPoints = points ? points.length : pendingCount(file!, shard);
    const threads = flags.threads ?? autoPointThreads(head.config, [req.data.batches], nPoints);
    const openSession = pointReplicas(threads, io, 'landscape surface');
    const token = new CancelToken();
    const release = cancelOnSignal(token, io);
    try {
      if (points) {
        const out = await runSurfacePoints(req, points, {
          token,
          onProgress: progressLine(io, 'landscape surface'),
          openSession,
        });
        if (json) io.stdout(JSON.stringify(out));
        else
          for (const o of out)
            io.stdout(`x ${o.x}  y ${o.y}  loss ${o.loss.toPrecision(7)}  accuracy ${o.accuracy ?? 'n/a'}`);
        return;
      }
      const f = file!;
      io.stderr(
        `landscape surface: ${pendingCount(f, shard)} points to compute${shard ? ` (shard ${shard.index}/${shard.count})` : ''} on ${backend.backend}, ${req.data.spec.examples} examples each`,
      );
      let status = 0;
      try {
        await runSurface(
          req,
          f,
          { shard, provenance: shard ? { shard: `${shard.index}/${shard.count}` } : {} },
          {
            token,
            onProgress: progressLine(io, 'landscape surface'),
            openSession,
            onSave: (s) => writeFileAtomic(outPath!, serializeSurface(s, 1)),
            saveEveryMs: flags['save-every'] * 1000,
          },
        );
      } catch (err) {
        if (!isCancelled(err)) throw err;
        status = 130;
      }
      const done = countComputed(f);
      const total = f.x.length * f.y.length;
      if (status)
        io.stderr(
          `landscape surface: stopped; ${done} of ${total} points saved in ${outPath} (continue with --resume ${outPath})`,
        );
      if (json) io.stdout(JSON.stringify({ out: outPath, computed: done, total, complete: done === total }));
      else io.stdout(`wrote ${outPath}: ${done} of ${total} points`);
      return status;
    } finally {
      release();
    }
  },
});
