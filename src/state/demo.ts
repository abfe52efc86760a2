/**
 * The bundled demo (`public/demo/`, made by `tools/demo/`): a Word2Sense model for the sense explorer
 * and small BERT checkpoints with a training history for the landscape studio. Nothing is fetched
 * until the user asks for it, so the first paint never waits for the ~30 MB of assets.
 */
import { bundledFile } from './bundled';
import { demoLoadOrder } from './demoOrder';
import { useLandscape } from './landscape';
import { useSenses } from './senses';

/** The files of one demo checkpoint folder (Hugging Face layout). */
const CHECKPOINT_FILES = ['config.json', 'vocab.txt', 'tokenizer_config.json', 'model.safetensors'];

/** What `public/demo/landscape/manifest.json` says (written by tools/demo/make_landscape_demo.py). */
export interface LandscapeDemoManifest {
  checkpoints: Record<string, string>;
  results?: Record<string, Record<string, { loss: number; accuracy: number }>>;
  architecture?: Record<string, unknown>;
}

/** A demo file under public/demo/, with the way to make it when it is missing. */
const fetchFile = (path: string): Promise<File> =>
  bundledFile(`demo/${path}`, 'run the demo pipeline, sh tools/demo/make_demo.sh (README)');

/** Opens the demo Word2Sense model in the sense explorer and shows a polysemous word. */
export async function loadSensesDemo(word = 'plant'): Promise<void> {
  const file = await fetchFile('senses/word2sense-demo.safetensors');
  await useSenses.getState().openModel(file, file.name);
  const after = useSenses.getState();
  if (!after.word && after.modelStatus === 'ready') after.exploreWord(word);
}

/**
 * Drops the demo checkpoints and its SST-2 train/dev examples into the landscape studio, with
 * settings small enough to compute in seconds on a GPU.
 */
export async function loadLandscapeDemo(): Promise<LandscapeDemoManifest> {
  const manifest = JSON.parse(await (await fetchFile('landscape/manifest.json')).text()) as LandscapeDemoManifest;
  const studio = useLandscape.getState();
  const loaded = new Set(studio.checkpoints.map((c) => c.name));
  const groups = await Promise.all(
    demoLoadOrder(Object.keys(manifest.checkpoints))
      .filter((name) => !loaded.has(name))
      .map(async (name) => ({
        name,
        files: await Promise.all(CHECKPOINT_FILES.map((f) => fetchFile(`landscape/${name}/${f}`))),
      })),
  );
  studio.setSettings({ maxExamples: 64, maxLength: 64, batchSize: 32 });
  await studio.addCheckpointFiles(groups);
  await studio.addData(await fetchFile('landscape/data/sst2-train.tsv'), 'train');
  await studio.addData(await fetchFile('landscape/data/sst2-dev.tsv'), 'dev');
  return manifest;
}
