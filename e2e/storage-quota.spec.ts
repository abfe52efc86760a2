// IndexedDB quota in a real browser: a checkpoint larger than the origin's quota (set through the
// DevTools protocol) stays in the tray in memory only, says so, still computes a curve, and leaves no
// record behind for a reload; one the estimate says will not fit is never written; a partial record is
// not restored; with room, a checkpoint is stored and survives a reload. The System view's Memory card
// shows storage usage/quota, the tray's bytes and the worker's tfjs memory.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { collectErrors, showView } from './helpers';

const FIX = 'tests/fixtures/landscape';
/** Bytes of a fixture checkpoint folder, as the tray counts them (all its files). */
const folderBytes = (dir: string) => readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
const ORIGIN_BYTES = folderBytes(`${FIX}/origin`);
/** Smaller than the fixture's model.safetensors alone (~65 kB). */
const SMALL_QUOTA = 30_000;

async function overrideQuota(page: Page, quotaSize: number) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(page.url()).origin, quotaSize });
}

async function dropCheckpoint(page: Page, name: string) {
  await page.getByTestId('checkpoint-drop-folder').setInputFiles(`${FIX}/${name}`);
  await expect(page.getByTestId(`checkpoint-${name}`)).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
}

/** The app's IndexedDB records of dropped checkpoints: checkpoint records and their file records. */
function checkpointRecords(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    // Never create the database here (that would skip the app's upgrade): read it only if it exists.
    if (!(await indexedDB.databases()).some((d) => d.name === 'sensescape')) return [];
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('sensescape');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    if (!db.objectStoreNames.contains('artefacts')) return (db.close(), []);
    const all = await new Promise<{ id: string; kind: string; meta: Record<string, unknown> }[]>((resolve, reject) => {
      const req = db.transaction('artefacts').objectStore('artefacts').getAll();
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    db.close();
    return all.filter((r) => r.kind === 'checkpoint' || typeof r.meta.checkpoint === 'string').map((r) => r.id);
  });
}

test('over the quota: kept in memory only, says so, computes, and leaves nothing half-written', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto('/#view=landscapes');
  await overrideQuota(page, SMALL_QUOTA);
  await dropCheckpoint(page, 'origin');
  await dropCheckpoint(page, 'ft-a');
  for (const name of ['origin', 'ft-a']) {
    const line = page.getByTestId(`checkpoint-storage-${name}`);
    await expect(line).toHaveAttribute('data-stored', 'false');
    await expect(line).toHaveText(/^kept in memory only: .+ — it will not survive a reload$/);
  }
  expect(await checkpointRecords(page)).toEqual([]);

  // The tray still works: a small curve with the in-memory checkpoints.
  await expect(page.getByTestId('validation')).toContainText('compatible');
  await page.getByTestId('data-train-input').setInputFiles(`${FIX}/data/sst2-train.tsv`);
  await expect(page.getByTestId('data-train-summary')).toContainText('12 rows');
  await page.getByTestId('alpha-n').fill('3');
  await page.getByTestId('run-curve').click();
  await expect(page.getByTestId('curve-run')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  const cells = page.locator('[data-testid="curve-table"] td[data-series="pretrained-train"]');
  await expect(cells).toHaveCount(3);
  for (const v of (await cells.allTextContents()).map(Number)) expect(Number.isFinite(v) && v > 0).toBe(true);

  // The Memory card lists both as in memory only, with their bytes.
  await showView(page, 'system');
  await expect(page.getByTestId('memory-tray-origin')).toHaveAttribute('data-stored', 'false');
  await expect(page.getByTestId('memory-tray-origin')).toHaveAttribute('data-bytes', String(ORIGIN_BYTES));
  await expect(page.getByTestId('memory-tray-origin')).toContainText('in memory only');

  // A half-written checkpoint (a record whose file records are not all there), as an interrupted write
  // of an older version could leave: the reload must neither restore it nor keep it.
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('sensescape');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const tx = db.transaction('artefacts', 'readwrite');
    const now = Date.now();
    const base = { createdAt: now, updatedAt: now };
    tx.objectStore('artefacts').put({
      ...base,
      id: 'ckpt-half',
      kind: 'checkpoint',
      name: 'half',
      meta: { role: 'none', order: 0, files: ['config.json', 'model.safetensors'] },
      blob: null,
    });
    tx.objectStore('artefacts').put({
      ...base,
      id: 'ckpt-half/file/0',
      kind: 'file',
      name: 'config.json',
      meta: { checkpoint: 'ckpt-half' },
      blob: new Blob(['{}']),
    });
    await new Promise((resolve, reject) => ((tx.oncomplete = resolve), (tx.onerror = () => reject(tx.error))));
    db.close();
  });
  expect((await checkpointRecords(page)).sort()).toEqual(['ckpt-half', 'ckpt-half/file/0']);

  await showView(page, 'landscapes');
  await page.reload();
  // The restore reads the store and deletes the partial record; nothing comes back, and no error shows.
  await expect.poll(() => checkpointRecords(page), { timeout: 30_000 }).toEqual([]);
  await expect(page.getByTestId('checkpoints').locator('li.ckpt')).toHaveCount(0);
  await expect(page.getByTestId('checkpoints').getByRole('alert')).toHaveCount(0);
  // And the tray works after the reload: the same checkpoint can be dropped again.
  await dropCheckpoint(page, 'origin');
  await expect(page.getByTestId('checkpoint-storage-origin')).toHaveAttribute('data-stored', 'false');
  expect(errors.filter((e) => !/QuotaExceeded|quota/i.test(e))).toEqual([]);
});

test('a checkpoint the storage estimate says will not fit is never written', async ({ page }) => {
  // Storage pressure as the page sees it: an estimate with little free space (this Chromium's DevTools
  // quota override limits writes but does not change what estimate() reports).
  await page.addInitScript(() => {
    navigator.storage.estimate = async () => ({ usage: 10_000, quota: 60_000 });
  });
  await page.goto('/#view=landscapes');
  await dropCheckpoint(page, 'origin');
  const line = page.getByTestId('checkpoint-storage-origin');
  await expect(line).toHaveAttribute('data-stored', 'false');
  const needs = `${Math.round(ORIGIN_BYTES / 1000)} kB`;
  await expect(line).toHaveText(
    `kept in memory only: needs ${needs}, 50 kB of browser storage free — it will not survive a reload`,
  );
  expect(await checkpointRecords(page)).toEqual([]);
  await showView(page, 'system');
  await expect(page.getByTestId('memory-storage-quota')).toHaveAttribute('data-bytes', '60000');
  await expect(page.getByTestId('memory-storage-usage')).toHaveAttribute('data-bytes', '10000');
});

test('with room, a checkpoint is stored, survives a reload, and the Memory card shows it', async ({ page }) => {
  await page.goto('/#view=landscapes');
  await overrideQuota(page, 50_000_000);
  await dropCheckpoint(page, 'origin');
  await expect(page.getByTestId('checkpoint-storage-origin')).toHaveAttribute('data-stored', 'true');
  await expect(page.getByTestId('checkpoint-storage-origin')).toContainText('saved in this browser');
  const files = readdirSync(`${FIX}/origin`).length;
  expect((await checkpointRecords(page)).length).toBe(1 + files);

  await showView(page, 'system');
  const card = page.getByTestId('memory-card');
  await expect(card.getByTestId('memory-tray-origin')).toHaveAttribute('data-stored', 'true');
  await expect(card.getByTestId('memory-tray-origin')).toHaveAttribute('data-bytes', String(ORIGIN_BYTES));
  await expect(card.getByTestId('memory-tray-total')).toHaveAttribute('data-bytes', String(ORIGIN_BYTES));
  await card.getByTestId('memory-refresh').click();
  await expect
    .poll(async () => Number(await card.getByTestId('memory-storage-usage').getAttribute('data-bytes')))
    .toBeGreaterThan(0);
  expect(Number(await card.getByTestId('memory-storage-quota').getAttribute('data-bytes'))).toBeGreaterThan(0);
  await expect(card.getByTestId('memory-storage-persisted')).toHaveAttribute('data-persisted', /^(true|false)$/);
  await expect(card.getByTestId('memory-worker')).toHaveAttribute('data-state', 'done');
  // Numbers from the worker's tf.memory(), not placeholders. Polled: the Refresh click above may still be
  // re-reading them (the card shows '…' meanwhile, which reads as NaN).
  await expect
    .poll(async () => Number(await card.getByTestId('memory-worker-tensors').textContent()))
    .toBeGreaterThanOrEqual(0);
  await expect
    .poll(async () => Number(await card.getByTestId('memory-worker-bytes').getAttribute('data-bytes')))
    .toBeGreaterThanOrEqual(0);
  await expect(card.getByTestId('memory-page')).toHaveAttribute('data-source', 'performance.memory');

  await showView(page, 'landscapes');
  await page.reload();
  await expect(page.getByTestId('checkpoint-origin')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('checkpoint-storage-origin')).toHaveAttribute('data-stored', 'true');
});
