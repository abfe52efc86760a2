/**
 * `sensescape w2s …` verbs. Each verb parses its flags, validates input files before compute, calls
 * engine/, prints JSON with --json and progress on stderr.
 */
import type { VerbSpec } from '../command';

export const w2sVerbs: VerbSpec[] = [];
