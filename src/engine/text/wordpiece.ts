/**
 * WordPiece (BERT's subword tokenizer), as Hugging Face's `WordpieceTokenizer`: greedy
 * longest-match-first over code points, continuation pieces prefixed with `##`, and the whole word
 * becomes `[UNK]` when any part cannot be matched or when it has more than 100 code points.
 */

/** Python's `str.split()` whitespace (so that splitting matches the reference exactly). */
export const PY_WHITESPACE = new RegExp(
  // eslint-disable-next-line no-control-regex -- Python treats \x1c-\x1f as whitespace; we must too
  '[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+',
  'u',
);

/** `text.strip().split()` in Python. */
export function whitespaceTokenize(text: string): string[] {
  return text.split(PY_WHITESPACE).filter((t) => t.length > 0);
}

export class WordpieceTokenizer {
  /**
   * @param vocab token → id
   * @param unkToken token used for words that cannot be split
   * @param maxInputCharsPerWord longer words (in code points) become `unkToken`
   */
  constructor(
    readonly vocab: ReadonlyMap<string, number>,
    readonly unkToken = '[UNK]',
    readonly maxInputCharsPerWord = 100,
  ) {}

  /** Splits already basic-tokenized text (whitespace-separated words) into WordPiece tokens. */
  tokenize(text: string): string[] {
    const out: string[] = [];
    for (const token of whitespaceTokenize(text)) {
      const chars = Array.from(token);
      if (chars.length > this.maxInputCharsPerWord) {
        out.push(this.unkToken);
        continue;
      }
      const pieces: string[] = [];
      let start = 0;
      let bad = false;
      while (start < chars.length) {
        let end = chars.length;
        let cur: string | null = null;
        while (start < end) {
          let sub = chars.slice(start, end).join('');
          if (start > 0) sub = `##${sub}`;
          if (this.vocab.has(sub)) {
            cur = sub;
            break;
          }
          end--;
        }
        if (cur === null) {
          bad = true;
          break;
        }
        pieces.push(cur);
        start = end;
      }
      if (bad) out.push(this.unkToken);
      else out.push(...pieces);
    }
    return out;
  }
}
