/**
 * `sensescape bert grad --model DIR --data TSV [--max-examples N] [--max-length L] [--batch B]
 * [--out grads.safetensors]`: the mean loss (as `bert loss`) and its gradient with respect to every
 * parameter, by tfjs autodiff over the differentiable forward (engine/bert/grad.ts), batched and
 * accumulated. Prints `{loss, gradient_norm, tensors: [{name, norm}]}` (with `examples`); `--out`
 * writes the gradient as F32 safetensors under the checkpoint's own tensor names.
 */
import { runGradient } from '../../engine/bert/gradService';
import { storedTensorNames } from '../../engine/bert/storedNames';
import { writeSafetensors } from '../../engine/io/safetensors';
import { initNodeBackend } from '../../engine/node/backend';
import { checkpointFiles } from '../../engine/node/checkpoint';
import { writeFileAtomic } from '../../engine/node/fs';
import { CancelToken } from '../../engine/util/cancel';
import { defineVerb } from '../command';
import { cancelOnSignal, DATA_FLAGS, loadData, loadDir, progressLine } from './landscape/shared';

export const grad = defineVerb({
  area: 'bert',
  verb: 'grad',
  summary: 'Mean loss and its gradient with respect to every parameter (per-tensor norms; --out writes it)',
  flags: {
    model: { kind: 'string', required: true, placeholder: 'DIR', description: 'fine-tuned checkpoint folder' },
    ...DATA_FLAGS,
    out: {
      kind: 'string',
      placeholder: 'FILE',
      description: "write the gradient (F32 safetensors, the checkpoint's tensor names)",
    },
  },
  async run({ flags, json }, io) {
    const ckpt = await loadDir(flags.model, 'model');
    const data = await loadData(flags, ckpt);
    const backend = (await initNodeBackend()).backend;
    const token = new CancelToken();
    const release = cancelOnSignal(token, io);
    try {
      const t0 = performance.now();
      const r = await runGradient(ckpt, data.batches, {
        token,
        onProgress: progressLine(io, 'bert grad'),
        keepValues: flags.out !== undefined,
      });
      const seconds = (performance.now() - t0) / 1000;
      if (flags.out && r.values) {
        const stored = await storedTensorNames(await checkpointFiles(flags.model));
        const tensors = [...r.values].map(([name, v]) => ({
          name: stored.get(name) ?? name,
          dtype: 'F32' as const,
          shape: v.shape,
          data: v.data,
        }));
        await writeFileAtomic(
          flags.out,
          writeSafetensors(tensors, {
            format: 'pt',
            content: 'gradient of the mean loss',
            checkpoint: ckpt.sha256,
            examples: String(r.examples),
          }),
        );
      }
      const { values: _values, ...report } = r;
      if (json) io.stdout(JSON.stringify(report));
      else {
        io.stdout(
          `loss ${r.loss.toPrecision(7)}  ‖∇L‖ ${r.gradient_norm.toPrecision(6)}  examples ${r.examples}  (${backend}, ${seconds.toFixed(2)} s)`,
        );
        for (const t of r.tensors) io.stdout(`  ${t.name.padEnd(52)} ${t.norm.toExponential(4)}`);
        if (flags.out) io.stdout(`gradient written to ${flags.out}`);
      }
    } finally {
      release();
    }
  },
});
