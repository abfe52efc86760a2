/**
 * The landscape demo's fine-tuning runs, made with `sensescape bert finetune` (issue 17) from the
 * MLM-pretrained origin and the random initialisation that tools/demo/make_landscape_demo.py writes:
 *
 *   npx tsx tools/demo/finetune_demo.ts [DEMO=public/demo/landscape]
 *
 * sst2 (pretrained → SST-2, the first 20 000 training rows, with the trajectory checkpoints at steps
 * 30, 75, 135 and 210), mrpc (pretrained → MRPC) and sst2-scratch (random-init → SST-2): 300 updates
 * of 32, AdamW with weight decay 0.01, linear schedule with 10 % warmup, clipping 1.0, the config's
 * dropout (0.1), shuffled, seeded — the PyTorch recipe the demo had (same learning rates, lengths and
 * seeds), now with HF Trainer's details (no decay on biases and LayerNorm, λ(s) = s / W in warmup).
 * Each folder gets the CLI's config.json, vocab.txt and model.safetensors (F16) plus the origin's
 * tokenizer_config.json, the label names of the PyTorch demo (negative/positive,
 * not_equivalent/equivalent; the TSVs carry 0/1), and the manifest's `finetune`, `results` (loss and
 * accuracy by `bert loss`: the first 512 training rows, the whole dev split) and `history` (the log).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DEMO = process.argv[2] ?? 'public/demo/landscape';
const GLUE = '../shared/data/glue';
const SEED = 20191103;
const STEPS = 300;
const TRAJECTORY = [30, 75, 135, 210];

interface Run {
  name: string;
  origin: string;
  task: 'SST-2' | 'MRPC';
  lr: number;
  maxLength: number;
  seed: number;
  labels: [string, string];
  trajectory?: boolean;
}
const RUNS: Run[] = [
  {
    name: 'sst2',
    origin: 'pretrained',
    task: 'SST-2',
    lr: 2e-4,
    maxLength: 64,
    seed: SEED + 1,
    labels: ['negative', 'positive'],
    trajectory: true,
  },
  {
    name: 'mrpc',
    origin: 'pretrained',
    task: 'MRPC',
    lr: 2e-4,
    maxLength: 96,
    seed: SEED + 2,
    labels: ['not_equivalent', 'equivalent'],
  },
  {
    name: 'sst2-scratch',
    origin: 'random-init',
    task: 'SST-2',
    lr: 5e-4,
    maxLength: 64,
    seed: SEED + 1,
    labels: ['negative', 'positive'],
  },
];

const cli = (...args: string[]): string =>
  execFileSync('node', ['bin/sensescape.mjs', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

/** Copies a CLI checkpoint folder into the demo as `name`, with the origin's tokenizer config and the task's label names. */
function install(from: string, name: string, origin: string, labels: [string, string]): void {
  const to = join(DEMO, name);
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  for (const f of ['vocab.txt', 'model.safetensors']) copyFileSync(join(from, f), join(to, f));
  copyFileSync(join(DEMO, origin, 'tokenizer_config.json'), join(to, 'tokenizer_config.json'));
  const config = JSON.parse(readFileSync(join(from, 'config.json'), 'utf8')) as Record<string, unknown>;
  config.id2label = { '0': labels[0], '1': labels[1] };
  config.label2id = { [labels[0]]: 0, [labels[1]]: 1 };
  writeFileSync(join(to, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

function evaluate(
  model: string,
  task: string,
  split: 'train' | 'dev',
  maxLength: number,
): { loss: number; accuracy: number } {
  const extra = split === 'train' ? ['--max-examples', '512'] : [];
  const r = JSON.parse(
    cli(
      'bert',
      'loss',
      '--model',
      model,
      '--data',
      join(GLUE, task, `${split}.tsv`),
      '--max-length',
      String(maxLength),
      ...extra,
      '--json',
    ),
  ) as { loss: number; accuracy: number };
  return { loss: r.loss, accuracy: r.accuracy };
}

const manifestPath = join(DEMO, 'manifest.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
const tmp = mkdtempSync(join(tmpdir(), 'sensescape-demo-finetune-'));
const results: Record<string, unknown> = {};
const history: unknown[] = [];
const seconds: Record<string, number> = {};
for (const r of RUNS) {
  const out = join(tmp, r.name);
  console.error(`${r.name}: ${r.origin} → ${r.task}`);
  const summary = JSON.parse(
    cli(
      'bert',
      'finetune',
      '--model',
      join(DEMO, r.origin),
      '--train',
      join(GLUE, r.task, 'train.tsv'),
      '--out',
      out,
      ...(r.task === 'SST-2' ? ['--max-examples', '20000'] : []),
      '--steps',
      String(STEPS),
      '--batch',
      '32',
      '--lr',
      String(r.lr),
      '--weight-decay',
      '0.01',
      '--warmup-ratio',
      '0.1',
      '--max-grad-norm',
      '1',
      '--max-length',
      String(r.maxLength),
      '--seed',
      String(r.seed),
      '--dtype',
      'F16',
      ...(r.trajectory ? ['--save-every', '15'] : []),
      '--json',
    ),
  ) as { seconds: number; final_loss: number };
  seconds[r.name] = Math.round(summary.seconds * 10) / 10;
  install(join(out, 'final'), r.name, r.origin, r.labels);
  if (r.trajectory)
    for (const s of TRAJECTORY)
      install(
        join(out, `step-${String(s).padStart(6, '0')}`),
        `sst2-step-${String(s).padStart(4, '0')}`,
        r.origin,
        r.labels,
      );
  for (const line of readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n'))
    history.push({ phase: r.name, ...JSON.parse(line) });
  results[r.name] = {
    train: evaluate(join(DEMO, r.name), r.task, 'train', r.maxLength),
    dev: evaluate(join(DEMO, r.name), r.task, 'dev', r.maxLength),
  };
  console.error(
    `${r.name}: ${summary.seconds.toFixed(1)} s, final loss ${summary.final_loss.toFixed(4)}`,
    JSON.stringify(results[r.name]),
  );
}
rmSync(tmp, { recursive: true, force: true });
manifest.finetune = {
  tool: 'sensescape bert finetune (tools/demo/finetune_demo.ts)',
  steps: STEPS,
  batch: 32,
  weight_decay: 0.01,
  warmup_ratio: 0.1,
  max_grad_norm: 1,
  lr_pretrained: 2e-4,
  lr_scratch: 5e-4,
  trajectory_steps: TRAJECTORY,
  seconds,
};
manifest.results = results;
const pretrainHistory = ((manifest.history as { phase: string }[] | undefined) ?? []).filter(
  (h) => h.phase === 'pretrain',
);
manifest.history = [...pretrainHistory, ...history];
writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 1)}\n`);
console.error(`wrote ${manifestPath}`);
