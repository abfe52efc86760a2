/**
 * `sensescape landscape curve --origin DIR --toward DIR --data TSV (--alphas A,B,… | --range MIN:MAX:N)
 * [--split train,dev] [--head DIR] [--svg OUT] [--threads N]`: the 1-D loss curve (engine service runCurve); with a
 * GLUE folder and several splits, one curve each.
 */
import { runCurve, type CurveData } from '../../../engine/landscape/services/curve';
import { pathKind, writeFileAtomic } from '../../../engine/node/fs';
import { checkOutputPath } from '../../../engine/node/input';
import { initNodeBackend } from '../../../engine/node/backend';
import { CancelToken } from '../../../engine/util/cancel';
import { renderCurveSvg } from '../../../viz/curveSvg';
import { SOFTWARE } from '../../../engine/landscape/services/common';
import { refOf } from '../../../engine/landscape/session';
import { defineVerb, UsageError } from '../../command';
import { autoPointThreads, pointReplicas, POINT_THREADS_FLAG } from './pointReplicas';
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

export const curve = defineVerb({
  area: 'landscape',
  verb: 'curve',
  summary: '1-D loss curve J(θ0 + α(θ1 − θ0)) between a pretrained origin and a fine-tuned checkpoint',
  flags: {
    ...ORIGIN_FLAGS,
    toward: { kind: 'string', required: true, placeholder: 'DIR', description: 'θ1: the fine-tuned checkpoint' },
    ...ALPHA_FLAGS,
    ...DATA_FLAGS,
    split: {
      kind: 'string',
      placeholder: 'train|dev[,…]',
      description: 'split(s); with a GLUE folder, several (train,dev) give one curve each, the first in loss/accuracy',
    },
    svg: { kind: 'string', placeholder: 'OUT', description: 'also write the curve(s) as SVG' },
    ...POINT_THREADS_FLAG,
  },
  async run({ flags, json }, io) {
    const alphas = alphasOf(flags);
    const splits = (flags.split ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (splits.length > 1 && (await pathKind(flags.data)) !== 'dir')
      throw new UsageError(
        'several --split values need --data to be a GLUE task folder (holding train.tsv, dev.tsv, …)',
      );
    if (flags.svg) await checkOutputPath(flags.svg, 'SVG');
    const origin = await loadOrigin(flags.origin);
    const toward = await loadDir(flags.toward, 'toward');
    const head = flags.head ? await loadDir(flags.head, 'head') : toward;
    const datasets = [];
    for (const split of splits.length ? splits : [undefined]) datasets.push(await loadData(flags, head, split));
    await initNodeBackend();
    const threads =
      flags.threads ??
      autoPointThreads(
        head.config,
        datasets.map((d) => d.batches),
        alphas.length,
      );
    const token = new CancelToken();
    const release = cancelOnSignal(token, io);
    let curves: CurveData[];
    try {
      curves = await runCurve(
        { origin, toward, head, datasets, alphas },
        {
          token,
          onProgress: progressLine(io, 'landscape curve'),
          openSession: pointReplicas(threads, io, 'landscape curve'),
        },
      );
    } finally {
      release();
    }
    const split = (c: CurveData) => c.spec.data.split;
    if (flags.svg)
      await writeFileAtomic(
        flags.svg,
        renderCurveSvg({
          title: `Loss from ${origin.name} toward ${toward.name}`,
          xLabel: 'α  (θ = θ0 + α·(θ1 − θ0))',
          yLabel: 'loss',
          series: curves.map((c, k) => ({
            name: `${split(c)} (${c.spec.data.examples} examples)`,
            x: c.alphas,
            y: c.loss.map((v) => v ?? Number.NaN),
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
            data: curves.map((c) => c.spec.data),
            software: SOFTWARE,
          },
        }).svg,
      );
    const [first] = curves;
    if (json) {
      const out: Record<string, unknown> = { alphas: first.alphas, loss: first.loss, accuracy: first.accuracy };
      if (curves.length > 1)
        out.splits = Object.fromEntries(
          curves.map((c) => [split(c), { loss: c.loss, accuracy: c.accuracy, examples: c.spec.data.examples }]),
        );
      io.stdout(JSON.stringify(out));
      return;
    }
    for (const c of curves) {
      io.stdout(
        `α        loss        accuracy   (${origin.name} → ${toward.name}, ${c.spec.data.examples} ${split(c)} examples)`,
      );
      c.alphas.forEach((a, k) =>
        io.stdout(
          `${String(a).padEnd(8)} ${(c.loss[k] ?? Number.NaN).toPrecision(7).padEnd(11)} ${c.accuracy[k] === null ? 'n/a' : c.accuracy[k]!.toFixed(4)}`,
        ),
      );
    }
  },
});
