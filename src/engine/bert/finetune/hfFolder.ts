/**
 * A fine-tuning checkpoint as the files of a Hugging Face folder — `config.json` (the origin's, with
 * num_labels/id2label/label2id for the task), `vocab.txt`, `model.safetensors` under HF's
 * BertForSequenceClassification names (`bert.…`, `classifier.…`) in F32, F16 or BF16 — plus what a
 * resumed run needs: `optimizer.safetensors` (AdamW's moments, F32) and `trainer_state.json` (step,
 * hyperparameters, the log so far). Pure: returns bytes per file name; the caller writes them
 * (engine/node in the CLI, IndexedDB/zip in the app).
 */
import { f32ToF16, writeSafetensors, type TensorToWrite } from '../../io/safetensors';
import type { BertConfig } from '../config';

export type SaveDtype = 'F32' | 'F16' | 'BF16';

/** HF's stored name for a normalised one (`classifier.*` at the top level, the rest under `bert.`). */
export function hfTensorName(name: string): string {
  return name.startsWith('classifier.') ? name : `bert.${name}`;
}

/** Round-to-nearest-even BF16 bit patterns of float32 values (NaN kept a NaN). */
export function f32ToBf16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    if ((b & 0x7f800000) === 0x7f800000 && b & 0x7fffff) out[i] = (b >>> 16) | 0x40;
    else out[i] = (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
  }
  return out;
}

/** config.json text for a task with `numLabels` outputs (labels named as the data's, else LABEL_i). */
export function taskConfigJson(config: BertConfig, numLabels: number, labelNames?: readonly string[]): string {
  const raw: Record<string, unknown> = { ...config.raw };
  const names = Array.from({ length: numLabels }, (_, i) => labelNames?.[i] ?? `LABEL_${i}`);
  raw.num_labels = numLabels;
  raw.id2label = Object.fromEntries(names.map((n, i) => [String(i), n]));
  raw.label2id = Object.fromEntries(names.map((n, i) => [n, i]));
  raw.architectures = ['BertForSequenceClassification'];
  if (numLabels === 1) raw.problem_type = 'regression';
  else if (raw.problem_type === 'regression') delete raw.problem_type;
  return `${JSON.stringify(raw, null, 2)}\n`;
}

/** One parameter on the host: normalised name, shape, values. */
export interface HostParam {
  name: string;
  shape: readonly number[];
  data: Float32Array;
}

/** model.safetensors bytes in `dtype` (HF names; metadata format=pt as transformers writes). */
export function modelSafetensors(
  params: readonly HostParam[],
  dtype: SaveDtype,
  meta: Record<string, string> = {},
): Uint8Array {
  const tensors: TensorToWrite[] = params.map((p) => ({
    name: hfTensorName(p.name),
    dtype,
    shape: p.shape,
    data: dtype === 'F32' ? p.data : dtype === 'F16' ? f32ToF16(p.data) : f32ToBf16(p.data),
  }));
  return writeSafetensors(tensors, { format: 'pt', ...meta });
}

/**
 * optimizer.safetensors bytes: AdamW's moments `exp_avg.<name>` / `exp_avg_sq.<name>` (F32, normalised
 * names) and, when the model file is stored in 16 bits (`withParams`), the F32 parameters `param.<name>`
 * so that a resumed run continues from the exact weights.
 */
export function optimizerSafetensors(
  params: readonly HostParam[],
  m: readonly Float32Array[],
  v: readonly Float32Array[],
  step: number,
  withParams: boolean,
): Uint8Array {
  const tensors: TensorToWrite[] = [];
  params.forEach((p, i) => {
    if (withParams) tensors.push({ name: `param.${p.name}`, dtype: 'F32', shape: p.shape, data: p.data });
    tensors.push({ name: `exp_avg.${p.name}`, dtype: 'F32', shape: p.shape, data: m[i] });
    tensors.push({ name: `exp_avg_sq.${p.name}`, dtype: 'F32', shape: p.shape, data: v[i] });
  });
  return writeSafetensors(tensors, { format: 'sensescape-adamw', step: String(step) });
}
