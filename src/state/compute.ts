/**
 * The page's one compute worker, started once at module level (React StrictMode runs effects twice;
 * a module runs once). `?backend=wasm` (or `webgl`, `cpu`, a comma list) in the page URL restricts
 * the ladder, for comparing backends.
 */
import { startComputeWorker } from '../workers/computeClient';

function rungsFromUrl(): string[] | undefined {
  if (typeof location === 'undefined') return undefined;
  const wanted = new URLSearchParams(location.search).get('backend');
  return wanted
    ? wanted
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
}

export const compute = startComputeWorker(rungsFromUrl());
