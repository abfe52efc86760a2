/**
 * Puts Dawn's WebGPU (the `webgpu` npm package, passed as WEBGPU_MODULE by bench/gpu/run.sh) on
 * globalThis, so tfjs's WebGPU backend runs in Node without a browser. Benches only; never the tests.
 */
import { pathToFileURL } from 'node:url';

/** Installs navigator.gpu and the WebGPU globals from WEBGPU_MODULE. */
export async function installDawn(): Promise<void> {
  const mod = process.env.WEBGPU_MODULE;
  if (!mod) throw new Error('set WEBGPU_MODULE to the webgpu package entry (bench/gpu/run.sh does)');
  const { create, globals } = (await import(pathToFileURL(mod).href)) as {
    create(flags: string[]): GPU;
    globals: Record<string, unknown>;
  };
  Object.assign(globalThis, globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]) }, configurable: true });
}
