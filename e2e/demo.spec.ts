// The bundled demo, as a newcomer meets it: no file dropped. The sense explorer opens the demo
// Word2Sense model and shows a polysemous word the way the CLI reads the same file; the landscape
// studio loads the demo checkpoints with their roles and examples and computes a curve equal to the
// CLI's on the same files, then a small surface.
import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';

const DEMO = 'public/demo';
const cli = (...args: string[]) =>
  JSON.parse(
    execFileSync('node', ['bin/sensescape.mjs', ...args, '--json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );

test('the senses demo opens and shows a polysemous word as the CLI reads it', async ({ page }) => {
  await page.goto('/#view=senses');
  await page.getByTestId('senses-demo').getByRole('button').click();
  await expect(page.getByTestId('model-summary')).toContainText('word2sense-demo.safetensors', { timeout: 60_000 });
  const view = page.getByTestId('word-view');
  await expect(view).toHaveAttribute('data-word', 'plant', { timeout: 30_000 });
  await expect(page.getByTestId('word-bars').locator('rect.bar')).not.toHaveCount(0);
  await expect(page.getByTestId('neighbours').locator('li')).not.toHaveCount(0);

  const expected = cli(
    'w2s',
    'senses',
    '--model',
    `${DEMO}/senses/word2sense-demo.safetensors`,
    '--word',
    'plant',
    '--top',
    '3',
  );
  const top = page.getByTestId('cloud-top');
  await expect(top).toHaveAttribute('data-sense', String(expected.senses[0].sense));
  await expect(top.locator('text.cloud-word').first()).toBeAttached({ timeout: 30_000 });
  const shown = await top.locator('text.cloud-word').allTextContents();
  // The cloud ranks by relevance (λ = 0.6), the CLI by probability: the most probable word is in both.
  expect(shown).toContain(expected.senses[0].top[0]);
});

test('the landscape demo loads its checkpoints and examples and computes like the CLI', async ({ page }) => {
  // Loading 9 checkpoints and computing four 3-point curves and a 3 × 3 surface takes 1–2 min on the
  // software WebGPU adapter of a loaded 2-core machine: more than the suite's default per-test budget.
  test.setTimeout(300_000);
  await page.goto('/#view=landscapes');
  await page.getByTestId('landscape-demo').getByRole('button').click();
  await expect(page.getByTestId('landscape-demo')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  const roles: Record<string, string> = {
    pretrained: 'origin',
    sst2: 'taskA',
    mrpc: 'taskB',
    'random-init': 'random',
    'sst2-scratch': 'scratch',
  };
  for (const [name, role] of Object.entries(roles)) {
    await expect(page.getByTestId(`checkpoint-${name}`)).toHaveAttribute('data-status', 'ready');
    await expect(page.getByTestId(`role-${name}`)).toHaveValue(role);
  }
  await expect(page.locator('[data-testid^="role-sst2-step-"]').first()).toHaveValue('trajectory');
  await expect(page.getByTestId('validation')).toContainText('compatible');
  await expect(page.getByTestId('data-train-summary')).toContainText('256 rows');
  await expect(page.getByTestId('data-dev-summary')).toContainText('256 rows');

  // Small enough for the software GPU adapter of the test machine.
  await page.getByTestId('max-examples').fill('8');
  await page.getByTestId('alpha-n').fill('3');
  await page.getByTestId('run-curve').click();
  await expect(page.getByTestId('curve-run')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  const cells = page.locator('[data-testid="curve-table"] td[data-series="pretrained-train"]');
  await expect(cells).toHaveCount(3);
  const shown = (await cells.allTextContents()).map(Number);
  const expected = cli(
    'landscape',
    'curve',
    '--origin',
    `${DEMO}/landscape/pretrained`,
    '--toward',
    `${DEMO}/landscape/sst2`,
    '--data',
    `${DEMO}/landscape/data/sst2-train.tsv`,
    '--range',
    '-0.5:1.5:3',
    '--max-examples',
    '8',
    '--max-length',
    '64',
    '--batch',
    '32',
  );
  shown.forEach((v, k) =>
    expect(Math.abs(v - expected.loss[k])).toBeLessThanOrEqual(1e-4 * Math.abs(expected.loss[k]) + 1e-4),
  );
  await expect(page.locator('[data-testid="curve-table"] td[data-series="random-train"]')).toHaveCount(3);

  await page.getByTestId('grid-n').fill('3');
  await page.getByTestId('run-surface').click();
  await expect(page.getByTestId('surface-run')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('surface-figure').locator('path.band').first()).toBeAttached();
});
