/**
 * `npm run bench -- threads [--shape small] [--reps 5] [--no-build] [--smoke]`
 *
 * tfjs's threaded SIMD wasm in a module worker of the built page (Debian's
 * chromium, cross-origin isolated by `vite preview`): the training step of a
 * synthetic encoder (trainStep: checkpointed gradients, AdamW) with one thread
 * and with every core, in the same page. Node cannot take this figure: tfjs
 * turns wasm threads off there (tfjs#3830).
 *
 * What bounds it: tfjs-backend-wasm hands a matmul to XNNPACK (SIMD, threaded)
 * only when it is 2-D and untransposed; the encoder's dense layers are written
 * that way (src/core/tf/ops.ts), but attention's batched products, softmax,
 * LayerNorm, GELU, reductions and the optimizer run on one thread. The
 * speed-up is capped by the share of the step in the dense matmuls.
 */
import os from 'node:os';
import { browserAvailable, CHROMIUM, runHarness } from './browser.ts';

interface Run { threads: number; ms: number; loss: number }
interface Result { cores: number; isolated: boolean; shape: string; one: Run; all: Run }

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

export async function run(argv: string[]): Promise<void> {
  const smoke = argv.includes('--smoke');
  const shape = arg(argv, '--shape') ?? 'small';
  const reps = Number(arg(argv, '--reps') ?? (smoke ? 1 : 5));
  const cpu = os.cpus();
  console.log(`machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, chromium ${CHROMIUM}, wasm backend in a module worker`);
  if (!browserAvailable()) {
    console.log(`threads: skipped, no chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);
    return;
  }
  const r = (await runHarness('threads', `shape=${shape}&reps=${reps}`, { build: !argv.includes('--no-build'), timeoutMs: smoke ? 180_000 : undefined })) as Result;
  if (!r.isolated) throw new Error('the preview page is not cross-origin isolated: no SharedArrayBuffer, no threads');
  if (r.one.loss !== r.all.loss) throw new Error(`the threaded step computed another loss (${r.all.loss} vs ${r.one.loss})`);
  console.log(`\nTraining step, shape ${r.shape}, ${reps} step(s) after one warm-up, ${r.cores} logical cores seen by the page`);
  console.log('| threads | ms / step | speed-up vs 1 thread |');
  console.log('|---|---|---|');
  console.log(`| ${r.one.threads} | ${r.one.ms.toFixed(0)} | 1.00× |`);
  console.log(`| ${r.all.threads} | ${r.all.ms.toFixed(0)} | ${(r.one.ms / r.all.ms).toFixed(2)}× |`);
  console.log(`wasm threads: ${r.all.threads} threads ${(r.one.ms / r.all.ms).toFixed(2)}× one thread (${r.shape} training step)`);
}
