/**
 * Dense evaluation of all of XQuAD-R (13,090 questions, 13,014 candidates:
 * 26,104 texts, mBERT tokenizer, `query: ` / `passage: ` prefixes) for two encoder shapes, per tfjs backend, next to PyTorch
 * embedding the same token ids with the same shape on the same CPU:
 *   tiny:   the generated tiny-bert (2 layers, hidden 32, max length 62), its real weights; the whole
 *           evaluation runs (embed + score + metrics);
 *   minilm: paraphrase-multilingual-MiniLM-L12 shape (12 layers, hidden 384, FFN 1536, max length 128),
 *           random weights; embedding all 26,104 texts takes hours on one wasm thread, so
 *           texts/s is measured on an evenly spaced sample (`--minilm-sample N`, default 384)
 *           and the total is extrapolated (said so in the table).
 * Texts are embedded as the app does: sorted by length, batches of 32, padded per batch.
 * PyTorch: Debian python3-torch, one thread (tfjs-wasm in Node is single-threaded),
 * float32, its BLAS checked as in the encoder suite.
 */
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDatasetFromPaths } from '../src/cli/load-files.ts';
import { evaluateTextModel } from '../src/core/eval/dense.ts';
import { TORCH_ENCODER } from './encoder.ts';
import { buildEncoder } from '../src/core/encoder/synthetic.ts';
import { datasetTexts } from '../src/core/tokenize/dataset-tokens.ts';
import { embedTexts, loadTextModel, type TextModel } from '../src/core/tokenize/text-model.ts';
import type { Backend } from '../src/core/run-config.ts';
import { initNodeBackend } from '../src/node/backend.ts';
import { nodeFolderProvider } from '../src/node/model-source.ts';
import { GENERATED_MODELS_DIR } from '../test/support/mock-hub.ts';

const DATA = fileURLToPath(new URL('../../shared/data/xquad-r/', import.meta.url));
const MAX_LENGTH = 128;
const BATCH = 32;

interface Row { shape: string; impl: string; texts: number; measured: number; seconds: number; textsPerS: number; totalS: number; extrapolated: boolean; evalS?: number }

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** A random MiniLM-L12-shaped encoder (the encoder suite's) over the mBERT vocabulary, sharing the tiny model's tokenizer. */
function minilm(tiny: TextModel): TextModel {
  const enc = buildEncoder({ name: 'minilm', vocab: tiny.encoder.config.vocabSize, hidden: 384, layers: 12, heads: 12, ffn: 1536, seq: MAX_LENGTH, batch: BATCH });
  return { encoder: enc, tokenizer: tiny.tokenizer, maxLength: MAX_LENGTH };
}

const TORCH = String.raw`
import json, sys, time, os
import torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(1); torch.manual_seed(0)
cfg = json.load(open(sys.argv[1]))
out = {"torch": torch.__version__}
a, b = torch.randn(512, 512), torch.randn(512, 512); a @ b
t = time.perf_counter()
for _ in range(5): a @ b
out["matmul512_ms"] = (time.perf_counter() - t) / 5 * 1000
${TORCH_ENCODER}
rows = []
for c in cfg["shapes"]:
    m = Enc(c).eval()
    texts = c["ids"]
    order = sorted(range(len(texts)), key=lambda i: (len(texts[i]), i))
    t = time.perf_counter()
    with torch.no_grad():
        for s in range(0, len(order), c["batch"]):
            rows_ = [texts[i] for i in order[s:s + c["batch"]]]
            S = max(len(r) for r in rows_)
            ids = torch.tensor([r + [0] * (S - len(r)) for r in rows_]); mask = (torch.arange(S).unsqueeze(0) < torch.tensor([len(r) for r in rows_]).unsqueeze(1)).long()
            m(ids, mask)
    rows.append({"shape": c["name"], "seconds": time.perf_counter() - t, "texts": len(texts)})
out["rows"] = rows
print(json.dumps(out))
`;

export async function runDenseEval(argv: string[]): Promise<void> {
  const backends = (arg(argv, '--dense-backends') ?? 'wasm').split(',') as Backend[];
  const sample = Number(arg(argv, '--minilm-sample') ?? 384);
  const files = readdirSync(DATA).filter((f) => f.endsWith('.json')).sort().map((f) => DATA + f);
  const dataset = await loadDatasetFromPaths(files);
  const texts = [...datasetTexts(dataset, 'queries').map((t) => `query: ${t}`), ...datasetTexts(dataset, 'passages').map((t) => `passage: ${t}`)];
  const step = Math.max(1, Math.floor(texts.length / sample));
  const sampleTexts = texts.filter((_, i) => i % step === 0).slice(0, sample);
  const rows: Row[] = [];
  let torchIds: { tiny: number[][]; minilm: number[][] } | undefined;

  for (const backend of backends) {
    await initNodeBackend(backend);
    const tiny = await loadTextModel(nodeFolderProvider(join(GENERATED_MODELS_DIR, 'tiny-bert'))); // its own max length, 62 (64 positions)
    const tok = (ts: string[], maxLength: number) => { const r = tiny.tokenizer.encodeBatch(ts, { maxLength }); return Array.from({ length: ts.length }, (_, i) => Array.from(r.ids.subarray(r.offsets[i]!, r.offsets[i + 1]!))); };
    torchIds ??= { tiny: tok(texts, tiny.maxLength), minilm: tok(sampleTexts, MAX_LENGTH) };
    // tiny: the whole evaluation, as lab eval runs it.
    const t0 = performance.now();
    let embedS = 0;
    const r = await evaluateTextModel(tiny, dataset, {
      name: 'tiny-bert', scorer: `tfjs-${backend}`, batchSize: BATCH,
      tokenization: { queryPrefix: 'query: ', passagePrefix: 'passage: ' },
      onProgress: (p) => { if (p.phase === 'embed' && p.done === p.total) embedS = (performance.now() - t0) / 1000; },
    });
    const totalS = (performance.now() - t0) / 1000;
    rows.push({ shape: 'tiny', impl: `tfjs-${backend}`, texts: texts.length, measured: texts.length, seconds: embedS, textsPerS: texts.length / embedS, totalS, extrapolated: false, evalS: totalS - embedS });
    console.error(`tiny on ${backend}: ${texts.length} texts in ${embedS.toFixed(1)} s, whole evaluation ${totalS.toFixed(1)} s (mono mAP ${r.results.settings.mono!.macro.map.toFixed(4)})`);
    // minilm: a sample of the same texts.
    const m = minilm(tiny);
    await embedTexts(m, sampleTexts.slice(0, BATCH), { batchSize: BATCH }); // warm-up (kernels, shaders)
    const t1 = performance.now();
    await embedTexts(m, sampleTexts, { batchSize: BATCH });
    const s = (performance.now() - t1) / 1000;
    rows.push({ shape: 'minilm', impl: `tfjs-${backend}`, texts: texts.length, measured: sampleTexts.length, seconds: s, textsPerS: sampleTexts.length / s, totalS: texts.length / (sampleTexts.length / s), extrapolated: true });
    console.error(`minilm on ${backend}: ${sampleTexts.length} sampled texts in ${s.toFixed(1)} s`);
    m.encoder.dispose();
    tiny.encoder.dispose();
  }

  let torchNote = '';
  if (!argv.includes('--no-torch') && torchIds) {
    const dir = mkdtempSync(join(tmpdir(), 'dense-bench-'));
    const input = join(dir, 'in.json');
    writeFileSync(input, JSON.stringify({ shapes: [
      { name: 'tiny', vocab: 119547, hidden: 32, layers: 2, heads: 4, ffn: 64, batch: BATCH, ids: torchIds.tiny },
      { name: 'minilm', vocab: 119547, hidden: 384, layers: 12, heads: 12, ffn: 1536, batch: BATCH, ids: torchIds.minilm },
    ] }));
    const p = spawnSync('/usr/bin/python3', ['-c', TORCH, input], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (p.status !== 0) torchNote = `PyTorch run failed: ${(p.stderr || '').slice(-400)}`;
    else {
      const out = JSON.parse(p.stdout.trim().split('\n').pop()!) as { torch: string; matmul512_ms: number; rows: { shape: string; seconds: number; texts: number }[] };
      if (out.matmul512_ms > 30) torchNote = `PyTorch uses the reference BLAS (512³ matmul ${out.matmul512_ms.toFixed(0)} ms): ratio refused; install libopenblas0-pthread`;
      else {
        torchNote = `PyTorch ${out.torch}, 1 thread, 512³ matmul ${out.matmul512_ms.toFixed(1)} ms`;
        for (const t of out.rows) {
          rows.push({ shape: t.shape, impl: 'pytorch-cpu', texts: texts.length, measured: t.texts, seconds: t.seconds, textsPerS: t.texts / t.seconds, totalS: texts.length / (t.texts / t.seconds), extrapolated: t.shape === 'minilm' });
        }
      }
    }
  }

  console.log(`\n## Dense evaluation of all of XQuAD-R (26,104 texts; max length 62 tiny, ${MAX_LENGTH} minilm; batch ${BATCH})`);
  console.log(`machine: ${os.cpus()[0]?.model} (${os.cpus().length} cores), Node ${process.version}; ${torchNote}`);
  console.log('\n| shape | implementation | embed texts/s | embed all (s) | whole evaluation (s) | vs PyTorch (texts/s) |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    const torch = rows.find((x) => x.shape === r.shape && x.impl === 'pytorch-cpu');
    const ratio = torch && r.impl !== 'pytorch-cpu' ? `${(torch.textsPerS / r.textsPerS).toFixed(1)}× slower` : r.impl === 'pytorch-cpu' ? 'reference' : '—';
    const all = `${r.totalS.toFixed(r.totalS < 100 ? 1 : 0)}${r.extrapolated ? ` (from ${r.measured} texts)` : ''}`;
    console.log(`| ${r.shape} | ${r.impl} | ${r.textsPerS.toFixed(1)} | ${r.extrapolated || r.impl === 'pytorch-cpu' ? all : r.seconds.toFixed(1)} | ${r.evalS !== undefined ? r.totalS.toFixed(1) : '—'} | ${ratio} |`);
  }
}
