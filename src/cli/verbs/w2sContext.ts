/**
 * `sensescape w2s context|wsi|wsi-score|scws`: Word2Sense in context (WordCtx2Sense), word sense
 * induction and contextual similarity. Kept apart from w2s.ts (training and context-free queries).
 */
import type { VerbSpec } from '../command';

export const w2sContextVerbs: VerbSpec[] = [];
