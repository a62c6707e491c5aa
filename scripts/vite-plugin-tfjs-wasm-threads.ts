/**
 * Makes tfjs's multi-threaded wasm backend survive minification.
 *
 * tfjs starts each wasm thread by sending the threaded module's factory to a
 * worker as source text (`Function.prototype.toString`). The factory refers
 * to `_scriptDir`, a variable of the scope around it, behind a
 * `typeof _scriptDir !== "undefined"` guard; the minifier renames the
 * variable and, seeing it declared, drops the guard — so in the worker,
 * where that scope does not exist, every thread dies with
 * "ReferenceError: e is not defined" and the backend never initialises.
 * The guarded statement only picks the directory of a classic <script>; the
 * app's tfjs runs in module workers, where it is always undefined, and the
 * wasm files are located by setWasmPaths. So the statement is removed, before
 * the minifier sees it. If a tfjs release changes the text, the build fails
 * here rather than shipping a page whose threads die.
 */
import type { Plugin } from 'vite';

// The text of tfjs-backend-wasm 4.x's wasm-out module (the fesm bundles add a semicolon; they are not used here).
const GUARDED = /if\(typeof _scriptDir !== "undefined" && _scriptDir\)\{scriptDirectory=_scriptDir;?\}/;
const THREADED_MODULE = /tfjs-backend-wasm[\\/]wasm-out[\\/]tfjs-backend-wasm-threaded-simd\.js$/;

export function tfjsWasmThreads(): Plugin {
  return {
    name: 'polyglot:tfjs-wasm-threads',
    enforce: 'pre',
    transform(code, id) {
      if (!THREADED_MODULE.test(id.split('?')[0]!)) return null;
      if (!GUARDED.test(code)) {
        this.error(`${id}: the statement this plugin removes is gone (a new tfjs version?); check that threaded wasm still starts after minification, then update scripts/vite-plugin-tfjs-wasm-threads.ts`);
      }
      return { code: code.replace(GUARDED, ''), map: null };
    },
  };
}
