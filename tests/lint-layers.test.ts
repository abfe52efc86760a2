// The layer rule of DESIGN.md is real: ESLint rejects imports that point up or sideways.
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('layer rule', () => {
  it.each([
    ['src/engine/word2sense/x.ts', "import { useSystem } from '../../state/system';\nexport const x = useSystem;"],
    ['src/engine/tensor/x.ts', "import { scaleLinear } from 'd3-scale';\nexport const x = scaleLinear;"],
    ['src/engine/bert/x.ts', "import { useState } from 'react';\nexport const x = useState;"],
    ['src/workers/x.ts', "import { App } from '../features/shell/App';\nexport const x = App;"],
    ['src/features/system/x.tsx', "import * as tf from '@tensorflow/tfjs-core';\nexport const x = tf;"],
    [
      'src/features/system/x.tsx',
      "import { selfCheck } from '../../engine/tensor/selfcheck';\nexport const x = selfCheck;",
    ],
    ['src/viz/x.ts', "import { compute } from '../state/compute';\nexport const x = compute;"],
    ['src/cli/x.ts', "import { useSystem } from '../state/system';\nexport const x = useSystem;"],
  ])('%s may not import upward', async (file, code) => {
    expect(await importErrors(file, code)).not.toEqual([]);
  });

  it.each([
    [
      'src/features/system/x.tsx',
      "import type { BackendReport } from '../../engine/tensor/backend';\nexport type X = BackendReport;",
    ],
    ['src/state/x.ts', "import { compute } from './compute';\nexport const x = compute;"],
    ['src/workers/x.ts', "import { selfCheck } from '../engine/tensor/selfcheck';\nexport const x = selfCheck;"],
    ['src/cli/x.ts', "import { initNodeBackend } from '../engine/node/backend';\nexport const x = initNodeBackend;"],
    ['src/engine/node/x.ts', "import { readFile } from 'node:fs/promises';\nexport const x = readFile;"],
    ['src/engine/io/x.test.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;"],
    [
      'src/engine/word2sense/x.test.ts',
      "import { plantedCounts } from '../../testing/planted';\nexport const x = plantedCounts;",
    ],
  ])('%s may import downward', async (file, code) => {
    expect(await importErrors(file, code)).toEqual([]);
  });

  it.each([
    ['src/cli/x.ts', "import { readFile } from 'node:fs/promises';\nexport const x = readFile;"],
    ['src/engine/io/x.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;"],
    ['src/workers/x.ts', "import { Worker } from 'node:worker_threads';\nexport const x = Worker;"],
    [
      'src/engine/word2sense/x.ts',
      "import { plantedCounts } from '../../testing/planted';\nexport const x = plantedCounts;",
    ],
    ['src/viz/x.ts', "import { checkXml } from '../testing/xmlCheck';\nexport const x = checkXml;"],
    ['src/features/senses/x.tsx', "import { compute } from '../../state/compute';\nexport const x = compute;"],
    ['src/engine/word2sense/x.test.ts', "import { useSystem } from '../../state/system';\nexport const x = useSystem;"],
  ])('%s: the node/testing seams (and the layers in tests) hold', async (file, code) => {
    expect(await importErrors(file, code)).not.toEqual([]);
  });
});
