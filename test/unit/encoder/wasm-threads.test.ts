/**
 * tfjs-backend-wasm reads `navigator.hardwareConcurrency / 2` as its thread cap when its module starts; withThreadCap
 * makes it read twice the wanted count for exactly that long, and only where threads exist (cross-origin isolation).
 * The real effect (2 threads running on a 2-core machine) is checked in chromium: test/browser/wasm-threads.spec.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { wasmThreadCount, withThreadCap } from '../../../src/core/tf/wasm-threads.ts';

afterEach(() => vi.unstubAllGlobals());

describe('wasm threads', () => {
  it('asks for every core by default, within tfjs\'s 8 pre-started workers', () => {
    expect(wasmThreadCount(undefined, 2)).toBe(2);
    expect(wasmThreadCount(undefined, 32)).toBe(8);
    expect(wasmThreadCount(1, 16)).toBe(1);
    expect(wasmThreadCount(0, 4)).toBe(1);
    expect(wasmThreadCount(3.7, 4)).toBe(3);
  });

  it('shows the module twice the wanted count while it starts, then the real value', async () => {
    const nav = { hardwareConcurrency: 2 };
    vi.stubGlobal('navigator', nav);
    vi.stubGlobal('crossOriginIsolated', true);
    const seen = await withThreadCap(2, async () => nav.hardwareConcurrency);
    expect(seen).toBe(4);
    expect(nav.hardwareConcurrency).toBe(2);
    expect(Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency')?.value).toBe(2);
  });

  it('restores the value when the start fails', async () => {
    const nav = { hardwareConcurrency: 2 };
    vi.stubGlobal('navigator', nav);
    vi.stubGlobal('crossOriginIsolated', true);
    await expect(withThreadCap(2, async () => { throw new Error('no wasm'); })).rejects.toThrow('no wasm');
    expect(nav.hardwareConcurrency).toBe(2);
  });

  it('changes nothing without cross-origin isolation, or when the cap is already high enough', async () => {
    const nav = { hardwareConcurrency: 2 };
    vi.stubGlobal('navigator', nav);
    vi.stubGlobal('crossOriginIsolated', false);
    expect(await withThreadCap(2, async () => nav.hardwareConcurrency)).toBe(2);
    vi.stubGlobal('crossOriginIsolated', true);
    nav.hardwareConcurrency = 16;
    expect(await withThreadCap(2, async () => nav.hardwareConcurrency)).toBe(16);
  });
});
