/**
 * The layer-wise service (Hao et al. 2019, Sec. 6): for each group of moving parameters (embeddings,
 * encoder layer l, pooler), the loss when only that group moves back toward θ0 — θ1 with the group
 * at θ1 + (α − 1)(θ1 − θ0) — over α. Called by `sensescape landscape layers` and the studio.
 */
import type { LoadedCheckpoint } from '../../bert/checkpoint';
import type { CheckpointRef, DataSpec } from '../../io/surfaceFile';
import { computeLayers, selectGroups } from '../layers';
import { disposeAll, refOf, type PreparedData } from '../session';
import { nullIfNaN, SOFTWARE, withSession, type PartialHooks } from './common';

export interface LayersRequest {
  origin: LoadedCheckpoint;
  toward: LoadedCheckpoint;
  head: LoadedCheckpoint;
  data: PreparedData;
  /** 1 = fine-tuned, 0 = the group rolled back to θ0. */
  alphas: readonly number[];
  /** Only these groups (default: all). */
  groups?: readonly string[];
}

export interface LayersSpec {
  analysis: 'layers';
  origin: CheckpointRef;
  toward: CheckpointRef;
  head: CheckpointRef;
  data: DataSpec;
  software: string;
}

/** Per group: its parameter count and the loss/accuracy per α (null where not computed yet). */
export interface LayersData {
  alphas: number[];
  groups: { name: string; parameters: number; loss: (number | null)[]; accuracy: (number | null)[] }[];
  spec: LayersSpec;
}

export async function runLayers(req: LayersRequest, hooks: PartialHooks<LayersData> = {}): Promise<LayersData> {
  const { origin, toward, head } = req;
  const alphas = [...req.alphas];
  return withSession(origin, head, [{ role: 'toward', ckpt: toward }], async (session) => {
    const groups = selectGroups(session.names, req.groups);
    const partial: LayersData = {
      alphas,
      groups: groups.map((g) => ({
        name: g.name,
        parameters: g.names.reduce((n, name) => n + (session.origin.get(name)?.size ?? 0), 0),
        loss: alphas.map(() => null),
        accuracy: alphas.map(() => null),
      })),
      spec: {
        analysis: 'layers',
        origin: refOf(origin),
        toward: refOf(toward),
        head: refOf(head),
        data: req.data.spec,
        software: SOFTWARE,
      },
    };
    const delta = session.directionTo(toward);
    try {
      await computeLayers(session.context(req.data.batches, hooks.token), toward, delta, alphas, {
        groups: groups.map((g) => g.name),
        onProgress: hooks.onProgress,
        onPoint: (group, index, loss, accuracy) => {
          const g = partial.groups.find((x) => x.name === group)!;
          g.loss[index] = loss;
          g.accuracy[index] = nullIfNaN(accuracy);
          hooks.onPartial?.(partial);
        },
      });
      return partial;
    } finally {
      disposeAll(delta);
    }
  });
}
