/**
 * `sensescape landscape senses` and `landscape render` of its result, in-process, on the tiny
 * landscape fixtures with a committed excerpt of SemEval-2010 (2 targets × 8 instances, their gold
 * lines) and of SCWS (12 pairs). The scores at α = 1 must equal the official-equal scorers on keys
 * written independently here from θ1 loaded on its own (BertClassifier, not the session's moved
 * model), and SCWS ρ the Spearman of cosines computed the same way; the heatmap is valid SVG with
 * the spec in <metadata>.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BertClassifier } from '../../../engine/bert/model';
import { clusterCosineAverage } from '../../../engine/eval/averageLinkage';
import { parseScws } from '../../../engine/eval/scws';
import { spearman } from '../../../engine/eval/stats';
import { instancesFromXml } from '../../../engine/eval/wsi/readers';
import { scoreWsi } from '../../../engine/eval/wsi/score';
import { encodeSenseBatches, scwsSenseInstances, wsiSenseInstances } from '../../../engine/landscape/senseData';
import { computeSenseVectors } from '../../../engine/landscape/senseVectors';
import { initNodeBackend } from '../../../engine/node/backend';
import { loadCheckpointDir } from '../../../engine/node/checkpoint';
import { isInputError } from '../../../engine/util/errors';
import { BertTokenizer } from '../../../engine/text/bertTokenizer';
import { checkXml } from '../../../testing/xmlCheck';
import type { VerbSpec } from '../../command';
import { parseArgs } from '../../parseArgs';
import { landscapeVerbs } from './index';

const F = 'tests/fixtures/landscape';
const S = `${F}/senses`;
const W2S = 'public/demo/senses/word2sense-demo.safetensors';
const tmp = mkdtempSync(join(tmpdir(), 'sensescape-senses-'));

async function cli(verb: string, argv: string[]): Promise<{ out: string; err: string }> {
  const spec = landscapeVerbs.find((v) => v.verb === verb) as VerbSpec;
  let out = '';
  let err = '';
  await spec.run(parseArgs(spec, argv), {
    stdout: (t: string) => (out += `${t}\n`),
    stderr: (t: string) => (err += `${t}\n`),
  });
  return { out, err };
}

/** Vectors of `instances` at θ1 (ft-a) loaded directly, per layer. */
async function vectorsAtTheta1(instances: Parameters<typeof encodeSenseBatches>[0], layers: number[]) {
  const ckpt = await loadCheckpointDir(`${F}/ft-a`);
  const model = BertClassifier.fromCheckpoint(ckpt);
  try {
    const tok = new BertTokenizer(ckpt.vocab!, { doLowerCase: true });
    return await computeSenseVectors(
      model,
      encodeSenseBatches(instances, tok, { maxLength: 48, batchSize: 5 }),
      layers,
    );
  } finally {
    model.dispose();
  }
}

beforeAll(async () => {
  await initNodeBackend();
});

describe('sensescape landscape senses', () => {
  it('semeval2010 along the path: the contract, and scores equal the scorers on independently written keys', async () => {
    const r = await cli('senses', [
      ...['--origin', `${F}/origin`, '--toward', `${F}/ft-a`, '--range', '0:1:3', '--task', 'semeval2010'],
      ...['--data', `${S}/semeval2010`, '--clusters', '2', '--layers', '0,2', '--max-length', '48', '--batch', '5'],
      ...['--w2s', W2S, '--json'],
    ]);
    const out = JSON.parse(r.out);
    expect(out.task).toBe('semeval2010');
    expect(out.layers).toEqual([0, 2]);
    expect(out.alphas).toEqual([0, 0.5, 1]);
    expect(Object.keys(out.scores)).toEqual(['f_score', 'v_measure']);
    expect(out.w2s_agreement).toHaveLength(2);
    expect(out.w2s_agreement[0]).toHaveLength(3);
    for (const v of out.w2s_agreement.flat()) expect(v).toBeGreaterThanOrEqual(-1);
    expect(Object.keys(out.w2s_baseline)).toEqual(['f_score', 'v_measure']);
    expect(out.instances).toBe(16);

    const files = ['nouns/access.n.xml', 'verbs/lay.v.xml'].map((f) => ({
      name: f,
      text: readFileSync(`${S}/semeval2010/test_data/${f}`, 'utf8'),
    }));
    const instances = wsiSenseInstances(instancesFromXml('semeval2010', files, 'fixture'));
    const gold = readFileSync(`${S}/semeval2010/evaluation/unsup_eval/keys/all.key`, 'utf8');
    const v = await vectorsAtTheta1(instances, [0, 2]);
    const H = v.hidden;
    [0, 2].forEach((_, li) => {
      let key = '';
      for (const term of ['access.n', 'lay.v']) {
        const idx = instances.map((x, i) => (x.term === term ? i : -1)).filter((i) => i >= 0);
        const x = new Float64Array(idx.length * H);
        idx.forEach((i, r) => x.set(v.byLayer[li].subarray(i * H, (i + 1) * H), r * H));
        const labels = clusterCosineAverage(x, idx.length, H, 2);
        idx.forEach((i, r) => (key += `${term} ${instances[i].id} ${term}.c${labels[r]}\n`));
      }
      const s = scoreWsi('semeval2010', gold, key);
      if (s.task !== 'semeval2010') throw new Error('unreachable');
      expect(out.scores.f_score[li][2]).toBeCloseTo(s.f_score, 12);
      expect(out.scores.v_measure[li][2]).toBeCloseTo(s.v_measure, 12);
    });
    // Fine-tuning moves the vectors: not every α gives the same clusters' scores everywhere.
    expect(new Set(out.scores.v_measure.flat()).size).toBeGreaterThan(1);

    const file = join(tmp, 'senses.json');
    writeFileSync(file, r.out);
    const svgPath = join(tmp, 'senses.svg');
    await cli('render', [file, '--svg', svgPath, '--metric', 'v_measure']);
    const svg = readFileSync(svgPath, 'utf8');
    expect(checkXml(svg).root).toBe('svg');
    const meta = /<metadata[^>]*>([^<]*)<\/metadata>/
      .exec(svg)![1]
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&');
    expect(JSON.parse(meta)).toMatchObject({ analysis: 'senses', metric: 'v_measure', layers: [0, 2] });
    expect(svg.match(/data-value=/g)).toHaveLength(6);
  });

  it('scws over checkpoints: ρ equals the Spearman of cosines at θ1', async () => {
    const r = await cli('senses', [
      ...['--origin', `${F}/origin`, '--checkpoints', `${F}/traj-1`, `${F}/ft-a`, '--task', 'scws'],
      ...['--data', `${S}/scws.txt`, '--layers', 'all', '--max-length', '48', '--json'],
    ]);
    const out = JSON.parse(r.out);
    expect(out.checkpoints).toEqual(['traj-1', 'ft-a']);
    expect(out.layers).toEqual([0, 1, 2]);
    const text = readFileSync(`${S}/scws.txt`, 'utf8');
    const { pairs, instances } = scwsSenseInstances(text, parseScws(text), 'scws');
    const v = await vectorsAtTheta1(instances, [0, 1, 2]);
    const H = v.hidden;
    v.byLayer.forEach((vec, li) => {
      const cos = pairs.map((_, k) => {
        const a = vec.subarray(2 * k * H, (2 * k + 1) * H);
        const b = vec.subarray((2 * k + 1) * H, (2 * k + 2) * H);
        const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, xi, j) => s + xi * y[j], 0);
        return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
      });
      expect(out.scores.spearman[li][1]).toBeCloseTo(
        spearman(
          pairs.map((p) => p.average),
          cos,
        ),
        12,
      );
    });
    expect(tf.memory().numTensors).toBeLessThan(50);
  });

  it('refuses bad input with one line', async () => {
    const base = ['--origin', `${F}/origin`, '--task', 'semeval2010', '--max-length', '48'];
    for (const [argv, msg] of [
      [[...base, '--data', `${S}/semeval2010`, '--toward', `${F}/ft-a`], /--toward needs --range/],
      [[...base, '--data', `${S}/scws.txt`], /no gold key found/],
      [[...base, '--data', `${S}/semeval2010`, '--layers', '0,7'], /--layers: 7 is not in 0…2/],
    ] as const) {
      let err: unknown;
      try {
        await cli('senses', [...argv]);
      } catch (e) {
        err = e;
      }
      expect(isInputError(err), String(err)).toBe(true);
      expect(String((err as Error).message)).toMatch(msg);
    }
  });
});
