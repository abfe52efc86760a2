/**
 * The names a checkpoint's tensors are stored under (e.g. `bert.encoder.layer.0…`, legacy
 * `LayerNorm.gamma`), by normalised name — so results written per tensor (`bert grad --out`) use the
 * checkpoint's own names. Reads only headers: safetensors headers, a shard index's weight_map, or the
 * pickle of pytorch_model.bin.
 */
import type { ByteSource } from '../io/bytes';
import { SafetensorsFile } from '../io/safetensors';
import { TorchZipFile } from '../io/torchBin';
import { normaliseTensorName } from './checkpoint';

/** normalised name → stored name, for every tensor a classifier reads. */
export async function storedTensorNames(files: ReadonlyMap<string, ByteSource>): Promise<Map<string, string>> {
  let stored: string[] = [];
  const st = files.get('model.safetensors');
  const stIndex = files.get('model.safetensors.index.json') ?? files.get('pytorch_model.bin.index.json');
  const bin = files.get('pytorch_model.bin');
  if (st) stored = (await SafetensorsFile.open(st)).names();
  else if (stIndex) {
    const index = JSON.parse(new TextDecoder().decode(await stIndex.read(0, stIndex.size))) as {
      weight_map?: Record<string, string>;
    };
    stored = Object.keys(index.weight_map ?? {});
  } else if (bin) stored = (await TorchZipFile.open(bin)).names();
  const out = new Map<string, string>();
  for (const s of stored) {
    const n = normaliseTensorName(s);
    if (n !== null) out.set(n, s);
  }
  return out;
}
