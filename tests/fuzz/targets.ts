/**
 * The parsers under fuzz, each with its valid base input and its mutations: structure-blind ones
 * (bit flips, splices, truncation; validity unknown, so exit 0 or a clean exit 2 both pass) and
 * rule-breaking ones whose exit 0 would be accepted-invalid (truncated gzip, CRC flips, hostile
 * numbers, NaN tensors, half heads, short vocabularies, symlink loops…). See docs/input.md.
 */
import { copyFileSync, cpSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { buildModel } from '../../src/engine/word2sense/build';
import { writeWord2SenseModel } from '../../src/engine/word2sense/modelFile';
import { fromTriples } from '../../src/engine/text/csr';
import { serializeSurface } from '../../src/engine/io/surfaceFile';
import { bowl } from '../../src/testing/vizCases';
import { FIXTURES, tinyCorpus } from '../../src/testing/cli';
import {
  blindBytes,
  blindLines,
  HOSTILE_NUMBERS,
  int,
  pick,
  truncate,
  utf8,
  type FuzzCase,
  type FuzzTarget,
  type Rng,
} from './harness';

const WORDS = ['cat', 'dog', 'car', 'bus', 'cow', 'pig'];

/** A valid 6-word, K = 3 Word2Sense model file. */
function tinyModel(): Uint8Array {
  const V = WORDS.length;
  const K = 3;
  const r = [];
  const c = [];
  const v = [];
  for (let i = 0; i < V; i++)
    for (let j = 0; j < V; j++) {
      r.push(i);
      c.push(j);
      v.push(1 + ((i * 7 + j * 3) % 5));
    }
  const beta = new Float32Array(K * V);
  for (let z = 0; z < K; z++) for (let w = 0; w < V; w++) beta[z * V + w] = (1 + ((z + w) % 3)) / (V * 2);
  for (let z = 0; z < K; z++) {
    let s = 0;
    for (let w = 0; w < V; w++) s += beta[z * V + w];
    for (let w = 0; w < V; w++) beta[z * V + w] /= s;
  }
  const theta = new Float32Array(V * K);
  for (let w = 0; w < V; w++) for (let z = 0; z < K; z++) theta[w * K + z] = z === w % K ? 0.8 : 0.1;
  const model = buildModel({
    vocab: WORDS,
    wordCounts: WORDS.map((_, i) => 10 + i),
    counts: fromTriples(V, V, r, c, v),
    beta,
    theta,
    K,
    Kmerged: 2,
    hyperparameters: { seed: 1 },
  });
  return writeWord2SenseModel(model);
}

/** Replaces the `field`-th whitespace/tab field of a random data line by `value`. */
function setField(r: Rng, text: string, field: number, value: string, skip = 0): string {
  const lines = text.split('\n');
  const i = int(r, skip, lines.filter((l) => l !== '').length - 1);
  const parts = lines[i].split('\t');
  parts[field] = value;
  lines[i] = parts.join('\t');
  return lines.join('\n');
}

const INVALID_UTF8 = new Uint8Array([0xff, 0xfe, 0xc3]);
function injectBytes(r: Rng, text: string, bytes: Uint8Array): Uint8Array {
  const b = utf8(text);
  const lineStarts = [0, ...[...text.matchAll(/\n/g)].map((m) => utf8(text.slice(0, m.index)).length + 1)];
  const at = Math.min(b.length, pick(r, lineStarts) + 1);
  return new Uint8Array([...b.subarray(0, at), ...bytes, ...b.subarray(at)]);
}

/** A gzip member's rule-breaking mutations: cut, junk after, CRC/ISIZE flip, body flip. */
function gzipBreak(r: Rng, gz: Uint8Array): { bytes: Uint8Array; what: string } {
  const op = pick(r, ['cut', 'junk', 'crc', 'body'] as const);
  if (op === 'cut') return { bytes: gz.subarray(0, int(r, 10, gz.length - 1)), what: 'gzip cut' };
  if (op === 'junk')
    return { bytes: new Uint8Array([...gz, ...utf8(pick(r, ['x', '\0\0\0\0', 'junk after']))]), what: 'gzip junk' };
  const out = gz.slice();
  // (not the deflate stream's last byte: its high bits are padding after the end-of-block code, so a
  // flip there leaves a valid file — zlib agrees; the 10 000-case run found it)
  const i = op === 'crc' ? int(r, gz.length - 8, gz.length - 1) : int(r, 10, gz.length - 10);
  out[i] ^= 1 << int(r, 0, 7);
  return { bytes: out, what: `gzip ${op} flip` };
}

function modelTarget(): FuzzTarget {
  let dir = '';
  let base: Uint8Array = new Uint8Array();
  return {
    name: 'model file',
    async setup(d) {
      dir = d;
      base = tinyModel();
    },
    async make(r, k) {
      const p = join(dir, `m${k}.safetensors`);
      let what: string;
      let mustFail = false;
      let bytes: Uint8Array;
      const headerLen = Number(new DataView(base.buffer, base.byteOffset).getBigUint64(0, true));
      const roll = r();
      if (roll < 0.3) {
        bytes = base.subarray(0, int(r, 0, base.length - 1));
        what = 'truncate';
        mustFail = true;
      } else if (roll < 0.5) {
        // a hostile value in the metadata (vocab with an empty word, word counts non-finite)
        const header = new TextDecoder().decode(base.subarray(8, 8 + headerLen));
        const bad = pick(r, [
          ['"cat"', '""', 'empty word'],
          ['"word_counts":"[10', '"word_counts":"[1e999', 'word count 1e999'],
          ['"word_counts":"[10', '"word_counts":"[-10', 'negative word count'],
          ['"cat"', '"dog"', 'duplicate word'],
        ] as const);
        const h = header.replace(bad[0].replace(/"/g, '\\"'), bad[1].replace(/"/g, '\\"'));
        const hb = utf8(h.padEnd(headerLen, ' '));
        bytes = new Uint8Array(8 + hb.length + base.length - 8 - headerLen);
        new DataView(bytes.buffer).setBigUint64(0, BigInt(hb.length), true);
        bytes.set(hb, 8);
        bytes.set(base.subarray(8 + headerLen), 8 + hb.length);
        what = bad[2];
        mustFail = h !== header;
      } else {
        ({ bytes, what } = blindBytes(r, base));
      }
      writeFileSync(p, bytes);
      return { what, mustFail, argv: ['w2s', 'neighbours', '--model', p, '--word', 'cat', '--top', '3'] };
    },
  };
}

const COUNTS = WORDS.flatMap((a, i) => WORDS.map((b, j) => `${a}\t${b}\t${1 + ((i + j) % 4)}`)).join('\n') + '\n';

function countsTarget(): FuzzTarget {
  let dir = '';
  return {
    name: 'counts',
    async setup(d) {
      dir = d;
    },
    async make(r, k) {
      const p = join(dir, `c${k}.tsv`);
      const roll = r();
      let c: Omit<FuzzCase, 'argv'>;
      if (roll < 0.3) {
        const v = pick(r, HOSTILE_NUMBERS);
        writeFileSync(p, setField(r, COUNTS, 2, v));
        c = { what: `count ${v}`, mustFail: true };
      } else if (roll < 0.4) {
        writeFileSync(p, injectBytes(r, COUNTS, INVALID_UTF8));
        c = { what: 'invalid UTF-8', mustFail: true };
      } else if (roll < 0.5) {
        writeFileSync(p, `${COUNTS}${'w'.repeat(2 ** 20 + 10)}\tcat\t1\n`);
        c = { what: 'long line', mustFail: true };
      } else if (roll < 0.65) {
        const { bytes, what } = gzipBreak(r, new Uint8Array(gzipSync(COUNTS)));
        writeFileSync(`${p}.gz`, bytes);
        return { what, mustFail: true, argv: trainArgs(dir, k, ['--counts', `${p}.gz`]) };
      } else {
        const { text, what } = blindLines(r, COUNTS);
        writeFileSync(p, text);
        c = { what, mustFail: false };
      }
      return { ...c, argv: trainArgs(dir, k, ['--counts', p]) };
    },
  };
}

const trainArgs = (dir: string, k: number, input: string[]) => [
  'w2s',
  'train',
  ...input,
  '--out',
  join(dir, `out${k}.safetensors`),
  '--senses',
  '2',
  '--iters',
  '1',
  '--min-count',
  '1',
  '--inner-iters',
  '5',
  '--subsample',
  '0',
];

function corpusTarget(gzip: boolean): FuzzTarget {
  let dir = '';
  const text = tinyCorpus(30);
  return {
    name: gzip ? 'corpus (gzip)' : 'corpus (plain)',
    async setup(d) {
      dir = d;
    },
    async make(r, k) {
      const p = join(dir, `t${k}.txt${gzip ? '.gz' : ''}`);
      let what: string;
      let mustFail = false;
      if (gzip) {
        const gz = new Uint8Array(gzipSync(text));
        if (r() < 0.7) {
          const b = gzipBreak(r, gz);
          writeFileSync(p, b.bytes);
          what = b.what;
          mustFail = true;
        } else {
          const b = blindBytes(r, gz);
          writeFileSync(p, b.bytes);
          what = b.what; // a flip in the header's MTIME/OS bytes is harmless, so no verdict
        }
      } else if (r() < 0.25) {
        // not a readable regular file within the budget: refused by type, loop or size
        const kind = pick(r, ['dir', 'device', 'fifo', 'loop', 'budget'] as const);
        mustFail = true;
        what = `corpus ${kind}`;
        if (kind === 'budget') {
          writeFileSync(p, text);
          return { what, mustFail, argv: trainArgs(dir, k, ['--corpus', p, '--max-input-bytes', '100']) };
        }
        const target = { dir, device: '/dev/zero', fifo: join(dir, 'fifo'), loop: join(dir, 'loop') }[kind];
        if (kind === 'fifo' && !existsLink(target)) execFileSync('mkfifo', [target]);
        if (kind === 'loop' && !existsLink(target)) symlinkSync('loop', target);
        return { what, mustFail, argv: trainArgs(dir, k, ['--corpus', target]) };
      } else if (r() < 0.3) {
        writeFileSync(p, injectBytes(r, text, INVALID_UTF8));
        what = 'invalid UTF-8 (corpus text: replaced, documented)';
      } else {
        const b = blindLines(r, text);
        writeFileSync(p, b.text);
        what = b.what;
      }
      return { what, mustFail, argv: trainArgs(dir, k, ['--corpus', p]) };
    },
  };
}

function pairsTarget(): FuzzTarget {
  let dir = '';
  let model = '';
  const base = 'cat\tdog\t9\ncar\tbus\t8\ncat\tcar\t1\ndog\tpig\t4\ncow\tpig\t7\n';
  return {
    name: 'pairs',
    async setup(d) {
      dir = d;
      model = join(d, 'model.safetensors');
      writeFileSync(model, tinyModel());
    },
    async make(r, k) {
      const p = join(dir, `p${k}.txt`);
      let what: string;
      let mustFail = false;
      const roll = r();
      if (roll < 0.35) {
        const v = pick(r, ['1e999', '-1e999', 'NaN', 'Infinity', 'abc', '0x10']);
        // not on line 1, which may be a header
        writeFileSync(p, setField(r, base, 2, v, 1));
        what = `score ${v}`;
        mustFail = true;
      } else if (roll < 0.45) {
        writeFileSync(p, injectBytes(r, base, INVALID_UTF8));
        what = 'invalid UTF-8';
        mustFail = true;
      } else {
        const b = blindLines(r, base);
        writeFileSync(p, b.text);
        what = b.what;
      }
      return { what, mustFail, argv: ['w2s', pick(r, ['similarity', 'entail']), '--model', model, '--pairs', p] };
    },
  };
}

function glueTarget(): FuzzTarget {
  let dir = '';
  const base = readFileSync(join(FIXTURES, 'bert/data/sst2.tsv'), 'utf8').split('\n').slice(0, 9).join('\n') + '\n';
  return {
    name: 'GLUE TSV',
    async setup(d) {
      dir = d;
    },
    async make(r, k) {
      const p = join(dir, `g${k}.tsv`);
      let what: string;
      let mustFail = false;
      if (r() < 0.4) {
        const v = pick(r, ['7', '-1', '0.5', '1e999', 'NaN', 'neutral', 'contradiction', 'banana', '']);
        writeFileSync(p, setField(r, base, 1, v, 1));
        what = `label ${v}`;
        mustFail = true;
      } else {
        const b = blindLines(r, base);
        writeFileSync(p, b.text);
        what = b.what;
      }
      return {
        what,
        mustFail,
        argv: ['bert', 'loss', '--model', join(FIXTURES, 'bert/tiny-gelu-f32'), '--data', p, '--max-length', '16'],
      };
    },
  };
}

function surfaceTarget(): FuzzTarget {
  let dir = '';
  const f = bowl(6, 5, true);
  return {
    name: 'surface JSON',
    async setup(d) {
      dir = d;
    },
    async make(r, k) {
      const p = join(dir, `s${k}.json`);
      const g = structuredClone(f);
      let what: string;
      const mustFail = true;
      let raw: string | null = null;
      const i = int(r, 0, 5);
      const j = int(r, 0, 4);
      switch (int(r, 0, 9)) {
        case 0:
          g.values.accuracy[j][i] = pick(r, [1.5, -0.1, 2]);
          what = 'accuracy outside [0, 1]';
          break;
        case 1:
          g.values.loss[j][i] = -1;
          what = 'negative loss';
          break;
        case 2:
          g.values.loss[j][i] = 123.25;
          raw = serializeSurface(g, 1).replace('123.25', pick(r, ['1e999', '-1e999']));
          what = 'loss overflow';
          break;
        case 3:
          g.spec.grid.x.max = g.spec.grid.x.min;
          what = 'grid min = max';
          break;
        case 4:
          g.x[i] += pick(r, [0.01, -0.3, 1]);
          what = 'x off the grid';
          break;
        case 5:
          g.y.reverse();
          what = 'y reversed';
          break;
        case 6:
          g.spec.grid.y.n += 1;
          what = 'n disagrees';
          break;
        case 7: {
          const text = serializeSurface(g, 1);
          raw = text.slice(0, int(r, 0, text.trimEnd().length - 1));
          what = 'truncated JSON';
          break;
        }
        default: {
          const b = blindBytes(r, utf8(serializeSurface(g, 1)));
          writeFileSync(p, b.bytes);
          return { what: b.what, mustFail: false, argv: renderOrMerge(r, dir, k, p) };
        }
      }
      writeFileSync(p, raw ?? serializeSurface(g, 1));
      return { what, mustFail, argv: renderOrMerge(r, dir, k, p) };
    },
  };
}

const renderOrMerge = (r: Rng, dir: string, k: number, p: string) =>
  r() < 0.5
    ? ['landscape', 'render', p, '--svg', join(dir, `o${k}.svg`)]
    : ['landscape', 'merge', p, '--out', join(dir, `o${k}.json`)];

/** Checkpoint folders: safetensors, sharded index, PyTorch .bin. */
function checkpointTarget(kind: 'safetensors' | 'sharded' | 'bin'): FuzzTarget {
  const src = { safetensors: 'tiny-gelu-f32', sharded: 'regression-relu-sharded', bin: 'legacy-gelunew-bin' }[kind];
  const weights = {
    safetensors: ['model.safetensors'],
    sharded: ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'],
    bin: ['pytorch_model.bin'],
  }[kind];
  let dir = '';
  return {
    name: `checkpoint (${kind})`,
    async setup(d) {
      dir = d;
    },
    async make(r, k) {
      const d = join(dir, `ck${k}`);
      rmSync(d, { recursive: true, force: true });
      cpSync(join(FIXTURES, 'bert', src), d, { recursive: true });
      let what: string;
      let mustFail = true;
      const w = join(d, pick(r, weights));
      const op = int(r, 0, 11);
      if (op <= 1) {
        writeFileSync(w, truncate(r, readFileSync(w)));
        what = 'weights truncated';
      } else if (op === 2 && kind !== 'bin') {
        // NaN or Inf into a random F32 of the data section
        const b = readFileSync(w);
        const start = 8 + Number(b.readBigUInt64LE(0));
        const at = start + 4 * int(r, 0, (b.length - start) / 4 - 1);
        b.writeFloatLE(pick(r, [Number.NaN, Infinity, -Infinity]), at);
        writeFileSync(w, b);
        what = 'non-finite weight';
      } else if (op === 3) {
        const cfg = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
        const key = pick(r, ['vocab_size', 'hidden_size', 'num_hidden_layers', 'intermediate_size']);
        const overflow = r() < 0.3;
        cfg[key] = overflow ? 424242 : pick(r, [cfg[key] + 1, 0, -3, 'x']);
        writeFileSync(join(d, 'config.json'), JSON.stringify(cfg).replace('424242', '1e999'));
        what = `config ${key} ${overflow ? '1e999' : String(cfg[key])}`;
      } else if (op === 4) {
        const v = readFileSync(join(d, 'vocab.txt'), 'utf8').split('\n');
        const pickOp = pick(r, ['short', 'empty', 'unk', 'pad']);
        const out =
          pickOp === 'short'
            ? v.slice(0, 50)
            : pickOp === 'empty'
              ? []
              : v.map((t) => (t === (pickOp === 'unk' ? '[UNK]' : '[PAD]') ? '[unused_x]' : t));
        writeFileSync(join(d, 'vocab.txt'), out.join('\n'));
        what = `vocab ${pickOp}`;
      } else if (op === 5) {
        rmSync(w);
        symlinkSync(pick(r, [w.split('/').pop()!, join(d, 'loop-b')]), w);
        if (!existsLink(join(d, 'loop-b'))) symlinkSync(w, join(d, 'loop-b'));
        what = 'symlink loop';
      } else if (op === 6) {
        const outside = join(dir, `outside${k}`);
        copyFileSync(w, outside);
        rmSync(w);
        symlinkSync(outside, w);
        what = 'symlink out of the folder';
      } else if (op === 7 && kind === 'sharded') {
        const p = join(d, 'model.safetensors.index.json');
        const idx = JSON.parse(readFileSync(p, 'utf8'));
        const name = pick(r, Object.keys(idx.weight_map));
        idx.weight_map[name] = pick(r, ['missing.safetensors', 7, '../x']);
        writeFileSync(p, JSON.stringify(idx));
        what = 'index points nowhere';
      } else if (op === 8) {
        rmSync(join(d, pick(r, ['config.json', ...weights])));
        what = 'file removed';
      } else {
        const b = blindBytes(r, readFileSync(w));
        writeFileSync(w, b.bytes);
        what = `weights ${b.what}`;
        mustFail = b.what === 'truncate';
      }
      const verb =
        r() < 0.6
          ? ['bert', 'inspect', '--model', d]
          : [
              'bert',
              'loss',
              '--model',
              d,
              '--data',
              join(FIXTURES, 'bert/data', kind === 'sharded' ? 'stsb.tsv' : 'sst2.tsv'),
              '--max-examples',
              '3',
              '--max-length',
              '16',
            ];
      return { what, mustFail, argv: verb };
    },
  };
}

/** True when something (a file, a dangling or looping link, a FIFO) is at `p`; never opens it. */
function existsLink(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

const XML = `<instances lemma="cat" partOfSpeech="n">
<instance id="cat.n.1" lemma="cat" partOfSpeech="n" token="cat" tokenEnd="7" tokenStart="4">the cat sat on the mat with a dog</instance>
<instance id="cat.n.2" lemma="cat" partOfSpeech="n" token="cat" tokenEnd="5" tokenStart="2">a cat and a pig on the bus</instance>
<instance id="cat.n.3" lemma="cat" partOfSpeech="n" token="cat" tokenEnd="7" tokenStart="4">the cat drove the car &amp; the bus</instance>
</instances>
`;

/** WSI data: SemEval-2013 instance XML (w2s wsi) and keys (w2s wsi-score). */
function wsiTarget(): FuzzTarget {
  let dir = '';
  let model = '';
  let gold = '';
  return {
    name: 'WSI data',
    async setup(d) {
      dir = d;
      model = join(d, 'model.safetensors');
      writeFileSync(model, tinyModel());
      gold = readFileSync(join(FIXTURES, 'wsi/keys/random2013.key'), 'utf8').split('\n').slice(0, 40).join('\n') + '\n';
    },
    async make(r, k) {
      if (r() < 0.5) {
        const d = join(dir, `x${k}`);
        mkdirSync(d, { recursive: true });
        let what: string;
        let mustFail = false;
        if (r() < 0.3) {
          writeFileSync(join(d, 'cat.n.xml'), XML.replace('&amp;', pick(r, ['&#x110000;', '&#xD800;', '&#0;'])));
          what = 'bad character reference';
          mustFail = true;
        } else {
          const b = blindBytes(r, utf8(XML));
          writeFileSync(join(d, 'cat.n.xml'), b.bytes);
          what = `xml ${b.what}`;
        }
        return {
          what,
          mustFail,
          argv: [
            'w2s',
            'wsi',
            '--model',
            model,
            '--task',
            'semeval2013',
            '--data',
            d,
            '--clusters',
            '2',
            '--out',
            join(d, 'k.key'),
          ],
        };
      }
      const key = join(dir, `k${k}.key`);
      const g = join(dir, `g${k}.key`);
      writeFileSync(g, gold);
      const b =
        r() < 0.5
          ? blindLines(r, gold)
          : { text: new TextDecoder().decode(blindBytes(r, utf8(gold)).bytes), what: 'bytes' };
      writeFileSync(key, b.text);
      return {
        what: `key ${b.what}`,
        mustFail: false,
        argv: ['w2s', 'wsi-score', '--task', 'semeval2013', '--gold', g, '--key', key],
      };
    },
  };
}

/** Every parser under fuzz, by name. */
export function targets(): FuzzTarget[] {
  return [
    modelTarget(),
    countsTarget(),
    corpusTarget(false),
    corpusTarget(true),
    pairsTarget(),
    glueTarget(),
    surfaceTarget(),
    checkpointTarget('safetensors'),
    checkpointTarget('sharded'),
    checkpointTarget('bin'),
    wsiTarget(),
  ];
}
