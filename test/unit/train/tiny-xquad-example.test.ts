/**
 * The committed example, run as a user runs it (`lab train --config
 * examples/tiny-xquad.json`): a from-scratch tiny BERT with the mBERT
 * tokenizer, hybrid batches on the XQuAD-R train articles (el and vi held
 * out), evaluated on the held-out articles. The training loss must fall and
 * the multilingual mAP of the trained model must rise well above the
 * untrained model's, on the held-out articles and on the validation split.
 * About 4 minutes on a 2-core machine (wasm): the one long test, because it
 * is the example the README promises.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/commands/train.ts';
import { quietly } from '../../support/quiet.ts';
import type { EvalResults } from '../../../src/core/eval/results.ts';
import type { HistoryEntry } from '../../../src/core/train/trainer.ts';

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('examples/tiny-xquad.json', () => {
  it('trains in Node: the loss falls and multilingual mAP rises well above the untrained model', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tiny-xquad-')), 'run');
    expect(await quietly(() => run(['--config', 'examples/tiny-xquad.json', '--out', out, '--backend', 'wasm']))).toBe(0);
    const history = readFileSync(join(out, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as HistoryEntry);
    expect(history).toHaveLength(300);
    // Per batch type (X-X batches are easier than X-Y ones, so a mixed mean would depend on the draw).
    for (const kind of ['mono', 'cross']) {
      const of = (hs: HistoryEntry[]) => hs.filter((h) => h.batch_type === kind).map((h) => h.loss);
      expect(mean(of(history.slice(-50))), kind).toBeLessThan(0.85 * mean(of(history.slice(0, 50))));
    }
    const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { base: EvalResults[]; trained: EvalResults[] };
    const base = r.base[0]!.settings.multi!.macro.map;
    const trained = r.trained[0]!.settings.multi!.macro.map;
    expect(trained).toBeGreaterThan(1.3 * base);
    expect(r.trained[0]!.settings.mono!.macro.map).toBeGreaterThan(1.3 * r.base[0]!.settings.mono!.macro.map);
    // Validation every 100 steps: the multilingual mAP on the validation articles rises too.
    const val = history.filter((h) => h.val_map_multi !== undefined).map((h) => h.val_map_multi!);
    expect(val).toHaveLength(3);
    expect(val[2]!).toBeGreaterThan(val[0]! * 1.05);
  }, 900_000);
});
