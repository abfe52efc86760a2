/** The ZIP central-directory reader on torch.save's real output (ZIP64 end records) and on refusals. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesSource } from './bytes';
import { ZipArchive } from './zip';

const BIN = new Uint8Array(
  readFileSync(join(__dirname, '../../../tests/fixtures/bert/legacy-gelunew-bin/pytorch_model.bin')),
);

describe('ZipArchive', () => {
  it('lists torch.save entries and reads them lazily', async () => {
    const zip = await ZipArchive.open(bytesSource(BIN, 'w.bin'));
    const names = [...zip.entries.keys()];
    expect(names).toContain('pytorch_model/data.pkl');
    expect(names).toContain('pytorch_model/version');
    expect(names.filter((n) => n.startsWith('pytorch_model/data/'))).toHaveLength(65);
    expect(new TextDecoder().decode(await zip.read('pytorch_model/version')).trim()).toMatch(/^\d+$/);
    const pkl = await zip.read('pytorch_model/data.pkl');
    expect(pkl[0]).toBe(0x80); // PROTO
    expect(pkl[pkl.length - 1]).toBe(0x2e); // STOP
    const part = await zip.read('pytorch_model/data.pkl', 2, 10);
    expect(Array.from(part)).toEqual(Array.from(pkl.subarray(2, 12)));
    await expect(zip.read('pytorch_model/version', 0, 1000)).rejects.toThrow(/outside the entry/);
    await expect(zip.read('missing')).rejects.toThrow(/w\.bin: entry missing is missing/);
  });

  it('refuses compressed entries with one line', async () => {
    // zipfile.ZipFile(…, ZIP_DEFLATED).writestr('archive/data.pkl', b'x' * 1000), made with Python once.
    const bytes = Uint8Array.from(
      atob(
        'UEsDBBQAAAAIAE5xfF3myUE7CwAAAOgDAAAQAAAAYXJjaGl2ZS9kYXRhLnBrbKuoGAWjYBQMdwAAUEsBAhQDFAAAAAgATnF8XebJQTsLAAAA6AMAABAAAAAAAAAAAAAAAIABAAAAAGFyY2hpdmUvZGF0YS5wa2xQSwUGAAAAAAEAAQA+AAAAOQAAAAAA',
      ),
      (c) => c.charCodeAt(0),
    );
    const zip = await ZipArchive.open(bytesSource(bytes, 'deflated.zip'));
    await expect(zip.read('archive/data.pkl')).rejects.toThrow(
      /deflated\.zip: entry archive\/data\.pkl is compressed \(method 8\)/,
    );
  });

  it('rejects files that are not ZIPs', async () => {
    await expect(ZipArchive.open(bytesSource(new Uint8Array(100), 'zeros.bin'))).rejects.toThrow(
      /zeros\.bin: no ZIP end-of-central-directory record/,
    );
    await expect(ZipArchive.open(bytesSource(BIN.subarray(0, BIN.length - 30), 'cut.bin'))).rejects.toThrow(
      /cut\.bin: /,
    );
  });
});
