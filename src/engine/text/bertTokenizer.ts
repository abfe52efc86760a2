/**
 * Hugging Face `BertTokenizer` (the Python "slow" tokenizer) in TypeScript: special tokens in the
 * text kept whole, then BasicTokenizer — clean text (drop NUL, U+FFFD and control characters, map
 * whitespace to spaces), space around CJK ideographs, NFC, lowercase + accent stripping when uncased,
 * punctuation split — then WordPiece. Pairs are `[CLS] a [SEP] b [SEP]` with token types 0/1 and
 * `longest_first` truncation to `maxLength`. Matches tools/bert/reference.py id for id.
 */
import { WordpieceTokenizer, whitespaceTokenize } from './wordpiece';
import { InputError } from '../util/errors';

export const SPECIAL_TOKENS = ['[UNK]', '[SEP]', '[PAD]', '[CLS]', '[MASK]'] as const;

export interface BertTokenizerOptions {
  /** Lowercase (and strip accents unless `stripAccents` is false). Default true (uncased). */
  doLowerCase?: boolean;
  /** null/undefined: follow doLowerCase (HF default). */
  stripAccents?: boolean | null;
  tokenizeChineseChars?: boolean;
  maxInputCharsPerWord?: number;
}

/** One encoded example: ids and token types of equal length (no padding). */
export interface EncodedText {
  inputIds: number[];
  tokenTypeIds: number[];
}

const CONTROL = /^\p{C}$/u;
const SPACE_SEP = /^\p{Zs}$/u;
const PUNCT = /^\p{P}$/u;
const MARK_NONSPACING = /\p{Mn}/gu;

function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || SPACE_SEP.test(ch);
}

function isControl(ch: string): boolean {
  if (ch === '\t' || ch === '\n' || ch === '\r') return false;
  return CONTROL.test(ch);
}

function isPunctuation(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126))
    return true;
  return PUNCT.test(ch);
}

function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** HF's BasicTokenizer. */
export class BasicTokenizer {
  constructor(
    readonly doLowerCase = true,
    readonly neverSplit: ReadonlySet<string> = new Set(SPECIAL_TOKENS),
    readonly tokenizeChineseChars = true,
    readonly stripAccents: boolean | null = null,
  ) {}

  tokenize(text: string): string[] {
    let t = this.cleanText(text);
    if (this.tokenizeChineseChars) t = spaceChinese(t);
    t = t.normalize('NFC');
    const split: string[] = [];
    for (let token of whitespaceTokenize(t)) {
      if (!this.neverSplit.has(token)) {
        if (this.doLowerCase) {
          token = token.toLowerCase();
          if (this.stripAccents !== false) token = stripAccentsOf(token);
        } else if (this.stripAccents) {
          token = stripAccentsOf(token);
        }
      }
      split.push(...this.splitOnPunc(token));
    }
    return whitespaceTokenize(split.join(' '));
  }

  private splitOnPunc(text: string): string[] {
    if (this.neverSplit.has(text)) return [text];
    const out: string[][] = [];
    let startNew = true;
    for (const ch of text) {
      if (isPunctuation(ch)) {
        out.push([ch]);
        startNew = true;
      } else {
        if (startNew) out.push([]);
        startNew = false;
        out[out.length - 1].push(ch);
      }
    }
    return out.map((x) => x.join(''));
  }

  private cleanText(text: string): string {
    let out = '';
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (cp === 0 || cp === 0xfffd || isControl(ch)) continue;
      out += isWhitespace(ch) ? ' ' : ch;
    }
    return out;
  }
}

function spaceChinese(text: string): string {
  let out = '';
  for (const ch of text) out += isChineseChar(ch.codePointAt(0)!) ? ` ${ch} ` : ch;
  return out;
}

function stripAccentsOf(text: string): string {
  return text.normalize('NFD').replace(MARK_NONSPACING, '');
}

/** HF BertTokenizer over a vocab (one token per line, line number = id). */
export class BertTokenizer {
  readonly vocab: Map<string, number>;
  readonly basic: BasicTokenizer;
  readonly wordpiece: WordpieceTokenizer;
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
  readonly unkId: number;

  constructor(tokens: readonly string[], opts: BertTokenizerOptions = {}) {
    this.vocab = new Map();
    tokens.forEach((t, i) => this.vocab.set(t, i));
    const id = (t: string): number => {
      const v = this.vocab.get(t);
      if (v === undefined) throw new InputError(`vocab.txt: special token ${t} is missing`);
      return v;
    };
    this.clsId = id('[CLS]');
    this.sepId = id('[SEP]');
    this.unkId = id('[UNK]');
    this.padId = this.vocab.get('[PAD]') ?? 0;
    this.basic = new BasicTokenizer(
      opts.doLowerCase ?? true,
      new Set(SPECIAL_TOKENS),
      opts.tokenizeChineseChars ?? true,
      opts.stripAccents ?? null,
    );
    this.wordpiece = new WordpieceTokenizer(this.vocab, '[UNK]', opts.maxInputCharsPerWord ?? 100);
  }

  /** Text → WordPiece tokens (special tokens written in the text are kept whole). */
  tokenize(text: string): string[] {
    const out: string[] = [];
    for (const piece of splitSpecial(text)) {
      if ((SPECIAL_TOKENS as readonly string[]).includes(piece)) out.push(piece);
      else for (const word of this.basic.tokenize(piece)) out.push(...this.wordpiece.tokenize(word));
    }
    return out;
  }

  tokensToIds(tokens: readonly string[]): number[] {
    return tokens.map((t) => this.vocab.get(t) ?? this.unkId);
  }

  /**
   * `tokenizer(a, b, truncation=True, max_length=maxLength)`: `[CLS] a [SEP] (b [SEP])`, token types
   * 0 for the first segment and 1 for the second, `longest_first` truncation (ties cut the second).
   */
  encode(textA: string, textB?: string | null, maxLength = 128): EncodedText {
    let a = this.tokensToIds(this.tokenize(textA));
    let b = textB === undefined || textB === null ? null : this.tokensToIds(this.tokenize(textB));
    const special = b ? 3 : 2;
    if (maxLength < special)
      throw new InputError(`max length ${maxLength} leaves no room for the ${special} special tokens`);
    let remove = a.length + (b?.length ?? 0) + special - maxLength;
    if (remove > 0) {
      if (!b) a = a.slice(0, a.length - remove);
      else {
        let la = a.length;
        let lb = b.length;
        while (remove-- > 0) {
          if (la > lb) la--;
          else lb--;
        }
        a = a.slice(0, la);
        b = b.slice(0, lb);
      }
    }
    const inputIds = [this.clsId, ...a, this.sepId];
    const tokenTypeIds = new Array<number>(inputIds.length).fill(0);
    if (b) {
      inputIds.push(...b, this.sepId);
      for (let i = 0; i <= b.length; i++) tokenTypeIds.push(1);
    }
    return { inputIds, tokenTypeIds };
  }
}

/** Splits text around literal special tokens (the slow tokenizer's added-token split). */
function splitSpecial(text: string): string[] {
  let pieces = [text];
  for (const special of SPECIAL_TOKENS) {
    const next: string[] = [];
    for (const p of pieces) {
      if ((SPECIAL_TOKENS as readonly string[]).includes(p)) {
        next.push(p);
        continue;
      }
      p.split(special).forEach((part, i) => {
        if (i > 0) next.push(special);
        next.push(part);
      });
    }
    pieces = next;
  }
  return pieces.filter((p) => p !== '');
}
