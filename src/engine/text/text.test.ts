import { describe, expect, it } from 'vitest';
import { gzipSync } from 'fflate';
import { cleanTokens } from './clean';
import { addWindowPairs, buildVocab, corpusToCounts, keepProbabilities, lineSlots, type CorpusSource } from './corpus';
import { readCountsFile } from './countsFile';
import { readableChunks, textLines } from './lines';
import { PairTable } from './pairTable';
import { transpose } from './csr';

async function* chunked(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
async function allLines(it: AsyncIterable<string[]>): Promise<string[]> {
  const out: string[] = [];
  for await (const b of it) out.push(...b);
  return out;
}
const enc = (s: string) => new TextEncoder().encode(s);
const src = (name: string, text: string, gz = false): CorpusSource => ({
  name,
  open: () => chunked(gz ? gzipSync(enc(text)) : enc(text), 7),
});

describe('textLines', () => {
  it('splits LF, CRLF, CR across chunk borders, drops a BOM, keeps a last line without newline', async () => {
    const text = '\ufeffone\r\ntwo\nthree\rfour\r\n\r\nfïve';
    for (const size of [1, 2, 3, 5, 100]) {
      expect(await allLines(textLines(chunked(enc(text), size)))).toEqual(['one', 'two', 'three', 'four', '', 'fïve']);
    }
  });
  it('reads a browser Blob stream (as the worker will)', async () => {
    const blob = new Blob([gzipSync(enc('x y\r\nz\n'))]);
    expect(await allLines(textLines(readableChunks(blob.stream())))).toEqual(['x y', 'z']);
  });
  it('inflates gzip (also multi-member) in a stream', async () => {
    const a = gzipSync(enc('alpha beta\n'));
    const b = gzipSync(enc('gamma\n'));
    const both = new Uint8Array(a.length + b.length);
    both.set(a);
    both.set(b, a.length);
    expect(await allLines(textLines(chunked(both, 4)))).toEqual(['alpha beta', 'gamma']);
  });
});

describe('cleanTokens', () => {
  it('lowercases, strips accents and edge punctuation, keeps inner punctuation', () => {
    expect(cleanTokens('  "Café", Naïve  (DON\'T!) -- e-mail…  ')).toEqual(['cafe', 'naive', "don't", 'e-mail']);
  });
});

describe('windows and subsampling', () => {
  it('keeps the slots of dropped and OOV tokens (windows do not stretch)', () => {
    const index = new Map([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
    const keep = new Float64Array([1, 1, 1]);
    const ids = lineSlots(['a', 'zzz', 'b', 'c'], index, keep, () => 0);
    expect([...ids]).toEqual([0, -1, 1, 2]);
    const t = new PairTable(3, 3);
    addWindowPairs(ids, 1, t);
    const m = t.toCsr();
    // window 1: only b–c are adjacent among kept slots; a–b are 2 apart (the OOV slot is kept)
    expect([...m.indptr]).toEqual([0, 0, 1, 2]);
    expect([...m.indices]).toEqual([2, 1]);
    const t2 = new PairTable(3, 3);
    addWindowPairs(ids, 2, t2);
    const m2 = t2.toCsr();
    expect([...m2.indices.subarray(m2.indptr[0], m2.indptr[1])]).toEqual([1]);
  });
  it('subsampling keep probability is √(t/f) capped at 1, and drops are seeded', () => {
    const keep = keepProbabilities([1000, 10], 10000, 1e-3);
    expect(keep[0]).toBeCloseTo(Math.sqrt(1e-3 / 0.1), 12);
    expect(keep[1]).toBe(1);
    const index = new Map([['x', 0]]);
    const ids = lineSlots(
      ['x', 'x', 'x', 'x'],
      index,
      new Float64Array([0.5]),
      (() => {
        const r = [0.1, 0.9, 0.4, 0.6];
        let i = 0;
        return () => r[i++];
      })(),
    );
    expect([...ids]).toEqual([0, -1, 0, -1]);
  });
  it('vocabulary: min count, cap, frequency order', () => {
    const v = buildVocab(
      new Map([
        ['a', 3],
        ['b', 9],
        ['c', 1],
        ['d', 9],
      ]),
      2,
      2,
    );
    expect(v).toEqual({ vocab: ['b', 'd'], wordCounts: [9, 9] });
  });
});

describe('corpusToCounts', () => {
  it('counts a small corpus symmetrically, same for plain and gzip', async () => {
    const text = 'the cat sat\nthe cat ran\r\nthe dog sat';
    const plain = await corpusToCounts([src('a.txt', text)], { minCount: 1, subsample: 0, window: 1 });
    const gz = await corpusToCounts([src('a.txt.gz', text, true)], { minCount: 1, subsample: 0, window: 1 });
    expect(gz).toEqual(plain);
    expect(plain.vocab).toEqual(['the', 'cat', 'sat', 'dog', 'ran']);
    expect(plain.tokens).toBe(9);
    const m = plain.counts;
    const at = (r: number, c: number) => {
      for (let j = m.indptr[r]; j < m.indptr[r + 1]; j++) if (m.indices[j] === c) return m.values[j];
      return 0;
    };
    expect(at(0, 1)).toBe(2); // the–cat twice
    expect(at(1, 0)).toBe(2);
    expect(at(0, 2)).toBe(0); // the–sat never adjacent
    expect(at(3, 2)).toBe(1);
    expect(transpose(m)).toEqual(m);
  });
});

describe('readCountsFile', () => {
  it('reads TSV and hyperwords forms to the same matrix', async () => {
    const a = await readCountsFile('a.tsv', chunked(enc('x\ty\t3\r\ny\tx\t3\nx\tx\t1\n'), 5));
    const b = await readCountsFile('b.txt', chunked(enc('3 x y\n3 y x\n1 x x\n'), 5));
    expect(a.counts).toEqual(b.counts);
    expect(a.vocab).toEqual(['x', 'y']);
    expect([...a.counts.values]).toEqual([1, 3, 3]);
  });
  it('names file and line of a malformed row', async () => {
    await expect(readCountsFile('bad.tsv', chunked(enc('x\ty\t3\nx\ty\n'), 64))).rejects.toThrow(
      'bad.tsv: line 2: expected 3 fields',
    );
    await expect(readCountsFile('bad.tsv', chunked(enc('x\ty\t3\nx\ty\tz\n'), 64))).rejects.toThrow(
      'bad.tsv: line 2: no count found',
    );
    await expect(readCountsFile('bad.tsv', chunked(enc('x\ty\t3\n-2\ty\tz\n'), 64))).rejects.toThrow(/line 2/);
    await expect(readCountsFile('empty.tsv', chunked(enc(''), 64))).rejects.toThrow('empty.tsv: no counts');
  });
});
