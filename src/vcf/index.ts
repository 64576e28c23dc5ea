// the VCF area's one public door: ingest into the per-order variant cache and read it back
export { VCF_MIGRATION_SQL, VARIANT_COLUMNS } from './schema.ts';
export {
  ingestVcf,
  recoverVcfCache,
  dropOrderVariants,
  vcfCacheDir,
  type IngestOptions,
  type IngestResult,
  type IngestErrorCode,
} from './ingest.ts';
export {
  listVariants,
  countVariants,
  getVariant,
  currentVcfFile,
  staleVcfFile,
  variantFilterSchema,
  variantSortSchema,
  variantFilterPresetSchema,
  DEFAULT_FILTER_PRESETS,
  DEFAULT_SORT,
  VARIANT_SORT_KEYS,
  type ListVariantsOptions,
  type OnIndexBuild,
  type GetVariantOptions,
  type VariantFilter,
  type VariantFilterPreset,
  type VariantSort,
  type VariantSortKey,
  type VariantRow,
  type VariantDetail,
  type VariantDetailErrorCode,
  type VariantPage,
  type OrderVcfFile,
} from './query.ts';
export { sampleThresholds, orderAdmissionThresholds } from './thresholds.ts';
export { variantId, vcfFileId } from './ids.ts';
export { FORMAT_SAMPLE_LIMIT, POP_AF_INFO_KEYS, POP_AF_CSQ_KEYS, type HeaderJson } from './header.ts';
