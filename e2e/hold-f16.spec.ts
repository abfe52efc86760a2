// Holding checkpoints as F16 in the worker (the tray's "Hold weights in the worker as" choice): each
// card says F16 and whether values were rounded, the System view's Memory card shows half the bytes,
// the curve equals the CLI's on F16 copies of the same files, and going back to F32 re-reads the
// files so the curve equals the CLI's F32 one again.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { bytesSource } from '../src/engine/io/bytes';
import { f32ToF16, SafetensorsFile, writeSafetensors, type TensorToWrite } from '../src/engine/io/safetensors';
import { cliFixtureCurve, showView } from './helpers';

const FIX = 'tests/fixtures/landscape';

/** A copy of fixture checkpoint `name` whose float tensors are stored as F16 (rounded to nearest even). */
async function f16Copy(name: string, root: string): Promise<string> {
  const dir = join(root, name);
  mkdirSync(dir);
  for (const f of ['config.json', 'vocab.txt', 'tokenizer_config.json']) copyFileSync(join(FIX, name, f), join(dir, f));
  const file = await SafetensorsFile.open(bytesSource(readFileSync(join(FIX, name, 'model.safetensors')), name));
  const tensors: TensorToWrite[] = [];
  for (const n of file.names()) {
    const info = file.info(n);
    const data = await file.read(n);
    tensors.push(
      data instanceof Float32Array
        ? { name: n, dtype: 'F16', shape: info.shape, data: f32ToF16(data) }
        : { name: n, dtype: info.dtype, shape: info.shape, data },
    );
  }
  writeFileSync(join(dir, 'model.safetensors'), writeSafetensors(tensors, file.metadata));
  return dir;
}

async function curveShown(page: Page): Promise<number[]> {
  await page.getByTestId('run-curve').click();
  await expect(page.getByTestId('curve-run')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  const cells = page.locator('[data-testid="curve-table"] td[data-series="pretrained-train"]');
  await expect(cells).toHaveCount(5);
  return (await cells.allTextContents()).map(Number);
}

const close = (shown: number[], ref: number[]): void =>
  shown.forEach((v, k) => expect(Math.abs(v - ref[k])).toBeLessThanOrEqual(1e-4 * Math.abs(ref[k]) + 1e-5));

test('F16 hold: said on each card, half the memory, the F16 files’ curve; back to F32 restores the originals', async ({
  page,
}) => {
  const root = mkdtempSync(join(tmpdir(), 'sensescape-f16-'));
  const origin16 = await f16Copy('origin', root);
  const ftA16 = await f16Copy('ft-a', root);
  const f32 = cliFixtureCurve();
  const f16 = cliFixtureCurve([], { origin: origin16, toward: ftA16 });
  // The rounding moves the curve by more than the tolerance below, so the comparisons tell F16 from F32.
  expect(f16.loss.some((v, k) => Math.abs(v - f32.loss[k]) > 1e-4 * Math.abs(f32.loss[k]) + 1e-5)).toBe(true);

  await page.goto('/#view=landscapes');
  await page.getByTestId('hold-dtype').selectOption('F16');
  for (const name of ['origin', 'ft-a']) {
    await page.getByTestId('checkpoint-drop-folder').setInputFiles(`${FIX}/${name}`);
    await expect(page.getByTestId(`checkpoint-${name}`)).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
    const line = page.getByTestId(`checkpoint-hold-${name}`);
    await expect(line).toHaveAttribute('data-dtype', 'F16');
    await expect(line).toHaveAttribute('data-rounded', 'true');
    await expect(line).toContainText('rounded from F32');
  }
  await expect(page.getByTestId('validation')).toContainText('compatible');
  await page.getByTestId('data-train-input').setInputFiles(`${FIX}/data/sst2-train.tsv`);
  await expect(page.getByTestId('data-train-summary')).toContainText('12 rows');
  await page.getByTestId('alpha-n').fill('5');
  close(await curveShown(page), f16.loss);

  const held16 = Number(await page.getByTestId('checkpoint-hold-origin').getAttribute('data-bytes'));
  const heldFt16 = Number(await page.getByTestId('checkpoint-hold-ft-a').getAttribute('data-bytes'));
  await expect(page.getByTestId('tray-memory')).toHaveAttribute('data-held-bytes', String(held16 + heldFt16));
  await page.getByTestId('hold-dtype').selectOption('F32');
  await expect(page.getByTestId('checkpoint-hold-origin')).toHaveAttribute('data-dtype', 'F32');
  await expect(page.getByTestId('checkpoint-hold-ft-a')).toHaveAttribute('data-dtype', 'F32');
  await expect(page.getByTestId('checkpoint-hold-origin')).toHaveAttribute('data-bytes', String(2 * held16));
  close(await curveShown(page), f32.loss);

  await page.getByTestId('hold-dtype').selectOption('F16');
  await expect(page.getByTestId('checkpoint-hold-origin')).toHaveAttribute('data-dtype', 'F16');
  await showView(page, 'system');
  await expect(page.getByTestId('memory-held-origin')).toHaveAttribute('data-bytes', String(held16));
  await expect(page.getByTestId('memory-held-origin')).toContainText('as F16');
});
