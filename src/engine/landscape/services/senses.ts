/**
 * The sense-probe service: where in BERT do word senses live, and what does fine-tuning do to them?
 * At each position — θ(α) = θ0 + α(θ1 − θ0) along the 1-D path, or each of a list of checkpoints, or
 * the origin alone — the target words' contextual vectors at every requested layer
 * (senseVectors.ts), then per layer the task's scores (senseScores.ts): SemEval-2010 F-score and
 * V-measure or SemEval-2013 fuzzy B-cubed and fuzzy NMI of average-linkage clusters, or SCWS
 * Spearman; with a Word2Sense model, the AMI of BERT's clusters with its argmax contextual senses
 * (WSI tasks) and Word2Sense's own score on the same instances as a baseline.
 * Called by `sensescape landscape senses` and the studio's worker job (lsSenses, with `detail` for the
 * sense probe's click-through).
 *
 * Memory: the session (model + θ0 + δ on the device), one batch's activations, and on the host one
 * position's vectors (layers × instances × H float32). Cancellable between batches.
 */
import type { LoadedCheckpoint } from '../../bert/checkpoint';
import { expectedShapes } from '../../bert/config';
import { evaluateScws } from '../../eval/scws';
import { BertTokenizer } from '../../text/bertTokenizer';
import { InputError } from '../../util/errors';
import { ProgressMeter } from '../../util/progress';
import { argmaxSense, contextTokens, wordCtx2Sense } from '../../word2sense/context';
import { wordIndex, type Word2SenseModel } from '../../word2sense/model';
import { formatWsiKey, induceSenses } from '../../word2sense/wsi';
import { moveTo } from '../model';
import { disposeParamSet, uploadParams } from '../params';
import { encodeSenseBatches, type SenseTaskData } from '../senseData';
import {
  clusterByTerm,
  formatSenseKey,
  groupByTerm,
  meanAgreement,
  restrictGold,
  scoreKey,
  scwsSpearman,
  SENSE_METRICS,
  type SenseTask,
} from '../senseScores';
import { computeSenseVectors } from '../senseVectors';
import { refOf } from '../session';
import { backendName, SOFTWARE, withSession, type PartialHooks } from './common';

export type { SenseTaskData };

export interface SensesRequest {
  origin: LoadedCheckpoint;
  /** θ1 of the path (with `alphas`). */
  toward?: LoadedCheckpoint;
  alphas?: readonly number[];
  /** Positions given as checkpoints (instead of a path). */
  checkpoints?: readonly LoadedCheckpoint[];
  data: SenseTaskData;
  /** Clusters per target word (WSI). */
  clusters: number;
  /** Layers 0 (embeddings) … L; default all. */
  layers?: readonly number[];
  maxLength: number;
  batchSize: number;
  w2s?: Word2SenseModel;
  /** Also return the per-instance view ({@link SensesDetail}; WSI tasks): the studio's click-through. */
  detail?: boolean;
}

/**
 * The per-instance view of a WSI probe (with `detail`), for showing instances coloured by cluster.
 * Not part of the CLI's JSON contract (an extra key; the CLI does not request it).
 */
export interface SensesDetail {
  /** The instances scored, in order: `left target right` is the context BERT saw (before cropping). */
  instances: { id: string; term: string; left: string; target: string; right: string }[];
  /** BERT's cluster (1…K, per target word) of each instance: [layer][position][instance]; null until computed. */
  clusters: (number[] | null)[][];
  /** Word2Sense's argmax WordCtx2Sense raw sense of each instance (with a model): the labels the AMI uses. */
  w2s_senses?: number[];
  /** The merged sense (the sense explorer's numbering) of each `w2s_senses` entry. */
  w2s_merged?: number[];
}

/** The result (JSON of `landscape senses`): metric → [layer][position]. */
export interface SensesData {
  task: SenseTask;
  layers: number[];
  alphas?: number[];
  checkpoints?: string[];
  scores: Record<string, (number | null)[][]>;
  /** Mean per-target AMI(BERT clusters, Word2Sense senses) [layer][position] (WSI with a model). */
  w2s_agreement?: (number | null)[][];
  /** Word2Sense's own score on the same instances (its `w2s wsi` key with K clusters, or its SCWS ρ). */
  w2s_baseline?: Record<string, number | null>;
  instances: number;
  targets: number;
  clusters: number;
  spec: Record<string, unknown>;
  /** Per-instance view (requested with `detail`, WSI tasks only). */
  detail?: SensesDetail;
}

/** An origin without its head (a pretrained BertModel) gets zero pooler/classifier tensors: they are never read here. */
function withHead(c: LoadedCheckpoint): LoadedCheckpoint {
  const tensors = new Map(c.tensors);
  for (const [name, shape] of expectedShapes(c.config))
    if (!tensors.has(name))
      tensors.set(name, { shape: [...shape], data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  return { ...c, tensors };
}

/** Word2Sense's argmax contextual sense of each WSI instance (context: the text BERT sees). */
function w2sSenses(model: Word2SenseModel, data: SenseTaskData): Int32Array | null {
  if (data.task === 'scws') return null;
  const index = wordIndex(model);
  return Int32Array.from(data.instances, (inst, i) => {
    let word = contextTokens(data.wsi[i].lemma).join(' ');
    if (!index.has(word)) word = contextTokens(inst.target).join(' ');
    const r = wordCtx2Sense(model, index, word, contextTokens(`${inst.left} ${inst.target} ${inst.right}`));
    return argmaxSense(r.psi);
  });
}

function detailOf(
  data: SenseTaskData,
  layers: number,
  positions: number,
  senses: Int32Array | null,
  model: Word2SenseModel | undefined,
): SensesDetail {
  return {
    instances: data.instances.map(({ id, term, left, target, right }) => ({ id, term, left, target, right })),
    clusters: Array.from({ length: layers }, () => new Array<number[] | null>(positions).fill(null)),
    ...(senses && model
      ? { w2s_senses: Array.from(senses), w2s_merged: Array.from(senses, (z) => model.merge[z]) }
      : {}),
  };
}

async function w2sBaseline(model: Word2SenseModel, data: SenseTaskData, gold: string, k: number) {
  if (data.task === 'scws') return { spearman: (await evaluateScws(model, data.pairs)).spearman };
  const key = formatWsiKey(await induceSenses(model, data.wsi, { clusters: k }));
  const s = scoreKey(data.task, gold, key);
  return Object.fromEntries(Object.entries(s).map(([m, x]) => [m, Number.isFinite(x) ? x : null]));
}

export async function runSenses(req: SensesRequest, hooks: PartialHooks<SensesData> = {}): Promise<SensesData> {
  const { origin, data } = req;
  const ckpts = req.checkpoints ?? [];
  const onPath = req.toward !== undefined;
  if (onPath && !req.alphas?.length) throw new InputError('--toward needs the α values (--range A:B:N)');
  if (onPath && ckpts.length) throw new InputError('give either --toward with --range or --checkpoints, not both');
  if (!Number.isSafeInteger(req.clusters) || req.clusters < 1)
    throw new InputError(`--clusters must be a positive integer, got ${req.clusters}`);
  const head = req.toward ?? ckpts[0] ?? withHead(origin);
  if (!head.vocab) throw new InputError(`${head.name}: no vocab.txt (needed to tokenise the instances)`);
  const L = head.config.numHiddenLayers;
  const layers = req.layers ? [...req.layers] : Array.from({ length: L + 1 }, (_, l) => l);
  for (const l of layers)
    if (!Number.isInteger(l) || l < 0 || l > L) throw new InputError(`--layers: ${l} is not in 0…${L}`);
  const tok = new BertTokenizer(head.vocab, { doLowerCase: head.doLowerCase ?? true });
  const batches = encodeSenseBatches(data.instances, tok, { maxLength: req.maxLength, batchSize: req.batchSize });
  const groups = groupByTerm(data.instances);
  const metrics = SENSE_METRICS[data.task];
  const positions = onPath ? req.alphas!.length : Math.max(1, ckpts.length);
  const grid = () => layers.map(() => new Array<number | null>(positions).fill(null));
  const senses = req.w2s ? w2sSenses(req.w2s, data) : null;
  const out: SensesData = {
    task: data.task,
    layers,
    ...(onPath
      ? { alphas: [...req.alphas!] }
      : { checkpoints: ckpts.length ? ckpts.map((c) => c.name) : [origin.name] }),
    scores: Object.fromEntries(metrics.map((m) => [m, grid()])),
    ...(senses ? { w2s_agreement: grid() } : {}),
    instances: data.instances.length,
    ...(req.detail && data.task !== 'scws'
      ? { detail: detailOf(data, layers.length, positions, senses, req.w2s) }
      : {}),
    targets: groups.size,
    clusters: req.clusters,
    spec: {
      analysis: 'senses',
      origin: refOf(origin),
      ...(req.toward ? { toward: refOf(req.toward) } : {}),
      ...(ckpts.length ? { checkpoints: ckpts.map(refOf) } : {}),
      maxLength: req.maxLength,
      backend: backendName(),
      software: SOFTWARE,
    },
  };
  const gold = data.task === 'scws' ? '' : restrictGold(data.gold, new Set(data.instances.map((i) => i.id)));
  const meter = new ProgressMeter('senses', positions * data.instances.length, hooks.onProgress, 'instances');
  const others = [
    ...(req.toward ? [{ role: 'toward', ckpt: req.toward }] : []),
    ...ckpts.map((ckpt, k) => ({ role: `checkpoint ${k + 1}`, ckpt })),
  ];
  await withSession(origin, head, others, async (session) => {
    const delta = onPath ? session.directionTo(req.toward!) : null;
    try {
      for (let p = 0; p < positions; p++) {
        if (delta) moveTo(session.model, session.origin, [delta], [req.alphas![p]], session.names);
        else {
          const src = ckpts.length ? ckpts[p] : origin;
          const values = uploadParams(src.tensors, session.names, src.name);
          try {
            session.model.assignParams(values);
          } finally {
            disposeParamSet(values);
          }
        }
        let seen = 0;
        const v = await computeSenseVectors(session.model, batches, layers, {
          token: hooks.token,
          onBatch: (done) => {
            meter.tick({ position: p }, done - seen);
            seen = done;
          },
        });
        layers.forEach((_, li) => {
          const vec = v.byLayer[li];
          if (data.task === 'scws') {
            out.scores.spearman[li][p] = scwsSpearman(data.pairs, vec, v.hidden);
            return;
          }
          const labels = clusterByTerm(groups, vec, v.hidden, req.clusters);
          const s = scoreKey(data.task, gold, formatSenseKey(data.instances, labels));
          for (const m of metrics) out.scores[m][li][p] = Number.isFinite(s[m]) ? s[m] : null;
          if (senses) out.w2s_agreement![li][p] = meanAgreement(groups, labels, senses);
          if (out.detail) out.detail.clusters[li][p] = Array.from(labels);
        });
        hooks.onPartial?.(out);
      }
    } finally {
      if (delta) disposeParamSet(delta);
    }
  });
  if (req.w2s) out.w2s_baseline = await w2sBaseline(req.w2s, data, gold, req.clusters);
  return out;
}
