// WebGPU project only (a device can be lost only where there is one): destroying the GPU device
// mid-job fails that job with a clear message, and the worker falls back to the next rung.
import { expect, test } from '@playwright/test';
import { openApp, workerMatmul, type ConsoleApi } from '../helpers';

test('a lost GPU device fails the running job clearly and falls back', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('throughput-rounds').fill('100000');
  await page.getByTestId('throughput-run').click();
  const progress = page.getByTestId('throughput-progress');
  await expect
    .poll(async () => Number(await progress.getAttribute('data-done')), { timeout: 60_000 })
    .toBeGreaterThan(0);
  const destroyed = await page.evaluate(() =>
    (globalThis as unknown as { sensescape: ConsoleApi }).sensescape.simulateDeviceLoss(),
  );
  expect(destroyed.destroyed).toBe(true);
  await expect(page.getByTestId('throughput-error')).toContainText('GPU device lost');
  const card = page.getByTestId('backend-card');
  await expect(card).not.toHaveAttribute('data-backend', 'webgpu');
  await expect(page.getByTestId('events')).toContainText('GPU device lost');
  const { error, backend } = await workerMatmul(page, 16, 16, 16, 9);
  expect(backend).not.toBe('webgpu');
  expect(error).toBeLessThanOrEqual(1e-4);
});
