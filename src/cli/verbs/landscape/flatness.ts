/**
 * `sensescape landscape flatness --checkpoints DIR… --train TSV --dev TSV [data flags] [--epsilon E]
 * [--radius R] [--origin DIR… [--basin-delta D]] [--svg FILE --measure M] [--threads N]`: per checkpoint the
 * train/dev loss and accuracy, the generalisation gap and the flatness measures (top Hessian eigenvalue,
 * Hutchinson trace, ε-sharpness, random-direction rise; with --origin, the curvature and basin width of
 * the 1-D curve θ0 → checkpoint),
 * then Spearman and Kendall correlations between each measure and each gap (engine service
 * runFlatness). JSON: {rows: [{name, train_loss, train_accuracy, dev_loss, dev_accuracy, gap_loss,
 * gap_accuracy, eigenvalue, trace, trace_stderr, epsilon_sharpness, random_direction_rise, curve_curvature,
 * basin_width, basin}],
 * correlations: [{measure, gap, spearman, kendall, n}], examples, settings}.
 */
import type { LoadedCheckpoint } from '../../../engine/bert/checkpoint';
import { FLATNESS_MEASURES, runFlatness } from '../../../engine/landscape/services/flatness';
import { writeFileAtomic } from '../../../engine/node/fs';
import { renderFlatnessScatter } from '../../../viz/curvatureFigures';
import { initNodeBackend } from '../../../engine/node/backend';
import { CancelToken } from '../../../engine/util/cancel';
import { autoHvpThreads } from '../../../engine/node/gradReplicas';
import { gradientReplicas, threadsFlag } from '../replicas';
import { InputError } from '../../../engine/util/errors';
import { defineVerb } from '../../command';
import { cancelOnSignal, DATA_FLAGS, loadData, loadDir, loadOrigin, progressLine } from './shared';

const { data: _data, split: _split, ...DATA_REST } = DATA_FLAGS;

export const flatness = defineVerb({
  area: 'landscape',
  verb: 'flatness',
  summary: 'Flatness measures (λ_max, trace, ε-sharpness, random-direction rise) against the generalisation gap',
  flags: {
    ...threadsFlag('gradients and H·v', 'one H·v'),
    checkpoints: { kind: 'strings', required: true, placeholder: 'DIR', description: 'fine-tuned checkpoint folders' },
    train: {
      kind: 'string',
      required: true,
      placeholder: 'TSV',
      description: 'training examples (the measures use these)',
    },
    dev: { kind: 'string', required: true, placeholder: 'TSV', description: 'held-out examples' },
    origin: {
      kind: 'strings',
      placeholder: 'DIR',
      description:
        'θ0 of the 1-D curves θ0 → checkpoint for curve_curvature and basin_width: one folder for all, or one per checkpoint',
    },
    'basin-delta': {
      kind: 'number',
      default: 0.1,
      placeholder: 'D',
      description: 'δ of basin_width: the α-interval around 1 where J ≤ J(1) + δ',
    },
    ...DATA_REST,
    epsilon: { kind: 'number', default: 1e-3, placeholder: 'E', description: 'ε of ε-sharpness (relative L∞ box)' },
    radius: {
      kind: 'number',
      default: 0.1,
      placeholder: 'R',
      description: 'distance along filter-normalised directions',
    },
    'trace-samples': { kind: 'int', min: 2, default: 20, placeholder: 'M', description: 'Hutchinson samples' },
    iters: {
      kind: 'int',
      min: 1,
      default: 50,
      placeholder: 'N',
      description: 'power-iteration limit (top eigenvalue)',
    },
    svg: { kind: 'string', placeholder: 'FILE', description: 'write the scatter of --measure against the loss gap' },
    measure: {
      kind: 'enum',
      values: FLATNESS_MEASURES,
      default: 'trace',
      description: "flatness measure on the scatter's x axis (default trace)",
    },
  },
  async run({ flags, json }, io) {
    const checkpoints: LoadedCheckpoint[] = [];
    for (const d of flags.checkpoints) checkpoints.push(await loadDir(d, 'checkpoints'));
    const first = checkpoints[0];
    for (const c of checkpoints.slice(1))
      if ((c.vocab ?? []).join('\n') !== (first.vocab ?? []).join('\n'))
        throw new InputError(`${c.name}: vocab.txt differs from ${first.name}'s (the examples are tokenized once)`);
    const origins: LoadedCheckpoint[] = [];
    for (const d of flags.origin ?? []) origins.push(await loadOrigin(d));
    if (origins.length > 1 && origins.length !== checkpoints.length)
      throw new InputError(
        `--origin: give one folder for all checkpoints or one per checkpoint (${checkpoints.length}), not ${origins.length}`,
      );
    const train = await loadData({ ...flags, data: flags.train }, first, 'train');
    const dev = await loadData({ ...flags, data: flags.dev }, first, 'dev');
    await initNodeBackend();
    const threads = flags.threads ?? autoHvpThreads(first.config, train.batches);
    const pool = gradientReplicas(threads, io, 'landscape flatness');
    const token = new CancelToken();
    const release = cancelOnSignal(token, io);
    try {
      const r = await runFlatness(
        {
          checkpoints,
          train: train.batches,
          dev: dev.batches,
          epsilon: flags.epsilon,
          radius: flags.radius,
          traceSamples: flags['trace-samples'],
          iters: flags.iters,
          seed: flags.seed ?? 0,
          origins,
          basinDelta: flags['basin-delta'],
          diff: pool,
        },
        { token, onProgress: progressLine(io, 'landscape flatness') },
      );
      if (flags.svg) await writeFileAtomic(flags.svg, renderFlatnessScatter(r, flags.measure).svg);
      if (json) {
        io.stdout(JSON.stringify(r));
        return;
      }
      const f = (v: number | null, p = 4): string => (v === null ? '—' : v.toPrecision(p));
      io.stdout(`${r.examples.train} train / ${r.examples.dev} dev examples`);
      io.stdout(
        'name'.padEnd(20) + " train_loss dev_loss gap_loss gap_acc  λ_max   trace   ε-sharp  rnd-rise  J''(1)   basin",
      );
      for (const row of r.rows)
        io.stdout(
          `${row.name.padEnd(20)} ${[row.train_loss, row.dev_loss, row.gap_loss, row.gap_accuracy, row.eigenvalue, row.trace, row.epsilon_sharpness, row.random_direction_rise, row.curve_curvature, row.basin_width].map((v) => f(v).padStart(8)).join(' ')}`,
        );
      for (const c of r.correlations)
        io.stdout(
          `${c.measure.padEnd(22)} vs ${c.gap.padEnd(12)} ρ ${f(c.spearman, 3)}  τ ${f(c.kendall, 3)}  n ${c.n}`,
        );
    } finally {
      release();
      await pool.close();
    }
  },
});
