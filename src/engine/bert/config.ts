/**
 * `config.json` of a Hugging Face BERT checkpoint → {@link BertConfig}, with transformers' defaults
 * (bert-base shapes, erf GELU, layer_norm_eps 1e-12, two labels) and one-line errors for anything our
 * forward pass would silently get wrong (relative position embeddings, non-BERT model types,
 * unknown activations, heads that do not divide the width).
 */
import { InputError } from '../util/errors';

export type HiddenAct = 'gelu' | 'gelu_new' | 'relu';

/** A BERT classifier configuration (camelCase; units: counts of tokens, features, heads). */
export interface BertConfig {
  vocabSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  hiddenAct: HiddenAct;
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  layerNormEps: number;
  /** Output width of the classifier; 1 means regression (MSE). */
  numLabels: number;
  id2label?: Record<string, string>;
  label2id?: Record<string, number>;
  /** `regression`, `single_label_classification` (or absent: inferred as HF does). */
  problemType?: string;
  /** The parsed JSON as given. */
  raw: Record<string, unknown>;
}

const ACTS: Record<string, HiddenAct> = {
  gelu: 'gelu',
  gelu_new: 'gelu_new',
  gelu_pytorch_tanh: 'gelu_new',
  relu: 'relu',
};

/** Parses config.json text (file name for errors). */
export function parseBertConfig(text: string, file = 'config.json'): BertConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch (err) {
    throw new InputError(`${file}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(`${file}: not a JSON object`);
  return bertConfigFromJson(raw as Record<string, unknown>, file);
}

/** Builds a config from parsed JSON, applying transformers' BertConfig defaults. */
export function bertConfigFromJson(raw: Record<string, unknown>, file = 'config.json'): BertConfig {
  const int = (key: string, dflt: number, min = 1): number => {
    const v = raw[key] ?? dflt;
    if (!Number.isSafeInteger(v) || (v as number) < min)
      throw new InputError(`${file}: ${key} must be an integer ≥ ${min}, got ${JSON.stringify(raw[key])}`);
    return v as number;
  };
  const modelType = raw.model_type;
  if (modelType !== undefined && modelType !== 'bert')
    throw new InputError(`${file}: model_type '${String(modelType)}' is not supported (only 'bert')`);
  const pos = raw.position_embedding_type ?? 'absolute';
  if (pos !== 'absolute')
    throw new InputError(`${file}: position_embedding_type '${String(pos)}' is not supported (only 'absolute')`);
  const actName = raw.hidden_act ?? 'gelu';
  const hiddenAct = typeof actName === 'string' ? ACTS[actName] : undefined;
  if (!hiddenAct)
    throw new InputError(`${file}: hidden_act ${JSON.stringify(actName)} is not supported (gelu, gelu_new, relu)`);
  const eps = raw.layer_norm_eps ?? 1e-12;
  if (typeof eps !== 'number' || !(eps > 0)) throw new InputError(`${file}: layer_norm_eps must be a positive number`);
  const hiddenSize = int('hidden_size', 768);
  const numAttentionHeads = int('num_attention_heads', 12);
  if (hiddenSize % numAttentionHeads !== 0)
    throw new InputError(
      `${file}: hidden_size ${hiddenSize} is not a multiple of num_attention_heads ${numAttentionHeads}`,
    );

  let id2label: Record<string, string> | undefined;
  if (raw.id2label !== undefined && raw.id2label !== null) {
    if (typeof raw.id2label !== 'object' || Array.isArray(raw.id2label))
      throw new InputError(`${file}: id2label is not an object`);
    id2label = {};
    for (const [k, v] of Object.entries(raw.id2label as Record<string, unknown>)) {
      if (!/^\d+$/.test(k)) throw new InputError(`${file}: id2label key '${k}' is not an integer`);
      id2label[k] = String(v);
    }
  }
  let label2id: Record<string, number> | undefined;
  if (raw.label2id !== undefined && raw.label2id !== null) {
    if (typeof raw.label2id !== 'object' || Array.isArray(raw.label2id))
      throw new InputError(`${file}: label2id is not an object`);
    label2id = {};
    for (const [k, v] of Object.entries(raw.label2id as Record<string, unknown>)) {
      const n = typeof v === 'string' ? Number(v) : v;
      if (!Number.isSafeInteger(n) || (n as number) < 0)
        throw new InputError(`${file}: label2id['${k}'] is not a non-negative integer`);
      label2id[k] = n as number;
    }
  }
  // transformers: num_labels is len(id2label) when id2label is given, else num_labels (default 2).
  const numLabels = id2label ? Object.keys(id2label).length : int('num_labels', 2);
  if (label2id) {
    for (const [k, v] of Object.entries(label2id))
      if (v >= numLabels) throw new InputError(`${file}: label2id['${k}'] = ${v} is outside the ${numLabels} labels`);
  }
  const problemType = raw.problem_type;
  if (
    problemType !== undefined &&
    problemType !== null &&
    problemType !== 'regression' &&
    problemType !== 'single_label_classification'
  ) {
    throw new InputError(
      `${file}: problem_type '${String(problemType)}' is not supported (regression, single_label_classification)`,
    );
  }
  if (problemType === 'single_label_classification' && numLabels < 2)
    throw new InputError(`${file}: single_label_classification needs at least 2 labels`);
  return {
    vocabSize: int('vocab_size', 30522),
    hiddenSize,
    numHiddenLayers: int('num_hidden_layers', 12),
    numAttentionHeads,
    intermediateSize: int('intermediate_size', 3072),
    hiddenAct,
    maxPositionEmbeddings: int('max_position_embeddings', 512),
    typeVocabSize: int('type_vocab_size', 2),
    layerNormEps: eps,
    numLabels,
    id2label,
    label2id,
    problemType: (problemType as string | null | undefined) ?? undefined,
    raw,
  };
}

/** True when the loss is MSE: problem_type regression, or one label with no problem type. */
export function isRegression(config: BertConfig): boolean {
  return config.problemType === 'regression' || (config.problemType === undefined && config.numLabels === 1);
}

/** Expected tensor shapes (normalised names, PyTorch layouts) of a BertForSequenceClassification. */
export function expectedShapes(c: BertConfig): Map<string, number[]> {
  const H = c.hiddenSize;
  const I = c.intermediateSize;
  const m = new Map<string, number[]>();
  const ln = (p: string): void => {
    m.set(`${p}.weight`, [H]);
    m.set(`${p}.bias`, [H]);
  };
  const lin = (p: string, out: number, inp: number): void => {
    m.set(`${p}.weight`, [out, inp]);
    m.set(`${p}.bias`, [out]);
  };
  m.set('embeddings.word_embeddings.weight', [c.vocabSize, H]);
  m.set('embeddings.position_embeddings.weight', [c.maxPositionEmbeddings, H]);
  m.set('embeddings.token_type_embeddings.weight', [c.typeVocabSize, H]);
  ln('embeddings.LayerNorm');
  for (let l = 0; l < c.numHiddenLayers; l++) {
    const p = `encoder.layer.${l}`;
    lin(`${p}.attention.self.query`, H, H);
    lin(`${p}.attention.self.key`, H, H);
    lin(`${p}.attention.self.value`, H, H);
    lin(`${p}.attention.output.dense`, H, H);
    ln(`${p}.attention.output.LayerNorm`);
    lin(`${p}.intermediate.dense`, I, H);
    lin(`${p}.output.dense`, H, I);
    ln(`${p}.output.LayerNorm`);
  }
  lin('pooler.dense', H, H);
  lin('classifier', c.numLabels, H);
  return m;
}
