/**
 * `sensescape landscape layers --origin DIR --toward DIR --data TSV --alphas LIST [--groups G,…]
 * [--svg OUT]`: layer-wise curves, one group rolled back toward θ0 at a time (engine service
 * runLayers), optionally as small multiples in SVG.
 */
import { SOFTWARE } from '../../../engine/landscape/services/common';
import { runLayers } from '../../../engine/landscape/services/layers';
import { refOf } from '../../../engine/landscape/session';
import { initNodeBackend } from '../../../engine/node/backend';
import { writeFileAtomic } from '../../../engine/node/fs';
import { checkOutputPath } from '../../../engine/node/input';
import { CancelToken } from '../../../engine/util/cancel';
import { renderCurveSvg } from '../../../viz/curveSvg';
import { defineVerb } from '../../command';
import {
  ALPHA_FLAGS,
  alphasOf,
  cancelOnSignal,
  DATA_FLAGS,
  loadData,
  loadDir,
  loadOrigin,
  ORIGIN_FLAGS,
  progressLine,
} from './shared';

export const layers = defineVerb({
  area: 'landscape',
  verb: 'layers',
  summary: 'Layer-wise curves: roll one group (layer.l, embeddings, pooler) back toward θ0 while the rest stays at θ1',
  flags: {
    ...ORIGIN_FLAGS,
    toward: { kind: 'string', required: true, placeholder: 'DIR', description: 'θ1: the fine-tuned checkpoint' },
    ...ALPHA_FLAGS,
    alphas: { ...ALPHA_FLAGS.alphas, description: 'α values (1 = fine-tuned, 0 = group rolled back)' },
    groups: { kind: 'string', placeholder: 'G,…', description: 'only these groups (default: all)' },
    ...DATA_FLAGS,
    svg: { kind: 'string', placeholder: 'OUT', description: 'also write small multiples as SVG' },
  },
  async run({ flags, json }, io) {
    const alphas = alphasOf(flags);
    if (flags.svg) await checkOutputPath(flags.svg, 'SVG');
    const origin = await loadOrigin(flags.origin);
    const toward = await loadDir(flags.toward, 'toward');
    const head = flags.head ? await loadDir(flags.head, 'head') : toward;
    const data = await loadData(flags, head);
    await initNodeBackend();
    const token = new CancelToken();
    const release = cancelOnSignal(token, io);
    const groups = flags.groups?.split(',').map((s) => s.trim());
    let r;
    try {
      r = await runLayers(
        { origin, toward, head, data, alphas, groups },
        { token, onProgress: progressLine(io, 'landscape layers') },
      );
    } finally {
      release();
    }
    if (flags.svg)
      await writeFileAtomic(
        flags.svg,
        renderCurveSvg({
          title: `Layer-wise loss: ${origin.name} → ${toward.name}`,
          xLabel: 'α (1 = fine-tuned, 0 = group rolled back)',
          yLabel: `loss (${data.spec.split}, ${data.spec.examples} examples)`,
          smallMultiples: true,
          series: r.groups.map((g) => ({ name: g.name, x: r.alphas, y: g.loss.map((v) => v ?? Number.NaN) })),
          metadata: {
            analysis: 'layers',
            origin: refOf(origin),
            toward: refOf(toward),
            head: refOf(head),
            data: data.spec,
            software: SOFTWARE,
          },
        }).svg,
      );
    if (json) {
      io.stdout(
        JSON.stringify({
          alphas: r.alphas,
          groups: r.groups.map(({ name, loss, accuracy, parameters }) => ({ name, loss, accuracy, parameters })),
        }),
      );
      return;
    }
    io.stdout(`group        ${r.alphas.map((a) => `α=${a}`.padEnd(10)).join(' ')}`);
    for (const g of r.groups)
      io.stdout(`${g.name.padEnd(12)} ${g.loss.map((v) => (v ?? Number.NaN).toPrecision(6).padEnd(10)).join(' ')}`);
  },
});
