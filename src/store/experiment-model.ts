/**
 * The start model of an experiment's run, put into the model session before
 * the run trains: a generated BERT drawn with the run's seed (from the
 * tokenizer.json the user gave, checked against the experiment's hash), a hub
 * model (through the model cache), or the folder model already loaded (reloaded
 * from its files, so every run starts from the same weights).
 */
import { LabError } from '../core/errors.ts';
import { sha256Hex } from '../core/io/sha256.ts';
import { loadModelFromHub, type HubLoadOptions } from '../core/hub/download.ts';
import { hubRef } from '../core/hub/url.ts';
import { generateEncoderFiles } from '../core/model/generate.ts';
import type { ModelSession } from '../core/model/session.ts';
import type { PlannedRun } from '../core/experiment/schema.ts';

export interface StartModelDeps {
  /** The tokenizer.json a generated model is built from, as the user gave it. */
  tokenizerJson?: Uint8Array | undefined;
  hub?: Pick<HubLoadOptions, 'cache' | 'maxBytes' | 'signal' | 'fetch' | 'token'>;
}

export function startModelLoader(session: ModelSession, deps: StartModelDeps): (run: PlannedRun) => Promise<void> {
  let tokenizerHash: Promise<string> | undefined;
  return async (run) => {
    const m = run.config.model;
    const t = run.config.tokenization;
    const opts = { maxLength: t.maxLength, ...(t.pooling ? { pooling: t.pooling } : {}) };
    if (m.source === 'generated') {
      const where = { path: 'run.model.tokenizer' };
      if (!deps.tokenizerJson) {
        throw new LabError('invalid-argument', `the experiment trains a generated BERT from the tokenizer "${m.tokenizer.name}", and no tokenizer.json was given`, where, 'choose that tokenizer.json together with the experiment file');
      }
      tokenizerHash ??= sha256Hex(deps.tokenizerJson);
      const hash = await tokenizerHash;
      if (hash !== m.tokenizer.sha256) {
        throw new LabError('invalid-argument', `the tokenizer.json given has SHA-256 ${hash.slice(0, 12)}…, not the experiment's ${m.tokenizer.sha256.slice(0, 12)}…`, where, `the tokenizer "${m.tokenizer.name}" the experiment names`);
      }
      const a = m.architecture;
      const gen = generateEncoderFiles(a, deps.tokenizerJson, run.config.seed);
      const totalBytes = [...gen.files.values()].reduce((n, b) => n + b.byteLength, 0);
      await session.load(gen.provider, { label: `generated-bert-L${a.layers}-H${a.hidden} (seed ${run.config.seed})`, source: m, fromCache: false, totalBytes, seconds: 0 }, opts);
    } else if (m.source === 'hub') {
      const ref = hubRef(m.id, m.revision, m.host);
      const files = await loadModelFromHub(ref, deps.hub ?? {});
      await session.load(files.provider, {
        label: `${ref.id}@${ref.revision}`, source: { source: 'hub', id: ref.id, revision: ref.revision, host: ref.host },
        host: ref.host, fromCache: files.fromCache, totalBytes: files.totalBytes, seconds: files.seconds,
      }, opts);
    } else if (m.source === 'folder') {
      const loaded = session.loaded ? session.modelSource() : undefined;
      const named = loaded?.source === 'folder' && (loaded.sha256 === m.sha256 || session.holdsWeightsOf(m.sha256));
      if (!named) {
        throw new LabError('invalid-argument', `the experiment starts from the folder model "${m.name}" (content hash ${m.sha256.slice(0, 12)}…), which is not the loaded model`, { path: 'run.model' }, 'load that folder in the model panel, then run the experiment');
      }
      await session.reload(opts);
      if (session.contentHash !== m.sha256) {
        throw new LabError('invalid-argument', `the folder model "${m.name}" was trimmed or changed after loading; its weights cannot be restored for the next run`, { path: 'run.model' }, 'load the folder again and run the experiment without trimming');
      }
    } else {
      throw new LabError('invalid-argument', 'an experiment trains an encoder, not bm25', { path: 'run.model.source' }, 'generated, hub or folder');
    }
  };
}
