/**
 * Token cleaning as the Word2Sense authors did it: lowercase, strip accents (NFD, then drop the
 * combining marks), split on whitespace, drop punctuation and symbols at token edges; tokens that
 * are empty afterwards are dropped (they take no window slot).
 */

const NON_ASCII = /[^ -~\s]/;
const MARKS = /\p{M}+/gu;
const EDGE = /^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu;
const SPACE = /\s+/;

/** Lowercases and strips accents from a whole line ("Café" → "cafe"). */
export function normaliseLine(line: string): string {
  const lower = line.toLowerCase();
  return NON_ASCII.test(lower) ? lower.normalize('NFD').replace(MARKS, '') : lower;
}

function isAsciiWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
}

/** Strips punctuation/symbols from both ends of one token ("(don't!" → "don't"). */
export function stripEdges(token: string): string {
  const a = token.charCodeAt(0);
  const b = token.charCodeAt(token.length - 1);
  if (isAsciiWordChar(a) && isAsciiWordChar(b)) return token;
  return token.replace(EDGE, '');
}

/** The cleaned tokens of one line of text. */
export function cleanTokens(line: string): string[] {
  const out: string[] = [];
  for (const raw of normaliseLine(line).split(SPACE)) {
    if (raw.length === 0) continue;
    const t = stripEdges(raw);
    if (t.length > 0) out.push(t);
  }
  return out;
}
