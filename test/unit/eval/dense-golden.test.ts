/**
 * `lab eval` against an independent implementation: PyTorch (float64) embeds
 * a real XQuAD-R slice (4 languages, 2 articles) for the generated tiny-bert
 * and sklearn's average_precision_score gives each query's AP per pool
 * (scripts/golden_dense_eval.py, committed fixture). The command, run on the
 * same slice on the cpu and wasm backends, must give every pair's mAP in the
 * three settings to 1e-4, and the same rank distance per query language.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { run as evalCommand } from '../../../src/cli/commands/eval.ts';
import { parseResults, type EvalResults } from '../../../src/core/eval/results.ts';
import { GENERATED_MODELS_DIR } from '../../support/mock-hub.ts';
import { writeXquadSlice } from '../../support/xquad-slice.ts';

interface Golden {
  slice: { sha256: string };
  pairs: Record<'mono' | 'cross' | 'multi', Record<string, { map: number; num_q: number }>>;
  macro: Record<'mono' | 'cross' | 'multi', number>;
  rankDistance: Record<string, number>;
}
const golden = JSON.parse(readFileSync(new URL('../../fixtures/eval/dense-golden-tiny-bert.json', import.meta.url), 'utf8')) as Golden;

async function quiet<T>(f: () => Promise<T>): Promise<T> {
  const spies = [vi.spyOn(console, 'log').mockImplementation(() => {}), vi.spyOn(console, 'error').mockImplementation(() => {}),
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true)];
  try {
    return await f();
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

let files: string[];
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dense-golden-'));
  const slice = writeXquadSlice(join(dir, 'slice'));
  expect(slice.sha256).toBe(golden.slice.sha256); // the fixture was computed on exactly these texts
  files = slice.files;
});

describe.each(['cpu', 'wasm'] as const)('lab eval on %s equals PyTorch + sklearn', (backend) => {
  let r: EvalResults;
  beforeAll(async () => {
    const out = join(dir, `${backend}.json`);
    const code = await quiet(() => evalCommand(['--model', join(GENERATED_MODELS_DIR, 'tiny-bert'), ...files, '--out', out, '--backend', backend]));
    expect(code).toBe(0);
    r = parseResults(readFileSync(out, 'utf8'));
  });

  it('matches every pair in every setting to 1e-4', () => {
    let cells = 0;
    for (const setting of ['mono', 'cross', 'multi'] as const) {
      const mine = r.settings[setting]!.pairs;
      expect(Object.keys(mine).sort()).toEqual(Object.keys(golden.pairs[setting]).sort());
      for (const [pair, g] of Object.entries(golden.pairs[setting])) {
        expect(mine[pair]!.num_q, `${setting} ${pair}`).toBe(g.num_q);
        expect(Math.abs(mine[pair]!.map - g.map), `${setting} ${pair}: ${mine[pair]!.map} vs ${g.map}`).toBeLessThan(1e-4);
        cells++;
      }
      expect(Math.abs(r.settings[setting]!.macro.map - golden.macro[setting])).toBeLessThan(1e-4);
    }
    expect(cells).toBe(4 + 12 + 4);
  });

  it('matches the rank distance per query language', () => {
    for (const [lang, rd] of Object.entries(golden.rankDistance)) expect(r.languageBias!.byQueryLang[lang]).toBeCloseTo(rd, 2);
  });

  it('records the run: kind eval, the folder model by content hash, the model prompts as prefixes', () => {
    const c = r.description.config!;
    expect(c.kind).toBe('eval');
    expect(c.model).toMatchObject({ source: 'folder', name: 'tiny-bert' });
    expect((c.model as { sha256: string }).sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(c.model).not.toMatchObject({ sha256: '0'.repeat(64) });
    expect(c.tokenization).toEqual({ maxLength: 62, queryPrefix: 'query: ', passagePrefix: 'passage: ' });
    expect(r.description.scorer).toBe(`tfjs-${backend}`);
  });
});
