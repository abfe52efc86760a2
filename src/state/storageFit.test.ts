// The fit decision, the tray's message, the all-or-nothing write (its rollback on a failure mid-way)
// and the completeness check that keeps a half-written checkpoint from being restored.
import { describe, expect, it } from 'vitest';
import {
  decideFit,
  formatBytes,
  isCompleteCheckpoint,
  memoryOnlyMessage,
  storageMargin,
  writeAllOrNothing,
  writeFailureReason,
} from './storageFit';

const MB = 1e6;

describe('decideFit', () => {
  it('fits when usage + bytes + margin stay within the quota', () => {
    expect(decideFit({ usage: 10 * MB, quota: 500 * MB }, 438 * MB)).toEqual({ fits: true, known: true });
  });

  it('refuses when the margin does not fit, naming what is needed and what is free', () => {
    const free = 120 * MB;
    const d = decideFit({ usage: 380 * MB, quota: 500 * MB }, 438 * MB);
    expect(d).toEqual({
      fits: false,
      needed: 438 * MB,
      free,
      reason: 'needs 438 MB, 120 MB of browser storage free',
    });
    // Exactly the free space is not enough: the margin is kept too.
    expect(decideFit({ usage: 0, quota: free }, free).fits).toBe(false);
    expect(decideFit({ usage: 0, quota: free + storageMargin(free) }, free).fits).toBe(true);
  });

  it('says "unknown, try" without an estimate or with missing numbers', () => {
    expect(decideFit(null, 438 * MB)).toEqual({ fits: true, known: false });
    expect(decideFit({ quota: 1 }, 438 * MB)).toEqual({ fits: true, known: false });
    expect(decideFit({ usage: 0 }, 438 * MB)).toEqual({ fits: true, known: false });
  });

  it('never reports negative free space when usage exceeds the quota', () => {
    const d = decideFit({ usage: 2 * MB, quota: 1 * MB }, 10);
    expect(d.fits).toBe(false);
    if (!d.fits) expect(d.free).toBe(0);
  });
});

describe('messages', () => {
  it('formats sizes in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(64776)).toBe('65 kB');
    expect(formatBytes(438_000_000)).toBe('438 MB');
    expect(formatBytes(1_300_000_000)).toBe('1.3 GB');
  });

  it('says the checkpoint is in memory only and will not survive a reload', () => {
    expect(memoryOnlyMessage('needs 438 MB, 120 MB of browser storage free')).toBe(
      'kept in memory only: needs 438 MB, 120 MB of browser storage free — it will not survive a reload',
    );
  });

  it('names a quota error and other errors', () => {
    const quota = Object.assign(new Error('The transaction was aborted'), { name: 'QuotaExceededError' });
    expect(writeFailureReason(quota)).toBe(
      'the browser ran out of storage quota (QuotaExceededError: The transaction was aborted)',
    );
    expect(writeFailureReason(new Error('disk'))).toBe('the browser could not store it (Error: disk)');
  });
});

describe('writeAllOrNothing', () => {
  /** A fake store: `write` puts keys one by one and can fail after `failAfter` of them. */
  function fakeStore(keys: string[], failAfter: number) {
    const store = new Map<string, number>();
    const write = async () => {
      keys.forEach((k, i) => {
        if (i === failAfter) throw Object.assign(new Error('full'), { name: 'QuotaExceededError' });
        store.set(k, i);
      });
    };
    const rollback = async () => keys.forEach((k) => store.delete(k));
    return { store, write, rollback };
  }

  it('keeps everything on success', async () => {
    const f = fakeStore(['ckpt', 'ckpt/file/0', 'ckpt/file/1'], Infinity);
    expect(await writeAllOrNothing(f.write, f.rollback)).toEqual({ ok: true });
    expect([...f.store.keys()]).toEqual(['ckpt', 'ckpt/file/0', 'ckpt/file/1']);
  });

  it('deletes what was written when the write fails mid-way', async () => {
    const f = fakeStore(['ckpt', 'ckpt/file/0', 'ckpt/file/1'], 2);
    const out = await writeAllOrNothing(f.write, f.rollback);
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.rolledBack).toBe(true);
      expect((out.error as Error).name).toBe('QuotaExceededError');
    }
    expect(f.store.size).toBe(0);
  });

  it('reports a rollback that fails too, without throwing', async () => {
    const out = await writeAllOrNothing(
      async () => Promise.reject(new Error('write')),
      async () => Promise.reject(new Error('rollback')),
    );
    expect(out).toMatchObject({ ok: false, rolledBack: false });
  });
});

describe('isCompleteCheckpoint', () => {
  const expected = ['config.json', 'vocab.txt', 'model.safetensors'];
  it('accepts a record with all its files', () => {
    expect(isCompleteCheckpoint({ expected, present: ['model.safetensors', 'config.json', 'vocab.txt'] })).toBe(true);
  });
  it('rejects a record missing a file, with an unknown file, or listing none', () => {
    expect(isCompleteCheckpoint({ expected, present: ['config.json', 'vocab.txt'] })).toBe(false);
    expect(isCompleteCheckpoint({ expected, present: ['config.json', 'vocab.txt', 'other.bin'] })).toBe(false);
    expect(isCompleteCheckpoint({ expected: [], present: [] })).toBe(false);
  });
});
