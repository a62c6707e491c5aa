/**
 * The Train panel's starting values: the paper's settings (hybrid batches,
 * alpha 0.5, lr 3e-5, temperature 0.05, weight decay 0.01) scaled to the
 * device. The paper's batch of 100 needs a data-centre GPU; here the batch
 * is what one step's activations allow, and the gradient cache
 * (`cacheChunk`) keeps the memory of a larger batch at that of a chunk.
 *
 * Activation memory of a step grows with batch × 2 (query and passage) ×
 * length × hidden × layers; the budgets below are per backend, measured
 * roughly on these machines (wasm and cpu hold everything in the tab's
 * heap; a hardware GPU has its own memory).
 */
import type { Backend } from '../run-config.ts';

export interface DeviceShape {
  backend: Backend;
  /** Hidden size and layers of the loaded encoder. */
  hidden: number;
  layers: number;
  maxLength: number;
  /** navigator.deviceMemory (GB), when the browser says. */
  deviceMemoryGB?: number;
}

export interface SuggestedBatch {
  batchSize: number;
  /** Set when the batch is embedded in chunks (gradient cache) to fit. */
  cacheChunk?: number;
  reason: string;
}

/** Bytes of activations one step may hold: a quarter of device memory on a CPU backend, 2 GB on a GPU. */
function activationBudget(d: DeviceShape): number {
  if (d.backend === 'webgpu') return 2e9;
  return Math.min(4, d.deviceMemoryGB ?? 4) * 1e9 / 4;
}

/**
 * ~ 16 float32 activations per (token, hidden unit, layer) are kept for the backward pass (attention,
 * feed-forward at 4× hidden, norms); with recomputation per layer (grads.ts) the peak is a few layers'
 * worth, so this overestimates, which is the safe side.
 */
export function suggestedBatch(d: DeviceShape, paperBatch = 32): SuggestedBatch {
  const perText = 16 * 4 * d.maxLength * d.hidden * Math.min(d.layers, 4);
  const fits = Math.max(2, Math.floor(activationBudget(d) / (2 * perText)));
  if (fits >= paperBatch) return { batchSize: paperBatch, reason: `${paperBatch} pairs fit one step on ${d.backend}` };
  // Keep the batch (more in-batch negatives) and embed it in chunks that fit.
  const chunk = Math.max(2, 2 * fits);
  return { batchSize: paperBatch, cacheChunk: chunk, reason: `a step of ${paperBatch} pairs does not fit ${d.backend}'s memory at once: embedded ${chunk} texts at a time (gradient cache, same gradients)` };
}
