/**
 * src/core is pure by construction: it type-checks without the DOM library
 * (tsconfig.core.json, run by `npm test`), and — checked here — imports no
 * Node built-in, no store/ui/worker/cli code, and touches no page global.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CORE = fileURLToPath(new URL('../../src/core/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('src/core', () => {
  const all = files(CORE);
  it('has files to check', () => expect(all.length).toBeGreaterThan(40));
  it('imports no Node built-in and nothing outside core', () => {
    const bad: string[] = [];
    for (const f of all) {
      for (const m of readFileSync(f, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        if (spec.startsWith('node:') || /(^|\/)(store|ui|cli|node|harness)\//.test(spec) || spec.includes('workers/')) bad.push(`${relative(CORE, f)}: ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });
  it('uses no page-only global (document, window, localStorage)', () => {
    const bad = all.filter((f) => /\b(document|window|localStorage)\./.test(readFileSync(f, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')));
    expect(bad.map((f) => relative(CORE, f))).toEqual([]);
  });
});
