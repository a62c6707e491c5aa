/** How much this origin stores and whether the browser promised to keep it (StorageManager). */

export interface StorageEstimateInfo {
  /** Bytes used by this origin, when the browser says. */
  usage?: number;
  quota?: number;
}

export async function storageEstimate(): Promise<StorageEstimateInfo> {
  const sm = typeof navigator !== 'undefined' ? navigator.storage : undefined;
  if (!sm?.estimate) return {};
  try {
    const e = await sm.estimate();
    const out: StorageEstimateInfo = {};
    if (e.usage !== undefined) out.usage = e.usage;
    if (e.quota !== undefined) out.quota = e.quota;
    return out;
  } catch {
    return {};
  }
}

export type PersistenceState = 'granted' | 'denied' | 'unsupported';

/**
 * Asks the browser not to evict the lab's data under storage pressure.
 * Chromium grants it silently to engaged sites and refuses otherwise; no prompt.
 */
export async function requestPersistence(): Promise<PersistenceState> {
  const sm = typeof navigator !== 'undefined' ? navigator.storage : undefined;
  if (!sm?.persist) return 'unsupported';
  try {
    if (sm.persisted && (await sm.persisted())) return 'granted';
    return (await sm.persist()) ? 'granted' : 'denied';
  } catch {
    return 'denied';
  }
}
