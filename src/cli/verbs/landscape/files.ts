/**
 * The verbs over surface files, no model involved: `landscape merge FILE… --out FILE` (shards and
 * partial runs with the same spec into one) and `landscape render FILE --svg OUT` (the same renderer
 * the app exports with, optionally with a trajectory overlay and a fixed colour domain), which also
 * draws a `landscape senses --json` result as its layer × position heatmap.
 */
import {
  countComputed,
  mergeSurfaces,
  parseSurface,
  serializeSurface,
  type SurfaceFile,
} from '../../../engine/io/surfaceFile';
import { readInputBytes, writeFileAtomic } from '../../../engine/node/fs';
import { checkOutputPath } from '../../../engine/node/input';
import { InputError } from '../../../engine/util/errors';
import { renderSenseHeatmapSvg, type SenseHeatmapData } from '../../../viz/senseHeatmapSvg';
import { renderSurfaceSvg, type TrajectoryOverlayPoint } from '../../../viz/surfaceSvg';
import { defineVerb, UsageError } from '../../command';

async function readSurface(path: string): Promise<SurfaceFile> {
  return parseSurface(new TextDecoder().decode(await readInputBytes(path, 'surface file')), path);
}

/** A `landscape senses --json` result (`task`, `layers`, `scores`), or null for anything else. */
async function readSenses(path: string): Promise<SenseHeatmapData | null> {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(await readInputBytes(path, 'file to render')));
  } catch {
    return null;
  }
  const o = doc as Partial<SenseHeatmapData> | null;
  if (!o || typeof o !== 'object' || !Array.isArray(o.layers) || typeof o.scores !== 'object' || !o.task) return null;
  for (const grid of Object.values(o.scores ?? {}))
    if (!Array.isArray(grid) || grid.length !== o.layers.length)
      throw new InputError(`${path}: a senses result whose scores do not have one row per layer`);
  return o as SenseHeatmapData;
}

export const merge = defineVerb({
  area: 'landscape',
  verb: 'merge',
  summary: 'Join surface files with the same spec (shards, partial runs) into one',
  flags: { out: { kind: 'string', required: true, placeholder: 'FILE', description: 'merged surface file' } },
  positionals: { name: 'FILE', description: 'surface files to merge', min: 1, variadic: true },
  async run({ flags, positionals, json }, io) {
    await checkOutputPath(flags.out, 'merged surface file');
    const files = [];
    for (const p of positionals) files.push({ name: p, file: await readSurface(p) });
    const merged = mergeSurfaces(files);
    await writeFileAtomic(flags.out, serializeSurface(merged, 1));
    const done = countComputed(merged);
    const total = merged.x.length * merged.y.length;
    if (json)
      io.stdout(
        JSON.stringify({ out: flags.out, files: files.length, computed: done, total, complete: done === total }),
      );
    else
      io.stdout(
        `wrote ${flags.out}: ${done} of ${total} points from ${files.length} files${done < total ? ` (${total - done} still missing)` : ''}`,
      );
  },
});

/** The output of `landscape trajectory --json` (a list, or an object with `points`) as overlay points. */
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
    if (!Number.isFinite(o?.alpha) || !Number.isFinite(o.beta))
      throw new InputError(`${path}: entry ${k} has no finite numeric alpha and beta`);
    return {
      checkpoint: String(o.checkpoint ?? `#${k + 1}`),
      alpha: o.alpha as number,
      beta: o.beta as number,
      loss: typeof o.loss === 'number' ? o.loss : null,
    };
  });
}

export const render = defineVerb({
  area: 'landscape',
  verb: 'render',
  summary: 'Render a surface file, or a `landscape senses --json` result as a heatmap, as a standalone SVG',
  flags: {
    svg: { kind: 'string', required: true, placeholder: 'OUT', description: 'SVG file to write' },
    log: { kind: 'boolean', description: 'log colour scale' },
    trajectory: {
      kind: 'string',
      placeholder: 'FILE',
      description: 'overlay the output of landscape trajectory --json',
    },
    quantity: {
      kind: 'enum',
      values: ['loss', 'accuracy'],
      default: 'loss',
      description: 'which values to draw (default loss)',
    },
    colormap: {
      kind: 'enum',
      values: ['viridis', 'cividis'],
      default: 'viridis',
      description: 'colour map (default viridis)',
    },
    title: { kind: 'string', placeholder: 'TEXT', description: 'figure title' },
    metric: {
      kind: 'string',
      placeholder: 'NAME',
      description: 'senses result: the metric to draw (f_score, v_measure, …, w2s_agreement; default the first)',
    },
    levels: { kind: 'int', min: 2, placeholder: 'N', description: 'approximate number of contour bands (default 14)' },
    domain: {
      kind: 'string',
      placeholder: 'MIN:MAX',
      description: 'fix the colour scale (e.g. to compare two surfaces on one scale)',
    },
    width: { kind: 'int', min: 200, placeholder: 'PX', description: 'width (default 640)' },
    height: { kind: 'int', min: 160, placeholder: 'PX', description: 'height (default 520)' },
  },
  positionals: { name: 'FILE', description: 'surface file or senses result', min: 1 },
  async run({ flags, positionals, json }, io) {
    const path = positionals[0];
    await checkOutputPath(flags.svg, 'SVG');
    const senses = await readSenses(path);
    if (senses) {
      if (flags.metric && flags.metric !== 'w2s_agreement' && !(flags.metric in senses.scores))
        throw new UsageError(`--metric '${flags.metric}' is not in ${path} (${Object.keys(senses.scores).join(', ')})`);
      const svg = renderSenseHeatmapSvg(senses, {
        metric: flags.metric,
        title: flags.title,
        width: flags.width,
        height: flags.height,
      }).svg;
      await writeFileAtomic(flags.svg, svg);
      if (json) io.stdout(JSON.stringify({ svg: flags.svg, bytes: svg.length }));
      else io.stdout(`wrote ${flags.svg} (${svg.length} bytes)`);
      return;
    }
    const file = await readSurface(path);
    const traj = flags.trajectory
      ? parseTrajectory(
          new TextDecoder().decode(await readInputBytes(flags.trajectory, 'trajectory file')),
          flags.trajectory,
        )
      : undefined;
    let domain: [number, number] | undefined;
    if (flags.domain !== undefined) {
      const [lo, hi] = flags.domain.split(':').map(Number);
      if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo))
        throw new UsageError(`--domain '${flags.domain}' is not MIN:MAX with MAX > MIN`);
      if (flags.log && lo <= 0) throw new UsageError('--domain MIN must be positive with --log');
      domain = [lo, hi];
    }
    const svg = renderSurfaceSvg(file, {
      domain,
      quantity: flags.quantity,
      log: flags.log,
      colormap: flags.colormap,
      trajectory: traj,
      title: flags.title,
      levels: flags.levels,
      width: flags.width,
      height: flags.height,
    }).svg;
    await writeFileAtomic(flags.svg, svg);
    const done = countComputed(file);
    const total = file.x.length * file.y.length;
    if (json) io.stdout(JSON.stringify({ svg: flags.svg, bytes: svg.length, computed: done, total }));
    else io.stdout(`wrote ${flags.svg} (${svg.length} bytes; ${done} of ${total} points)`);
  },
});
