import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { isInputError } from '../../engine/util/errors';
import { mulberry32 } from '../../engine/util/random';
import { UsageError } from '../command';
import { parseArgs } from '../parseArgs';
import { w2sVerbs } from './w2s';

const dir = mkdtempSync(join(tmpdir(), 'w2s-cli-'));

async function run(verb: string, argv: string[]): Promise<{ out: string; err: string }> {
  const spec = w2sVerbs.find((v) => v.verb === verb)!;
  let out = '';
  let err = '';
  await spec.run(parseArgs(spec, argv), { stdout: (t) => (out += t + '\n'), stderr: (t) => (err += t + '\n') });
  return { out, err };
}

// two topics: animals and vehicles; "bank"-like ambiguity is not needed here
function corpus(): string {
  const rand = mulberry32(11);
  const topics = [
    ['cat', 'dog', 'horse', 'cow', 'sheep', 'goat', 'pig', 'duck'],
    ['car', 'bus', 'truck', 'train', 'bike', 'tram', 'van', 'taxi'],
  ];
  const lines: string[] = [];
  for (let i = 0; i < 400; i++) {
    const t = topics[i % 2];
    const words = Array.from({ length: 12 }, () => t[Math.floor(rand() * t.length)]);
    lines.push(words.join(' ').replace(/^./, (c) => c.toUpperCase()) + '.');
  }
  return lines.join('\r\n');
}

describe('w2s CLI', () => {
  it('train → similarity, entail, senses, neighbours, export', async () => {
    const txt = join(dir, 'c.txt.gz');
    writeFileSync(txt, gzipSync(new TextEncoder().encode(corpus())));
    const model = join(dir, 'm.safetensors');
    const log = join(dir, 'log.jsonl');
    const t = await run('train', [
      '--corpus',
      txt,
      '--out',
      model,
      '--senses',
      '4',
      '--iters',
      '6',
      '--subsample',
      '0',
      '--min-count',
      '1',
      '--merged',
      '2',
      '--log',
      log,
      '--json',
    ]);
    const res = JSON.parse(t.out);
    expect(res).toMatchObject({ V: 16, K: 4, Kmerged: 2, iterations: 6 });
    const lines = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBe(6);
    expect(Object.keys(lines[0])).toEqual(['iter', 'seconds', 'perplexity']);
    // the model written is the best iteration's; from the anchor start this tiny corpus is fitted at once
    expect(res.perplexity).toBeCloseTo(Math.min(...lines.map((l) => l.perplexity)), 6);
    expect(lines[5].perplexity).toBeLessThan(lines[0].perplexity * 1.001);

    const pairs = join(dir, 'sim.txt');
    writeFileSync(pairs, 'Cat\tdog\t9\r\ncar\tbus\t8\r\ncat\tcar\t1\r\ndog\ttruck\t2\r\nhorse\tunicorn\t5\r\n');
    const sim = JSON.parse((await run('similarity', ['--model', model, '--pairs', pairs, '--json'])).out);
    expect(Object.keys(sim[0])).toEqual(['file', 'pairs', 'covered', 'spearman', 'spearman_covered']);
    expect(sim[0]).toMatchObject({ pairs: 5, covered: 4 });
    expect(sim[0].spearman_covered).toBeGreaterThan(0.5); // same-topic pairs are closer

    const ent = join(dir, 'ent.tsv');
    writeFileSync(ent, 'cat\tdog\t1\ncar\tbus\t1\ncat\tcar\t0\nbus\tpig\t0\n');
    const e = JSON.parse((await run('entail', ['--model', model, '--pairs', ent, '--json'])).out);
    expect(e.map((r: { direction: string }) => r.direction)).toEqual(['KL(w1||w2)', 'KL(w2||w1)']);
    expect(Object.keys(e[0])).toEqual(['direction', 'pairs', 'covered', 'ap', 'f1']);

    const s = JSON.parse((await run('senses', ['--model', model, '--word', 'Cat', '--top', '3', '--json'])).out);
    expect(s.word).toBe('cat');
    expect(s.senses[0].top.length).toBe(3);
    const z = JSON.parse((await run('senses', ['--model', model, '--sense', '0', '--json'])).out);
    expect(z.top.length).toBe(10);

    const n = JSON.parse((await run('neighbours', ['--model', model, '--word', 'cat', '--top', '3', '--json'])).out);
    expect(n.length).toBe(3);
    const animals = ['dog', 'horse', 'cow', 'sheep', 'goat', 'pig', 'duck'];
    expect(n.filter((x: { word: string }) => animals.includes(x.word)).length).toBeGreaterThanOrEqual(2);

    const out = join(dir, 'e.txt');
    await run('export', ['--model', model, '--text', out]);
    const first = readFileSync(out, 'utf8').split('\n')[0].split(' ');
    expect(first.length).toBeGreaterThan(1);
    const sum = first.slice(1).reduce((a, p) => a + Number(p.split(':')[1]), 0);
    expect(sum).toBeCloseTo(1, 4);
  }, 30000);

  it('train: online VB on worker threads by default, the update rule and threads recorded; batch on request', async () => {
    const txt = join(dir, 'u.txt');
    writeFileSync(txt, corpus());
    const base = [
      '--corpus',
      txt,
      '--senses',
      '4',
      '--iters',
      '3',
      '--subsample',
      '0',
      '--min-count',
      '1',
      '--merged',
      '2',
    ];
    const online = join(dir, 'online.safetensors');
    const a = await run('train', [...base, '--out', online, '--threads', '2']);
    expect(a.err).not.toContain('E-step threads'); // 16 words are dense: the dense engine, no worker started
    const batch = join(dir, 'batch.safetensors');
    await run('train', [...base, '--out', batch, '--update', 'batch', '--init', 'anchors', '--threads', '1']);
    const meta = (f: string) => {
      const b = readFileSync(f);
      const n = Number(b.readBigUInt64LE(0));
      const h = JSON.parse(b.subarray(8, 8 + n).toString('utf8')).__metadata__;
      return JSON.parse(h.hyperparameters);
    };
    expect(meta(online)).toMatchObject({ update: 'online', update_groups: 1, init: 'random' });
    expect(meta(online).algorithm).toMatch(/^online variational Bayes \(dense/);
    expect(meta(batch)).toMatchObject({ update: 'batch', update_groups: 1, init: 'anchors' });
    expect(meta(batch).algorithm).toMatch(/^batch variational Bayes/);
    await expect(run('train', [...base, '--out', join(dir, 'x'), '--update', 'stochastic'])).rejects.toThrow(
      /--update must be online, incremental or batch/,
    );
    await expect(run('train', [...base, '--out', join(dir, 'x'), '--threads', '0'])).rejects.toThrow(UsageError);
    // the engine on request, recorded with the model (CSR blocks: tfjs ops in Node)
    const csr = join(dir, 'csr.safetensors');
    await run('train', [...base, '--out', csr, '--engine', 'csr']);
    expect(meta(csr)).toMatchObject({ engine: 'csr (tfjs-ops)' });
    expect(meta(csr).algorithm).toMatch(/row blocks at the non-zeros, csr \(tfjs-ops\)/);
    expect(meta(online).engine).toBe('dense (tfjs)');
    await expect(run('train', [...base, '--out', join(dir, 'x'), '--engine', 'gpu'])).rejects.toThrow(
      /--engine must be auto, sparse, csr or dense/,
    );
  });

  it('bad input is a one-line input or usage error', async () => {
    await expect(run('train', ['--out', join(dir, 'x')])).rejects.toThrow(UsageError);
    await expect(run('train', ['--corpus', join(dir, 'missing.txt'), '--out', join(dir, 'x')])).rejects.toThrow(
      /missing\.txt: cannot read the corpus/,
    );
    const bad = join(dir, 'bad.tsv');
    writeFileSync(bad, 'a\tb\t1\na\tb\n');
    const err = await run('train', ['--counts', bad, '--out', join(dir, 'x')]).then(
      () => null,
      (e: Error) => e,
    );
    expect(isInputError(err)).toBe(true);
    expect(err!.message).toBe(
      `${bad}: line 2: expected 3 fields (word<TAB>context<TAB>count or 'count word context'), got 2`,
    );
    writeFileSync(join(dir, 'junk.safetensors'), 'not a model');
    const err2 = await run('neighbours', ['--model', join(dir, 'junk.safetensors'), '--word', 'a']).then(
      () => null,
      (e: Error) => e,
    );
    expect(isInputError(err2)).toBe(true);
    expect(err2!.message).toContain('junk.safetensors');
  });
});
