/**
 * Lets the event loop run (a macrotask turn, not just a microtask).
 *
 * Long synchronous loops in a worker (scoring, ranking) only ever `await`
 * resolved promises, which never lets the worker handle its next message, so
 * a comlink `cancel()` would wait until the job had finished. Loops that
 * honour an AbortSignal call this between blocks so the abort can arrive.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
