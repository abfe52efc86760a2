/**
 * `sensescape landscape …`: curve, surface, trajectory, layers, hessian, flatness, senses (each one call to an engine service,
 * engine/landscape/services/), and merge, render over surface files. Every computing verb takes the
 * data options of `bert loss` (--max-examples, --sample/--seed, --max-length, --batch) and --split.
 */
import type { VerbSpec } from '../../command';
import { curve } from './curve';
import { merge, render } from './files';
import { flatness } from './flatness';
import { hessian } from './hessian';
import { layers } from './layers';
import { senses } from './senses';
import { surface } from './surface';
import { trajectory } from './trajectory';

export const landscapeVerbs: VerbSpec[] = [
  curve,
  surface,
  trajectory,
  layers,
  hessian,
  flatness,
  senses,
  merge,
  render,
];
