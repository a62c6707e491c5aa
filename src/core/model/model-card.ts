/**
 * README.md model cards for exported model folders, in the layout
 * sentence-transformers writes: YAML front matter (language, library_name,
 * pipeline_tag, tags, base_model, datasets, metrics, model-index with the
 * evaluation results), then prose and tables. Everything in it comes from the
 * objects the lab already holds: the RunConfig, the training languages (held-out
 * ones named), the sampler and alpha schedule, and the base and trained
 * results (per-setting macros, per-pair table, language bias), so the card's
 * numbers are the results object's numbers.
 */
import type { EvalResults, SettingResult } from '../eval/results.ts';
import type { AlphaScheduleSchema, RunConfig, Setting } from '../run-config.ts';
import type { z } from 'zod';

type AlphaSchedule = z.infer<typeof AlphaScheduleSchema>;

export interface ModelCardInput {
  /** The folder's name, e.g. "polyglot-lab-hybrid-seed1". */
  name: string;
  config?: RunConfig | undefined;
  /** Evaluations of the exported model (trained) and, for comparison, of its start point (base). */
  trained?: readonly EvalResults[];
  base?: readonly EvalResults[];
  training?: { languages: readonly string[]; heldOut: readonly string[]; steps: number } | undefined;
  /** Software that made the model, e.g. { "polyglot-lab": "0.1.0", "@tensorflow/tfjs": "4.22.0" }. */
  versions: Record<string, string>;
  /** The dimension and pooling of the embeddings. */
  dim: number;
  pooling: string;
  maxLength: number;
}

const SETTINGS: readonly Setting[] = ['mono', 'cross', 'multi'];
const SETTING_NAME: Record<Setting, string> = { mono: 'monolingual', cross: 'cross-lingual', multi: 'multilingual pool' };

/** YAML scalar: always double-quoted JSON strings (a valid YAML subset), so no value can break the front matter. */
const q = (s: string): string => JSON.stringify(s);
const num = (x: number): string => (Number.isFinite(x) ? String(Number(x.toFixed(6))) : '.nan');
const f3 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(3));

function headline(r: EvalResults): 'map' | 'ndcg_cut_10' {
  return r.description.format === 'lareqa' ? 'map' : 'ndcg_cut_10';
}

export function describeAlpha(a: AlphaSchedule): string {
  switch (a.kind) {
    case 'constant': return `constant α = ${a.alpha}`;
    case 'linear': return `linear α from ${a.from} to ${a.to} over ${a.steps} steps`;
    case 'cosine': return `cosine α from ${a.from} to ${a.to} over ${a.steps} steps`;
    case 'step': return `α stepping through ${a.values.join(', ')} every ${a.every} steps`;
    case 'adaptive': return `adaptive α (initial ${a.initial}, within [${a.min}, ${a.max}], rate ${a.rate}, signal ${a.signal})`;
  }
}

function baseModelOf(c: RunConfig | undefined): string | undefined {
  if (!c) return undefined;
  if (c.model.source === 'hub') return c.model.id;
  if (c.model.source === 'folder') return c.model.name;
  return undefined;
}

function pairTable(s: SettingResult, metric: 'map' | 'ndcg_cut_10'): string[] {
  const keys = Object.keys(s.pairs).sort();
  return ['| pair | ' + metric + ' | recall@100 | queries |', '|---|---|---|---|',
    ...keys.map((k) => { const c = s.pairs[k]!; return `| ${k} | ${f3(c[metric])} | ${f3(c.recall_100)} | ${c.num_q} |`; })];
}

export function modelCard(m: ModelCardInput): string {
  const c = m.config;
  const t = c?.train;
  const trained = m.trained ?? [];
  const languages = [...new Set([...(m.training?.languages ?? []), ...(m.training?.heldOut ?? []), ...trained.flatMap((r) => r.counts.languages)])].sort();
  const datasets = [...new Set([...(t?.data ?? []).map((d) => d.name), ...(c?.datasets ?? []).map((d) => d.name)])];
  const base = baseModelOf(c);
  const y: string[] = ['---'];
  if (languages.length) y.push('language:', ...languages.map((l) => `- ${q(l)}`));
  y.push(`library_name: ${q('sentence-transformers')}`, `pipeline_tag: ${q('sentence-similarity')}`, 'tags:',
    ...['sentence-transformers', 'sentence-similarity', 'feature-extraction', 'cross-lingual-retrieval', 'polyglot-lab', ...(t ? [`sampler-${t.sampler}`] : [])].map((x) => `- ${q(x)}`));
  if (base) y.push(`base_model: ${q(base)}`);
  if (datasets.length) y.push('datasets:', ...datasets.map((d) => `- ${q(d)}`));
  y.push('metrics:', ...['map', 'ndcg_cut_10', 'recall_100'].map((x) => `- ${q(x)}`));
  if (trained.length) {
    y.push('model-index:', `- name: ${q(m.name)}`, '  results:');
    for (const r of trained) {
      for (const s of SETTINGS) {
        const sr = r.settings[s];
        if (!sr) continue;
        y.push('  - task:', `      type: ${q('retrieval')}`, `      name: ${q(`${SETTING_NAME[s]} retrieval`)}`,
          '    dataset:', `      type: ${q(r.description.dataset)}`, `      name: ${q(r.description.dataset)}`, `      config: ${q(s)}`,
          '    metrics:',
          ...(['map', 'ndcg_cut_10', 'recall_100'] as const).flatMap((k) => [`    - type: ${q(k)}`, `      value: ${num(sr.macro[k])}`]));
      }
    }
  }
  y.push('---', '');

  const md: string[] = [`# ${m.name}`, ''];
  md.push(`A sentence-transformers encoder${base ? ` fine-tuned from \`${base}\`` : ''} by Polyglot Lab (in the browser or its command line)${t ? `, with **${t.sampler === 'hybrid' ? 'hybrid' : t.sampler.toUpperCase()} batches** (arXiv 2408.10536)` : ''}.`,
    `It maps text to ${m.dim}-dimensional vectors (${m.pooling} pooling, up to ${m.maxLength} tokens) for cross-lingual retrieval by cosine similarity.`, '');
  md.push('## Usage', '', '```python', 'from sentence_transformers import SentenceTransformer', '', 'model = SentenceTransformer("path/to/this/folder")',
    `queries = model.encode([${q(`${c?.tokenization.queryPrefix ?? ''}Wer schrieb Faust?`)}])`, `passages = model.encode([${q(`${c?.tokenization.passagePrefix ?? ''}Goethe wrote Faust.`)}])`,
    'print(model.similarity(queries, passages))', '```', '');
  if (c?.tokenization.queryPrefix || c?.tokenization.passagePrefix) md.push(`Prefix queries with \`${c.tokenization.queryPrefix}\` and passages with \`${c.tokenization.passagePrefix}\`, as in training.`, '');
  if (t) {
    md.push('## Training', '', '| | |', '|---|---|',
      `| data | ${t.data.map((d) => `${d.name} (${d.split})`).join(', ')} |`,
      `| languages | ${m.training?.languages.join(', ') ?? '—'} |`,
      `| held out of training | ${t.heldOutLanguages.length ? t.heldOutLanguages.join(', ') : 'none'} |`,
      `| sampler | ${t.sampler}${t.sampler === 'xy' ? ` (${t.crossMode})` : ''} |`,
      `| alpha schedule | ${t.sampler === 'hybrid' ? describeAlpha(t.alpha) : 'n/a'} |`,
      `| loss | InfoNCE (${t.loss}), temperature ${t.temperature} |`,
      `| batch size × accumulation | ${t.batchSize} × ${t.accumulation} |`,
      `| steps | ${m.training?.steps ?? t.steps} of ${t.steps} |`,
      `| learning rate | ${t.lr} (warm-up ${t.warmupSteps} steps), weight decay ${t.weightDecay} |`,
      ...(t.mining ? [`| hard negatives | mined by ${t.mining.method}, ranks ${t.mining.from}–${t.mining.to}, ${t.mining.perPair} per pair |`] : []),
      `| seed | ${c!.seed} |`, '');
  }
  for (const [i, r] of trained.entries()) {
    const metric = headline(r);
    const b = m.base?.find((x) => x.description.dataset === r.description.dataset) ?? m.base?.[i];
    md.push(`## Evaluation: ${r.description.dataset}`, '', `${r.counts.queries} queries, ${r.counts.candidates} candidates, ${r.counts.languages.length} languages. Macro averages (unweighted over language pairs):`, '');
    md.push(`| setting | ${metric} | ndcg@10 | recall@100 |${b ? ` base ${metric} |` : ''}`, `|---|---|---|---|${b ? '---|' : ''}`);
    for (const s of SETTINGS) {
      const sr = r.settings[s];
      if (!sr) continue;
      md.push(`| ${SETTING_NAME[s]} | ${f3(sr.macro[metric])} | ${f3(sr.macro.ndcg_cut_10)} | ${f3(sr.macro.recall_100)} |${b ? ` ${f3(b.settings[s]?.macro[metric])} |` : ''}`);
    }
    md.push('');
    if (r.languageBias) md.push(`Language bias (mean rank distance in the multilingual pool, lower is better): **${r.languageBias.macro.toFixed(2)}**${b?.languageBias ? ` (base ${b.languageBias.macro.toFixed(2)})` : ''}.`, '');
    for (const s of SETTINGS) {
      const sr = r.settings[s];
      if (!sr) continue;
      md.push(`<details><summary>${SETTING_NAME[s]}: every language pair</summary>`, '', ...pairTable(sr, metric), '', '</details>', '');
    }
  }
  if (c) md.push('## RunConfig', '', 'The whole run, as the lab reads it back (`npm run lab -- train --config`):', '', '```json', JSON.stringify(c, null, 2), '```', '');
  md.push('## Software', '', ...Object.entries(m.versions).map(([k, v]) => `- ${k} ${v}`), '');
  return y.join('\n') + md.join('\n');
}
