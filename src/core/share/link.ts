/**
 * Share links: a RunConfig and, optionally, a snapshot of its results in the
 * URL's fragment (`#share=…`, never sent to a server), so a link opens
 * straight onto the heatmaps without data, model or training. The payload is
 * JSON, deflated (fflate) and base64url-encoded.
 *
 * Everything read from a link is untrusted: the encoded text and the
 * inflated JSON have size limits (checked before and while inflating), the
 * JSON is checked by the RunConfig and results schemas (unknown keys
 * refused), model hosts must be https (or this machine's loopback), and any
 * failure is one LabError saying what was wrong. Decoding touches no storage.
 */
import { inflateSync, deflateSync } from 'fflate';
import { z } from 'zod';
import { LabError } from '../errors.ts';
import { RunConfigSchema, type RunConfig } from '../run-config.ts';
import { schemaError } from '../schema-errors.ts';
import { parseUntrustedJson } from '../json.ts';
import { EvalResultsSchema, ExperimentSummarySchema } from '../eval/results-schema.ts';
import type { ExperimentResults } from '../experiment/aggregate.ts';
import type { EvalResults } from '../eval/results.ts';

export const SHARE_PARAM = 'share';
/** Chrome takes URLs up to 2 MB; links are pasted into chats and papers, so stay well below. */
export const MAX_ENCODED_CHARS = 512 * 1024;
export const MAX_JSON_BYTES = 8 * 1024 * 1024;

export interface ShareSnapshot {
  v: 1;
  config: RunConfig;
  /** Results of the run (e.g. base and trained), each with a short label; omitted for a config-only link. */
  results?: { label: string; results: EvalResults }[];
  /** An experiment's comparison tables (mean ± sd over seeds, the tests); its runs' results stay behind. */
  experiment?: ExperimentSummary;
}

export type ExperimentSummary = Omit<ExperimentResults, 'runs'>;

const SnapshotSchema = z.strictObject({
  v: z.literal(1),
  config: RunConfigSchema,
  results: z.array(z.strictObject({ label: z.string().max(200), results: EvalResultsSchema })).max(16).optional(),
  experiment: ExperimentSummarySchema.optional(),
});

function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new LabError('invalid-argument', 'the share link has characters outside base64url', { path: SHARE_PARAM }, 'a link copied whole from Polyglot Lab');
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    throw new LabError('invalid-argument', 'the share link is not valid base64url (cut short?)', { path: SHARE_PARAM }, 'a link copied whole from Polyglot Lab');
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Model hosts a link may name: https anywhere, http only on this machine (a local hub). */
function checkHosts(c: RunConfig): void {
  if (c.model.source !== 'hub') return;
  const u = new URL(c.model.host);
  const loopback = u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
  if (u.protocol !== 'https:' && !loopback) {
    throw new LabError('invalid-argument', `the link names the model host ${u.origin}, which is not https`, { path: 'config.model.host' }, 'an https host');
  }
}

/** A snapshot of results for a link: per-query values stay behind (they are megabytes; the link shows the heatmaps). */
export function snapshotOf(config: RunConfig, items: readonly { label: string; results: EvalResults }[]): ShareSnapshot {
  return {
    v: 1, config,
    ...(items.length ? { results: items.map(({ label, results }) => { const { perQuery: _, ...rest } = results; return { label, results: rest }; }) } : {}),
  };
}

/** A link to an experiment's comparison: its base RunConfig and tables (each run's results stay behind: they are many). */
export function experimentSnapshotOf(config: RunConfig, e: ExperimentResults): ShareSnapshot {
  const { runs: _, ...summary } = e;
  return { v: 1, config, experiment: summary };
}

/** The page URL that opens a snapshot (`base`: the page's origin and path). */
export function shareUrl(base: string, s: ShareSnapshot): string {
  return `${base}#${SHARE_PARAM}=${encodeShare(s)}`;
}

export function encodeShare(s: ShareSnapshot): string {
  const bytes = deflateSync(new TextEncoder().encode(JSON.stringify(s)), { level: 9 });
  const text = toBase64Url(bytes);
  if (text.length > MAX_ENCODED_CHARS) {
    throw new LabError('invalid-argument', `the link would be ${Math.round(text.length / 1024)} kB, over the ${MAX_ENCODED_CHARS / 1024} kB links are kept to`, {}, 'share the config alone, or download the results JSON');
  }
  return text;
}

export function decodeShare(text: string): ShareSnapshot {
  if (text.length > MAX_ENCODED_CHARS) throw new LabError('file-too-large', `the share link is ${Math.round(text.length / 1024)} kB, over the ${MAX_ENCODED_CHARS / 1024} kB limit`, { path: SHARE_PARAM });
  if (text.length === 0) throw new LabError('empty-file', 'the share link is empty', { path: SHARE_PARAM });
  let json: Uint8Array;
  try {
    // The output buffer bounds what inflating may produce: a deflate bomb fails here instead of filling memory.
    const out = new Uint8Array(MAX_JSON_BYTES + 1);
    json = inflateSync(fromBase64Url(text), { out });
  } catch (e) {
    if (e instanceof LabError) throw e;
    throw new LabError('invalid-argument', 'the share link does not decompress (cut short or edited?)', { path: SHARE_PARAM }, 'a link copied whole from Polyglot Lab');
  }
  if (json.length > MAX_JSON_BYTES) throw new LabError('file-too-large', `the share link expands past ${MAX_JSON_BYTES / 1024 / 1024} MB`, { path: SHARE_PARAM });
  let text8: string;
  try {
    text8 = new TextDecoder('utf-8', { fatal: true }).decode(json);
  } catch {
    throw new LabError('invalid-json', 'the share link does not hold UTF-8 text', { path: SHARE_PARAM });
  }
  const value = parseUntrustedJson(text8, { path: SHARE_PARAM }, 'a link copied whole from Polyglot Lab');
  const r = SnapshotSchema.safeParse(value);
  if (!r.success) throw schemaError('share link', r.error);
  const s = r.data as ShareSnapshot;
  checkHosts(s.config);
  return s;
}

/** The fragment value of a page URL (`#share=…`), or null when the URL carries none. */
export function shareFromHash(hash: string): string | null {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  for (const part of h.split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq) === SHARE_PARAM) return part.slice(eq + 1);
  }
  return null;
}
