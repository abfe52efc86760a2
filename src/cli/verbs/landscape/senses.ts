/**
 * `sensescape landscape senses --origin DIR [--toward DIR] [--range A:B:N | --checkpoints DIR…]
 * --task semeval2010|semeval2013|scws --data DIR|FILE [--clusters K] [--layers all|0,4,8]
 * [--w2s MODEL] [--max-instances N] [--max-length L] [--batch B]`: the sense probe (engine service
 * runSenses) — per layer and position, WSI scores of BERT's clusters or SCWS Spearman, and with
 * --w2s the agreement with Word2Sense's senses. Reading the files (test XML, gold key found beside
 * them, SCWS ratings, checkpoints, Word2Sense model) is all this verb does besides the one call.
 */
import { axisValues, parseAxis } from '../../../engine/landscape/grid';
import { senseTaskFromTexts, type SenseTaskData } from '../../../engine/landscape/senseData';
import { SENSE_METRICS } from '../../../engine/landscape/senseScores';
import { runSenses, type SensesData } from '../../../engine/landscape/services/senses';
import { initNodeBackend } from '../../../engine/node/backend';
import { joinPath, listDir, pathKind, readInputText } from '../../../engine/node/fs';
import { CancelToken } from '../../../engine/util/cancel';
import { InputError } from '../../../engine/util/errors';
import { defineVerb, UsageError } from '../../command';
import { loadModel } from '../w2s';
import { cancelOnSignal, loadDir, loadOrigin, progressLine } from './shared';

async function xmlFiles(dir: string): Promise<string[]> {
  if ((await pathKind(dir)) === 'file') return [dir];
  const out: string[] = [];
  for (const e of await listDir(dir)) {
    if (e.isDir) out.push(...(await xmlFiles(e.path)));
    else if (e.name.endsWith('.xml')) out.push(e.path);
  }
  return out.sort();
}

/** The first existing path of `candidates`. */
async function firstExisting(candidates: string[], kind: 'file' | 'dir'): Promise<string | undefined> {
  for (const c of candidates) if ((await pathKind(c)) === kind) return c;
  return undefined;
}

/** Test XML folder and gold key of a SemEval-2010/2013 distribution, from its root or the XML folder. */
async function locateWsi(task: 'semeval2010' | 'semeval2013', data: string, gold?: string) {
  const up = (n: number) => joinPath(data, ...new Array<string>(n).fill('..'));
  const xml =
    (await firstExisting(
      task === 'semeval2010' ? [joinPath(data, 'test_data')] : [joinPath(data, 'contexts', 'xml-format')],
      'dir',
    )) ?? data;
  const keyRel = task === 'semeval2010' ? ['evaluation', 'unsup_eval', 'keys', 'all.key'] : ['keys', 'gold', 'all.key'];
  const key =
    gold ??
    (await firstExisting(
      [0, 1, 2].map((n) => joinPath(up(n), ...keyRel)),
      'file',
    ));
  if (!key)
    throw new InputError(`${data}: no gold key found (looked for ${keyRel.join('/')} here and above); give --gold KEY`);
  return { xml, key };
}

async function loadTask(task: string, data: string, maxInstances?: number, gold?: string): Promise<SenseTaskData> {
  if ((await pathKind(data)) === 'missing') throw new InputError(`${data}: no such file or folder`);
  if (task === 'scws')
    return senseTaskFromTexts(task, { scws: await readInputText(data, 'SCWS ratings'), name: data }, maxInstances);
  if (task !== 'semeval2010' && task !== 'semeval2013')
    throw new UsageError(`--task must be semeval2010, semeval2013 or scws, got '${task}'`);
  const where = await locateWsi(task, data, gold);
  const xml = [];
  for (const f of await xmlFiles(where.xml)) xml.push({ name: f, text: await readInputText(f, 'test file') });
  return senseTaskFromTexts(
    task,
    { xml, gold: await readInputText(where.key, 'gold key'), where: where.xml },
    maxInstances,
  );
}

function parseLayers(spec: string | undefined): number[] | undefined {
  if (spec === undefined || spec === 'all') return undefined;
  const out = spec.split(',').map((s) => Number(s.trim()));
  if (out.some((l) => !Number.isInteger(l) || l < 0))
    throw new UsageError(`--layers '${spec}' is not 'all' or a list of layer numbers such as 0,4,8`);
  return out;
}

export const senses = defineVerb({
  area: 'landscape',
  verb: 'senses',
  summary: 'Sense probe: WSI / SCWS scores of BERT’s contextual vectors per layer along a path or checkpoints',
  flags: {
    origin: { kind: 'string', required: true, placeholder: 'DIR', description: 'θ0 (pretrained or random init)' },
    toward: { kind: 'string', placeholder: 'DIR', description: 'θ1: probe θ0 + α(θ1 − θ0) for the --range values' },
    range: { kind: 'string', placeholder: 'A:B:N', description: 'N evenly spaced α values (with --toward)' },
    checkpoints: { kind: 'strings', placeholder: 'DIR', description: 'probe these checkpoints instead of a path' },
    task: { kind: 'enum', values: ['semeval2010', 'semeval2013', 'scws'], required: true, description: 'the task' },
    data: {
      kind: 'string',
      required: true,
      placeholder: 'DIR|FILE',
      description:
        'SemEval folder (its root or the test XML folder; the gold key is found beside it) or SCWS ratings.txt',
    },
    gold: { kind: 'string', placeholder: 'KEY', description: 'gold key, when it is not found beside --data' },
    clusters: {
      kind: 'int',
      min: 1,
      default: 3,
      placeholder: 'K',
      description: 'clusters per target word (default 3)',
    },
    layers: { kind: 'string', placeholder: 'all|0,4,8', description: 'layers, 0 = embeddings (default all)' },
    w2s: { kind: 'string', placeholder: 'MODEL', description: 'Word2Sense model: agreement (AMI) and baseline' },
    'max-instances': {
      kind: 'int',
      min: 1,
      placeholder: 'N',
      description: 'WSI: the first N instances of each target word; SCWS: the first N pairs',
    },
    'max-length': {
      kind: 'int',
      min: 3,
      default: 128,
      placeholder: 'L',
      description: 'tokens per instance (default 128)',
    },
    batch: { kind: 'int', min: 1, default: 32, placeholder: 'B', description: 'instances per batch (default 32)' },
  },
  async run({ flags, json }, io) {
    if (flags.range && !flags.toward) throw new UsageError('--range needs --toward');
    if (flags.toward && !flags.range) throw new UsageError('--toward needs --range A:B:N');
    if (flags.toward && flags.checkpoints.length)
      throw new UsageError('give --toward/--range or --checkpoints, not both');
    const layers = parseLayers(flags.layers);
    const origin = await loadOrigin(flags.origin);
    if (!origin.vocab && (await pathKind(joinPath(flags.origin, 'vocab.txt'))) === 'file') {
      // A headless origin is loaded without its tokenizer files; the probe of the origin alone needs them.
      origin.vocab = (await readInputText(joinPath(flags.origin, 'vocab.txt'), 'vocab')).split(/\r?\n/);
      if (origin.vocab[origin.vocab.length - 1] === '') origin.vocab.pop();
      const tc = joinPath(flags.origin, 'tokenizer_config.json');
      if ((await pathKind(tc)) === 'file') {
        const lower = (JSON.parse(await readInputText(tc, 'tokenizer config')) as { do_lower_case?: unknown })
          .do_lower_case;
        if (typeof lower === 'boolean') origin.doLowerCase = lower;
      }
    }
    const toward = flags.toward ? await loadDir(flags.toward, 'toward') : undefined;
    const checkpoints = [];
    for (const [k, d] of flags.checkpoints.entries()) checkpoints.push(await loadDir(d, `checkpoint ${k + 1}`));
    const alphas = flags.range ? axisValues(parseAxis(flags.range, '--range')) : undefined;
    const data = await loadTask(flags.task, flags.data, flags['max-instances'], flags.gold);
    const w2s = flags.w2s ? await loadModel(flags.w2s) : undefined;
    await initNodeBackend();
    const token = new CancelToken();
    const release = cancelOnSignal(token, io);
    let r: SensesData;
    try {
      r = await runSenses(
        {
          origin,
          toward,
          alphas,
          checkpoints,
          data,
          clusters: flags.clusters,
          layers,
          maxLength: flags['max-length'],
          batchSize: flags.batch,
          w2s,
        },
        { token, onProgress: progressLine(io, 'landscape senses') },
      );
    } finally {
      release();
    }
    if (json) {
      io.stdout(JSON.stringify(r));
      return;
    }
    const cols = r.alphas?.map(String) ?? r.checkpoints ?? [];
    io.stdout(`${r.task}: ${r.instances} instances of ${r.targets} targets; columns: ${r.alphas ? 'α' : 'checkpoint'}`);
    for (const m of [...SENSE_METRICS[r.task], ...(r.w2s_agreement ? ['w2s_agreement'] : [])]) {
      const grid = m === 'w2s_agreement' ? r.w2s_agreement! : r.scores[m];
      io.stdout(`${m.padEnd(14)} ${cols.map((c) => c.padStart(9)).join(' ')}`);
      r.layers.forEach((l, li) =>
        io.stdout(
          `  layer ${String(l).padEnd(6)} ${grid[li].map((v) => (v === null ? 'n/a' : v.toFixed(4)).padStart(9)).join(' ')}`,
        ),
      );
    }
    if (r.w2s_baseline)
      io.stdout(
        `Word2Sense baseline: ${Object.entries(r.w2s_baseline)
          .map(([k, v]) => `${k} ${v === null ? 'n/a' : v.toFixed(4)}`)
          .join(', ')}`,
      );
  },
});
