// The Fine-tune panel in a real browser on the tiny landscape fixtures: a 6-step run (dropout 0, no
// shuffling) whose per-step loss and trajectory points (drawn live on a shown surface) equal the CLI's
// `bert finetune` + `landscape trajectory` on the same inputs; the final checkpoint downloads as a zipped
// HF folder; and a run interrupted by a reload resumes from IndexedDB and ends with the same log.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';

const FIX = 'tests/fixtures/landscape';
const TRAIN = `${FIX}/data/sst2-train.tsv`;
// Both sides: 6 updates of batch 4 over the 12 examples, lr 1e-3, dropout off, file order, a save every 2.
const HYPER = { steps: 6, batch: 4, lr: 1e-3, saveEvery: 2 };
// Tolerances: the browser's backend (WebGPU/WebGL/WASM) against Node's WASM, six updates compounding
// float32 rounding: loss 1e-3 relative per step, trajectory α, β 1e-3 absolute, loss 1e-3 relative.
const TOL = 1e-3;

const cli = (args: string[]) => execFileSync('node', ['bin/sensescape.mjs', ...args], { encoding: 'utf8' });

/** The CLI's run on the same inputs: its per-step losses and the trajectory of its saved steps. */
function cliRun() {
  const out = join(mkdtempSync(join(tmpdir(), 'ft-e2e-')), 'run');
  cli([
    ...['bert', 'finetune', '--model', `${FIX}/origin`, '--train', TRAIN, '--out', out],
    ...['--steps', '6', '--batch', '4', '--lr', '1e-3', '--dropout', '0', '--shuffle', 'false', '--save-every', '2'],
  ]);
  const log = readFileSync(join(out, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { step: number; loss?: number; grad_norm?: number });
  const steps = [2, 4, 6].map((s) => join(out, `step-${String(s).padStart(6, '0')}`));
  const traj = JSON.parse(
    cli([
      ...['landscape', 'trajectory', '--origin', `${FIX}/origin`, '--toward', `${FIX}/ft-a`],
      ...['--checkpoints', ...steps, '--data', TRAIN, '--max-examples', '64', '--batch', '16', '--json'],
    ]),
  ) as { alpha: number; beta: number; loss: number }[];
  const updates = log.filter((e) => e.loss !== undefined);
  return { out, losses: updates.map((e) => e.loss!), gradNorms: updates.map((e) => e.grad_norm!), traj };
}

async function setUp(page: Page) {
  await page.goto('/#view=landscapes');
  for (const name of ['origin', 'ft-a', 'ft-b']) {
    await page.getByTestId('checkpoint-drop-folder').setInputFiles(`${FIX}/${name}`);
    await expect(page.getByTestId(`checkpoint-${name}`)).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  }
  await expect(page.getByTestId('role-origin')).toHaveValue('origin');
  await page.getByTestId('data-train-input').setInputFiles(TRAIN);
  await expect(page.getByTestId('data-train-summary')).toContainText('12 rows');
  await page.getByTestId('ft-steps').fill(String(HYPER.steps));
  await page.getByTestId('ft-batch').fill(String(HYPER.batch));
  await page.getByTestId('ft-lr').fill(String(HYPER.lr));
  await page.getByTestId('ft-dropout').fill('0');
  await page.getByTestId('ft-save-every').fill(String(HYPER.saveEvery));
  await page.getByTestId('ft-shuffle').uncheck();
}

/** A per-step column of the panel's log at full precision (data-loss, data-grad-norm). */
async function shownColumn(page: Page, attribute: 'data-loss' | 'data-grad-norm'): Promise<number[]> {
  const rows = page.getByTestId('ft-log').locator('tr[data-step]');
  return (await rows.evaluateAll((trs, a) => trs.map((tr) => tr.getAttribute(a)), attribute)).map(Number);
}
const shownLosses = (page: Page) => shownColumn(page, 'data-loss');

/** A record the app keeps in IndexedDB (artefacts store), read in the page. */
async function idbRecord(page: Page, id: string): Promise<{ meta: Record<string, unknown> } | undefined> {
  return page.evaluate(
    (key) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('sensescape');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('artefacts').objectStore('artefacts').get(key);
          get.onsuccess = () => resolve(get.result);
          get.onerror = () => reject(get.error);
        };
      }),
    id,
  );
}

const close = (a: number, b: number) => Math.abs(a - b) <= TOL * Math.abs(b) + 1e-6;

test('a 6-step run equals the CLI: per-step loss and the live trajectory; the checkpoint downloads as an HF zip', async ({
  page,
}, info) => {
  test.setTimeout(300_000);
  const tc = Date.now();
  const ref = cliRun();
  console.log(`TIMING cli ${Date.now() - tc} ms`);
  expect(ref.losses).toHaveLength(6);
  // A surface made by the CLI is shown, so each saved step is drawn on it as soon as it exists.
  const surface = info.outputPath('surface.json');
  cli([
    ...['landscape', 'surface', '--origin', `${FIX}/origin`, '--x', `${FIX}/ft-a`, '--y', `${FIX}/ft-b`],
    ...['--data', TRAIN, '--grid', '-0.5:1.5:3,-0.5:1.5:3', '--out', surface],
  ]);
  await setUp(page);
  await page.getByTestId('surface-file-drop-input').setInputFiles(surface);
  await expect(page.getByTestId('surface-figure').locator('path.band').first()).toBeAttached();

  const t0 = Date.now();
  await page.getByTestId('ft-start').click();
  const run = page.getByTestId('ft-run');
  await expect(run).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  console.log(`TIMING run ${Date.now() - t0} ms`);
  const losses = await shownLosses(page);
  expect(losses).toHaveLength(6);
  losses.forEach((v, k) =>
    expect(close(v, ref.losses[k]), `loss at step ${k + 1}: ${v} vs ${ref.losses[k]}`).toBe(true),
  );
  await expect(page.getByTestId('ft-chart-loss')).toHaveAttribute('data-points', '6');
  // The global gradient norm (what clipping scales by) is the CLI's too: on WebGPU a sum over more
  // tensors than a shader can bind once read back a stale buffer here.
  const norms = await shownColumn(page, 'data-grad-norm');
  norms.forEach((v, k) =>
    expect(close(v, ref.gradNorms[k]), `‖g‖ at step ${k + 1}: ${v} vs ${ref.gradNorms[k]}`).toBe(true),
  );

  // The saved steps are in the tray as the trajectory; the final one leaves ft-a as task A.
  for (const s of ['000002', '000004', '000006'])
    await expect(page.getByTestId(`role-ft-origin-step-${s}`)).toHaveValue('trajectory');
  await expect(page.getByTestId('role-ft-a')).toHaveValue('taskA');
  // The trajectory was recomputed with each new step; its last run has the three steps and θ1.
  await expect(page.getByTestId('surface-figure').locator('g.trajectory-point')).toHaveCount(4, { timeout: 60_000 });
  await expect(page.getByTestId('trajectory-run')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  console.log(`TIMING trajectory ${Date.now() - t0} ms`);
  await expect
    .poll(
      async () =>
        ((await idbRecord(page, 'landscape-trajectory'))?.meta.result as { points: unknown[] } | undefined)?.points
          .length,
    )
    .toBe(4);
  const points = ((await idbRecord(page, 'landscape-trajectory'))!.meta.result as { points: typeof ref.traj }).points;
  points.slice(0, 3).forEach((p, k) => {
    const r = ref.traj[k];
    expect(Math.abs(p.alpha - r.alpha), `α of step ${2 * (k + 1)}`).toBeLessThanOrEqual(TOL);
    expect(Math.abs(p.beta - r.beta), `β of step ${2 * (k + 1)}`).toBeLessThanOrEqual(TOL);
    expect(close(p.loss, r.loss), `loss of step ${2 * (k + 1)}`).toBe(true);
  });

  const download = page.waitForEvent('download');
  await page.getByTestId('ft-download-final').click();
  const zip = unzipSync(new Uint8Array(readFileSync(await (await download).path())));
  expect(
    Object.keys(zip)
      .filter((k) => !k.endsWith('/'))
      .sort(),
  ).toEqual(['config.json', 'model.safetensors', 'trainer_state.json', 'vocab.txt'].map((f) => `ft-origin-final/${f}`));
  const config = JSON.parse(new TextDecoder().decode(zip['ft-origin-final/config.json'])) as Record<string, unknown>;
  expect(config.id2label).toEqual({ '0': 'LABEL_0', '1': 'LABEL_1' });
  // Same tensors, same layout as the CLI's folder (values differ only by the backends' rounding).
  const cliModel = readFileSync(join(ref.out, 'final/model.safetensors'));
  expect(zip['ft-origin-final/model.safetensors'].byteLength).toBe(cliModel.byteLength);
  expect(readFileSync(join(ref.out, 'final/vocab.txt'), 'utf8')).toBe(
    new TextDecoder().decode(zip['ft-origin-final/vocab.txt']),
  );
});

test('a reload mid-run resumes from IndexedDB and ends with the uninterrupted log', async ({ page }) => {
  test.setTimeout(300_000);
  const t0 = Date.now();
  const ref = cliRun();
  await setUp(page);
  await page.getByTestId('ft-start').click();
  await expect(page.getByTestId('role-ft-origin-step-000002')).toHaveValue('trajectory', { timeout: 90_000 });
  await page.reload();
  const resume = page.getByTestId('ft-resume');
  await expect(resume).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('checkpoint-origin')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('data-train-summary')).toContainText('12 rows');
  await resume.click();
  await expect(page.getByTestId('ft-run')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  const losses = await shownLosses(page);
  expect(losses).toHaveLength(6);
  losses.forEach((v, k) =>
    expect(close(v, ref.losses[k]), `loss at step ${k + 1}: ${v} vs ${ref.losses[k]}`).toBe(true),
  );
  await expect(page.getByTestId('role-ft-origin-step-000006')).toHaveValue('trajectory');
  console.log(`TIMING resume test ${Date.now() - t0} ms`);
});
