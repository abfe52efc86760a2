/**
 * `sensescape landscape trajectory --origin DIR --toward DIR --checkpoints DIR… [--data TSV] [--pca]`:
 * fine-tuning checkpoints projected onto the θ0 → θ1 plane, with their loss (engine service
 * runTrajectory). The JSON is what `landscape render --trajectory` overlays.
 */
import type { LoadedCheckpoint } from '../../../engine/bert/checkpoint';
import { runTrajectory } from '../../../engine/landscape/services/trajectory';
import { initNodeBackend } from '../../../engine/node/backend';
import { CancelToken } from '../../../engine/util/cancel';
import { defineVerb } from '../../command';
import { cancelOnSignal, DATA_FLAGS, loadData, loadDir, loadOrigin, ORIGIN_FLAGS, progressLine } from './shared';

export const trajectory = defineVerb({
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
    data: { ...DATA_FLAGS.data, required: false },
  },
  async run({ flags, json }, io) {
    const origin = await loadOrigin(flags.origin);
    const toward = await loadDir(flags.toward, 'toward');
    const head = flags.head ? await loadDir(flags.head, 'head') : toward;
    const checkpoints: LoadedCheckpoint[] = [];
    for (const d of flags.checkpoints) checkpoints.push(await loadDir(d, 'checkpoints'));
    const data = flags.data ? await loadData({ ...flags, data: flags.data }, head) : undefined;
    await initNodeBackend();
    const token = new CancelToken();
    const release = cancelOnSignal(token, io);
    try {
      const r = await runTrajectory(
        { origin, toward, head, checkpoints, data, pca: flags.pca },
        { token, onProgress: progressLine(io, 'landscape trajectory') },
      );
      if (json) {
        io.stdout(JSON.stringify(r.points));
        return;
      }
      io.stdout(`‖θ1 − θ0‖ = ${r.deltaNorm.toPrecision(6)} over ${r.moving} moving tensors`);
      for (const p of r.points)
        io.stdout(
          `${p.checkpoint.padEnd(24)} α ${p.alpha.toFixed(4)}  β ${p.beta.toFixed(4)}  loss ${p.loss === null ? '—' : p.loss.toPrecision(6)}${p.pc1 !== undefined ? `  pc ${p.pc1.toFixed(4)}, ${p.pc2!.toFixed(4)}` : ''}`,
        );
      if (r.pca)
        io.stdout(
          `PCA explained variance: ${r.pca.explainedVarianceRatio.map((v) => (v * 100).toFixed(1) + '%').join(', ')}`,
        );
    } finally {
      release();
    }
  },
});
