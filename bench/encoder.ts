/**
 * `npm run bench -- encoder [--backends wasm,cpu] [--budget-s 20] [--full-cpu] [--no-torch]`
 *
 * Sentences/s to embed (forward + mean pooling + normalize) and training steps/s
 * (in-batch InfoNCE over 16 query-passage pairs = 32 sequences, backward, Adam) for
 *   minilm: paraphrase-multilingual-MiniLM-L12-v2 shape — 12 layers, hidden 384, 12 heads,
 *           FFN 1536, seq 128, batch 32; vocabulary 32,000 rows (what trimming leaves for a
 *           few datasets; the full 250k table only adds a dense embedding update)
 *   tiny:   the generated tiny models' shape — 2 layers, hidden 32, 4 heads, FFN 64,
 *           vocabulary 119,547, seq 128, batch 32
 * per tfjs backend available in Node, next to the same computation in PyTorch
 * (Debian python3-torch, one thread, float32) on the same CPU in the same run.
 * tfjs-wasm in Node is single-threaded, hence one PyTorch thread. The PyTorch side
 * checks its BLAS (torch.__config__.show() and a timed 512^3 matmul) and the ratio is
 * refused when the reference BLAS is in use (../shared/docs/PLATFORM.md).
 *
 * tfjs-cpu is plain JavaScript: the MiniLM shape runs there only with --full-cpu.
 * Each figure: one warm-up, then as many iterations as fit in the budget (at least one);
 * an iteration longer than the budget is measured once, without warm-up.
 * The tfjs training step uses lossAndGradients (per-layer checkpointed backward) and
 * Adam; PyTorch uses autograd and Adam.
 */
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { lossAndGradients } from '../src/core/encoder/grads.ts';
import { initNodeBackend } from '../src/node/backend.ts';
import { kernelsFor } from '../src/core/tf/ops.ts';
import { batchFor, buildEncoder, SHAPES, type Shape } from '../src/core/encoder/synthetic.ts';

/** The shapes a plain run measures. */
export const DEFAULT_SHAPES = 'tiny,minilm';
const TEMPERATURE = 0.05;

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function infoNCE(emb: tf.Tensor2D, nq: number): tf.Scalar {
  const q = tf.slice(emb, [0, 0], [nq, -1]);
  const p = tf.slice(emb, [nq, 0], [nq, -1]);
  const logits = tf.div(tf.matMul(q, tf.transpose(p)), TEMPERATURE);
  return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.range(0, nq, 1, 'int32'), nq), logits) as tf.Scalar;
}

/**
 * Mean seconds per iteration after one warm-up, iterating within budgetS (at least once).
 * When the first iteration alone exceeds the budget it is the measurement (n = 1):
 * wasm/cpu have no shader compilation, so a slow step is not dominated by warm-up.
 */
async function time(fn: () => Promise<void>, budgetS: number): Promise<{ s: number; n: number }> {
  const w0 = performance.now();
  await fn();
  const first = (performance.now() - w0) / 1000;
  if (first > budgetS) return { s: first, n: 1 };
  let n = 0;
  const t0 = performance.now();
  do {
    await fn();
    n++;
  } while ((performance.now() - t0) / 1000 < budgetS && n < 10);
  return { s: (performance.now() - t0) / 1000 / n, n };
}

export interface Row { shape: string; impl: string; batch: number; embedS?: number; embedN?: number; stepS?: number; stepN?: number; note?: string }

async function benchTfjs(backend: 'wasm' | 'cpu', s: Shape, budgetS: number): Promise<Row> {
  await initNodeBackend(backend);
  const enc = buildEncoder(s);
  const batch = batchFor(s);
  const k = kernelsFor();
  const emb = await time(async () => {
    const e = tf.tidy(() => enc.pool(batch, k));
    await e.data();
    e.dispose();
  }, budgetS);
  const opt = tf.train.adam(2e-5);
  const vars = enc.trainableVariables();
  const step = await time(async () => {
    // Checkpointed gradients: the plain tape needs > 4 GB for the MiniLM shape (see grads.ts).
    const { grads } = await lossAndGradients(enc, [batch], ([e]) => infoNCE(e!, s.batch / 2), k);
    opt.applyGradients(Object.entries(grads).map(([name, tensor]) => ({ name, tensor })));
    tf.dispose(Object.values(grads));
    await vars[0]!.data();
  }, budgetS);
  opt.dispose();
  enc.dispose();
  return { shape: s.name, impl: `tfjs-${backend}`, batch: s.batch, embedS: emb.s, embedN: emb.n, stepS: step.s, stepN: step.n };
}

/** The PyTorch encoder of the benchmarks' shapes (BERT layer math, mean pooling, normalize): Python source. */
export const TORCH_ENCODER = String.raw`class Enc(nn.Module):
    def __init__(s, c):
        super().__init__()
        s.word = nn.Embedding(c["vocab"], c["hidden"]); s.pos = nn.Embedding(512, c["hidden"]); s.typ = nn.Embedding(2, c["hidden"])
        s.ln = nn.LayerNorm(c["hidden"], eps=1e-12)
        s.layers = nn.ModuleList(nn.TransformerEncoderLayer(c["hidden"], c["heads"], c["ffn"], dropout=0.0, activation="gelu",
                                 layer_norm_eps=1e-12, batch_first=True) for _ in range(c["layers"]))
    def forward(s, ids, mask):
        B, S = ids.shape
        x = s.ln(s.word(ids) + s.pos(torch.arange(S)).unsqueeze(0) + s.typ(torch.zeros_like(ids)))
        for l in s.layers: x = l(x, src_key_padding_mask=(mask == 0))
        m = mask.unsqueeze(-1).float()
        return F.normalize((x * m).sum(1) / m.sum(1).clamp(min=1e-9), dim=1)
`;

const TORCH = String.raw`
import json, sys, time, ctypes
import torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(1)
torch.manual_seed(0)
cfg = json.loads(sys.argv[1])
out = {"config": torch.__config__.show(), "torch": torch.__version__}
a, b = torch.randn(512, 512), torch.randn(512, 512)
a @ b
t = time.perf_counter()
for _ in range(5): a @ b
out["matmul512_ms"] = (time.perf_counter() - t) / 5 * 1000
try:
    import os
    out["libblas"] = os.path.realpath("/etc/alternatives/libblas.so.3-x86_64-linux-gnu")
except Exception as e:
    out["libblas"] = str(e)

${TORCH_ENCODER}def timeit(fn, budget):
    t = time.perf_counter(); fn(); first = time.perf_counter() - t
    if first > budget: return first, 1
    n = 0; t = time.perf_counter()
    while True:
        fn(); n += 1
        if time.perf_counter() - t >= budget or n >= 10: break
    return (time.perf_counter() - t) / n, n

res = []
for c in cfg["shapes"]:
    m = Enc(c)
    g = torch.Generator().manual_seed(7)
    ids = torch.randint(1000, c["vocab"], (c["batch"], c["seq"]), generator=g); ids[:, 0] = 101; ids[:, -1] = 102
    mask = torch.ones_like(ids)
    def embed():
        m.eval()
        with torch.no_grad(): m(ids, mask)
    opt = torch.optim.Adam(m.parameters(), lr=2e-5)
    nq = c["batch"] // 2
    def step():
        m.train(); opt.zero_grad()
        e = m(ids, mask)
        loss = F.cross_entropy(e[:nq] @ e[nq:].T / 0.05, torch.arange(nq))
        loss.backward(); opt.step()
    es, en = timeit(embed, cfg["budget"]); ss, sn = timeit(step, cfg["budget"])
    res.append({"shape": c["name"], "embedS": es, "embedN": en, "stepS": ss, "stepN": sn, "batch": c["batch"]})
out["rows"] = res
print(json.dumps(out))
`;

export interface TorchOut { config: string; torch: string; matmul512_ms: number; libblas: string; rows: Row[] }

export function benchTorch(shapes: Shape[], budgetS: number): TorchOut | string {
  const r = spawnSync('/usr/bin/python3', ['-c', TORCH, JSON.stringify({ shapes, budget: budgetS })], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) return `PyTorch run failed: ${(r.stderr || r.error?.message || '').slice(-800)}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchOut;
}

const fmt = (x: number | undefined, d = 2): string => (x === undefined ? '—' : x.toFixed(d));

export async function run(argv: string[]): Promise<void> {
  const backends = (arg(argv, '--backends') ?? 'wasm,cpu').split(',') as ('wasm' | 'cpu')[];
  const budgetS = Number(arg(argv, '--budget-s') ?? 20);
  const fullCpu = argv.includes('--full-cpu');
  const cpu = os.cpus();
  console.log(`machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${os.platform()} ${os.release()}, node ${process.version}, tfjs ${tf.version.tfjs}`);
  console.log(`load average at start: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (other work on this machine slows every figure alike)`);

  const rows: Row[] = [];
  const shapes = SHAPES.filter((s) => (arg(argv, '--shapes') ?? DEFAULT_SHAPES).split(',').includes(s.name));
  for (const b of backends) {
    for (const s of shapes) {
      if (b === 'cpu' && s.name === 'minilm' && !fullCpu) {
        rows.push({ shape: s.name, impl: 'tfjs-cpu', batch: s.batch, note: 'skipped: plain-JS kernels, minutes per step (--full-cpu to run)' });
        continue;
      }
      console.log(`… ${s.name} on tfjs-${b}`);
      rows.push(await benchTfjs(b, s, budgetS));
    }
  }
  let torchRows: Row[] = [];
  let blasOk = false;
  if (!argv.includes('--no-torch')) {
    console.log('… PyTorch (same shapes, 1 thread)');
    const t = benchTorch(shapes, budgetS);
    if (typeof t === 'string') {
      console.log(t);
    } else {
      const blasLine = t.config.split('\n').find((l) => l.includes('BLAS_INFO')) ?? '';
      blasOk = t.matmul512_ms < 30;
      console.log(`PyTorch ${t.torch}; ${blasLine.trim().slice(0, 80)}…; libblas.so.3 → ${t.libblas}; 512^3 matmul ${t.matmul512_ms.toFixed(1)} ms`);
      if (!blasOk) console.log('PyTorch runs on the reference BLAS (512^3 matmul ≥ 30 ms): ratios refused; install libopenblas0-pthread');
      torchRows = t.rows.map((r) => ({ ...r, impl: 'pytorch-cpu-1thread' }));
    }
  }
  console.log('\nshape   impl                  batch  embed sent/s  (s/batch, n)   train steps/s  (s/step, n)   step time vs PyTorch');
  for (const r of [...rows, ...torchRows]) {
    const ref = torchRows.find((t) => t.shape === r.shape);
    const ratio = r.stepS !== undefined && ref?.stepS !== undefined && blasOk && r.impl !== ref.impl ? `${(r.stepS / ref.stepS).toFixed(1)}x slower` : '';
    const embedRatio = r.embedS !== undefined && ref?.embedS !== undefined && blasOk && r.impl !== ref.impl ? ` (embed ${(r.embedS / ref.embedS).toFixed(1)}x)` : '';
    console.log(
      `${r.shape.padEnd(7)} ${r.impl.padEnd(21)} ${String(r.batch).padStart(5)}  ` +
      `${r.embedS ? fmt(r.batch / r.embedS, 1).padStart(12) : '—'.padStart(12)}  (${fmt(r.embedS, 3)}, ${r.embedN ?? 0})`.padEnd(20) +
      `   ${r.stepS ? fmt(1 / r.stepS, 3).padStart(13) : '—'.padStart(13)}  (${fmt(r.stepS, 3)}, ${r.stepN ?? 0})   ${ratio}${embedRatio}${r.note ?? ''}`,
    );
  }
}
