/** The RunConfig: strict parsing with paths, defaults, and the JSON Schema `lab schema` prints. */
import { describe, expect, it } from 'vitest';
import { makeRunConfig, parseRunConfig, runConfigJsonSchema } from '../../src/core/run-config.ts';

const SHA = 'ab'.repeat(32);
const minimal = { version: 1, kind: 'eval', model: { source: 'hub', id: 'intfloat/multilingual-e5-small' }, datasets: [{ name: 'xquad-r', shards: [{ name: 'de.json', sha256: SHA }] }] };

function errorOf(v: unknown): string {
  try {
    parseRunConfig(v, 'run.json');
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('parsed');
}

describe('RunConfig', () => {
  it('fills defaults and round-trips through JSON unchanged', () => {
    const c = parseRunConfig(minimal);
    expect(c.model).toEqual({ source: 'hub', id: 'intfloat/multilingual-e5-small', revision: 'main', host: 'https://huggingface.co' });
    expect(c.tokenization).toEqual({ maxLength: 128, queryPrefix: 'query: ', passagePrefix: 'passage: ' });
    expect(c.eval).toEqual({ settings: ['mono', 'cross', 'multi'], depth: 1000, batchSize: 32 });
    expect(c.datasets[0]!.split).toBe('all');
    expect(parseRunConfig(JSON.parse(JSON.stringify(c)))).toEqual(c);
    expect(JSON.stringify(c).length).toBeLessThan(600); // a share link stays small
  });

  it('names the path of an unknown key, a wrong type, an out-of-range value', () => {
    expect(errorOf({ ...minimal, colour: 'red' })).toMatch(/^run\.json, \(root\): .*Unrecognized key.*colour/);
    expect(errorOf({ ...minimal, seed: 'x' })).toMatch(/^run\.json, seed: /);
    expect(errorOf({ ...minimal, tokenization: { maxLength: 2 } })).toMatch(/tokenization\.maxLength/);
    expect(errorOf({ ...minimal, eval: { depth: 0 } })).toMatch(/eval\.depth/);
    expect(errorOf({ ...minimal, datasets: [{ name: 'x', shards: [{ name: 'a', sha256: 'nothex' }] }] })).toMatch(/datasets\[0\]\.shards\[0\]\.sha256: RunConfig: a lower-case hex SHA-256/);
    expect(errorOf({ ...minimal, model: { source: 'hub', id: '../etc' } })).toMatch(/model\.id/);
    expect(errorOf({ ...minimal, model: { source: 'hub', id: 'a/b', host: 'file:///etc' } })).toMatch(/model\.host/);
    expect(errorOf({ ...minimal, version: 2 })).toMatch(/version/);
    expect(errorOf({ ...minimal, kind: 'bm25' })).toMatch(/model\.source: RunConfig: a bm25 run has model.source "bm25"/);
    expect(errorOf({ ...minimal, eval: { settings: ['mono', 'mono'] } })).toMatch(/eval\.settings.*twice/);
    expect(errorOf(null)).toMatch(/\(root\)/);
  });

  it('makeRunConfig validates too', () => {
    expect(() => makeRunConfig({ ...minimal, backend: 'cuda' } as never)).toThrow(/backend/);
  });

  it('has a JSON Schema with every top-level field, strict objects and the enums', () => {
    const s = runConfigJsonSchema() as { properties: Record<string, { enum?: string[] }>; required: string[]; additionalProperties: boolean };
    expect(Object.keys(s.properties).sort()).toEqual(['backend', 'datasets', 'eval', 'kind', 'model', 'seed', 'tokenization', 'train', 'version']);
    expect(s.required.sort()).toEqual(['datasets', 'kind', 'model', 'version']);
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.backend!.enum).toEqual(['auto', 'webgpu', 'wasm', 'cpu']);
  });
});

describe('RunConfig: the train section', () => {
  const train = {
    version: 1, kind: 'train', model: { source: 'hub', id: 'a/b' }, datasets: [{ name: 'x', split: 'test', shards: [{ name: 'de.json', sha256: SHA }] }],
    train: { data: [{ name: 'x', split: 'train', shards: [{ name: 'de.json', sha256: SHA }] }] },
  };
  it("fills the paper's defaults", () => {
    const c = parseRunConfig(train);
    expect(c.train).toMatchObject({ sampler: 'hybrid', alpha: { kind: 'constant', alpha: 0.5 }, lr: 3e-5, weightDecay: 0.01, temperature: 0.05, heldOutLanguages: [] });
  });
  it('refuses alpha outside [0, 1], fractions not summing to 1, a train section on an eval run, and its absence on a train run', () => {
    expect(errorOf({ ...train, train: { ...train.train, alpha: { kind: 'constant', alpha: 1.5 } } })).toMatch(/train\.alpha\.alpha/);
    expect(errorOf({ ...train, train: { ...train.train, splitFractions: { train: 0.5, validation: 0.1, test: 0.1 } } })).toMatch(/train\.splitFractions: RunConfig: the fractions must sum to 1/);
    expect(errorOf({ ...train, train: { ...train.train, steps: 10, warmupSteps: 20 } })).toMatch(/train\.warmupSteps/);
    expect(errorOf({ ...train, kind: 'eval' })).toMatch(/train: RunConfig: a eval run has no "train" section/);
    expect(errorOf({ ...train, train: undefined })).toMatch(/a train run needs a "train" section/);
    expect(errorOf({ ...train, train: { ...train.train, heldOut: ['el'] } })).toMatch(/heldOut/);
  });
});

describe('lab schema', () => {
  it('prints the JSON Schema, and refuses arguments', async () => {
    const { run } = await import('../../src/cli/commands/schema.ts');
    const lines: string[] = [];
    const log = console.log;
    const err = console.error;
    console.log = (s: string) => void lines.push(s);
    console.error = () => {};
    try {
      expect(await run([])).toBe(0);
      expect(await run(['--out', 'x'])).toBe(2);
    } finally {
      console.log = log;
      console.error = err;
    }
    const schema = JSON.parse(lines[0]!) as { title: string; properties: Record<string, unknown> };
    expect(schema.title).toBe('Polyglot Lab RunConfig');
    expect(schema.properties).toHaveProperty('train');
  });
});
