/** Public API of the evaluation engine (see each module for the why). */
export { compareDocIds, docIdTieKeys, ranksBefore, compareRanked, rankIndices } from './tie-rule.ts';
export { METRIC_NAMES, queryMetrics, ndcgAt, numRelevant, macroAverage, MetricAccumulator, type MetricName, type MetricValues, type JudgedRanks } from './metrics.ts';
export { rowsPerBlock, selectRows, type EmbeddingMatrix, type RowScorer, type Similarity } from './scorer.ts';
export { createCpuScorer } from './scorer-cpu.ts';
export { createTfjsScorer, useTfjsBackend, type TfjsBackendName } from './scorer-tfjs.ts';
export { runPoolPass, selectTop, judgedRanks, type PoolSpec, type PoolJudgments, type PoolQueryResult, type TopList } from './pool-pass.ts';
export { denseModel, type ScoringModel, type ScorerRequest, type DenseBackend } from './scoring-model.ts';
export { evaluateDataset, evaluateLareqa, evaluateMiracl, settingQrels, pairKey, runQueryId, type RunSink, type EvaluateOptions } from './evaluate.ts';
export { resultsToJSON, parseResults, AVERAGING_NOTE, type EvalResults, type SettingResult, type PairResult, type LanguageBiasResult, type EvalDescription } from './results.ts';
export { parseRun, parseQrels, RunParser, QrelsParser, formatRunLines, formatQrelsLines, runTag, type Run } from './trec.ts';
export { evaluateRun, type RunEvaluation, type TrecMeasures } from './run-eval.ts';
