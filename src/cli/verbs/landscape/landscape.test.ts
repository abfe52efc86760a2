/** The `landscape` CLI verbs end to end (in-process), on the PyTorch reference fixtures. */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { VerbSpec } from '../../command';
import { parseArgs } from '../../parseArgs';
import { isInputError } from '../../../engine/util/errors';
import { parseSurface, serializeSurface } from '../../../engine/io/surfaceFile';
import { checkXml } from '../../../testing/xmlCheck';
import { landscapeVerbs } from './index';

const F = 'tests/fixtures/landscape';
const ref = JSON.parse(readFileSync(`${F}/reference.json`, 'utf8'));
const DATA = ['--data', `${F}/data/sst2-dev.tsv`, '--max-length', '40', '--batch', '8'];
const tmp = mkdtempSync(join(tmpdir(), 'sensescape-landscape-'));
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-6, Math.abs(b));

async function cli(verb: string, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const spec = landscapeVerbs.find((v) => v.verb === verb) as VerbSpec;
  let out = '';
  let err = '';
  const io = { stdout: (t: string) => (out += `${t}\n`), stderr: (t: string) => (err += `${t}\n`) };
  const code = (await spec.run(parseArgs(spec, argv), io)) ?? 0;
  return { code, out, err };
}

async function cliError(verb: string, argv: string[]): Promise<string> {
  try {
    await cli(verb, argv);
  } catch (e) {
    expect(isInputError(e), String(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('sensescape landscape', () => {
  it('curve --json matches PyTorch and writes an SVG', async () => {
    const svg = join(tmp, 'curve.svg');
    const r = await cli('curve', [
      '--origin',
      `${F}/origin`,
      '--toward',
      `${F}/ft-a`,
      ...DATA,
      '--alphas',
      ref.curve.alphas.join(','),
      '--json',
      '--svg',
      svg,
    ]);
    const out = JSON.parse(r.out);
    expect(Object.keys(out)).toEqual(['alphas', 'loss', 'accuracy']);
    out.loss.forEach((v: number, k: number) => expect(rel(v, ref.curve.loss[k])).toBeLessThan(1e-4));
    expect(r.err).toMatch(/points\/s/);
    expect(checkXml(readFileSync(svg, 'utf8')).root).toBe('svg');
  });

  it('curve on a GLUE folder with --split train,dev gives one curve per split', async () => {
    const glue = join(tmp, 'SST-2');
    mkdirSync(glue);
    copyFileSync(`${F}/data/sst2-dev.tsv`, join(glue, 'dev.tsv'));
    copyFileSync(`${F}/data/sst2-train.tsv`, join(glue, 'train.tsv'));
    const r = await cli('curve', [
      '--origin',
      `${F}/origin`,
      '--toward',
      `${F}/ft-a`,
      '--data',
      glue,
      '--split',
      'train,dev',
      '--max-length',
      '40',
      '--alphas',
      '0,1',
      '--json',
    ]);
    const out = JSON.parse(r.out);
    expect(Object.keys(out.splits)).toEqual(['train', 'dev']);
    expect(out.loss).toEqual(out.splits.train.loss);
    expect(rel(out.splits.train.loss[1], ref.curveTrain.loss[4])).toBeLessThan(1e-4);
    expect(rel(out.splits.dev.loss[0], ref.curve.loss[1])).toBeLessThan(1e-4);
    expect(
      await cliError('curve', [
        '--origin',
        `${F}/origin`,
        '--toward',
        `${F}/ft-a`,
        ...DATA,
        '--split',
        'train,dev',
        '--alphas',
        '0',
      ]),
    ).toMatch(/GLUE task folder/);
  });

  it('surface --points --json matches PyTorch', async () => {
    const pts = ref.surface.points.map((p: { x: number; y: number }) => `${p.x}:${p.y}`).join(',');
    const r = await cli('surface', [
      '--origin',
      `${F}/origin`,
      '--x',
      `${F}/ft-a`,
      '--y',
      `${F}/ft-b`,
      ...DATA,
      '--points',
      pts,
      '--json',
    ]);
    const out = JSON.parse(r.out);
    expect(Object.keys(out[0])).toEqual(['x', 'y', 'loss', 'accuracy']);
    out.forEach((p: { loss: number }, k: number) => expect(rel(p.loss, ref.surface.points[k].loss)).toBeLessThan(1e-4));
  });

  it('surface shards merge into the full grid; resume fills only what is missing; render draws it', async () => {
    const base = [
      '--origin',
      `${F}/origin`,
      '--x',
      `${F}/ft-a`,
      '--y',
      'random',
      '--seed',
      '7',
      ...DATA,
      '--grid',
      '-0.5:1.5:4,-1:1:3',
    ];
    const full = join(tmp, 'full.json');
    await cli('surface', [...base, '--out', full]);
    const shards = [1, 2, 3].map((i) => join(tmp, `shard${i}.json`));
    for (let i = 0; i < 3; i++) await cli('surface', [...base, '--shard', `${i + 1}/3`, '--out', shards[i]]);
    const merged = join(tmp, 'merged.json');
    const m = await cli('merge', [...shards, '--out', merged, '--json']);
    expect(JSON.parse(m.out)).toMatchObject({ computed: 12, total: 12, complete: true });
    const F1 = parseSurface(readFileSync(full, 'utf8'), 'full');
    expect(parseSurface(readFileSync(merged, 'utf8'), 'merged').values).toEqual(F1.values);
    expect(F1.spec.y).toEqual({ kind: 'random', seed: 7, normalize: 'filter', ignore: 'bias-ln' });
    expect(F1.spec.origin.sha256).toBe(ref.checkpoints.origin.sha256);
    expect(F1.spec.data.sha256).toBe(ref.data.dev.sha256);
    // Resume a file with 6 points knocked out.
    const part = parseSurface(readFileSync(full, 'utf8'), 'full');
    for (let j = 0; j < 3; j++)
      for (let i = 0; i < 2; i++) {
        part.values.loss[j][i] = null;
        part.values.accuracy[j][i] = null;
      }
    const partial = join(tmp, 'partial.json');
    writeFileSync(partial, serializeSurface(part));
    const r = await cli('surface', [...base, '--resume', partial]);
    expect(r.err).toMatch(/6 points to compute/);
    expect(parseSurface(readFileSync(partial, 'utf8'), 'p').values).toEqual(F1.values);
    // A different spec refuses to resume or merge, naming the field.
    expect(await cliError('surface', [...base.map((a) => (a === '7' ? '8' : a)), '--resume', partial])).toMatch(
      /cannot resume.*spec\.y\.seed \(7 vs 8\)/,
    );
    const other = join(tmp, 'other.json');
    await cli('surface', [...base.map((a) => (a === '7' ? '8' : a)), '--shard', '1/50', '--out', other]);
    expect(await cliError('merge', [full, other, '--out', join(tmp, 'x.json')])).toMatch(/specs differ: spec\.y\.seed/);
    // Render with a trajectory overlay.
    const traj = join(tmp, 'traj.json');
    const t = await cli('trajectory', [
      '--origin',
      `${F}/origin`,
      '--toward',
      `${F}/ft-a`,
      '--checkpoints',
      `${F}/traj-1`,
      `${F}/traj-2`,
      ...DATA,
      '--json',
    ]);
    const tj = JSON.parse(t.out);
    expect(tj.map((p: { checkpoint: string }) => p.checkpoint)).toEqual(['traj-1', 'traj-2']);
    expect(rel(tj[1].alpha, ref.trajectory.alpha[1])).toBeLessThan(1e-4);
    expect(rel(tj[1].loss, ref.trajectory.loss[1])).toBeLessThan(1e-4);
    writeFileSync(traj, t.out);
    const svgPath = join(tmp, 's.svg');
    await cli('render', [merged, '--svg', svgPath, '--trajectory', traj, '--log']);
    const svg = readFileSync(svgPath, 'utf8');
    const doc = checkXml(svg);
    expect(doc.elements.filter((e) => e.attrs.class === 'band').length).toBeGreaterThan(3);
    expect(doc.elements.filter((e) => e.attrs.class === 'trajectory-point').length).toBe(2);
    expect(svg).toContain(ref.checkpoints.origin.sha256);
    expect(svg).toContain(ref.checkpoints['ft-a'].sha256);
  });

  it('layers --json matches PyTorch', async () => {
    const r = await cli('layers', [
      '--origin',
      `${F}/origin`,
      '--toward',
      `${F}/ft-a`,
      ...DATA,
      '--alphas',
      ref.layers.alphas.join(','),
      '--json',
    ]);
    const out = JSON.parse(r.out);
    expect(out.alphas).toEqual(ref.layers.alphas);
    out.groups.forEach((g: { name: string; loss: number[] }, k: number) => {
      expect(g.name).toBe(ref.layers.groups[k].name);
      g.loss.forEach((v, a) => expect(rel(v, ref.layers.groups[k].loss[a])).toBeLessThan(1e-4));
    });
  });

  it('refuses bad input with one-line named errors before compute', async () => {
    expect(
      await cliError('curve', [
        '--origin',
        `${F}/origin`,
        '--toward',
        'tests/fixtures/bert/tiny-gelu-f32',
        ...DATA,
        '--alphas',
        '0,1',
      ]),
    ).toMatch(/tiny-gelu-f32.*(shape|hidden_size|vocab)/);
    expect(
      await cliError('surface', ['--origin', `${F}/origin`, '--x', `${F}/ft-a`, '--y', 'random', ...DATA]),
    ).toMatch(/--grid .* or --points/);
    expect(
      await cliError('surface', [
        '--origin',
        `${F}/origin`,
        '--x',
        `${F}/ft-a`,
        '--y',
        'random',
        ...DATA,
        '--grid',
        '0:1:3,0:1:3',
      ]),
    ).toMatch(/needs --out/);
    expect(
      await cliError('curve', ['--origin', `${F}/origin`, '--toward', `${F}/ft-a`, ...DATA, '--range', '1:0:3']),
    ).toMatch(/MAX must be greater/);
    expect(await cliError('merge', [`${F}/reference.json`, '--out', join(tmp, 'y.json')])).toMatch(
      /reference\.json: format/,
    );
  });
});
