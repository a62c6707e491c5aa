/**
 * Opens the lab's IndexedDB database. One database, `polyglot-lab`; this
 * module owns its version and upgrade path, so every store in it is created
 * in one place (add new object stores here with a version bump).
 *
 * Versions: 1 shards, datasets (+ byShard, byCreated), parsed.
 *           2 results (evaluation results per dataset and model, + byDataset).
 *           3 runs (training runs, + byCreated), checkpoints (one per run).
 *           4 mined (hard negatives mined for a dataset, one record per dataset).
 * Each step only adds; an upgrade never touches the records already stored,
 * so a database of any older version opens with its datasets intact.
 */
import { openDB, type IDBPDatabase } from 'idb';
import { LabError } from '../core/errors.ts';
import type { LabDB } from './schema.ts';

export const LAB_DB_NAME = 'polyglot-lab';
export const LAB_DB_VERSION = 4;

export type LabDatabase = IDBPDatabase<LabDB>;

export async function openLabDb(name: string = LAB_DB_NAME): Promise<LabDatabase> {
  try {
    const db: LabDatabase = await openDB<LabDB>(name, LAB_DB_VERSION, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) {
          db.createObjectStore('shards', { keyPath: 'sha256' });
          const datasets = db.createObjectStore('datasets', { keyPath: 'id' });
          datasets.createIndex('byShard', 'shardHashes', { multiEntry: true });
          datasets.createIndex('byCreated', 'createdAt');
          db.createObjectStore('parsed', { keyPath: 'datasetId' });
        }
        if (oldVersion < 2) {
          const results = db.createObjectStore('results', { keyPath: ['datasetId', 'model'] });
          results.createIndex('byDataset', 'datasetId');
        }
        if (oldVersion < 3) {
          db.createObjectStore('runs', { keyPath: 'id' }).createIndex('byCreated', 'createdAt');
          db.createObjectStore('checkpoints', { keyPath: 'runId' });
        }
        if (oldVersion < 4) {
          db.createObjectStore('mined', { keyPath: 'datasetId' });
        }
      },
      blocked() {
        // Another tab holds an older version open; the open completes once it closes.
      },
      blocking() {
        // A newer version of the app (another tab) wants to upgrade: let it, rather than block it forever.
        // This tab's later requests then fail with a storage error that says to reload.
        db.close();
      },
    });
    return db;
  } catch (e) {
    throw new LabError('storage', `could not open the IndexedDB database "${name}": ${describe(e)}`, {}, 'IndexedDB to be available (not a private window with storage disabled)');
  }
}

export function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
