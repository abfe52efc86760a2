/**
 * `sensescape landscape flatness` (in-process) on the landscape fixtures: the JSON contract (row keys,
 * correlations with n), and `--svg` writing a well-formed scatter with one point per checkpoint whose
 * coordinates are the measure and the loss gap of the rows; `--threads 2` gives the in-process rows.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { VerbSpec } from '../../command';
import { parseArgs } from '../../parseArgs';
import { checkXml } from '../../../testing/xmlCheck';
import { landscapeVerbs } from './index';

const F = 'tests/fixtures/landscape';
const tmp = mkdtempSync(join(tmpdir(), 'sensescape-flatness-'));

async function cli(argv: string[]): Promise<string> {
  const spec = landscapeVerbs.find((v) => v.verb === 'flatness') as VerbSpec;
  let out = '';
  const io = { stdout: (t: string) => (out += `${t}\n`), stderr: () => undefined };
  await spec.run(parseArgs(spec, argv), io);
  return out;
}

describe('sensescape landscape flatness', () => {
  it('prints rows and correlations and writes the scatter', async () => {
    const svg = join(tmp, 'flatness.svg');
    const r = JSON.parse(
      await cli([
        '--checkpoints',
        `${F}/ft-a`,
        `${F}/ft-b`,
        '--train',
        `${F}/data/sst2-train.tsv`,
        '--dev',
        `${F}/data/sst2-dev.tsv`,
        '--max-length',
        '40',
        '--iters',
        '3',
        '--trace-samples',
        '2',
        '--origin',
        `${F}/origin`,
        '--measure',
        'eigenvalue',
        '--svg',
        svg,
        '--json',
      ]),
    );
    const keys = [
      'name',
      'train_loss',
      'train_accuracy',
      'dev_loss',
      'dev_accuracy',
      'gap_loss',
      'gap_accuracy',
      'eigenvalue',
      'trace',
      'epsilon_sharpness',
      'random_direction_rise',
      'curve_curvature',
      'basin_width',
      'basin',
    ];
    expect(r.rows).toHaveLength(2);
    for (const row of r.rows) for (const k of keys) expect(row).toHaveProperty(k);
    // a pretrained origin without a head (--origin): each row's 1-D curve measures are numbers
    for (const row of r.rows) expect(Number.isFinite(row.curve_curvature) && row.basin_width > 0).toBe(true);
    for (const c of r.correlations) {
      expect(Object.keys(c).sort()).toEqual(['gap', 'kendall', 'measure', 'n', 'spearman']);
      expect(c.n).toBe(2);
    }
    const text = readFileSync(svg, 'utf8');
    checkXml(text);
    const points = [...text.matchAll(/<circle [^>]*data-x="([^"]+)" data-y="([^"]+)"/g)];
    expect(points.map((m) => [Number(m[1]), Number(m[2])])).toEqual(
      r.rows.map((row: { eigenvalue: number; gap_loss: number }) => [row.eigenvalue, row.gap_loss]),
    );
    expect(text).toContain('Spearman');
  }, 120_000);

  it('--threads 2 (data-parallel gradients and H·v) gives the in-process rows', async () => {
    const argv = ['--checkpoints', `${F}/ft-a`, `${F}/ft-b`, '--train', `${F}/data/sst2-train.tsv`];
    argv.push(
      '--dev',
      `${F}/data/sst2-dev.tsv`,
      '--max-length',
      '40',
      '--iters',
      '5',
      '--trace-samples',
      '2',
      '--json',
    );
    const one = JSON.parse(await cli([...argv, '--threads', '1']));
    const two = JSON.parse(await cli([...argv, '--threads', '2']));
    for (const [i, row] of one.rows.entries())
      for (const k of ['train_loss', 'dev_loss', 'eigenvalue', 'trace', 'epsilon_sharpness', 'random_direction_rise']) {
        const a = row[k] as number;
        const b = two.rows[i][k] as number;
        expect(Math.abs(b - a), `${row.name} ${k}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-4 * Math.abs(a) + 1e-7);
      }
  }, 120_000);
});
