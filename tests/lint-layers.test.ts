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
    ['src/cli/x.ts', "import { initNodeBackend } from '../engine/tensor/node';\nexport const x = initNodeBackend;"],
  ])('%s may import downward', async (file, code) => {
    expect(await importErrors(file, code)).toEqual([]);
  });
});
