/**
 * The sparse LDA engine on worker threads (LdaWorkerPool) against the same fit on the calling thread
 * alone: the same per-iteration perplexities (to float32 summation order; batch and online VB),
 * deterministic for a given thread count; every thread stops at the time budget and on cancel.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fitLda } from '../word2sense/lda';
import { splitByNnz } from '../word2sense/ldaSparse';
import { plantedCounts } from '../../testing/planted';
import { CancelToken } from '../util/cancel';
import { LdaWorkerPool } from './ldaParallel';

const pools: LdaWorkerPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe('sparse LDA on worker threads', () => {
  it('splits documents into contiguous ranges of about equal non-zeros', () => {
    const indptr = Int32Array.from([0, 5, 5, 6, 20, 21, 22, 30]);
    const r = splitByNnz(indptr, 0, 7, 3);
    expect(r[0][0]).toBe(0);
    expect(r[2][1]).toBe(7);
    for (let i = 1; i < 3; i++) expect(r[i][0]).toBe(r[i - 1][1]);
    expect(splitByNnz(indptr, 2, 4, 4).flatMap((x) => x)).toEqual([2, 3, 3, 3, 3, 3, 3, 4]); // document 3 alone holds 14 of 15
  });

  it('gives the one-thread perplexities per iteration (batch and online), deterministically', async () => {
    const planted = plantedCounts(300, 6, 150, 5);
    for (const extra of [{}, { update: 'online' as const, updateBlocks: 3 }]) {
      const o = { K: 6, iters: 4, seed: 2, engine: 'sparse' as const, blockNnz: 256, ...extra };
      const one = await fitLda(planted.counts, o);
      const pool = new LdaWorkerPool(3);
      pools.push(pool);
      const three = await fitLda(planted.counts, { ...o, pool });
      one.history.forEach((h, i) =>
        expect(Math.abs(three.history[i].perplexity / h.perplexity - 1)).toBeLessThan(1e-4),
      );
      const again = await fitLda(planted.counts, { ...o, pool });
      expect(again.theta).toEqual(three.theta);
      expect(again.beta).toEqual(three.beta);
    }
  }, 60_000);

  it('stops all threads at the time budget (a partial model) and on cancel, and the pool serves the next fit', async () => {
    const planted = plantedCounts(600, 20, 300, 4);
    const D = planted.counts.rows;
    const pool = new LdaWorkerPool(2);
    pools.push(pool);
    const o = { K: 20, iters: 50, seed: 1, engine: 'sparse' as const, blockNnz: 3000, pool };
    // before the first complete iteration: both threads stop after their block, a partial model comes back
    let rows = 0;
    const r = await fitLda(planted.counts, { ...o, maxSeconds: 0, progress: (p) => (rows = p.done) });
    expect(r.stoppedBy).toBe('time');
    expect(r.partial).toBe(true);
    expect(rows).toBeLessThan(D);
    expect(rows).toBeGreaterThan(0);
    expect(r.beta.every(Number.isFinite)).toBe(true);
    // cancel while the workers run: rejects, and the pool serves the next fit
    const token = new CancelToken();
    const t0 = performance.now();
    setTimeout(() => token.cancel('stop'), 300);
    await expect(fitLda(planted.counts, { ...o, cancel: token })).rejects.toThrow();
    expect((performance.now() - t0) / 1000).toBeLessThan(5);
    const after = await fitLda(planted.counts, { ...o, iters: 1 });
    expect(after.history.length).toBe(1);
  }, 60_000);
});
