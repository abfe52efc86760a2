import { describe, expect, it } from 'vitest';
import { fromTriples, type CsrCounts } from '../text/csr';
import { mulberry32 } from '../util/random';
import { anchorRows, initialLambda } from './ldaInit';

/** Rows as dense count arrays → CSR. */
function csr(rows: number[][]): CsrCounts {
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  rows.forEach((row, i) =>
    row.forEach((x, j) => {
      if (x) {
        r.push(i);
        c.push(j);
        v.push(x);
      }
    }),
  );
  return fromTriples(rows.length, rows[0].length, r, c, v);
}

/**
 * A separable matrix: K pure rows (row k = sense k's distribution × 1000) and mixed rows that are
 * convex combinations of two or three senses (also 1000 tokens each), shuffled together.
 */
function separable(K: number, V: number, mixed: number, seed: number): { counts: CsrCounts; pure: number[] } {
  const rand = mulberry32(seed);
  const senses = Array.from({ length: K }, () => {
    const p = Array.from({ length: V }, () => (rand() < 0.3 ? rand() : 0));
    const s = p.reduce((a, b) => a + b, 0);
    return p.map((x) => x / s);
  });
  const rows: { counts: number[]; pure: boolean }[] = senses.map((p) => ({
    counts: p.map((x) => Math.round(x * 1000)),
    pure: true,
  }));
  for (let i = 0; i < mixed; i++) {
    const w = Array.from({ length: K }, () => (rand() < 0.4 ? rand() : 0));
    w[i % K] += 0.2; // never empty, never a single sense
    w[(i + 1) % K] += 0.2;
    const s = w.reduce((a, b) => a + b, 0);
    rows.push({
      counts: Array.from({ length: V }, (_, c) =>
        Math.round(1000 * senses.reduce((m, p, k) => m + (w[k] / s) * p[c], 0)),
      ),
      pure: false,
    });
  }
  // a shuffled order, so the pure rows are not simply the first K
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  return { counts: csr(rows.map((r) => r.counts)), pure: rows.flatMap((r, i) => (r.pure ? [i] : [])) };
}

describe('anchorRows (successive projection)', () => {
  it('finds exactly the pure rows of a separable matrix', async () => {
    for (const seed of [1, 2, 3]) {
      const { counts, pure } = separable(6, 40, 60, seed);
      const got = Array.from(await anchorRows(counts, 6)).sort((a, b) => a - b);
      expect(got).toEqual(pure);
    }
  });

  it('ignores rows whose extremeness is sampling noise (a few tokens)', async () => {
    const { counts: base, pure } = separable(4, 30, 30, 9);
    // rows of one to three tokens: far out, but only because they are tiny samples
    const rows: number[][] = [];
    for (let d = 0; d < base.rows; d++) {
      const row = new Array<number>(base.cols).fill(0);
      for (let j = base.indptr[d]; j < base.indptr[d + 1]; j++) row[base.indices[j]] = base.values[j];
      rows.push(row);
    }
    for (let i = 0; i < 5; i++) rows.push(Array.from({ length: base.cols }, (_, c) => (c === 3 * i ? 1 : 0)));
    for (let i = 0; i < 5; i++)
      rows.push(Array.from({ length: base.cols }, (_, c) => (c >= 5 * i && c < 5 * i + 3 ? 1 : 0)));
    for (let i = 0; i < 5; i++) rows.push(Array.from({ length: base.cols }, (_, c) => (c === 2 * i ? 2 : 0)));
    const got = Array.from(await anchorRows(csr(rows), 4)).sort((a, b) => a - b);
    expect(got).toEqual(pure);
  });

  it('returns fewer anchors when the rows span fewer directions than asked', async () => {
    const counts = csr([
      [5, 5, 0, 0],
      [10, 10, 0, 0],
      [0, 0, 3, 3],
      [5, 5, 3, 3],
    ]);
    const got = Array.from(await anchorRows(counts, 4));
    expect(got.length).toBe(2);
    expect(new Set(got.map((d) => (d === 2 ? 'b' : 'a')))).toEqual(new Set(['a', 'b']));
  });
});

describe('initialLambda', () => {
  it("'anchors' adds V × each anchor's distribution to the random draw; 'random' is the draw alone", async () => {
    const { counts } = separable(3, 20, 10, 4);
    const K = 3;
    const V = counts.cols;
    const rnd = await initialLambda(counts, K, 7, 'random', () => new Int32Array());
    const anc = await initialLambda(counts, K, 7, 'anchors', () => new Int32Array());
    const anchors = await anchorRows(counts, K);
    for (let k = 0; k < K; k++) {
      const d = anchors[k];
      let n = 0;
      for (let j = counts.indptr[d]; j < counts.indptr[d + 1]; j++) n += counts.values[j];
      const added = new Float64Array(V);
      for (let j = counts.indptr[d]; j < counts.indptr[d + 1]; j++)
        added[counts.indices[j]] = (V * counts.values[j]) / n;
      for (let c = 0; c < V; c++) expect(anc[k * V + c]).toBeCloseTo(rnd[k * V + c] + added[c], 4);
    }
    // the draw is Gamma(100, 1/100): mean 1
    expect(rnd.reduce((a, b) => a + b, 0) / rnd.length).toBeCloseTo(1, 1);
  });
});
