/** Public API of the dataset core (pure TS: runs in Node, a worker and the page). */
export type { ShardSource } from './shard-source.ts';
export { shardSourceFromBytes, baseName } from './shard-source.ts';
export { detectShardFormat, detectShardSourceFormat, languageFromFileName, resolveLanguage, EXPECTED_FORMATS } from './detect.ts';
export { LANGUAGE_NAMES, isLanguageCode, languageName, checkLanguage } from './languages.ts';
export { parseShard, type ParseShardOptions } from './parse-shard.ts';
export { buildDataset, type BuildOptions } from './build.ts';
export { datasetStats, emptyStats } from './stats.ts';
export type * from './types.ts';
export { DATASET_FORMAT_OF } from './types.ts';
export { splitDataset, type SplitOptions, type SplitName, type DatasetSplits } from './split.ts';
