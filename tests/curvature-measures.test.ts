/** The flatness measures the app's figures offer (viz/curvatureFigures.ts) are the engine's, in its order. */
import { expect, it } from 'vitest';
import { FLATNESS_MEASURES } from '../src/engine/landscape/services/flatness';
import { FLATNESS_MEASURE_NAMES } from '../src/viz/curvatureFigures';

it('the figures use the engine list of measures', () => {
  expect([...FLATNESS_MEASURE_NAMES]).toEqual([...FLATNESS_MEASURES]);
});
