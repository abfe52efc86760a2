/**
 * `sensescape bert grad` end to end (in-process) against the PyTorch float64 references: the JSON
 * contract, per-tensor norms, and `--out` writing the gradient under the checkpoint's stored names
 * (the legacy checkpoint's `bert.` prefix and LayerNorm.gamma/beta), equal to PyTorch's values.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { VerbSpec } from '../command';
import { parseArgs } from '../parseArgs';
import { SafetensorsFile } from '../../engine/io/safetensors';
import { normaliseTensorName } from '../../engine/bert/checkpoint';
import { CURVATURE_REFS, FIXTURES, referenceTensors, relativeError } from '../../testing/curvature';
import { bertVerbs } from './bert';

const tmp = mkdtempSync(join(tmpdir(), 'sensescape-grad-'));

async function cli(argv: string[]): Promise<string> {
  const spec = bertVerbs.find((v) => v.verb === 'grad') as VerbSpec;
  let out = '';
  const io = { stdout: (t: string) => (out += `${t}\n`), stderr: () => undefined };
  await spec.run(parseArgs(spec, argv), io);
  return out;
}

describe('sensescape bert grad', () => {
  for (const name of ['tiny-hess-mse', 'legacy-gelunew-bin']) {
    it(`${name}: --json contract and --out equal PyTorch's gradient`, async () => {
      const ref = CURVATURE_REFS[name];
      const out = join(tmp, `${name}.safetensors`);
      const argv = ['--model', join(FIXTURES, ref.folder), '--data', join(FIXTURES, 'bert/data', ref.data)];
      argv.push('--max-length', String(ref.maxLength), '--batch', '5', '--out', out, '--json');
      const r = JSON.parse(await cli(argv)) as {
        loss: number;
        gradient_norm: number;
        tensors: { name: string; norm: number }[];
      };
      expect(Object.keys(r).sort()).toEqual(['examples', 'gradient_norm', 'loss', 'tensors']);
      expect(Math.abs(r.loss - ref.loss) / ref.loss).toBeLessThan(1e-5);
      expect(Math.abs(r.gradient_norm - ref.gradientNorm) / ref.gradientNorm).toBeLessThan(1e-4);
      expect(r.tensors.map((t) => t.name)).toEqual(ref.names);
      const want = await referenceTensors(name);
      const f = await SafetensorsFile.fromBytes(new Uint8Array(readFileSync(out)));
      expect(f.names().length).toBe(ref.names.length);
      for (const stored of f.names()) {
        const n = normaliseTensorName(stored)!;
        const t = ref.names.indexOf(n);
        if (ref.tensorNorms[t] < 1e-7 * ref.gradientNorm) continue; // zero by symmetry
        expect(relativeError((await f.read(stored)) as Float32Array, want.get(`grad.${n}`)!), n).toBeLessThan(1e-4);
      }
      if (name === 'legacy-gelunew-bin') {
        expect(f.names()).toContain('bert.embeddings.LayerNorm.gamma');
        expect(f.names()).toContain('classifier.weight');
      }
    }, 60_000);
  }
});
