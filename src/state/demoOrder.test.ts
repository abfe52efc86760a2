// The demo's load order decides the roles the studio guesses: origin and random init first, runs
// before the trajectory, task A (SST-2) before task B (MRPC), trajectory in step order.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demoLoadOrder } from './demoOrder';

describe('demoLoadOrder', () => {
  it('orders the bundled manifest as the roles need', () => {
    const manifest = JSON.parse(readFileSync('public/demo/landscape/manifest.json', 'utf8')) as {
      checkpoints: Record<string, string>;
    };
    const order = demoLoadOrder(Object.keys(manifest.checkpoints).reverse());
    expect(order.slice(0, 5)).toEqual(['pretrained', 'random-init', 'sst2-scratch', 'sst2', 'mrpc']);
    const steps = order.slice(5);
    expect(steps.length).toBeGreaterThan(1);
    expect(steps.every((s) => /^sst2-step-\d+$/.test(s))).toBe(true);
    expect(steps).toEqual([...steps].sort());
  });
});
