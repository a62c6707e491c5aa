/**
 * Hugging Face hub addressing: `{host}/{model id}/resolve/{revision}/{file}`.
 * The host is configurable (mirrors, the test mock hub), so nothing here
 * assumes huggingface.co beyond the default.
 */
import { LabError } from '../errors.ts';

export const DEFAULT_HUB_HOST = 'https://huggingface.co';
export const DEFAULT_REVISION = 'main';

/** Where a model lives on a hub: one value so cache keys and URLs cannot disagree. */
export interface HubModelRef {
  host: string;
  id: string;
  revision: string;
}

// Hub repo names: `name` or `org/name`, letters, digits, `-`, `_`, `.` (no `..`, no leading/trailing `.`/`-`).
const ID_PART = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/** Normalizes and validates a hub reference; throws `invalid-argument` naming the bad field. */
export function hubRef(id: string, revision = DEFAULT_REVISION, host = DEFAULT_HUB_HOST): HubModelRef {
  const cleanId = id.trim();
  const parts = cleanId.split('/');
  if (cleanId === '' || parts.length > 2 || !parts.every((p) => ID_PART.test(p) && !p.includes('..'))) {
    throw new LabError('invalid-argument', `"${id}" is not a hub model id`, { path: 'model.id' },
      'a model id like "intfloat/multilingual-e5-small" or "bert-base-multilingual-cased"');
  }
  const rev = revision.trim() || DEFAULT_REVISION;
  if (rev.includes('..') || /[\s?#]/.test(rev)) {
    throw new LabError('invalid-argument', `"${revision}" is not a revision`, { path: 'model.revision' }, 'a branch, tag or commit hash');
  }
  let url: URL;
  try {
    url = new URL(host.trim() || DEFAULT_HUB_HOST);
  } catch {
    throw new LabError('invalid-argument', `"${host}" is not a URL`, { path: 'model.host' }, 'a URL like https://huggingface.co');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new LabError('invalid-argument', `"${host}" is not an http(s) URL`, { path: 'model.host' }, 'http:// or https://');
  }
  // Keep a path prefix (mirrors are sometimes mounted under one) but never a trailing slash.
  const base = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  return { host: base, id: cleanId, revision: rev };
}

/** `{host}/{id}/resolve/{revision}/{file}`; revision and file path segments are percent-encoded. */
export function resolveUrl(ref: HubModelRef, file: string): string {
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `${ref.host}/${ref.id}/resolve/${encodeURIComponent(ref.revision)}/${path}`;
}

/** Cache key for one file of one model at one revision on one host. */
export function fileKey(ref: HubModelRef, file: string): string {
  return `${ref.host}|${ref.id}|${ref.revision}|${file}`;
}
