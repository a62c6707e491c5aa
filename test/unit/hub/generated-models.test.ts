import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedRepos, startMockHub, type MockHub } from '../../support/mock-hub.ts';
import { loadModelFromHub } from '../../../src/core/hub/download.ts';
import { hubRef } from '../../../src/core/hub/url.ts';
import { nodeFolderProvider } from '../../../src/cli/commands/embed.ts';
import { embedTexts, loadTextModel } from '../../../src/core/tokenize/text-model.ts';
import { initNodeBackend } from '../../../src/node/backend.ts';

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

let hub: MockHub;
beforeAll(async () => {
  await initNodeBackend('cpu');
  hub = await startMockHub({ repos: generatedRepos() });
});
afterAll(async () => { await hub.close(); });

const SENTENCES = ['Die Panther verloren nur 308 Punkte.', 'ทีมรับของแพนเธอร์ส', 'query: 黑豹队'];

describe('the generated tiny models through the mock hub', () => {
  for (const [id, dir] of Object.entries(generatedRepos())) {
    it(`${id}: downloads exactly the files it needs and embeds like the folder`, async () => {
      const r = await loadModelFromHub(hubRef(id, 'main', hub.url));
      // Everything but vocab.txt (tokenizer.json supersedes it), byte for byte.
      expect([...r.files.keys()].sort()).toEqual(files(dir).filter((f) => f !== 'vocab.txt' && f !== 'VERSION'));
      for (const [k, v] of r.files) expect(Buffer.from(v).equals(readFileSync(join(dir, k)))).toBe(true);
      const viaHub = await loadTextModel(r.provider);
      const viaFolder = await loadTextModel(nodeFolderProvider(dir));
      const a = await embedTexts(viaHub, SENTENCES);
      const b = await embedTexts(viaFolder, SENTENCES);
      expect(a.map((v) => Array.from(v))).toEqual(b.map((v) => Array.from(v)));
      expect(a[0]!.length).toBe(viaHub.encoder.dim);
      const norm = Math.hypot(...a[0]!);
      if (viaHub.encoder.head.normalize) expect(norm).toBeCloseTo(1, 5);
      viaHub.encoder.dispose();
      viaFolder.encoder.dispose();
    });
  }
});
