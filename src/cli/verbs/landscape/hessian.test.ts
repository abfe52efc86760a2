/**
 * `sensescape landscape hessian` (in-process): the JSON contract (keys, K eigenvalues ordered by
 * magnitude, trace with stderr and samples, density and groups when asked), the figures against the
 * exact Hessian's on a tiny reference checkpoint, `--threads 2` equal to in-process, and bad input as
 * one-line InputErrors.
 */
import { describe, expect, it } from 'vitest';
import type { VerbSpec } from '../../command';
import { parseArgs } from '../../parseArgs';
import { isInputError } from '../../../engine/util/errors';
import { CURVATURE_REFS, FIXTURES } from '../../../testing/curvature';
import { landscapeVerbs } from './index';

async function cli(argv: string[]): Promise<string> {
  const spec = landscapeVerbs.find((v) => v.verb === 'hessian') as VerbSpec;
  let out = '';
  const io = { stdout: (t: string) => (out += `${t}\n`), stderr: () => undefined };
  await spec.run(parseArgs(spec, argv), io);
  return out;
}

const ref = CURVATURE_REFS['tiny-hess-mse'];
const ARGS = ['--model', `${FIXTURES}/${ref.folder}`, '--data', `${FIXTURES}/bert/data/${ref.data}`];
ARGS.push('--max-length', String(ref.maxLength), '--batch', '24');

describe('sensescape landscape hessian', () => {
  it('prints the contract with figures near the exact Hessian', async () => {
    const r = JSON.parse(
      await cli([...ARGS, '--top', '2', '--iters', '60', '--trace-samples', '6', '--density', '--groups', '--json']),
    );
    for (const k of ['loss', 'gradient_norm', 'parameters', 'eigenvalues', 'trace', 'density', 'groups'])
      expect(r).toHaveProperty(k);
    expect(r.parameters).toBe(ref.parameters);
    expect(r.eigenvalues).toHaveLength(2);
    expect(Math.abs(r.eigenvalues[0])).toBeGreaterThanOrEqual(Math.abs(r.eigenvalues[1]));
    expect(Math.abs(r.eigenvalues[0] - ref.eigenvaluesByMagnitude![0]) / ref.eigenvaluesByMagnitude![0]).toBeLessThan(
      0.01,
    );
    expect(Object.keys(r.trace).sort()).toEqual(['estimate', 'samples', 'stderr']);
    expect(r.trace.samples).toBe(6);
    expect(r.density.grid.length).toBe(r.density.values.length);
    expect(r.groups.map((g: { name: string }) => g.name)).toEqual(['embeddings', 'layer.0', 'pooler', 'classifier']);
    for (const g of r.groups) expect(Object.keys(g).sort()).toEqual(['eigenvalue', 'name', 'parameters', 'trace']);
  }, 120_000);

  it('--threads 2 (data-parallel H·v) gives the in-process figures: eigenvalues and trace to 1e-4', async () => {
    const argv = [...ARGS, '--top', '2', '--iters', '40', '--trace-samples', '4', '--groups', '--json'];
    const one = JSON.parse(await cli([...argv, '--threads', '1']));
    const two = JSON.parse(await cli([...argv, '--threads', '2']));
    expect(two.settings.hvps).toBe(one.settings.hvps);
    expect(Math.abs(two.loss - one.loss) / one.loss).toBeLessThan(1e-6);
    for (const [i, e] of one.eigenvalues.entries())
      expect(Math.abs(two.eigenvalues[i] - e) / Math.abs(e), `λ${i}`).toBeLessThan(1e-4);
    expect(Math.abs(two.trace.estimate - one.trace.estimate) / Math.abs(one.trace.estimate)).toBeLessThan(1e-4);
    for (const [i, g] of one.groups.entries())
      expect(Math.abs(two.groups[i].eigenvalue - g.eigenvalue) / Math.abs(g.eigenvalue), g.name).toBeLessThan(1e-4);
  }, 120_000);

  it('rejects a missing folder and a --max-length beyond the positions with one-line errors; --threads over 64', async () => {
    for (const argv of [
      ['--model', '/nonexistent/ckpt', '--data', `${FIXTURES}/bert/data/${ref.data}`],
      [...ARGS, '--max-length', '999'],
    ]) {
      let err: unknown;
      try {
        await cli(argv);
      } catch (e) {
        err = e;
      }
      expect(isInputError(err), String(err)).toBe(true);
      expect(String((err as Error).message)).not.toContain('\n');
    }
    await expect(cli([...ARGS, '--threads', '65'])).rejects.toThrow('--threads must be at most 64, got 65');
  });
});
