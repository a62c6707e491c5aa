/** The export's zip: file name from the model's label, one top folder, every file byte-identical, weights stored. */
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { exportStem, zipExportedFolder } from '../../../src/core/encoder/export-zip.ts';

describe('exportStem', () => {
  it.each([
    ['intfloat/multilingual-e5-small@main', 'multilingual-e5-small'],
    ['sentence-transformers/LaBSE@v1.0', 'LaBSE-v1.0'],
    ['tiny-xlmr', 'tiny-xlmr'],
    ['my model (copy)', 'my_model_copy'],
    ['../..', 'model'],
    ['', 'model'],
  ])('%j → %j', (label, stem) => expect(exportStem(label)).toBe(stem));
});

describe('zipExportedFolder', () => {
  it('puts every file under <stem>-polyglot-lab/, unchanged, and stores the weights uncompressed', () => {
    const weights = Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24);
    const text = new TextEncoder().encode('{"a": 1}\n'.repeat(500));
    const files = new Map([['model.safetensors', weights], ['config.json', text], ['2_Dense/model.safetensors', weights], ['1_Pooling/config.json', text]]);
    const z = zipExportedFolder({ files, notes: [] }, 'test-org/tiny-bert@main');
    expect(z.fileName).toBe('tiny-bert-polyglot-lab.zip');
    expect(z.folder).toBe('tiny-bert-polyglot-lab/');
    const back = unzipSync(z.zip);
    expect(Object.keys(back).sort()).toEqual([...files.keys()].map((p) => z.folder + p).sort());
    for (const [p, b] of files) expect(Buffer.from(back[z.folder + p]!).equals(Buffer.from(b))).toBe(true);
    // Two stored copies of the weights, the repetitive text deflated to almost nothing.
    expect(z.zip.byteLength).toBeGreaterThan(2 * weights.byteLength);
    expect(z.zip.byteLength).toBeLessThan(2 * weights.byteLength + text.byteLength);
  });
});
