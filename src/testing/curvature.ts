/**
 * Test helpers for the curvature references (tests/fixtures/curvature, written by
 * tools/bert/hessian_reference.py): the reference JSON, each reference checkpoint with its encoded
 * batches (the same TSV, length and batch size as the generator), and the reference tensors
 * (`grad.<name>`, `hv.<name>`) read from its safetensors file; plus the fixed vector the HVPs use.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpointDir } from '../engine/node/checkpoint';
import { SafetensorsFile } from '../engine/io/safetensors';
import { BertTokenizer } from '../engine/text/bertTokenizer';
import { encodeBatches, loadExamples, type EncodedBatch } from '../engine/bert/data';
import { isRegression, type LoadedCheckpoint } from '../engine/bert/checkpoint';

export const FIXTURES = join(__dirname, '../../tests/fixtures');
export const CURVATURE = join(FIXTURES, 'curvature');

export interface CurvatureRef {
  folder: string;
  data: string;
  maxLength: number;
  batchSize: number;
  examples: number;
  names: string[];
  loss: number;
  gradientNorm: number;
  tensorNorms: number[];
  hvNorm: number;
  parameters?: number;
  eigenvaluesByMagnitude?: number[];
  eigenvalues?: number[];
  trace?: number;
  groups?: { name: string; parameters: number; eigenvalue: number; trace: number }[];
}

export const CURVATURE_REFS = (
  JSON.parse(readFileSync(join(CURVATURE, 'reference.json'), 'utf8')) as { checkpoints: Record<string, CurvatureRef> }
).checkpoints;

/** The reference's checkpoint and its batches, encoded as the generator did. */
export async function curvatureCase(
  name: string,
  batchSize?: number,
): Promise<{ ref: CurvatureRef; ckpt: LoadedCheckpoint; batches: EncodedBatch[]; dataPath: string }> {
  const ref = CURVATURE_REFS[name];
  const ckpt = await loadCheckpointDir(join(FIXTURES, ref.folder));
  const dataPath = join(FIXTURES, 'bert', 'data', ref.data);
  const tok = new BertTokenizer(ckpt.vocab!, { doLowerCase: ckpt.doLowerCase });
  const ex = loadExamples(readFileSync(dataPath, 'utf8'), ref.data, {
    label2id: isRegression(ckpt.config) ? undefined : ckpt.config.label2id,
  });
  const batches = encodeBatches(ex, tok, { maxLength: ref.maxLength, batchSize: batchSize ?? ref.batchSize });
  return { ref, ckpt, batches, dataPath };
}

/** The reference tensors of `name` (`grad.<tensor>`, `hv.<tensor>`) as F32 arrays. */
export async function referenceTensors(name: string): Promise<Map<string, Float32Array>> {
  const f = await SafetensorsFile.fromBytes(new Uint8Array(readFileSync(join(CURVATURE, `${name}.safetensors`))));
  const out = new Map<string, Float32Array>();
  for (const n of f.names()) out.set(n, (await f.read(n)) as Float32Array);
  return out;
}

/** The generator's fixed vector for tensor position `t` with `numel` entries: sin(0.37·(j+1) + 1.3·t). */
export function fixedVector(t: number, numel: number): Float32Array {
  return Float32Array.from({ length: numel }, (_, j) => Math.sin(0.37 * (j + 1) + 1.3 * t));
}

/** ‖a − b‖ / ‖b‖ in float64. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** H·v against the reference's `hv.<name>` tensors over all parameters: ‖hv − ref‖ / ‖ref‖ and ‖ref‖. */
export async function hvpErrorVsReference(
  hv: readonly { data(): Promise<unknown> }[],
  want: ReadonlyMap<string, Float32Array>,
  names: readonly string[],
): Promise<{ relative: number; refNorm: number }> {
  let num = 0;
  let den = 0;
  for (let t = 0; t < names.length; t++) {
    const got = (await hv[t].data()) as Float32Array;
    const exp = want.get(`hv.${names[t]}`)!;
    for (let j = 0; j < exp.length; j++) {
      num += (got[j] - exp[j]) ** 2;
      den += exp[j] ** 2;
    }
  }
  return { relative: Math.sqrt(num / den), refNorm: Math.sqrt(den) };
}
