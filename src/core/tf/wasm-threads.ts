/**
 * Threads for tfjs's wasm backend.
 *
 * tfjs-backend-wasm 4.x caps its XNNPACK thread pool at half of
 * `navigator.hardwareConcurrency`, read once when the wasm module starts
 * (`num_cores = emscripten_num_logical_cores() / 2` in its backend.cc), on the
 * assumption that every core has two hyper-threads. On a 2-vCPU laptop or CI
 * machine that is one thread whatever `setThreadsCount` asks for, so the
 * threaded SIMD module ran single-threaded. The module reads the value through
 * the JavaScript global, so the backend is started with `hardwareConcurrency`
 * seen as twice the wanted count and the real value is restored once it has
 * started. Outside a cross-origin isolated page or worker the module is not
 * threaded and nothing is changed.
 */

interface NavigatorLike { hardwareConcurrency?: number }

/** How many threads to ask for: `wanted` if given, else every core; within tfjs's pool of 8 pre-started workers. */
export function wasmThreadCount(wanted: number | undefined, cores: number): number {
  return Math.max(1, Math.min(8, Math.floor(wanted ?? cores)));
}

/**
 * Runs `start` (which instantiates the wasm module) while `navigator.hardwareConcurrency`
 * reads `2 × threads`, then restores it. Returns what `start` returns.
 */
export async function withThreadCap<T>(threads: number, start: () => Promise<T>): Promise<T> {
  const nav = (globalThis as { navigator?: NavigatorLike }).navigator;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  if (!nav || !isolated || (nav.hardwareConcurrency ?? 0) >= 2 * threads) return start();
  const own = Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency');
  try {
    Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, get: () => 2 * threads });
  } catch {
    return start(); // a frozen navigator: keep tfjs's own cap
  }
  try {
    return await start();
  } finally {
    if (own) Object.defineProperty(nav, 'hardwareConcurrency', own);
    else delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}
