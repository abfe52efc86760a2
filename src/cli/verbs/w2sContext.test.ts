/**
 * `w2s context|wsi|wsi-score|scws` on a planted model file and small SemEval-format inputs:
 * flags, JSON keys, written key files, and one-line errors for bad input.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isInputError } from '../../engine/util/errors';
import { bankModel } from '../../testing/contextPlanted';
import { writeWord2SenseModel } from '../../engine/word2sense/modelFile';
import { UsageError } from '../command';
import { parseArgs } from '../parseArgs';
import { w2sContextVerbs } from './w2sContext';

const dir = mkdtempSync(join(tmpdir(), 'w2s-ctx-cli-'));
const modelPath = join(dir, 'bank.safetensors');
writeFileSync(modelPath, writeWord2SenseModel(bankModel));

async function run(verb: string, argv: string[]): Promise<{ out: string; err: string }> {
  const spec = w2sContextVerbs.find((v) => v.verb === verb);
  if (!spec) throw new Error(verb);
  let out = '';
  let err = '';
  await spec.run(parseArgs(spec, argv), { stdout: (t) => (out += t + '\n'), stderr: (t) => (err += t + '\n') });
  return { out, err };
}

const money = [
  'I paid the money into the bank for the loan',
  'a deposit at the bank',
  'the bank gave a loan &amp; took the deposit',
];
const river = [
  'fish swim by the bank of the river',
  'water lapped the river bank and the shore',
  'the bank of the river where fish and water meet',
];

describe('w2s context', () => {
  it('--json gives contextual and context-free weights with top words', async () => {
    const { out } = await run('context', [
      '--model',
      modelPath,
      '--word',
      'Bank',
      '--context',
      'a loan and a deposit of money',
      '--json',
    ]);
    const r = JSON.parse(out);
    expect(r).toMatchObject({ word: 'bank', in_vocabulary: true, converged: true, lambda: 0.01 });
    expect(r.senses[0].sense).toBe(0);
    expect(r.senses[0].weight).toBeGreaterThan(r.senses[0].context_free);
    expect(r.senses[0].top_words).toContain('money');
    expect(r.merged_senses[0]).toHaveProperty('context_free');
    const river = JSON.parse(
      (await run('context', ['--model', modelPath, '--word', 'bank', '--context', 'fish by the river water', '--json']))
        .out,
    );
    expect(river.senses[0].sense).toBe(1);
  });

  it('rejects a negative λ', async () => {
    await expect(
      run('context', ['--model', modelPath, '--word', 'bank', '--context', 'x', '--lambda', '-1']),
    ).rejects.toThrow(UsageError);
  });
});

describe('w2s wsi and wsi-score', () => {
  it('SemEval-2010 layout: writes a key that scores perfectly on the planted split', async () => {
    const data = join(dir, 'test_data', 'nouns');
    mkdirSync(data, { recursive: true });
    const xml = [...money, ...river]
      .map((t, i) => `<bank.n.${i + 1}>Some text . <TargetSentence>${t} .</TargetSentence></bank.n.${i + 1}>`)
      .join('');
    writeFileSync(
      join(data, 'bank.n.xml'),
      `<?xml version="1.0" encoding="UTF-8"?>\n<bank.n.test>${xml}</bank.n.test>\n`,
    );
    const gold = join(dir, 'gold2010.key');
    writeFileSync(
      gold,
      [...money, ...river].map((_, i) => `bank.n bank.n.${i + 1} bank.n.${i < 3 ? 1 : 2}\n`).join(''),
    );
    const key = join(dir, 'out2010.key');
    const { out } = await run('wsi', [
      '--model',
      modelPath,
      '--task',
      'semeval2010',
      '--data',
      join(dir, 'test_data'),
      '--clusters',
      '2',
      '--out',
      key,
      '--gold',
      gold,
      '--json',
    ]);
    const r = JSON.parse(out);
    expect(r).toMatchObject({ task: 'semeval2010', instances: 6, targets: 1, clusters: 2 });
    expect(r.scores.f_score).toBeCloseTo(1, 12);
    expect(readFileSync(key, 'utf8').split('\n').length).toBe(7);
    const s = JSON.parse(
      (await run('wsi-score', ['--task', 'semeval2010', '--gold', gold, '--key', key, '--json'])).out,
    );
    expect(Object.keys(s)).toEqual(expect.arrayContaining(['f_score', 'v_measure', 'by_pos']));
    expect(s.v_measure).toBeCloseTo(1, 12);
    expect(s.by_pos.n.f_score).toBeCloseTo(1, 12);
  });

  it('SemEval-2013 layout: reads tokenStart/tokenEnd instances and scores fuzzy B-cubed and NMI', async () => {
    const data = join(dir, 'xml-format');
    mkdirSync(data, { recursive: true });
    const inst = [...money, ...river]
      .map(
        (t, i) =>
          `<instance id="bank.n.${i + 1}" lemma="bank" partOfSpeech="n" token="bank" tokenStart="${t.indexOf('bank')}" tokenEnd="${t.indexOf('bank') + 4}">${t}</instance>`,
      )
      .join('\n');
    writeFileSync(
      join(data, 'bank.n.xml'),
      `<?xml version="1.0"?>\n<instances lemma="bank" partOfSpeech="n">\n${inst}\n</instances>\n`,
    );
    const gold = join(dir, 'gold2013.key');
    writeFileSync(
      gold,
      [...money, ...river].map((_, i) => `bank.n bank.n.${i + 1} bank%1:${i < 3 ? 14 : 17}:00::/4\n`).join(''),
    );
    const key = join(dir, 'out2013.key');
    await run('wsi', ['--model', modelPath, '--task', 'semeval2013', '--data', data, '--clusters', '2', '--out', key]);
    const s = JSON.parse(
      (await run('wsi-score', ['--task', 'semeval2013', '--gold', gold, '--key', key, '--json', '--per-word'])).out,
    );
    expect(s.fuzzy_bcubed).toBeCloseTo(1, 12);
    expect(s.fuzzy_nmi).toBeCloseTo(1, 12);
    expect(Object.keys(s.by_pos)).toEqual(['n']);
    expect(s.words[0].term).toBe('bank.n');
  });

  it('bad task and missing files are one-line input errors', async () => {
    await expect(run('wsi-score', ['--task', 'semeval2014', '--gold', 'a', '--key', 'b'])).rejects.toThrow(UsageError);
    const e = await run('wsi-score', ['--task', 'semeval2010', '--gold', join(dir, 'nope.key'), '--key', 'b']).catch(
      (x: unknown) => x,
    );
    expect(isInputError(e)).toBe(true);
    const bad = join(dir, 'bad.key');
    writeFileSync(bad, 'bank.n bank.n.1\n');
    const e2 = await run('wsi-score', ['--task', 'semeval2010', '--gold', bad, '--key', bad]).catch((x: unknown) => x);
    expect((e2 as Error).message).toMatch(/bad\.key: line 1/);
  });
});

describe('w2s scws', () => {
  it('reports pairs, covered, spearman and spearman_no_context', async () => {
    const rows = [
      [
        '1',
        'bank',
        'n',
        'money',
        'n',
        money[0].replace('bank', '<b> bank </b>'),
        money[1].replace('deposit', '<b> money </b>'),
        '9',
      ],
      [
        '2',
        'bank',
        'n',
        'water',
        'n',
        river[0].replace('bank', '<b> bank </b>'),
        river[1].replace('water', '<b> water </b>'),
        '8',
      ],
      ['3', 'bank', 'n', 'fish', 'n', money[2], river[2], '2'],
      ['4', 'Bank', 'n', 'loan', 'n', river[1], money[0], '1'],
      ['5', 'bank', 'n', 'zebra', 'n', river[1], money[0], '5'],
    ].map((r) => [...r, ...Array(10).fill(r[7])].join('\t'));
    const path = join(dir, 'ratings.txt');
    writeFileSync(path, rows.join('\n') + '\n');
    const r = JSON.parse((await run('scws', ['--model', modelPath, '--data', path, '--json'])).out);
    expect(r).toMatchObject({ pairs: 5, covered: 4 });
    expect(r.spearman).toBeGreaterThan(0.7);
    expect(typeof r.spearman_no_context).toBe('number');
  });
});
