/**
 * Turns hub HTTP answers into the specific LabError a user can act on.
 * The hub says what went wrong in `X-Error-Code` (RepositoryNotFound,
 * RevisionNotFound, EntryNotFound, GatedRepo); the status code is the fallback.
 */
import { LabError } from '../errors.ts';
import type { HubModelRef } from './url.ts';

export function hubHttpError(status: number, errorCode: string | null, ref: HubModelRef, file: string): LabError {
  const where = { file };
  const model = `"${ref.id}"`;
  switch (errorCode) {
    case 'RepositoryNotFound':
      return new LabError('model-not-found', `model ${model} does not exist on ${ref.host} (or it is private)`, where,
        'a public model id, or an access token for a private one');
    case 'RevisionNotFound':
      return new LabError('model-not-found', `model ${model} has no revision "${ref.revision}"`, where, 'an existing branch, tag or commit');
    case 'EntryNotFound':
      return new LabError('model-not-found', `model ${model} (revision "${ref.revision}") has no file "${file}"`, where,
        'a model repository in Hugging Face layout');
    case 'GatedRepo':
      return gated(status, ref, file);
    default:
      break;
  }
  if (status === 401 || status === 403) return gated(status, ref, file);
  if (status === 404) {
    return new LabError('model-not-found', `"${file}" of model ${model} (revision "${ref.revision}") was not found on ${ref.host} (HTTP 404)`, where,
      'an existing model, revision and file');
  }
  return new LabError('network', `${ref.host} answered HTTP ${status} for "${file}" of model ${model}`, where,
    'HTTP 200; retry later if the hub is busy');
}

function gated(status: number, ref: HubModelRef, file: string): LabError {
  return new LabError('model-gated', `model "${ref.id}" is gated or private (HTTP ${status} for "${file}")`, { file },
    'a public model, or accept its terms on the hub and give an access token');
}

/** fetch() rejected: no answer at all (offline, DNS, CORS, refused connection) or a cancel. */
export function fetchFailure(e: unknown, ref: HubModelRef, file: string): LabError {
  if (isAbort(e)) return new LabError('cancelled', `download of "${file}" of model "${ref.id}" was cancelled`, { file });
  const cause = e instanceof Error ? (e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message) : String(e);
  return new LabError('network', `could not reach ${ref.host} to fetch "${file}" of model "${ref.id}" (${cause})`, { file },
    'a reachable hub; models loaded before also work offline from the cache');
}

export function isAbort(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'AbortError';
}
