/**
 * The sense probe's per-instance view (lsSenses with `detail`, what the studio's click-through shows)
 * on the tiny landscape fixtures: every cell's cluster labels, written as a key and scored again,
 * give that cell's scores; with the sense explorer's Word2Sense model loaded in the same worker, the
 * agreement equals the CLI's `--w2s` run and is the mean per-target AMI of the returned labels.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../src/engine/node/backend';
import { CancelToken } from '../src/engine/util/cancel';
import type { VerbSpec } from '../src/cli/command';
import { parseArgs } from '../src/cli/parseArgs';
import { landscapeVerbs } from '../src/cli/verbs/landscape/index';
import {
  formatSenseKey,
  groupByTerm,
  meanAgreement,
  restrictGold,
  scoreKey,
} from '../src/engine/landscape/senseScores';
import { landscapeHandlers } from '../src/workers/jobs/landscape';
import { sensesHandlers } from '../src/workers/jobs/senses';

const F = 'tests/fixtures/landscape';
const S = `${F}/senses/semeval2010`;
const W2S = 'public/demo/senses/word2sense-demo.safetensors';
const KEY = `${S}/evaluation/unsup_eval/keys/all.key`;
const fileOf = (path: string) => new File([readFileSync(path)], path.split('/').pop()!);
const ctx = () => ({ token: new CancelToken(), progress: () => {} });

async function open(id: string, dir: string) {
  const files = readdirSync(`${F}/${dir}`).map((n) => fileOf(join(F, dir, n)));
  await landscapeHandlers.lsOpenCheckpoint({ id, name: dir, files }, ctx());
}

const probe = (w2s: boolean) =>
  landscapeHandlers.lsSenses(
    {
      origin: 'o',
      toward: 't',
      alphas: [0, 0.5, 1],
      task: 'semeval2010',
      files: [fileOf(`${S}/test_data/nouns/access.n.xml`), fileOf(`${S}/test_data/verbs/lay.v.xml`), fileOf(KEY)],
      clusters: 2,
      layers: [0, 2],
      maxLength: 48,
      batchSize: 5,
      w2s,
      detail: true,
    },
    ctx(),
  );

beforeAll(async () => {
  await initNodeBackend();
  await open('o', 'origin');
  await open('t', 'ft-a');
});

describe('lsSenses detail', () => {
  it('returns per-cell cluster labels that re-score to the cell scores', async () => {
    const r = await probe(false);
    const d = r.detail!;
    expect(d.instances).toHaveLength(r.instances);
    expect(d.w2s_senses).toBeUndefined();
    const ids = new Set(d.instances.map((i) => i.id));
    const gold = restrictGold(readFileSync(KEY, 'utf8'), ids);
    expect(d.clusters).toHaveLength(2);
    d.clusters.forEach((row, li) => {
      expect(row).toHaveLength(3);
      row.forEach((labels, p) => {
        expect(labels).toHaveLength(r.instances);
        for (const l of labels!) expect([1, 2]).toContain(l);
        const s = scoreKey('semeval2010', gold, formatSenseKey(d.instances, labels!));
        expect(s.f_score).toBeCloseTo(r.scores.f_score[li][p]!, 12);
        expect(s.v_measure).toBeCloseTo(r.scores.v_measure[li][p]!, 12);
      });
    });
  });

  it("uses the sense explorer's loaded model: agreement equals the CLI's --w2s and the labels' AMI", async () => {
    await expect(probe(true)).rejects.toThrow(/Word2Sense model/);
    const bytes = readFileSync(W2S);
    await sensesHandlers.w2sOpenModel({ file: new Blob([bytes]), name: 'demo' }, ctx());
    const r = await probe(true);
    const d = r.detail!;
    expect(d.w2s_senses).toHaveLength(r.instances);
    expect(d.w2s_merged).toHaveLength(r.instances);
    const spec = landscapeVerbs.find((v) => v.verb === 'senses') as VerbSpec;
    let out = '';
    await spec.run(
      parseArgs(spec, [
        ...['--origin', `${F}/origin`, '--toward', `${F}/ft-a`, '--range', '0:1:3', '--task', 'semeval2010'],
        ...['--data', S, '--clusters', '2', '--layers', '0,2', '--max-length', '48', '--batch', '5'],
        ...['--w2s', W2S, '--json'],
      ]),
      { stdout: (t: string) => (out += t), stderr: () => {} },
    );
    const cli = JSON.parse(out);
    expect(cli.detail).toBeUndefined();
    expect(r.scores).toEqual(cli.scores);
    expect(r.w2s_agreement).toEqual(cli.w2s_agreement);
    expect(r.w2s_baseline).toEqual(cli.w2s_baseline);
    const groups = groupByTerm(d.instances);
    d.clusters.forEach((row, li) =>
      row.forEach((labels, p) =>
        expect(meanAgreement(groups, labels!, d.w2s_senses!)).toBeCloseTo(r.w2s_agreement![li][p]!, 12),
      ),
    );
  });
});
