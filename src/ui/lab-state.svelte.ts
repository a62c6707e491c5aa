/**
 * The page's state: stored datasets (read from IndexedDB on start, so a reload
 * lists them without parsing), the files waiting to be imported, the running
 * import's progress, and the errors of the last attempt. No numerics here:
 * counts come precomputed on the stored records.
 */
import type { DiagnosticJSON } from '../core/errors.ts';
import type { Lang } from '../core/dataset/types.ts';
import { openLabDb, type LabDatabase } from '../store/db.ts';
import { listDatasets, removeDataset, renameDataset } from '../store/datasets.ts';
import { plural } from '../core/format.ts';
import { IdbTokenCache } from '../store/token-cache.ts';
import { IdbEmbeddingCache } from '../store/embedding-cache.ts';
import { toDiagnostic } from '../core/job.ts';
import type { ImportProgress, ProbedFile } from '../store/import-types.ts';
import type { DatasetRecord } from '../store/schema.ts';
import { requestPersistence, storageEstimate, type PersistenceState, type StorageEstimateInfo } from '../store/storage-info.ts';
import { BaselineState } from './baseline-state.svelte.ts';
import { DenseState } from './dense-state.svelte.ts';
import { TrainState } from './train/train-state.svelte.ts';
import type { OpenedResults } from './lab/results-index.ts';
import { decodeShare, shareFromHash, type ShareSnapshot } from '../core/share/link.ts';
import { experimentInFile, resultsInFile } from '../core/eval/results-schema.ts';
import type { ExperimentResults } from '../core/experiment/aggregate.ts';
import { LabError } from '../core/errors.ts';

/** A results JSON with per-query values for all of MIRACL is tens of MB; beyond this it is not a results file. */
const MAX_RESULTS_FILE_BYTES = 200e6;
import type { PickedFile } from './files-from-drop.ts';
import type { ParquetColumns, ParquetRole } from '../core/dataset/parse-parquet.ts';
import { fetchUrlShard, pathOfUrl } from '../core/io/fetch-url.ts';
import { cancelImport, importFiles, probeFiles } from './parse-client.ts';

export interface PendingFile extends ProbedFile {
  file: File;
  path: string;
  /** The https URL the file was fetched from (kept with the stored shard). */
  url?: string;
  /** The language the import will use: detected, or what the user picked. */
  chosenLang: Lang | null;
  /** Parquet: the column roles the user chose (over the names); kept with the stored shard. */
  chosenColumns?: ParquetColumns;
}

/** Where the listed datasets came from: the browser's storage at page load, or an import in this page. */
export type ListSource = 'loading' | 'cache' | 'import';

export class LabState {
  datasets = $state<DatasetRecord[]>([]);
  listSource = $state<ListSource>('loading');
  /** Datasets imported in this page (the others were read from storage at load). */
  importedNow = $state<string[]>([]);
  pending = $state<PendingFile[]>([]);
  /** Per pending path: how many column picks were made, so an older pick's look never replaces a newer one's. */
  private readonly columnPicks = new Map<string, number>();
  datasetName = $state('');
  probing = $state(false);
  progress = $state<ImportProgress | null>(null);
  errors = $state<DiagnosticJSON[]>([]);
  warnings = $state<DiagnosticJSON[]>([]);
  notice = $state('');
  storage = $state<StorageEstimateInfo>({});
  /** Experiment results files opened in this page (`lab experiment`'s results.json): their comparison tables. */
  experiments = $state<{ file: string; results: ExperimentResults }[]>([]);
  /** Results files opened in this page (lab eval / bm25 / train output, or a downloaded results JSON); not stored. */
  opened = $state<OpenedResults[]>([]);
  /** The snapshot a share link carried, or why it could not be read. Reading a link stores nothing. */
  shared = $state<ShareSnapshot | null>(null);
  sharedError = $state<DiagnosticJSON | null>(null);
  persistence = $state<PersistenceState | 'unknown'>('unknown');

  #db: Promise<LabDatabase> | undefined;
  /** BM25 results per dataset: cached ones drawn at start, a run started after each import. */
  readonly baseline = new BaselineState();
  readonly dense = new DenseState();
  readonly train = new TrainState(() => this.db());

  private db(): Promise<LabDatabase> {
    this.#db ??= openLabDb();
    return this.#db;
  }

  /** Reads `#share=…` from the page URL (at start and when the fragment changes). */
  readShareLink(hash: string): void {
    const text = shareFromHash(hash);
    this.shared = null;
    this.sharedError = null;
    if (text === null) return;
    try {
      this.shared = decodeShare(text);
    } catch (e) {
      this.sharedError = toDiagnostic(e);
    }
  }

  /** Opens results files: each is checked by the results schema; a bad one is named and the others still open. */
  async openResults(files: File[]): Promise<void> {
    const errors: DiagnosticJSON[] = [];
    for (const f of files) {
      try {
        if (f.size > MAX_RESULTS_FILE_BYTES) throw new LabError('file-too-large', `is ${(f.size / 1e6).toFixed(0)} MB, over the ${MAX_RESULTS_FILE_BYTES / 1e6} MB a results file may have`, { file: f.name });
        const text = await f.text();
        const found = resultsInFile(text, f.name);
        const experiment = experimentInFile(text, f.name);
        if (experiment) this.experiments = [...this.experiments, { file: f.name, results: experiment }];
        this.opened = [...this.opened, ...found.map((x) => ({ file: f.name, results: x.results, ...(x.role ? { role: x.role } : {}), ...(x.label ? { label: x.label } : {}) }))];
      } catch (e) {
        errors.push(toDiagnostic(e));
      }
    }
    this.errors = errors;
    if (!errors.length) this.notice = `Opened ${plural(files.length, 'results file')}: compare them below.`;
  }

  async start(): Promise<void> {
    if (typeof location !== 'undefined') this.readShareLink(location.hash);
    try {
      this.datasets = await listDatasets(await this.db());
      // Every stored result in one read: the BM25 and the dense views each take theirs.
      const results = await (await this.db()).getAll('results');
      this.baseline.loadCached(results);
      this.dense.loadCached(results);
      await this.train.load();
      this.listSource = 'cache';
    } catch (e) {
      this.errors = [toDiagnostic(e)];
      this.listSource = 'cache';
    }
    await this.refreshStorage();
    this.persistence = await requestPersistence();
  }

  async refreshStorage(): Promise<void> {
    this.storage = await storageEstimate();
  }

  /** The URL download in progress. */
  fetching = $state<{ url: string; done: number; total: number | null } | null>(null);

  /** A shard from a URL: downloaded with progress, then listed like a dropped file (and imported with its URL). */
  async addUrl(url: string): Promise<void> {
    if (this.fetching) return;
    this.errors = [];
    this.notice = '';
    this.fetching = { url, done: 0, total: null };
    try {
      const got = await fetchUrlShard(url, { onProgress: (done, total) => { this.fetching = { url, done, total }; } });
      const file = new File([got.bytes as Uint8Array<ArrayBuffer>], got.name);
      await this.addFiles([{ file, path: pathOfUrl(url), url }]);
    } catch (e) {
      this.errors = [toDiagnostic(e)];
    } finally {
      this.fetching = null;
    }
  }

  /** New files picked or dropped: look at each (format, language) so the user can check before importing. */
  async addFiles(picked: PickedFile[]): Promise<void> {
    if (picked.length === 0) return;
    this.errors = [];
    this.notice = '';
    this.probing = true;
    try {
      const probed = await probeFiles(picked.map((p) => p.file), picked.map((p) => p.path), picked.map((p) => (p.columns ? { ...p.columns } : null)));
      const added = picked.map((p, i): PendingFile => {
        const pr = probed[i]!;
        return { ...pr, file: p.file, path: p.path, chosenLang: p.lang ?? pr.lang, ...(p.url ? { url: p.url } : {}), ...(p.columns ? { chosenColumns: p.columns } : {}) };
      });
      // Same path dropped again replaces the earlier pick.
      const paths = new Set(added.map((a) => a.path));
      this.pending = [...this.pending.filter((p) => !paths.has(p.path)), ...added];
      if (!this.datasetName) this.datasetName = suggestName(this.pending);
    } catch (e) {
      this.errors = [toDiagnostic(e)];
    } finally {
      this.probing = false;
    }
  }

  setLanguage(index: number, lang: Lang | null): void {
    const p = this.pending[index];
    if (p) p.chosenLang = lang;
  }

  /**
   * A Parquet file's column for one role, as the user picks it (null: back to what the names say). The file is
   * looked at again with the new roles, so the list shows the table they make, or what is still missing.
   */
  async setColumn(index: number, role: ParquetRole, column: string | null): Promise<void> {
    const p = this.pending[index];
    if (!p) return;
    const chosen: ParquetColumns = { ...p.chosenColumns };
    if (column) chosen[role] = column;
    else delete chosen[role];
    const columns = Object.keys(chosen).length > 0 ? chosen : undefined;
    // Recorded at once, so a second pick made while this one is looked at builds on it; only the latest
    // pick's look is shown.
    if (columns) p.chosenColumns = columns;
    else delete p.chosenColumns;
    const pick = (this.columnPicks.get(p.path) ?? 0) + 1;
    this.columnPicks.set(p.path, pick);
    try {
      const [pr] = await probeFiles([p.file], [p.path], [columns ?? null]);
      const at = this.pending.findIndex((q) => q.path === p.path);
      if (!pr || at < 0 || this.columnPicks.get(p.path) !== pick) return; // left out, or a later pick supersedes this
      const current = this.pending[at]!;
      const { chosenColumns: _, ...rest } = current;
      const next: PendingFile = { ...rest, ...pr, chosenLang: current.chosenLang ?? pr.lang, ...(columns ? { chosenColumns: columns } : {}) };
      // A field the new look no longer has (the error once the table is complete) must go.
      if (!pr.error) delete next.error;
      if (!pr.columns) delete next.columns;
      this.pending = this.pending.map((q, i) => (i === at ? next : q));
    } catch (e) {
      this.errors = [toDiagnostic(e)];
    }
  }

  dropPending(index: number): void {
    this.pending = this.pending.filter((_, i) => i !== index);
    if (this.pending.length === 0) this.datasetName = '';
  }

  clearPending(): void {
    this.pending = [];
    this.datasetName = '';
  }

  get importing(): boolean {
    return this.progress !== null;
  }

  async importPending(): Promise<void> {
    if (this.pending.length === 0 || this.importing) return;
    this.errors = [];
    this.warnings = [];
    this.notice = '';
    const files = this.pending.map((p) => p.file);
    const total = files.reduce((s, f) => s + f.size, 0);
    this.progress = { phase: 'reading', bytesDone: 0, bytesTotal: total };
    try {
      const name = this.datasetName.trim();
      const outcome = await importFiles(files, {
        ...(name ? { name } : {}),
        languages: this.pending.map((p) => p.chosenLang),
        paths: this.pending.map((p) => p.path),
        urls: this.pending.map((p) => p.url ?? null),
        // Plain copies: the state's proxies cannot cross to the worker.
        columns: this.pending.map((p) => (p.chosenColumns ? { ...p.chosenColumns } : null)),
      }, (p) => { this.progress = p; });
      if (outcome.ok) {
        this.warnings = outcome.warnings;
        this.notice = `Imported "${outcome.record.name}" (${plural(outcome.record.shards.length, 'shard')}).`;
        this.importedNow = [...this.importedNow, outcome.record.id];
        this.clearPending();
        this.datasets = await listDatasets(await this.db());
        this.listSource = 'import';
        // The first heatmap, without asking: the stats table is already on screen, BM25 runs in its own worker.
        this.baseline.afterImport(outcome.record);
      } else if (outcome.errors.every((e) => e.code === 'cancelled')) {
        // Not a problem to explain: the files stay listed so the import can be started again.
        this.notice = 'Import cancelled; nothing was stored.';
      } else {
        this.errors = outcome.errors;
      }
    } catch (e) {
      this.errors = [toDiagnostic(e)];
    } finally {
      this.progress = null;
      await this.refreshStorage();
    }
  }

  async cancel(): Promise<void> {
    await cancelImport();
  }

  /** Where one dataset's card came from: this page's import, or the browser's storage. */
  sourceOf(id: string): 'import' | 'cache' {
    return this.importedNow.includes(id) ? 'import' : 'cache';
  }

  async rename(id: string, name: string): Promise<boolean> {
    try {
      await renameDataset(await this.db(), id, name);
      this.datasets = await listDatasets(await this.db());
      return true;
    } catch (e) {
      this.errors = [toDiagnostic(e)];
      return false;
    }
  }

  async remove(id: string): Promise<void> {
    try {
      // A BM25 run on it stops first (it would store results for a removed dataset); the removal itself refuses
      // while a training run needs the dataset, and then the views keep its results.
      await this.baseline.cancel(id);
      await removeDataset(await this.db(), id);
      await this.baseline.forget(id);
      this.dense.forget(id);
      // Its cached token ids go too (a cache: failing to drop them loses nothing).
      const tokens = new IdbTokenCache();
      await tokens.deleteDataset(id).catch(() => 0);
      tokens.close();
      // …and its cached embeddings, for every model.
      const vectors = new IdbEmbeddingCache();
      await vectors.deleteDataset(id).catch(() => 0);
      vectors.close();
      this.datasets = await listDatasets(await this.db());
    } catch (e) {
      this.errors = [toDiagnostic(e)];
    }
    await this.refreshStorage();
  }
}


/** "xquad-r" from "xquad-r/de.json", else the common stem of the names, else '' (the importer then names it after the files). */
function suggestName(files: PendingFile[]): string {
  const first = files[0];
  if (!first) return '';
  const dir = first.path.includes('/') ? first.path.split('/').slice(-2, -1)[0] : undefined;
  if (dir && files.every((f) => f.path.startsWith(`${first.path.split('/').slice(0, -1).join('/')}/`))) return dir;
  const stems = files.map((f) => f.name.replace(/\.(jsonl|json|tsv|txt|trec|qrels)(\.gz)?$|\.parquet$/i, ''));
  let prefix = stems[0] ?? '';
  for (const s of stems) while (!s.startsWith(prefix)) prefix = prefix.slice(0, -1);
  prefix = prefix.replace(/[-_.\s]+$/, '');
  return prefix.length >= 3 ? prefix : '';
}
