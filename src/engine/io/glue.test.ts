/** GLUE TSV layouts as distributed (cuts in tests/fixtures/bert/data, taken byte-for-byte). */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseGlueTsv } from './glue';
import { loadExamples } from '../bert/data';

const DATA = join(__dirname, '../../../tests/fixtures/bert/data');
const GLUE = join(__dirname, '../../../../shared/data/glue');
const read = (f: string): string => readFileSync(join(DATA, f), 'utf8');

describe('parseGlueTsv', () => {
  it('detects each layout from its header', () => {
    const t = (f: string) => parseGlueTsv(read(f), f);
    expect(t('sst2.tsv').task).toBe('SST-2');
    expect(t('cola.tsv').task).toBe('CoLA');
    expect(t('mrpc.tsv').task).toBe('MRPC');
    expect(t('rte.tsv').task).toBe('RTE');
    expect(t('stsb.tsv').task).toBe('STS-B');
    expect(t('nli3.tsv').task).toBe('generic');
  });

  it('reads MRPC despite its BOM and stray quotes', () => {
    const { rows } = parseGlueTsv(read('mrpc.tsv'), 'mrpc.tsv');
    expect(rows).toHaveLength(6);
    expect(rows[0].label).toBe('1');
    expect(rows[0].textA.startsWith('He said the foodservice pie business')).toBe(true);
    expect(rows[0].textB!.startsWith('"The foodservice')).toBe(true);
  });

  it('reads CoLA without a header or final newline', () => {
    const { rows } = parseGlueTsv(read('cola.tsv'), 'cola.tsv');
    expect(rows).toHaveLength(6);
    expect(rows[0]).toMatchObject({ textA: 'The sailors rode the breeze clear of the rocks.', label: '1', line: 1 });
  });

  it('rejects unlabelled and unknown layouts in one line', () => {
    expect(() => parseGlueTsv('index\tsentence1\tsentence2\n0\ta\tb\n', 'test.tsv')).toThrow(
      /test\.tsv: no label column/,
    );
    expect(() => parseGlueTsv('foo\tbar\n1\t2\n', 'x.tsv')).toThrow(/x\.tsv: cannot tell the layout/);
    expect(() => parseGlueTsv('sentence\tlabel\nonly-one-field\n', 'y.tsv')).toThrow(/y\.tsv: line 2 has 1 fields/);
  });

  it.skipIf(!existsSync(GLUE))('reads every shared GLUE train/dev file', () => {
    for (const [task, file, n] of [
      ['SST-2', 'SST-2/dev.tsv', 872],
      ['CoLA', 'CoLA/dev.tsv', 1043],
      ['MRPC', 'MRPC/dev.tsv', 408],
      ['RTE', 'RTE/dev.tsv', 277],
      ['STS-B', 'STS-B/dev.tsv', 1500],
    ] as const) {
      const ex = loadExamples(readFileSync(join(GLUE, file), 'utf8'), file);
      expect(ex, task).toHaveLength(n);
      expect(ex.every((e) => Number.isFinite(e.label))).toBe(true);
    }
  });
});

describe('loadExamples', () => {
  it('maps labels through label2id first, then GLUE names', () => {
    const viaConfig = loadExamples(read('nli3.tsv'), 'nli3.tsv', {
      label2id: { contradiction: 0, entailment: 1, neutral: 2 },
    });
    const viaGlue = loadExamples(read('nli3.tsv'), 'nli3.tsv');
    const raw = parseGlueTsv(read('nli3.tsv'), 'nli3.tsv').rows.map((r) => r.label);
    expect(viaConfig.map((e) => e.label)).toEqual(raw.map((l) => ({ contradiction: 0, entailment: 1, neutral: 2 })[l]));
    expect(viaGlue.map((e) => e.label)).toEqual(raw.map((l) => ({ entailment: 0, neutral: 1, contradiction: 2 })[l]));
    expect(
      loadExamples(read('rte.tsv'), 'rte.tsv')
        .map((e) => e.label)
        .every((l) => l === 0 || l === 1),
    ).toBe(true);
    expect(loadExamples(read('stsb.tsv'), 'stsb.tsv')[0].label).toBeCloseTo(5.0);
  });

  it('takes the first N or a seeded sample in file order', () => {
    const all = loadExamples(read('sst2.tsv'), 'sst2.tsv');
    expect(loadExamples(read('sst2.tsv'), 'sst2.tsv', { maxExamples: 5 })).toEqual(all.slice(0, 5));
    const s1 = loadExamples(read('sst2.tsv'), 'sst2.tsv', { sample: 7, seed: 3 });
    const s2 = loadExamples(read('sst2.tsv'), 'sst2.tsv', { sample: 7, seed: 3 });
    const s3 = loadExamples(read('sst2.tsv'), 'sst2.tsv', { sample: 7, seed: 4 });
    expect(s1).toEqual(s2);
    expect(s1).not.toEqual(s3);
    expect(s1).toHaveLength(7);
    expect(s1.map((e) => e.line)).toEqual([...s1.map((e) => e.line)].sort((a, b) => a - b));
  });

  it('names the line of a label it cannot map', () => {
    expect(() => loadExamples('sentence\tlabel\na\tpositive\n', 'z.tsv', { label2id: { LABEL_0: 0 } })).toThrow(
      /z\.tsv: line 2: label 'positive'/,
    );
  });
});
