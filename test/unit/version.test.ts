/** The version written into model cards is package.json's. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { LAB_VERSION } from '../../src/core/version.ts';

it('LAB_VERSION equals package.json', () => {
  expect(LAB_VERSION).toBe((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version);
});
