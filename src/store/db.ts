/**
 * Opens the lab's IndexedDB database. One database, `polyglot-lab`; this
 * module owns its version and upgrade path, so every store in it is created
 * in one place (add new object stores here with a version bump).
 */
import { openDB, type IDBPDatabase } from 'idb';
import { LabError } from '../core/errors.ts';
import type { LabDB } from './schema.ts';

export const LAB_DB_NAME = 'polyglot-lab';
export const LAB_DB_VERSION = 1;

export type LabDatabase = IDBPDatabase<LabDB>;

export async function openLabDb(name: string = LAB_DB_NAME): Promise<LabDatabase> {
  try {
    return await openDB<LabDB>(name, LAB_DB_VERSION, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) {
          db.createObjectStore('shards', { keyPath: 'sha256' });
          const datasets = db.createObjectStore('datasets', { keyPath: 'id' });
          datasets.createIndex('byShard', 'shardHashes', { multiEntry: true });
          datasets.createIndex('byCreated', 'createdAt');
          db.createObjectStore('parsed', { keyPath: 'datasetId' });
        }
      },
      blocked() {
        // Another tab holds an older version open; the open completes once it closes.
      },
    });
  } catch (e) {
    throw new LabError('storage', `could not open the IndexedDB database "${name}": ${describe(e)}`, {}, 'IndexedDB to be available (not a private window with storage disabled)');
  }
}

export function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
