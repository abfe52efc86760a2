/**
 * The instances of the sense probe: a target word in its context, split as left context · target ·
 * right context, from the SemEval-2010/2013 WSI test sets and SCWS; and their encoding for BERT —
 * WordPiece ids with the target's sub-token span, cropped to a window around the target when the
 * context does not fit `maxLength`.
 *
 * Where the target is: SemEval-2013 gives its character span; SCWS marks it with `<b> … </b>`;
 * SemEval-2010 gives only the target sentence (tokenised, whitespace-separated), so the target is the
 * first token equal to the lemma or one of its listed irregular forms, else the one sharing the
 * longest prefix with the lemma (first on ties). On the 8915 test instances all but ~44 pick an inflection of the lemma
 * (the rest: `stuck` for *stick*, `owing` for *owe*, … and a handful of near misses); they are kept.
 */
import { instancesFromXml, type WsiInstance } from '../eval/wsi/readers';
import { parseScws, type ScwsPair } from '../eval/scws';
import type { BertTokenizer } from '../text/bertTokenizer';
import type { TokenSpan } from '../bert/hiddenStates';
import type { EncodedBatch } from '../bert/data';
import { InputError } from '../util/errors';

/** One occurrence of a target word: `left + ' ' + target + ' ' + right` is its context. */
export interface SenseInstance {
  /** Instance id (as the WSI keys use it), or `scwsId:1|2`. */
  id: string;
  /** Target as the keys use it (`access.n`), or the SCWS word. */
  term: string;
  left: string;
  target: string;
  right: string;
}

/** Irregular forms of SemEval-2010 lemmas that share no long prefix with them. */
const IRREGULAR: Record<string, string[]> = {
  lay: ['laid', 'lain'],
  lie: ['lay', 'lain', 'lying'],
  swear: ['swore', 'sworn'],
  stick: ['stuck'],
  catch: ['caught'],
  seek: ['sought'],
  strike: ['struck', 'stricken'],
  figure: ['figger', 'figgered'],
};

const commonPrefix = (a: string, b: string): number => {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
};

/** Index of the token of `tokens` that is the occurrence of `lemma` (see the header). */
export function locateLemma(tokens: readonly string[], lemma: string): number {
  const lower = tokens.map((t) => t.toLowerCase());
  const irregular = IRREGULAR[lemma] ?? [];
  const exact = lower.findIndex((t) => t === lemma || irregular.includes(t));
  if (exact >= 0) return exact;
  let best = 0;
  let bestLen = -1;
  lower.forEach((t, i) => {
    const n = commonPrefix(t, lemma);
    if (n > bestLen) {
      bestLen = n;
      best = i;
    }
  });
  return best;
}

/** Sense-probe instances of WSI test instances (2010: the target sentence; 2013: the whole text). */
export function wsiSenseInstances(instances: readonly WsiInstance[]): SenseInstance[] {
  return instances.map((inst) => {
    if (inst.target) {
      const { start, end } = inst.target;
      return {
        id: inst.id,
        term: inst.term,
        left: inst.text.slice(0, start),
        target: inst.text.slice(start, end),
        right: inst.text.slice(end),
      };
    }
    const tokens = (inst.targetSentence ?? inst.text).split(/\s+/).filter(Boolean);
    if (tokens.length === 0) throw new InputError(`${inst.id}: empty target sentence`);
    const k = locateLemma(tokens, inst.lemma.toLowerCase());
    return {
      id: inst.id,
      term: inst.term,
      left: tokens.slice(0, k).join(' '),
      target: tokens[k],
      right: tokens.slice(k + 1).join(' '),
    };
  });
}

/** Splits an SCWS context at its `<b> … </b>` marker. */
function splitMarked(context: string, where: string): { left: string; target: string; right: string } {
  const m = /<b>([\s\S]*?)<\/b>/.exec(context);
  if (!m) throw new InputError(`${where}: no <b> … </b> marker around the target word`);
  return { left: context.slice(0, m.index), target: m[1].trim(), right: context.slice(m.index + m[0].length) };
}

/**
 * SCWS pairs (parsed by eval/scws.ts) with the two occurrences of each pair as instances
 * `2k` and `2k + 1`. `text` is ratings.txt (the markers are read from it).
 */
export function scwsSenseInstances(
  text: string,
  pairs: readonly ScwsPair[],
  name: string,
): { pairs: ScwsPair[]; instances: SenseInstance[] } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length !== pairs.length) throw new Error(`${name}: ${lines.length} lines but ${pairs.length} pairs`);
  const instances: SenseInstance[] = [];
  lines.forEach((line, k) => {
    const f = line.split('\t');
    const p = pairs[k];
    instances.push({ id: `${p.id}:1`, term: p.word1, ...splitMarked(f[5], `${name}: pair ${p.id} context 1`) });
    instances.push({ id: `${p.id}:2`, term: p.word2, ...splitMarked(f[6], `${name}: pair ${p.id} context 2`) });
  });
  return { pairs: [...pairs], instances };
}

/** Batches of encoded instances, each with the target span of every row. */
export interface SenseBatch {
  batch: EncodedBatch;
  spans: TokenSpan[];
  /** Index into the instance list of each row. */
  index: number[];
}

/**
 * `[CLS] left target right [SEP]` as WordPiece ids (each part tokenised on its own) and the target's
 * sub-token span; when longer than `maxLength`, the target is kept (cut to fit if it alone is too
 * long) with ⌊budget/2⌋ tokens of left context and the rest right (unused room goes to the other side).
 */
export function encodeSenseInstance(
  inst: SenseInstance,
  tok: BertTokenizer,
  maxLength: number,
): { ids: number[]; start: number; end: number } {
  const left = tok.tokensToIds(tok.tokenize(inst.left));
  let target = tok.tokensToIds(tok.tokenize(inst.target));
  const right = tok.tokensToIds(tok.tokenize(inst.right));
  if (target.length === 0) target = [tok.unkId];
  const room = maxLength - 2;
  if (target.length > room) target = target.slice(0, room);
  const budget = room - target.length;
  let nl = Math.min(left.length, Math.floor(budget / 2));
  const nr = Math.min(right.length, budget - nl);
  nl = Math.min(left.length, budget - nr);
  const ids = [tok.clsId, ...left.slice(left.length - nl), ...target, ...right.slice(0, nr), tok.sepId];
  return { ids, start: 1 + nl, end: 1 + nl + target.length };
}

/** Encodes and pads instances into batches of `batchSize`, in order (pad id, mask 0, token type 0). */
export function encodeSenseBatches(
  instances: readonly SenseInstance[],
  tok: BertTokenizer,
  opts: { maxLength: number; batchSize: number },
): SenseBatch[] {
  const { maxLength, batchSize } = opts;
  if (!Number.isSafeInteger(maxLength) || maxLength < 3)
    throw new InputError(`max length must be an integer ≥ 3, got ${maxLength}`);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new InputError(`batch size must be a positive integer, got ${batchSize}`);
  const out: SenseBatch[] = [];
  for (let s = 0; s < instances.length; s += batchSize) {
    const enc = instances.slice(s, s + batchSize).map((inst) => encodeSenseInstance(inst, tok, maxLength));
    const n = enc.length;
    const L = Math.max(...enc.map((e) => e.ids.length));
    const inputIds = new Int32Array(n * L).fill(tok.padId);
    const attentionMask = new Int32Array(n * L);
    enc.forEach((e, i) => {
      inputIds.set(e.ids, i * L);
      attentionMask.fill(1, i * L, i * L + e.ids.length);
    });
    out.push({
      batch: {
        inputIds,
        tokenTypeIds: new Int32Array(n * L),
        attentionMask,
        batch: n,
        seqLen: L,
        labels: new Float32Array(n),
      },
      spans: enc.map((e, i) => ({ row: i, start: e.start, end: e.end })),
      index: enc.map((_, i) => s + i),
    });
  }
  return out;
}

/** The task's instances: WSI (with the gold key text) or SCWS (instances 2k, 2k + 1 are pair k). */
export type SenseTaskData =
  | { task: 'semeval2010' | 'semeval2013'; instances: SenseInstance[]; wsi: WsiInstance[]; gold: string }
  | { task: 'scws'; instances: SenseInstance[]; pairs: ScwsPair[] };

/**
 * The probe's data from file texts (the CLI reads them from disk, the app's worker from dropped
 * files): WSI test XML files and the gold key, keeping the first `maxInstances` instances of each
 * target word; or SCWS ratings.txt, keeping the first `maxInstances` pairs.
 */
export function senseTaskFromTexts(
  task: 'semeval2010' | 'semeval2013' | 'scws',
  input:
    { xml: readonly { name: string; text: string }[]; gold: string; where: string } | { scws: string; name: string },
  maxInstances?: number,
): SenseTaskData {
  if ('scws' in input) {
    if (task !== 'scws') throw new InputError(`${input.name}: SCWS ratings given for task ${task}`);
    const lines = input.scws.split(/\r?\n/).filter((l) => l.trim() !== '');
    const kept = (maxInstances === undefined ? lines : lines.slice(0, maxInstances)).join('\n');
    return { task, ...scwsSenseInstances(kept, parseScws(kept, input.name), input.name) };
  }
  if (task === 'scws') throw new InputError(`${input.where}: task scws needs the SCWS ratings file`);
  const seen = new Map<string, number>();
  const wsi = instancesFromXml(task, input.xml, input.where).filter((i) => {
    const k = (seen.get(i.term) ?? 0) + 1;
    seen.set(i.term, k);
    return maxInstances === undefined || k <= maxInstances;
  });
  return { task, wsi, instances: wsiSenseInstances(wsi), gold: input.gold };
}
