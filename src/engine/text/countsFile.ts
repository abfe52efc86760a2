/**
 * Reads co-occurrence counts made elsewhere: `word<TAB>context<TAB>count` lines, or the hyperwords
 * `count word context` form (space separated), optionally gzipped. Words and contexts share one
 * vocabulary (the union), ordered by total row count, most frequent first. Any malformed line is an
 * {@link InputError} naming the file and the line. Rules (docs/word2sense.md, "Counts file"):
 * strict UTF-8; a line starting with `# ` (hash, space) or that is just `#` is a comment, while
 * `#tag` is a word; a pair given twice is summed; every count, and every count after summing, is at
 * most {@link MAX_COUNT} and their total at most {@link MAX_TOTAL_COUNT}, so float32 sums stay finite.
 */
import { Checkpointer, CancelToken } from '../util/cancel';
import { InputError } from '../util/errors';
import type { ProgressSink } from '../util/progress';
import type { CorpusCounts } from './corpus';
import { fromTriples } from './csr';
import { textLines } from './lines';
import type { TextLimits } from '../util/budget';

const NUMBER = /^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Largest count one pair may have (after duplicates are summed): 1e12. */
export const MAX_COUNT = 1e12;
/** Largest total of all counts: 1e15 (float32 holds up to 3.4e38; row and matrix sums stay finite). */
export const MAX_TOTAL_COUNT = 1e15;

/** True for a comment line: `#` alone or `#` followed by white space (`#tag` is a word). */
export const isCountsComment = (line: string): boolean => /^#(\s|$)/.test(line);

/** Parses a counts file from its bytes into vocabulary + CSR counts. */
export async function readCountsFile(
  name: string,
  chunks: AsyncIterable<Uint8Array>,
  progress?: ProgressSink,
  cancel = CancelToken.none(),
  limits: TextLimits = {},
): Promise<CorpusCounts> {
  const cp = new Checkpointer(cancel);
  const index = new Map<string, number>();
  const words: string[] = [];
  const id = (w: string): number => {
    let i = index.get(w);
    if (i === undefined) {
      i = words.length;
      index.set(w, i);
      words.push(w);
    }
    return i;
  };
  let r: number[] = [];
  let c: number[] = [];
  let v: number[] = [];
  const rs: Int32Array[] = [];
  const cs: Int32Array[] = [];
  const vs: Float64Array[] = [];
  let lineNo = 0;
  let total = 0;
  let form: 'tsv' | 'hyperwords' | null = null;
  for await (const batch of textLines(chunks, { name, ...limits })) {
    for (const raw of batch) {
      lineNo++;
      const line = raw.trim();
      if (line === '' || isCountsComment(line)) continue;
      const parts = line.includes('\t') ? line.split('\t').map((s) => s.trim()) : line.split(/\s+/);
      if (parts.length !== 3)
        throw new InputError(
          `${name}: line ${lineNo}: expected 3 fields (word<TAB>context<TAB>count or 'count word context'), got ${parts.length}`,
        );
      let word: string;
      let ctx: string;
      let countText: string;
      const lineForm = NUMBER.test(parts[2]) ? 'tsv' : NUMBER.test(parts[0]) ? 'hyperwords' : null;
      if (lineForm === null) throw new InputError(`${name}: line ${lineNo}: no count found in '${line.slice(0, 60)}'`);
      if (form === null) form = lineForm;
      if (form === 'tsv') [word, ctx, countText] = parts;
      else [countText, word, ctx] = parts;
      if (!NUMBER.test(countText))
        throw new InputError(`${name}: line ${lineNo}: count '${countText}' is not a non-negative number`);
      const count = Number(countText);
      if (!Number.isFinite(count) || count > MAX_COUNT)
        throw new InputError(`${name}: line ${lineNo}: count '${countText}' is over the maximum ${MAX_COUNT}`);
      if (word === '' || ctx === '') throw new InputError(`${name}: line ${lineNo}: empty word or context`);
      if (count === 0) continue;
      total += count;
      if (total > MAX_TOTAL_COUNT)
        throw new InputError(`${name}: line ${lineNo}: the counts add up to more than the maximum ${MAX_TOTAL_COUNT}`);
      r.push(id(word));
      c.push(id(ctx));
      v.push(count);
    }
    if (r.length > 1 << 20) {
      rs.push(Int32Array.from(r));
      cs.push(Int32Array.from(c));
      vs.push(Float64Array.from(v));
      r = [];
      c = [];
      v = [];
    }
    progress?.({ stage: 'read counts', done: lineNo, total: 0 });
    await cp.check();
  }
  rs.push(Int32Array.from(r));
  cs.push(Int32Array.from(c));
  vs.push(Float64Array.from(v));
  const n = rs.reduce((s, a) => s + a.length, 0);
  if (n === 0) throw new InputError(`${name}: no counts found (empty file?)`);
  const R = new Int32Array(n);
  const C = new Int32Array(n);
  const Vv = new Float64Array(n);
  let at = 0;
  for (let i = 0; i < rs.length; i++) {
    R.set(rs[i], at);
    C.set(cs[i], at);
    Vv.set(vs[i], at);
    at += rs[i].length;
  }
  // order the vocabulary by row total (most frequent first, ties by word)
  const V = words.length;
  const tot = new Float64Array(V);
  for (let i = 0; i < n; i++) tot[R[i]] += Vv[i];
  const order = Array.from({ length: V }, (_, i) => i).sort(
    (a, b) => tot[b] - tot[a] || (words[a] < words[b] ? -1 : words[a] > words[b] ? 1 : 0),
  );
  const remap = new Int32Array(V);
  order.forEach((old, nw) => (remap[old] = nw));
  for (let i = 0; i < n; i++) {
    R[i] = remap[R[i]];
    C[i] = remap[C[i]];
  }
  const counts = fromTriples(V, V, R, C, Vv, n);
  for (let k = 0; k < counts.values.length; k++)
    if (counts.values[k] > MAX_COUNT)
      throw new InputError(
        `${name}: a pair given more than once sums to ${counts.values[k]}, over the maximum ${MAX_COUNT}`,
      );
  const vocab = order.map((o) => words[o]);
  const wordCounts = order.map((o) => Math.round(tot[o]));
  return { vocab, wordCounts, counts, tokens: 0 };
}
