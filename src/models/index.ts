// The model layer's public face: registry, sources, download with resume, stores, quota and capability
// checks, and ensureModel (what the engine and the UI import; nothing here imports ORT or React).

export { ModelError, isModelError, type ModelErrorCode } from './errors';
export { HUB_ENDPOINT, describeSource, fileUrl, isRepoId, parseModelRef, sourceKey, treeUrl, type ModelSource } from './source';
export {
  GRAPH_FILES,
  KNOWN_MODELS,
  SD15_FP16_EXTERNAL,
  SD15_FP16_SINGLE,
  EMBEDDED_MODELS,
  TOY_EMOJI_MODEL,
  TOY_MODEL,
  isEmbeddedModel,
  EMBEDDED_WITHOUT_ENCODER,
  downloadBytes,
  findModel,
  type ModelEntry,
  type ModelFileSpec,
  type ModelRequirements,
  type Precision,
  type WeightStorage,
} from './registry';
export { validateModelIndex, planFiles, type ModelIndex, type TreeEntry } from './modelIndex';
export { downloadFile, type DownloadOptions, type DownloadResult } from './download';
export { MemoryPartial, SEGMENT_BYTES, type PartialFile, type PartialInfo } from './partialFile';
export { formatBytes, formatDuration, formatProgress, type FileProgress, type OverallProgress } from './progress';
export {
  MemoryModelStore,
  deleteCachedModel,
  fileKey,
  listCachedModels,
  type CachedModel,
  type Damage,
  type DamageReason,
  type ModelStore,
  type StoredEntry,
  type StoredMeta,
} from './cache';
export { damagedError, dropDamaged, listDamage, markDamaged, redownloadBytes } from './damage';
export { CacheStorageModelStore } from './cacheStorage';
export { checkStorage, type StorageCheck, type StorageManagerLike } from './storageQuota';
export { batchSize, capabilitiesFromProbe, checkCapabilities, estimateMemory, type DeviceCapabilities, type ProbedAdapter, type RunPlan, type Verdict, type VerdictOptions } from './capabilities';
export { adapterKey, adapterLabel, describeChoice, softwareAdapterName, type AdapterFacts, type BackendChoice, type BackendMeasurement } from './backendChoice';
export { ensureModel, resolveModel, type EnsureModelOptions } from './ensureModel';
export { ModelFiles, type FileCheck, type Manifest } from './modelFiles';
