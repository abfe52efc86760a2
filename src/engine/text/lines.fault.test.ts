/**
 * Gzip as gzip promises and the input budget (issue 19), at the engine level: multi-member streams
 * still read with every member's CRC checked, a bad CRC in any member is named, the ratio budget
 * stops a bomb, a corpus line over the limit is split at a space while a strict format refuses it.
 */
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { crc32, maybeGunzip, textLines } from './lines';
import { readCountsFile } from './countsFile';
import { isInputError } from '../util/errors';

async function* chunked(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
const gz = (s: string) => new Uint8Array(gzipSync(Buffer.from(s)));
const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
async function lines(bytes: Uint8Array, size = 7, opts = {}): Promise<string[]> {
  const out: string[] = [];
  for await (const b of textLines(chunked(bytes, size), opts)) out.push(...b);
  return out;
}
async function failure(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isInputError(err), String(err)).toBe(true);
  return (err as Error).message;
}

describe('gzip members and trailers', () => {
  it('crc32 is the gzip CRC', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
  it('reads concatenated members (any chunking) and checks each trailer', async () => {
    const two = cat(gz('alpha\nbeta\n'), gz('gamma\n'), gz(''), gz('delta'));
    for (const size of [1, 3, 8, 64, 1 << 16])
      expect(await lines(two, size)).toEqual(['alpha', 'beta', 'gamma', 'delta']);
  });
  it('a bad CRC in the first of two members is named', async () => {
    const a = gz('alpha\nbeta\n');
    a[a.length - 6] ^= 1;
    const msg = await failure(lines(cat(a, gz('gamma\n')), 5, { name: 'x.gz' }));
    expect(msg).toMatch(/^x\.gz: gzip member 1: CRC-32 or length does not match/);
  });
  it('a wrong length (ISIZE) is refused', async () => {
    const a = gz('alpha\n');
    a[a.length - 4] ^= 1;
    expect(await failure(lines(a, 5, { name: 'y.gz' }))).toMatch(/member 1: CRC-32 or length/);
  });
  it('1–3 junk bytes after the stream are refused too', async () => {
    for (const junk of [[0], [1, 2], [0x1f, 0x8b, 8]])
      expect(await failure(lines(cat(gz('alpha\n'), new Uint8Array(junk)), 4, { name: 'j.gz' }))).toMatch(/^j\.gz: /);
  });
});

describe('the decompression budget', () => {
  const bomb = gz(`${'a '.repeat(1023)}a\n`.repeat(1024)); // 2 MiB of text in a few KiB
  it('stops past the ratio, naming the figures and the flag', async () => {
    const msg = await failure(lines(bomb, 1 << 16, { name: 'b.gz', ratioFloor: 1 << 16 }));
    expect(msg).toMatch(/^b\.gz: the gzip stream expands more than 100× .*Give --max-input-bytes N to allow it/);
  });
  it('an explicit maxBytes lifts the ratio and becomes the only limit', async () => {
    expect((await lines(bomb, 1 << 16, { ratioFloor: 1 << 16, maxBytes: 4 << 20 })).length).toBe(1024);
    const msg = await failure(lines(bomb, 1 << 16, { name: 'b.gz', maxBytes: 1 << 20 }));
    expect(msg).toMatch(/more than 1\.00 MiB \(1048576 bytes\) of decompressed input/);
  });
  it('plain bytes are held to maxBytes as well', async () => {
    let n = 0;
    const msg = await failure(
      (async () => {
        for await (const b of maybeGunzip(chunked(new Uint8Array(5000).fill(65), 100), { maxBytes: 1000 }))
          n += b.length;
      })(),
    );
    expect(msg).toMatch(/more than 1000 bytes of input/);
    expect(n).toBeLessThanOrEqual(1000);
  });
});

describe('line length', () => {
  const long = `${'word '.repeat(5000)}end\nshort\n`;
  it('a strict format refuses a long line, naming it', async () => {
    expect(await failure(lines(new TextEncoder().encode(long), 999, { name: 'l', maxLineChars: 1000 }))).toMatch(
      /^l: line 1 is longer than 1000 characters/,
    );
  });
  it('corpus mode splits it at spaces, losing no word', async () => {
    const out = await lines(new TextEncoder().encode(long), 999, { maxLineChars: 1000, longLines: 'split' });
    expect(out.every((l) => l.length <= 1000)).toBe(true);
    expect(out.join(' ').split(/\s+/).filter(Boolean)).toEqual(long.split(/\s+/).filter(Boolean));
  });
});

describe('counts file decisions', () => {
  const read = (text: string) => readCountsFile('c.tsv', chunked(new TextEncoder().encode(text), 5));
  it('a pair given twice is summed', async () => {
    const c = await read('cat\tdog\t2\ncat\tdog\t3\ndog\tcat\t1\n');
    const cat = c.vocab.indexOf('cat');
    const dog = c.vocab.indexOf('dog');
    const row = Array.from(c.counts.indices.subarray(c.counts.indptr[cat], c.counts.indptr[cat + 1]));
    expect(c.counts.values[c.counts.indptr[cat] + row.indexOf(dog)]).toBe(5);
  });
  it("'# ' starts a comment, '#tag' is a word", async () => {
    const c = await read('# made by hand\n#\ncat\t#tag\t2\n#tag\tcat\t2\n');
    expect(c.vocab.sort()).toEqual(['#tag', 'cat']);
  });
  it('duplicates summing past the maximum are refused', async () => {
    expect(await failure(read('cat\tdog\t9e11\ncat\tdog\t9e11\n'))).toMatch(
      /sums to .* over the maximum 1000000000000/,
    );
  });
});
