/** The Node file source: positional reads, and its node:crypto SHA-256 agrees with the pure-TS hash. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Sha256, sha256Source } from '../io/sha256';
import { uniformArray } from '../util/random';
import { fileSource } from './file';

const dir = mkdtempSync(join(tmpdir(), 'file-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fileSource', () => {
  for (const n of [0, 63, 3 * 2 ** 20 + 17]) {
    it(`hashes a ${n}-byte file with node:crypto to the pure-TS digest`, async () => {
      const bytes = new Uint8Array(uniformArray(n, n + 1, 0, 256).map(Math.floor));
      const path = join(dir, `f${n}.bin`);
      writeFileSync(path, bytes);
      const src = await fileSource(path);
      const want = new Sha256().update(bytes).hex();
      expect(await src.sha256!()).toBe(want);
      expect(await sha256Source(src)).toBe(want);
      if (n > 20) expect(await src.read(5, 10)).toEqual(bytes.subarray(5, 15));
    });
  }
});
