import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../io/bytes';
import { writeSafetensors } from '../io/safetensors';
import { isInputError } from '../util/errors';
import { loadOriginCheckpoint } from './originCheckpoint';

const FIX = 'tests/fixtures/landscape';

async function originWith(edit: (names: string[]) => string[], rename: (n: string) => string = (n) => n) {
  const full = await loadOriginCheckpoint(
    new Map([
      ['config.json', bytesSource(readFileSync(`${FIX}/origin/config.json`), 'origin/config.json')],
      ['model.safetensors', bytesSource(readFileSync(`${FIX}/origin/model.safetensors`), 'origin/model.safetensors')],
    ]),
    'origin',
  );
  const names = edit([...full.tensors.keys()]);
  const bytes = writeSafetensors(
    names.map((n) => ({
      name: rename(n),
      dtype: 'F32' as const,
      shape: full.tensors.get(n)!.shape,
      data: full.tensors.get(n)!.data,
    })),
  );
  return loadOriginCheckpoint(
    new Map([
      ['config.json', bytesSource(readFileSync(`${FIX}/origin/config.json`), 'o2/config.json')],
      ['model.safetensors', bytesSource(bytes, 'o2/model.safetensors')],
    ]),
    'o2',
  );
}

describe('origin checkpoints', () => {
  it('load a pretrained body without classifier (and without pooler), with or without the bert. prefix', async () => {
    const noPooler = await originWith(
      (ns) => ns.filter((n) => !n.startsWith('pooler.')),
      (n) => `bert.${n}`,
    );
    expect(noPooler.tensors.has('pooler.dense.weight')).toBe(false);
    expect(noPooler.tensors.has('encoder.layer.1.output.dense.weight')).toBe(true);
    expect(noPooler.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuse a missing encoder tensor or a wrong shape, naming it', async () => {
    const err = await originWith((ns) => ns.filter((n) => n !== 'encoder.layer.0.attention.self.key.bias')).catch(
      (e) => e,
    );
    expect(isInputError(err)).toBe(true);
    expect(String(err.message)).toMatch(/o2: tensor encoder\.layer\.0\.attention\.self\.key\.bias is missing/);
    const bad = await originWith(
      (ns) => ns,
      (n) => (n === 'pooler.dense.bias' ? 'encoder.layer.9.output.dense.bias' : n),
    ).catch((e) => e);
    expect(String(bad.message)).toMatch(/unexpected tensor encoder\.layer\.9\.output\.dense\.bias/);
  });
});
