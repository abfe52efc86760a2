/**
 * Reading a fine-tuning checkpoint folder back as the state a run resumes from: the step and log
 * (`trainer_state.json`), AdamW's moments and — when the model was stored in 16 bits — the F32
 * parameters (`optimizer.safetensors`), else the F32 `model.safetensors`. Every tensor is checked
 * against the run's parameter names and shapes; a folder that is not a resumable checkpoint is named.
 */
import type { ByteSource } from '../../io/bytes';
import { SafetensorsFile } from '../../io/safetensors';
import { InputError } from '../../util/errors';
import { normaliseTensorName } from '../checkpoint';
import type { LogEntry, ResumeState } from './records';

async function text(src: ByteSource): Promise<string> {
  return new TextDecoder().decode(await src.read(0, src.size));
}

/** The resume state in `files` (a `step-NNNNNN` folder's files by base name); `folder` names it in errors. */
export async function readResumeState(files: ReadonlyMap<string, ByteSource>, folder: string): Promise<ResumeState> {
  const need = (n: string): ByteSource => {
    const f = files.get(n);
    if (!f) throw new InputError(`--resume ${folder}: no ${n} (not a checkpoint written by bert finetune)`);
    return f;
  };
  let state: { global_step?: unknown; log_history?: unknown; gradient_replicas?: unknown };
  try {
    state = JSON.parse(await text(need('trainer_state.json'))) as typeof state;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`--resume ${folder}: trainer_state.json is not valid JSON`);
  }
  const step = state.global_step;
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 1)
    throw new InputError(`--resume ${folder}: trainer_state.json has no valid global_step`);
  const log = Array.isArray(state.log_history) ? (state.log_history as LogEntry[]).filter((e) => e.step <= step) : [];
  const opt = await SafetensorsFile.open(need('optimizer.safetensors'));
  const params = new Map<string, Float32Array>();
  const m = new Map<string, Float32Array>();
  const v = new Map<string, Float32Array>();
  const f32 = async (file: SafetensorsFile, name: string): Promise<Float32Array> => {
    const info = file.info(name);
    if (info.dtype !== 'F32') throw new InputError(`--resume ${folder}: ${name} is ${info.dtype}, expected F32`);
    return (await file.read(name)) as Float32Array;
  };
  for (const name of opt.names()) {
    const [kind, ...rest] = name.split('.');
    const n = rest.join('.');
    if (kind === 'exp_avg') m.set(n, await f32(opt, name));
    else if (kind === 'exp_avg_sq') v.set(n, await f32(opt, name));
    else if (kind === 'param') params.set(n, await f32(opt, name));
  }
  if (params.size === 0) {
    const model = await SafetensorsFile.open(need('model.safetensors'));
    for (const stored of model.names()) {
      const n = normaliseTensorName(stored);
      if (n !== null) params.set(n, await f32(model, stored));
    }
  }
  if (m.size === 0 || m.size !== v.size || m.size !== params.size)
    throw new InputError(
      `--resume ${folder}: optimizer.safetensors holds ${m.size}/${v.size} moments for ${params.size} parameters`,
    );
  const replicas = state.gradient_replicas;
  const gradientReplicas =
    typeof replicas === 'number' && Number.isSafeInteger(replicas) && replicas >= 1 ? replicas : undefined;
  return { step, params, m, v, log, gradientReplicas };
}

/** Checks a resume state against the run's parameters (names and element counts). */
export function checkResumeState(
  s: ResumeState,
  names: readonly string[],
  shapes: readonly number[][],
  folder: string,
): void {
  names.forEach((n, i) => {
    const size = shapes[i].reduce((a, b) => a * b, 1);
    for (const [what, map] of [
      ['parameter', s.params],
      ['exp_avg', s.m],
      ['exp_avg_sq', s.v],
    ] as const) {
      const x = map.get(n);
      if (!x) throw new InputError(`--resume ${folder}: ${what} ${n} is missing`);
      if (x.length !== size)
        throw new InputError(`--resume ${folder}: ${what} ${n} has ${x.length} values, expected ${size}`);
    }
  });
}
