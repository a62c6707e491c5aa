/**
 * The one-click demo of an empty page: after the user has seen the sizes and
 * confirmed, XQuAD-R is downloaded from its pinned public copy (each file
 * checked against the manifest's SHA-256) and imported like dropped files (BM25
 * runs after the import, as always), then the manifest's encoder is loaded from
 * the hub through the model cache and evaluated on it, and the page lands on the
 * heatmaps. A failed step stops the demo and says what failed and how to do
 * that step by hand. No numerics here: the steps are the page's own.
 */
import type { DiagnosticJSON } from '../core/errors.ts';
import { toDiagnostic } from '../core/job.ts';
import { demoPlan, type DemoPlan } from '../core/demo.ts';
import { fetchShard } from './lab/remote-client.ts';
import { DEFAULT_HUB_HOST } from '../core/hub/url.ts';
import type { DownloadProgress } from '../core/hub/download.ts';
import type { ModelInfo } from '../../workers/protocol.ts';
import type { LabState } from './lab-state.svelte.ts';
import { Comlink, modelWorker } from './model/model-client.ts';

export type DemoStep = 'idle' | 'confirm' | 'dataset' | 'import' | 'model' | 'evaluate' | 'done' | 'failed';

export class DemoState {
  step = $state<DemoStep>('idle');
  /** What the current step is doing, in words (file and bytes). */
  detail = $state('');
  error = $state<DiagnosticJSON | null>(null);
  failedAt = $state<DemoStep | null>(null);
  /** The model the demo loaded (the model panel shows it). */
  model = $state<ModelInfo | null>(null);
  readonly plan: DemoPlan | null;
  readonly planError: DiagnosticJSON | null;

  constructor(private readonly lab: LabState, params: URLSearchParams = new URLSearchParams(typeof location === 'undefined' ? '' : location.search)) {
    let plan: DemoPlan | null = null;
    let planError: DiagnosticJSON | null = null;
    try {
      plan = demoPlan({ dataBase: params.get('demo-data'), langs: params.get('demo-langs')?.split(',').filter(Boolean) ?? null, modelId: params.get('demo-model'), host: params.get('hub') });
    } catch (e) {
      planError = toDiagnostic(e);
    }
    this.plan = plan;
    this.planError = planError;
  }

  offer(): void {
    if (this.plan && (this.step === 'idle' || this.step === 'failed')) { this.step = 'confirm'; this.error = null; this.failedAt = null; }
  }

  decline(): void {
    if (this.step === 'confirm') this.step = 'idle';
  }

  private fail(step: DemoStep, e: unknown): void {
    this.error = toDiagnostic(e);
    this.failedAt = step;
    this.step = 'failed';
  }

  async run(): Promise<void> {
    const plan = this.plan;
    if (!plan || this.step !== 'confirm') return;
    // 1. The data: downloaded, checked against the manifest, imported like dropped files.
    this.step = 'dataset';
    const picked: { file: File; path: string; url: string }[] = [];
    try {
      for (const [i, f] of plan.files.entries()) {
        const file = await fetchShard({ dataset: 'xquad-r', name: f.name, url: f.url, sha256: f.sha256 },
          (done) => { this.detail = `${f.name} (${i + 1} of ${plan.files.length}): ${(done / 1e6).toFixed(1)} of ${(f.size / 1e6).toFixed(1)} MB`; });
        picked.push({ file, path: f.name, url: f.url });
      }
    } catch (e) {
      return this.fail('dataset', e);
    }
    this.step = 'import';
    this.detail = 'parsing and storing the files; BM25 starts when they are stored';
    this.lab.clearPending();
    await this.lab.addFiles(picked);
    this.lab.datasetName = 'xquad-r';
    await this.lab.importPending();
    const id = this.lab.importedNow.at(-1);
    const record = this.lab.datasets.find((d) => d.id === id);
    if (this.lab.errors.length || !record) return this.fail('import', this.lab.errors[0] ?? new Error('the import stored nothing'));
    // 2. The model, through the hub cache.
    this.step = 'model';
    let info: ModelInfo;
    try {
      const r = await modelWorker().loadFromHub({ id: plan.model.id, revision: plan.model.revision, host: plan.model.host ?? DEFAULT_HUB_HOST },
        Comlink.proxy((p: DownloadProgress) => { this.detail = `${plan.model.id}: ${p.file || 'files'} ${(p.bytesDone / 1e6).toFixed(0)} of ${(p.bytesTotal / 1e6).toFixed(0)} MB`; }));
      if (!r.ok) return this.fail('model', r.error);
      info = r.value;
      this.model = info;
    } catch (e) {
      return this.fail('model', e);
    }
    // 3. Its evaluation: mono, cross, multilingual and language bias, next to BM25's.
    this.step = 'evaluate';
    this.detail = `${info.label} on ${record.name}`;
    const p = info.prompts;
    await this.lab.dense.evaluate([record], { maxLength: Math.min(info.maxLength, 128), queryPrefix: p.query ?? 'query: ', passagePrefix: p.passage ?? p.document ?? 'passage: ' }, 32);
    if (this.lab.dense.error) return this.fail('evaluate', this.lab.dense.error);
    this.step = 'done';
    this.detail = '';
  }
}
