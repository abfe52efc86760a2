/**
 * The worker's sense-probe job (lsSenses) on the tiny landscape fixtures, with the checkpoints and
 * task files handed over as File objects the way the studio drops them: the result equals the CLI's
 * (`landscape senses --json`) on the same inputs, and partial results stream with progress.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../src/engine/node/backend';
import { CancelToken } from '../src/engine/util/cancel';
import type { VerbSpec } from '../src/cli/command';
import { parseArgs } from '../src/cli/parseArgs';
import { landscapeVerbs } from '../src/cli/verbs/landscape/index';
import { landscapeHandlers } from '../src/workers/jobs/landscape';

const F = 'tests/fixtures/landscape';
const S = `${F}/senses/semeval2010`;
const fileOf = (path: string) => new File([readFileSync(path)], path.split('/').pop()!);

async function open(id: string, dir: string) {
  const files = readdirSync(`${F}/${dir}`).map((n) => fileOf(join(F, dir, n)));
  await landscapeHandlers.lsOpenCheckpoint({ id, name: dir, files }, { token: new CancelToken(), progress: () => {} });
}

beforeAll(async () => {
  await initNodeBackend();
  await open('o', 'origin');
  await open('t', 'ft-a');
});

describe('lsSenses', () => {
  it('equals the CLI on the same inputs and streams partial results', async () => {
    const partials: number[] = [];
    const r = await landscapeHandlers.lsSenses(
      {
        origin: 'o',
        toward: 't',
        alphas: [0, 0.5, 1],
        task: 'semeval2010',
        files: [
          fileOf(`${S}/test_data/nouns/access.n.xml`),
          fileOf(`${S}/test_data/verbs/lay.v.xml`),
          fileOf(`${S}/evaluation/unsup_eval/keys/all.key`),
        ],
        clusters: 2,
        layers: [0, 2],
        maxLength: 48,
        batchSize: 5,
      },
      { token: new CancelToken(), progress: (p) => partials.push(p.done) },
    );
    const spec = landscapeVerbs.find((v) => v.verb === 'senses') as VerbSpec;
    let out = '';
    await spec.run(
      parseArgs(spec, [
        ...['--origin', `${F}/origin`, '--toward', `${F}/ft-a`, '--range', '0:1:3', '--task', 'semeval2010'],
        ...['--data', S, '--clusters', '2', '--layers', '0,2', '--max-length', '48', '--batch', '5', '--json'],
      ]),
      { stdout: (t: string) => (out += t), stderr: () => {} },
    );
    const cli = JSON.parse(out);
    expect(r.scores).toEqual(cli.scores);
    expect(r.layers).toEqual(cli.layers);
    expect(r.alphas).toEqual(cli.alphas);
    expect(partials.length).toBeGreaterThan(1);
  });

  it('is cancellable', async () => {
    const token = new CancelToken();
    token.cancel('test');
    await expect(
      landscapeHandlers.lsSenses(
        {
          origin: 'o',
          toward: 't',
          alphas: [0, 1],
          task: 'scws',
          files: [fileOf(`${F}/senses/scws.txt`)],
          maxLength: 48,
        },
        { token, progress: () => {} },
      ),
    ).rejects.toThrow(/test/);
  });
});
