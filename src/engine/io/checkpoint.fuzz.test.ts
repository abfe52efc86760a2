/**
 * Malformed and hostile checkpoint files: a seeded fuzz loop over truncated, bit-flipped and
 * field-scrambled safetensors headers, PyTorch zips and pickles, plus hand-written hostile pickles
 * (`GLOBAL os system`, `posix system`, `builtins eval`, `subprocess Popen`, INST/OBJ/NEWOBJ/EXT,
 * REDUCE on non-callables, BUILD on plain objects). Every case must end in a clean one-line input
 * error or a valid result — never a crash, a hang (each case is timed) or code execution.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesSource } from './bytes';
import { SafetensorsFile } from './safetensors';
import { TorchZipFile } from './torchBin';
import { unpickle } from './pickle';
import { isInputError } from '../util/errors';
import { mulberry32 } from '../util/random';

const FIX = join(__dirname, '../../../tests/fixtures/bert');
const BIN = new Uint8Array(readFileSync(join(FIX, 'legacy-gelunew-bin/pytorch_model.bin')));
const ST = new Uint8Array(readFileSync(join(FIX, 'tiny-gelu-f32/model.safetensors')));
const CASE_MS = 1000;

/** Runs `fn`; it must succeed or throw a one-line input error, within CASE_MS. */
async function expectClean(label: string, fn: () => Promise<unknown>): Promise<'ok' | 'error'> {
  const t0 = performance.now();
  let outcome: 'ok' | 'error' = 'ok';
  try {
    await fn();
  } catch (err) {
    outcome = 'error';
    if (!isInputError(err))
      throw new Error(
        `${label}: not a clean input error: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
      );
    const msg = (err as Error).message;
    if (msg.includes('\n') || msg.length > 600)
      throw new Error(`${label}: error message is not one short line: ${msg}`);
  }
  const ms = performance.now() - t0;
  if (ms > CASE_MS) throw new Error(`${label}: took ${ms.toFixed(0)} ms`);
  return outcome;
}

async function readAllTorch(bytes: Uint8Array, name = 'fuzz/pytorch_model.bin'): Promise<void> {
  const f = await TorchZipFile.open(bytesSource(bytes, name));
  for (const n of f.names()) {
    const info = f.info(n);
    if (['F32', 'F16', 'BF16', 'F64'].includes(info.dtype)) await f.readF32(n);
  }
}

async function readAllSafetensors(bytes: Uint8Array): Promise<void> {
  const f = await SafetensorsFile.fromBytes(bytes, 'fuzz/model.safetensors');
  for (const n of f.names()) await f.read(n);
}

/** A minimal STORED zip writer (enough for torch-style archives). */
function makeZip(entries: [string, Uint8Array][]): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const n = enc.encode(name);
    const lh = new Uint8Array(30 + n.length);
    const lv = new DataView(lh.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, n.length, true);
    lh.set(n, 30);
    const ch = new Uint8Array(46 + n.length);
    const cv = new DataView(ch.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, n.length, true);
    cv.setUint32(42, offset, true);
    ch.set(n, 46);
    parts.push(lh, data);
    central.push(ch);
    offset += lh.length + data.length;
  }
  const cdSize = central.reduce((a, c) => a + c.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  const all = [...parts, ...central, eocd];
  const out = new Uint8Array(all.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of all) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** Hostile pickles: each would run code under Python's pickle.load. */
const HOSTILE: [string, string, RegExp][] = [
  [
    'GLOBAL os system',
    '\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.',
    /global os\.system, which is not allowed/,
  ],
  ['GLOBAL posix system', "cposix\nsystem\n(S'id'\ntR.", /global posix\.system/],
  ['GLOBAL nt system', 'cnt\nsystem\n(X\x02\x00\x00\x00idtR.', /global nt\.system/],
  ['GLOBAL builtins eval', '\x80\x02cbuiltins\neval\nX\x0b\x00\x00\x00__import__(\x85R.', /global builtins\.eval/],
  ['GLOBAL __builtin__ exec', 'c__builtin__\nexec\n.', /global __builtin__\.exec/],
  ['GLOBAL subprocess Popen', '\x80\x02csubprocess\nPopen\n]X\x02\x00\x00\x00ida\x85R.', /global subprocess\.Popen/],
  ['STACK_GLOBAL os system', '\x80\x04\x8c\x02os\x8c\x06system\x93\x8c\x02id\x85R.', /global os\.system/],
  ['GLOBAL torch.load (not allowed)', '\x80\x02ctorch\nload\n.', /global torch\.load/],
  ['INST', '(X\x02\x00\x00\x00idios\nsystem\n.', /opcode INST is not allowed/],
  ['OBJ', '(cos\nsystem\nX\x02\x00\x00\x00ido.', /global os\.system/],
  ['OBJ without a global', '(}o.', /opcode OBJ is not allowed/],
  ['NEWOBJ', '\x80\x02}\x29\x81.', /opcode NEWOBJ is not allowed/],
  ['EXT1', '\x80\x02\x82\x01)R.', /opcode EXT1 is not allowed/],
  ['EXT2', '\x80\x02\x83\x01\x00.', /opcode EXT2 is not allowed/],
  ['EXT4', '\x80\x02\x84\x01\x00\x00\x00.', /opcode EXT4 is not allowed/],
  [
    'REDUCE on a storage type',
    '\x80\x02ctorch\nFloatStorage\n)R.',
    /REDUCE on torch\.FloatStorage, which may not be called/,
  ],
  ['REDUCE on a string', '\x80\x02X\x01\x00\x00\x00a)R.', /REDUCE on something that is not an allowed callable/],
  ['BUILD on a list', '\x80\x02]}b.', /BUILD on an object that does not accept state/],
  ['text PERSID', 'Pabc\n.', /opcode PERSID is not allowed/],
  ['protocol-0 STRING', "S'x'\n.", /opcode STRING is not allowed/],
  ['unknown opcode', '\x80\x02\xff.', /opcode 0xff is not allowed/],
  ['huge BINUNICODE length', '\x80\x02X\xff\xff\xff\x7f.', /truncated/],
  ['memo miss', '\x80\x02h\x05.', /memo 5 is not defined/],
  ['no STOP', '\x80\x02}', /truncated/],
];

describe('hostile pickles', () => {
  for (const [what, src, msg] of HOSTILE) {
    it(`rejects ${what} without running anything`, async () => {
      const pkl = latin1(src);
      // Directly, with torch's allow-list, and inside a torch-style zip.
      const zip = makeZip([
        ['archive/data.pkl', pkl],
        ['archive/version', latin1('3\n')],
      ]);
      let message = '';
      const outcome = await expectClean(what, async () => {
        try {
          await readAllTorch(zip, 'evil/pytorch_model.bin');
        } catch (e) {
          message = (e as Error).message;
          throw e;
        }
      });
      expect(outcome).toBe('error');
      expect(message).toMatch(msg);
      expect(message).toMatch(/^evil\/pytorch_model\.bin/);
    });
  }

  it('needs an explicit allow-list: an empty one rejects every global', () => {
    expect(() =>
      unpickle(latin1('\x80\x02ccollections\nOrderedDict\n)R.'), { file: 'x', findGlobal: () => undefined }),
    ).toThrow(/global collections\.OrderedDict, which is not allowed/);
  });
});

describe('seeded fuzz', () => {
  const mutate = (src: Uint8Array, rand: () => number, region: [number, number]): Uint8Array => {
    const out = src.slice();
    const kind = Math.floor(rand() * 4);
    const at = () => region[0] + Math.floor(rand() * (region[1] - region[0]));
    if (kind === 0) return out.subarray(0, Math.floor(rand() * src.length)); // truncation
    if (kind === 1) {
      for (let i = 0, n = 1 + Math.floor(rand() * 8); i < n; i++) out[at()] ^= 1 << Math.floor(rand() * 8); // bit flips
      return out;
    }
    if (kind === 2) {
      const p = at(); // a random 32-bit field
      new DataView(out.buffer).setUint32(
        Math.min(p, out.length - 4),
        rand() < 0.5 ? 0xffffffff : Math.floor(rand() * 2 ** 32),
        true,
      );
      return out;
    }
    for (let i = 0, n = 1 + Math.floor(rand() * 16); i < n; i++) out[at()] = Math.floor(rand() * 256); // random bytes
    return out;
  };

  it('pytorch_model.bin: 250 corrupted zips (central directory, local headers, pickle, data)', async () => {
    const rand = mulberry32(1234);
    const cdStart = BIN.length - 6000;
    let errors = 0;
    for (let i = 0; i < 250; i++) {
      const region: [number, number] =
        i % 3 === 0 ? [Math.max(0, cdStart), BIN.length] : i % 3 === 1 ? [0, 12000] : [0, BIN.length];
      const bytes = mutate(BIN, rand, region);
      if ((await expectClean(`bin case ${i}`, () => readAllTorch(bytes))) === 'error') errors++;
    }
    expect(errors).toBeGreaterThan(60);
  });

  it('data.pkl: 400 mutated pickles through the restricted unpickler', async () => {
    const zip = await TorchZipFile.open(bytesSource(BIN, 'x.bin'));
    const name = [...zip.zip.entries.keys()].find((n) => n.endsWith('data.pkl'))!;
    const pkl = (await zip.zip.read(name)).slice();
    const rand = mulberry32(99);
    let errors = 0;
    for (let i = 0; i < 400; i++) {
      const bytes = mutate(pkl, rand, [0, pkl.length]);
      const archive = makeZip([
        [name, bytes],
        ...[...zip.zip.entries.keys()]
          .filter((n) => n !== name)
          .map((n) => [n, new Uint8Array(0)] as [string, Uint8Array]),
      ]);
      if ((await expectClean(`pickle case ${i}`, () => readAllTorch(archive))) === 'error') errors++;
    }
    expect(errors).toBeGreaterThan(200);
  });

  it('model.safetensors: 400 corrupted headers, lengths and truncations', async () => {
    const headerLen = new DataView(ST.buffer, ST.byteOffset).getUint32(0, true);
    const rand = mulberry32(7);
    let errors = 0;
    for (let i = 0; i < 400; i++) {
      const bytes = mutate(ST, rand, i % 4 === 0 ? [0, 8] : [8, 8 + headerLen]);
      if ((await expectClean(`safetensors case ${i}`, () => readAllSafetensors(bytes))) === 'error') errors++;
    }
    expect(errors).toBeGreaterThan(200);
  });
});
