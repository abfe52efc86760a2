/** Every CLI verb, by area. Add an area's verbs in its own file under verbs/ and list it here. */
import type { VerbSpec } from './command';
import { doctorVerbs } from './verbs/doctor';
import { w2sVerbs } from './verbs/w2s';
import { w2sContextVerbs } from './verbs/w2sContext';
import { bertVerbs } from './verbs/bert';
import { landscapeVerbs } from './verbs/landscape';

export const AREAS: { name: string; summary: string; verbs: VerbSpec[] }[] = [
  {
    name: 'w2s',
    summary: 'Word2Sense: train sparse sense embeddings, query and evaluate them',
    verbs: [...w2sVerbs, ...w2sContextVerbs],
  },
  { name: 'bert', summary: 'BERT checkpoints: inspect, tokenize, loss and accuracy on a TSV', verbs: bertVerbs },
  {
    name: 'landscape',
    summary: 'Loss landscapes: curves, surfaces, trajectories, layers, merge, render',
    verbs: landscapeVerbs,
  },
  { name: 'doctor', summary: 'Compute backend and versions', verbs: doctorVerbs },
];
