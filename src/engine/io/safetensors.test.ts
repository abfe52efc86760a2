import { describe, expect, it } from 'vitest';
import { f16ToF32, f32ToF16, SafetensorsFile, writeSafetensors } from './safetensors';

describe('safetensors', () => {
  it('round-trips tensors of several dtypes with metadata', async () => {
    const a = new Float32Array([1, -2.5, 3.25, 1e-3, 0, 7]);
    const b = new Int32Array([0, 5, -9]);
    const bytes = writeSafetensors(
      [
        { name: 'a', dtype: 'F32', shape: [2, 3], data: a },
        { name: 'b', dtype: 'I32', shape: [3], data: b },
        { name: 'h', dtype: 'F16', shape: [2], data: f32ToF16(new Float32Array([0.5, -1024])) },
      ],
      { format: 'test', version: '1' },
    );
    expect(new DataView(bytes.buffer).getUint32(0, true) % 8).toBe(0); // header padded to 8 bytes
    const file = await SafetensorsFile.fromBytes(bytes, 'x.safetensors');
    expect(file.metadata).toEqual({ format: 'test', version: '1' });
    expect(Array.from(await file.read('a'))).toEqual(Array.from(a));
    expect(Array.from(await file.read('b'))).toEqual([0, 5, -9]);
    expect(Array.from(await file.read('h'))).toEqual([0.5, -1024]);
    expect(file.info('a').shape).toEqual([2, 3]);
  });

  it('converts half precision both ways within rounding', () => {
    const values = new Float32Array([0, 1, -2, 0.1, 65504, 6e-8, 3.14159]);
    const back = f16ToF32(f32ToF16(values));
    values.forEach((v, i) => expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 1e-3 + 6e-8));
  });

  it('rejects a data offset outside the file with the file and tensor named', async () => {
    const bytes = writeSafetensors([{ name: 'w', dtype: 'F32', shape: [4], data: new Float32Array(4) }]);
    await expect(SafetensorsFile.fromBytes(bytes.subarray(0, bytes.byteLength - 4), 'cut.safetensors')).rejects.toThrow(
      /cut\.safetensors: tensor w: data_offsets \[0, 16\] lie outside the data region/,
    );
  });

  it('rejects a shape that does not match the byte count', async () => {
    const header = JSON.stringify({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } });
    const bytes = new Uint8Array(8 + header.length + 16);
    new DataView(bytes.buffer).setUint32(0, header.length, true);
    bytes.set(new TextEncoder().encode(header), 8);
    await expect(SafetensorsFile.fromBytes(bytes, 'bad.safetensors')).rejects.toThrow(
      /tensor w: holds 16 bytes, but shape \[3\] of F32 needs 12/,
    );
  });
});
