import { describe, expect, it } from 'vitest';
import { formatHash, param, parseHash } from './urlState';

const table = {
  view: param.oneOf(['system', 'senses', 'landscapes'] as const, 'system'),
  word: param.string(''),
  sense: param.int(-1, -1, 2999),
  lambda: param.number(0.6, 0, 1),
  log: param.boolean(false),
};

describe('URL hash state', () => {
  it('parses typed values from a hand-written link', () => {
    expect(parseHash(table, '#word=bank&sense=12&lambda=0.25&log=1')).toEqual({
      view: 'system',
      word: 'bank',
      sense: 12,
      lambda: 0.25,
      log: true,
    });
  });

  it('clamps out-of-range numbers and ignores invalid ones', () => {
    expect(parseHash(table, '#sense=99999&lambda=7')).toMatchObject({ sense: 2999, lambda: 1 });
    expect(parseHash(table, '#sense=abc&lambda=&view=nope')).toMatchObject({ sense: -1, lambda: 0.6, view: 'system' });
    expect(parseHash(table, '#sense=1.5')).toMatchObject({ sense: -1 });
  });

  it('round-trips, omitting defaults and decoding special characters', () => {
    const state = { view: 'senses' as const, word: 'café & co', sense: 3, lambda: 0.6, log: false };
    const hash = formatHash(table, state);
    expect(hash).not.toContain('lambda');
    expect(parseHash(table, `#${hash}`)).toEqual(state);
    expect(formatHash(table, { lambda: 0.6 })).toBe('');
  });
});
