/** Public API of the encoder (see each module for details). */
export { parseEncoderConfig, maxSequenceLength, positionIds, SUPPORTED_MODEL_TYPES, type EncoderConfig, type ModelType, type HiddenAct } from './config.ts';
export { parseSafetensors, writeSafetensors, f16ToF32, f32ToF16, f32ToBF16, type SafetensorsFile, type SafeTensorInfo, type TensorToWrite } from './safetensors.ts';
export { paramSpecs, mapWeights, ARCH_PREFIX, type ParamSpec, type WeightMapping } from './weights.ts';
export { readHeadConfig, type FileProvider, type HeadConfig, type DenseHead, type DenseActivation } from './st-layout.ts';
export { Encoder, toTokenBatch, type TokenBatch, type FreezeOptions, type EncoderParam } from './model.ts';
export { loadEncoder, readEncoderConfig, readWeights, MODEL_FILES, type LoadOptions } from './load.ts';
export { planVocabTrim, trimEncoderVocab, remapTokenIds, type VocabTrim, type TrimInput } from './trim.ts';
export { exportEncoder, remapTokenizerJson, type ExportOptions, type ExportedFolder } from './export.ts';
export { lossAndGradients, type LossAndGradients } from './grads.ts';
