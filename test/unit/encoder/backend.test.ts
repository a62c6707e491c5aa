import { describe, expect, it } from 'vitest';
import { chooseBackend } from '../../../src/core/tf/backend.ts';

describe('chooseBackend', () => {
  it('auto: WebGPU only on a hardware adapter, wasm on a fallback or no adapter, cpu last', () => {
    expect(chooseBackend('auto', { webgpu: 'hardware', wasm: true, adapterInfo: 'nvidia' })).toEqual({ backend: 'webgpu', reason: 'WebGPU on a hardware adapter (nvidia)' });
    const fb = chooseBackend('auto', { webgpu: 'fallback', wasm: true, adapterInfo: 'google swiftshader' });
    expect(fb.backend).toBe('wasm');
    expect(fb.reason).toMatch(/software fallback \(google swiftshader\).*using wasm/);
    expect(chooseBackend('auto', { webgpu: 'none', wasm: true })).toEqual({ backend: 'wasm', reason: 'no WebGPU adapter; using wasm' });
    expect(chooseBackend('auto', { webgpu: 'none', wasm: false }).backend).toBe('cpu');
    expect(chooseBackend('auto', { webgpu: 'fallback', wasm: false }).reason).toMatch(/WebAssembly is unavailable/);
  });

  it('explicit preferences are honoured where possible and explained', () => {
    expect(chooseBackend('webgpu', { webgpu: 'fallback', wasm: true }).backend).toBe('webgpu');
    expect(chooseBackend('webgpu', { webgpu: 'fallback', wasm: true }).reason).toMatch(/slower than wasm/);
    expect(chooseBackend('webgpu', { webgpu: 'none', wasm: true }).backend).toBe('wasm');
    expect(chooseBackend('wasm', { webgpu: 'hardware', wasm: true }).backend).toBe('wasm');
    expect(chooseBackend('cpu', { webgpu: 'hardware', wasm: true })).toEqual({ backend: 'cpu', reason: 'cpu backend requested' });
  });
});
