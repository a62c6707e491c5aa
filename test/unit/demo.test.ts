/**
 * The demo's manifest: the pinned public XQuAD-R commit with each file's SHA-256 and size equal to the copy the
 * lab was built against (../shared/data/xquad-r), and the overrides a page URL may carry, checked like any link.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_DATASET_BASE, DEMO_DATASET_COMMIT, demoPlan } from '../../src/core/demo.ts';
import { XQUAD_R_DIR } from '../support/xquad-slice.ts';

describe('demo manifest', () => {
  it('pins XQuAD-R to a commit; every hash and size is the shared copy\'s', () => {
    const plan = demoPlan();
    expect(plan.pinned).toBe(true);
    expect(plan.files).toHaveLength(11);
    expect(plan.files[1]!.url).toBe(`https://raw.githubusercontent.com/google-research-datasets/lareqa/${DEMO_DATASET_COMMIT}/xquad-r/de.json`);
    for (const f of plan.files) {
      const p = `${XQUAD_R_DIR}${f.name}`;
      expect(createHash('sha256').update(readFileSync(p)).digest('hex'), f.name).toBe(f.sha256);
      expect(statSync(p).size).toBe(f.size);
    }
    expect(plan.model).toMatchObject({ id: 'intfloat/multilingual-e5-small', revision: 'main' });
    expect(plan.dataBase).toBe(DEMO_DATASET_BASE);
  });

  it('takes overrides only as https folders (http on the loopback) and known languages', () => {
    const p = demoPlan({ dataBase: 'http://127.0.0.1:9/x/', langs: ['en', 'de'], modelId: 'org/m', host: 'http://127.0.0.1:8' });
    expect(p.files.map((f) => f.url)).toEqual(['http://127.0.0.1:9/x/de.json', 'http://127.0.0.1:9/x/en.json']);
    expect(p.pinned).toBe(false);
    expect(p.model).toEqual({ id: 'org/m', revision: 'main', host: 'http://127.0.0.1:8', approxBytes: 0 });
    expect(() => demoPlan({ dataBase: 'http://evil.example/x/' })).toThrow(/not an https URL/);
    expect(() => demoPlan({ dataBase: 'https://h.example/x' })).toThrow(/ending in "\//);
    expect(() => demoPlan({ langs: ['xx'] })).toThrow(/XQuAD-R has no xx/);
  });
});
