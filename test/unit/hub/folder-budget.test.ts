import { describe, expect, it } from 'vitest';
import { modelFolder } from '../../../src/core/hub/folder.ts';
import { modelByteBudget } from '../../../src/core/hub/budget.ts';
import { LabError } from '../../../src/core/errors.ts';

const blob = (s: string) => new Blob([s]);
const text = async (p: Promise<Uint8Array | undefined>) => { const b = await p; return b && new TextDecoder().decode(b); };

describe('dropped model folder', () => {
  it('finds the model root under the dropped folder and serves files relative to it', async () => {
    const f = modelFolder([
      { path: 'models/e5-small/config.json', blob: blob('{"model_type":"bert"}') },
      { path: 'models/e5-small/1_Pooling/config.json', blob: blob('{"pool":1}') },
      { path: 'models/e5-small/tokenizer.json', blob: blob('{}') },
      { path: 'models/README.md', blob: blob('x') },
    ]);
    expect(f.name).toBe('e5-small');
    expect(f.files).toEqual(['1_Pooling/config.json', 'config.json', 'tokenizer.json']);
    expect(await text(f.provider('config.json'))).toBe('{"model_type":"bert"}');
    expect(await text(f.provider('./1_Pooling//config.json'))).toBe('{"pool":1}');
    expect(await f.provider('model.safetensors')).toBeUndefined();
    expect(f.totalBytes).toBe(21 + 10 + 2);
  });
  it('accepts loose files, and never takes a module folder for the root', async () => {
    const f = modelFolder([{ path: '1_Pooling/config.json', blob: blob('p') }, { path: 'config.json', blob: blob('c') }]);
    expect(f.name).toBe('dropped files');
    expect(await text(f.provider('config.json'))).toBe('c');
    expect(() => modelFolder([{ path: 'x/1_Pooling/config.json', blob: blob('p') }, { path: 'x/vocab.txt', blob: blob('v') }])).toThrow(LabError);
    expect(() => modelFolder([])).toThrow(/contain no config.json/);
  });
});

describe('device byte budget', () => {
  it('caps wasm at 2 GiB, and everything at half the device memory', () => {
    const GiB = 1024 ** 3;
    expect(modelByteBudget({ backend: 'wasm', deviceMemoryGB: 8 })).toBe(2 * GiB);
    expect(modelByteBudget({ backend: 'wasm', deviceMemoryGB: 1 })).toBe(GiB / 2);
    expect(modelByteBudget({ backend: 'webgpu', deviceMemoryGB: 8, maxBufferSize: 4 * GiB })).toBe(4 * GiB);
    expect(modelByteBudget({ backend: 'webgpu', deviceMemoryGB: 2, maxBufferSize: 4 * GiB })).toBe(GiB);
    expect(modelByteBudget({ backend: 'cpu' })).toBe(2 * GiB);
  });
});
