// The landscape studio on the WASM backend (`?backend=wasm`), where the worker evaluates curves and
// Hao surfaces on one in-thread plane replica (engine/landscape/planeSession.ts: θ0 and δ as host
// arrays, the Linears by the project's SIMD kernel on the weights as stored — the System view says
// so): the curve equals the CLI's one-thread device session, and a 3 × 3 surface completes with its
// values drawn.
import { expect, test, type Page } from '@playwright/test';
import { cliFixtureCurve, showView } from './helpers';

const FIX = 'tests/fixtures/landscape';

async function dropCheckpoint(page: Page, name: string) {
  await page.getByTestId('checkpoint-drop-folder').setInputFiles(`${FIX}/${name}`);
  await expect(page.getByTestId(`checkpoint-${name}`)).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
}

test('on WASM the plane replica’s curve equals the CLI and a surface completes', async ({ page }) => {
  await page.goto('/?backend=wasm#view=landscapes');
  for (const name of ['origin', 'ft-a', 'ft-b']) await dropCheckpoint(page, name);
  await expect(page.getByTestId('validation')).toContainText('compatible');
  await page.getByTestId('data-train-input').setInputFiles(`${FIX}/data/sst2-train.tsv`);
  await expect(page.getByTestId('data-train-summary')).toContainText('12 rows');
  await page.getByTestId('alpha-n').fill('5');
  await page.getByTestId('run-curve').click();
  await expect(page.getByTestId('curve-run')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  await expect(page.getByTestId('backend-badge')).toHaveText('wasm');
  const cells = page.locator('[data-testid="curve-table"] td[data-series="pretrained-train"]');
  await expect(cells).toHaveCount(5);
  const shown = (await cells.allTextContents()).map(Number);
  const cli = cliFixtureCurve(['--threads', '1']);
  shown.forEach((v, k) => expect(Math.abs(v - cli.loss[k])).toBeLessThanOrEqual(1e-4 * Math.abs(cli.loss[k]) + 1e-5));

  await page.getByTestId('grid-n').fill('3');
  await page.getByTestId('run-surface').click();
  await expect(page.getByTestId('surface-run')).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('surface-figure').locator('path.band').first()).toBeAttached();

  await showView(page, 'system');
  await expect(page.getByTestId('memory-worker-linears')).toHaveAttribute('data-path', 'simd-heap');
});
