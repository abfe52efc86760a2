/**
 * Deflate's Huffman codes (RFC 1951 §3.2): canonical decoding tables built from code lengths with
 * zlib's validity rules, the fixed codes, and the length/distance base tables. Used by the strict
 * inflater (inflate.ts), which says why it is hand-written.
 */

/** Base and extra bits of length codes 257–285 and distance codes 0–29 (RFC 1951 §3.2.5), derived. */
export const LEN_EXTRA = Uint8Array.from({ length: 29 }, (_, i) => (i < 8 || i === 28 ? 0 : (i - 4) >> 2));
export const LEN_BASE = (() => {
  const b = new Uint16Array(29);
  for (let i = 0, v = 3; i < 28; v += 1 << LEN_EXTRA[i], i++) b[i] = v;
  b[28] = 258;
  return b;
})();
export const DIST_EXTRA = Uint8Array.from({ length: 30 }, (_, i) => (i < 4 ? 0 : (i - 2) >> 1));
export const DIST_BASE = (() => {
  const b = new Uint16Array(30);
  for (let i = 0, v = 1; i < 30; v += 1 << DIST_EXTRA[i], i++) b[i] = v;
  return b;
})();
/** The order in which a dynamic block gives its code-length code lengths. */
export const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** A canonical Huffman code's decoding table: entry = symbol << 4 | length (0 = no such code). */
export interface HuffTable {
  table: Int32Array;
  bits: number;
}

/**
 * The decoding table of a code given its lengths, or the reason it is not a valid code (zlib's rules:
 * no over-subscription; incomplete only for the code-length code never, else only a single length-1 code).
 */
export function buildTable(
  lengths: Uint8Array,
  what: 'code-length' | 'literal/length' | 'distance',
): HuffTable | string {
  const count = new Int32Array(16);
  for (let i = 0; i < lengths.length; i++) count[lengths[i]]++;
  let max = 15;
  while (max > 0 && count[max] === 0) max--;
  if (max === 0) return { table: new Int32Array(2), bits: 1 }; // no codes: any use is an invalid code
  let left = 1;
  for (let len = 1; len <= 15; len++) {
    left = (left << 1) - count[len];
    if (left < 0) return `over-subscribed ${what} code`;
  }
  if (left > 0 && (what === 'code-length' || max !== 1)) return `incomplete ${what} code`;
  // canonical first code of each length (RFC 1951 §3.2.2; unused symbols, length 0, take no code)
  const next = new Int32Array(16);
  for (let len = 2; len <= 15; len++) next[len] = (next[len - 1] + count[len - 1]) << 1;
  const table = new Int32Array(1 << max);
  for (let sym = 0; sym < lengths.length; sym++) {
    const len = lengths[sym];
    if (len === 0) continue;
    let code = next[len]++;
    let rev = 0;
    for (let b = 0; b < len; b++) {
      rev = (rev << 1) | (code & 1);
      code >>= 1;
    }
    const entry = (sym << 4) | len;
    for (let i = rev; i < table.length; i += 1 << len) table[i] = entry;
  }
  return { table, bits: max };
}

/** The fixed literal/length code (block type 1). */
export const FIXED_LIT = (() => {
  const l = new Uint8Array(288);
  l.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
  return buildTable(l, 'literal/length') as HuffTable;
})();
/** The fixed distance code (block type 1; codes 30–31 exist but are invalid). */
export const FIXED_DIST = buildTable(new Uint8Array(32).fill(5), 'distance') as HuffTable;
