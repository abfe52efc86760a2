/**
 * Compatibility of the checkpoints of an analysis, checked before any device work, with errors that
 * name the checkpoint, the tensor and both shapes. Semantics (issue 5): the MOVING parameters are the
 * tensors present in the origin; every other parameter the model has (the task head) is FIXED and
 * comes from the head checkpoint.
 */
import { InputError } from '../util/errors';
/** What a compatibility check reads of a checkpoint: its name, config and tensor shapes (`CheckpointLike` satisfies it). */
export interface ShapedCheckpoint {
  name: string;
  config?: unknown;
  tensors: ReadonlyMap<string, { shape: readonly number[] }>;
}

/** Config fields that change what the same tensors compute; they must agree between checkpoints. */
const CONFIG_KEYS = [
  ['num_attention_heads', 'numAttentionHeads'],
  ['hidden_act', 'hiddenAct'],
  ['num_hidden_layers', 'numHiddenLayers'],
  ['hidden_size', 'hiddenSize'],
] as const;

function configValue(config: unknown, keys: readonly string[]): unknown {
  if (config === null || typeof config !== 'object') return undefined;
  for (const k of keys) {
    const v = (config as Record<string, unknown>)[k];
    if (v !== undefined) return v;
  }
  return undefined;
}

const shapeText = (s: readonly number[]): string => `[${s.join(',')}]`;

/**
 * Checks that the origin's tensors all exist, with the same shapes, in the model's parameters (given
 * by `modelShapes`, normally the head checkpoint's), and in every checkpoint of `others` that must
 * span the moving parameters (directions, trajectory checkpoints). Config fields in CONFIG_KEYS must agree.
 * @returns the sorted moving names.
 * @throws InputError naming the first mismatch.
 */
export function checkCompatibility(
  origin: ShapedCheckpoint,
  head: ShapedCheckpoint,
  modelShapes: ReadonlyMap<string, readonly number[]>,
  others: readonly { role: string; ckpt: ShapedCheckpoint }[],
): string[] {
  const names = [...origin.tensors.keys()].sort();
  if (names.length === 0) throw new InputError(`${origin.name}: the origin has no parameters`);
  for (const name of names) {
    const o = origin.tensors.get(name)!;
    const m = modelShapes.get(name);
    if (!m)
      throw new InputError(
        `${origin.name}: tensor ${name} of the origin is not a parameter of the model (head ${head.name})`,
      );
    if (shapeText(m) !== shapeText(o.shape))
      throw new InputError(`${head.name}: tensor ${name} has shape ${shapeText(m)}, origin has ${shapeText(o.shape)}`);
  }
  const all = [{ role: 'head', ckpt: head }, ...others];
  for (const { role, ckpt } of all) {
    for (const keys of CONFIG_KEYS) {
      const a = configValue(origin.config, keys);
      const b = configValue(ckpt.config, keys);
      if (a !== undefined && b !== undefined && JSON.stringify(a) !== JSON.stringify(b)) {
        throw new InputError(
          `${ckpt.name} (${role}): config ${keys[0]} is ${JSON.stringify(b)}, origin has ${JSON.stringify(a)}`,
        );
      }
    }
    if (role === 'head') continue;
    for (const name of names) {
      const t = ckpt.tensors.get(name);
      if (!t) throw new InputError(`${ckpt.name} (${role}): tensor ${name} is missing (the origin has it)`);
      const o = origin.tensors.get(name)!;
      if (shapeText(t.shape) !== shapeText(o.shape))
        throw new InputError(
          `${ckpt.name} (${role}): tensor ${name} has shape ${shapeText(t.shape)}, origin has ${shapeText(o.shape)}`,
        );
    }
    for (const [name, t] of ckpt.tensors) {
      const m = modelShapes.get(name);
      if (m && shapeText(m) !== shapeText(t.shape))
        throw new InputError(
          `${ckpt.name} (${role}): tensor ${name} has shape ${shapeText(t.shape)}, the model has ${shapeText(m)}`,
        );
    }
  }
  return names;
}

/** Shapes of a checkpoint's tensors (e.g. the head's, to validate before the model is built). */
export function shapesOf(ckpt: ShapedCheckpoint): Map<string, readonly number[]> {
  const out = new Map<string, readonly number[]>();
  for (const [name, t] of ckpt.tensors) out.set(name, t.shape);
  return out;
}

/** Layer-wise groups of Hao et al.: `embeddings`, `layer.0` … `layer.{L-1}`, `pooler` (moving names only, in depth order). */
export function layerGroups(names: readonly string[]): { name: string; names: string[] }[] {
  const groups = new Map<string, string[]>();
  const add = (g: string, n: string) => {
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(n);
  };
  for (const n of names) {
    const m = /^encoder\.layer\.(\d+)\./.exec(n);
    if (m) add(`layer.${m[1]}`, n);
    else if (n.startsWith('embeddings.')) add('embeddings', n);
    else if (n.startsWith('pooler.')) add('pooler', n);
  }
  const rank = (g: string): number => (g === 'embeddings' ? -1 : g === 'pooler' ? 1e9 : Number(g.slice(6)));
  return [...groups.entries()]
    .sort((a, b) => rank(a[0]) - rank(b[0]))
    .map(([name, ns]) => ({ name, names: ns.sort() }));
}
