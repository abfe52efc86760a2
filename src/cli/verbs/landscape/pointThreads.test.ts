/**
 * `landscape curve|surface --threads N`: worker replicas on one shared plane (engine/node/planeSession.ts)
 * give the in-process values — the same batches through the same kernels, so the same float32 logits
 * and float64 sums — for one split and for two (the plane keeps the union of their embedding rows),
 * and for a surface's two checkpoint directions; a random direction stays in process.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { VerbSpec } from '../../command';
import { parseArgs } from '../../parseArgs';
import { landscapeVerbs } from './index';

const F = 'tests/fixtures/landscape';
const ref = JSON.parse(readFileSync(`${F}/reference.json`, 'utf8'));

async function run(verb: string, argv: string[]): Promise<{ out: Record<string, unknown>; err: string }> {
  const spec = landscapeVerbs.find((v) => v.verb === verb) as VerbSpec;
  let out = '';
  let err = '';
  const io = { stdout: (t: string) => (out += `${t}\n`), stderr: (t: string) => (err += `${t}\n`) };
  await spec.run(parseArgs(spec, [...argv, '--json']), io);
  return { out: JSON.parse(out), err };
}

describe('landscape curve --threads', () => {
  it('2 worker replicas on a shared plane give the in-process curve exactly', async () => {
    const argv = ['--origin', `${F}/origin`, '--toward', `${F}/ft-a`, '--data', `${F}/data/sst2-dev.tsv`];
    const args = [...argv, '--max-length', '40', '--batch', '4', '--alphas', ref.curve.alphas.join(',')];
    const one = await run('curve', [...args, '--threads', '1']);
    const two = await run('curve', [...args, '--threads', '2']);
    expect(one.err).not.toMatch(/worker replicas/);
    expect(two.err).toMatch(/landscape curve: 2 worker replicas on one shared copy/);
    expect(two.out).toEqual(one.out);
    const loss = two.out.loss as number[];
    loss.forEach((v, k) => expect(Math.abs(v - ref.curve.loss[k]) / ref.curve.loss[k]).toBeLessThan(1e-4));
  }, 60_000);

  it('with two splits (union of their embedding rows) each curve equals the in-process one', async () => {
    const glue = join(mkdtempSync(join(tmpdir(), 'sensescape-threads-')), 'SST-2');
    mkdirSync(glue);
    copyFileSync(`${F}/data/sst2-dev.tsv`, join(glue, 'dev.tsv'));
    copyFileSync(`${F}/data/sst2-train.tsv`, join(glue, 'train.tsv'));
    const args = ['--origin', `${F}/origin`, '--toward', `${F}/ft-b`, '--data', glue, '--split', 'train,dev'];
    const rest = ['--max-length', '40', '--batch', '8', '--range', '-0.5:1.5:5'];
    const one = await run('curve', [...args, ...rest, '--threads', '1']);
    const two = await run('curve', [...args, ...rest, '--threads', '3']);
    expect(two.err).toMatch(/3 worker replicas/);
    expect(two.out.splits).toEqual(one.out.splits);
  }, 60_000);

  it('surface points along two checkpoint directions equal the in-process ones; a random direction stays in process', async () => {
    const args = ['--origin', `${F}/origin`, '--data', `${F}/data/sst2-dev.tsv`, '--max-length', '40', '--batch', '4'];
    const pts = ['--points', '0:0,1:0,0.4:-0.6,1.5:1'];
    const hao = [...args, '--x', `${F}/ft-a`, '--y', `${F}/ft-b`, ...pts];
    const one = await run('surface', [...hao, '--threads', '1']);
    const two = await run('surface', [...hao, '--threads', '2']);
    expect(two.err).toMatch(/landscape surface: 2 worker replicas/);
    expect(two.out).toEqual(one.out);
    const li = [...args, '--x', `${F}/ft-a`, '--y', 'random', ...pts, '--threads', '2'];
    const random = await run('surface', li);
    expect(random.err).not.toMatch(/worker replicas/);
    expect(random.out).toEqual((await run('surface', [...li.slice(0, -1), '1'])).out);
  }, 60_000);
});
