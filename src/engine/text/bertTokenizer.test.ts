/**
 * BertTokenizer against ids from tools/bert/reference.py (HF's BertTokenizer re-implemented in
 * Python): punctuation, accents, CJK, unknown and >100-char words, control characters, special
 * tokens in text, cased and uncased, and pairs needing longest_first truncation.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BertTokenizer } from './bertTokenizer';

const FIX = join(__dirname, '../../../tests/fixtures/bert');
const FULL = join(__dirname, '../../../../shared/data/bert/vocab.txt');
interface Case {
  vocab: 'full' | 'trimmed';
  lower: boolean;
  a: string;
  b: string | null;
  maxLength: number;
  tokens: string[] | null;
  ids: number[];
  typeIds: number[];
}
const CASES = (JSON.parse(readFileSync(join(FIX, 'tokenizer.json'), 'utf8')) as { cases: Case[] }).cases;

function lines(path: string): string[] {
  const l = readFileSync(path, 'utf8').split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}

const vocabs = {
  trimmed: lines(join(FIX, 'vocab-trimmed.txt')),
  full: existsSync(FULL) ? lines(FULL) : null,
};

describe('BertTokenizer matches the reference', () => {
  for (const which of ['trimmed', 'full'] as const) {
    for (const lower of [true, false]) {
      const cases = CASES.filter((c) => c.vocab === which && c.lower === lower);
      it.skipIf(vocabs[which] === null)(
        `${which} vocab, ${lower ? 'uncased' : 'cased'} (${cases.length} cases)`,
        () => {
          const tok = new BertTokenizer(vocabs[which]!, { doLowerCase: lower });
          for (const c of cases) {
            if (c.tokens) expect(tok.tokenize(c.a), JSON.stringify(c.a)).toEqual(c.tokens);
            const enc = tok.encode(c.a, c.b, c.maxLength);
            expect(enc.inputIds, JSON.stringify([c.a, c.b, c.maxLength])).toEqual(c.ids);
            expect(enc.tokenTypeIds).toEqual(c.typeIds);
          }
        },
      );
    }
  }

  it('truncates longest_first within max length and never below the special tokens', () => {
    const tok = new BertTokenizer(vocabs.trimmed);
    const e = tok.encode('a b c d e f g h', 'a b', 7);
    expect(e.inputIds).toHaveLength(7);
    expect(e.tokenTypeIds.filter((t) => t === 1)).toHaveLength(3); // b and its [SEP] kept whole
    expect(() => tok.encode('a', 'b', 2)).toThrow(/no room/);
  });
});
