// DDL of the per-order variant cache; see docs/VCF.md for why the keys look like this.
import { AMP_TIERS, type AmpTier } from '../core/admission.ts';

/**
 * migration 3 as it shipped (one shared `variants` table with jsonb INFO/FORMAT);
 * append-only: a store that applied it keeps it, migration 4 replaces the table
 */
export const VCF_CACHE_V1_SQL = `
CREATE TABLE vcf_files (
  id text PRIMARY KEY,
  order_id uuid NOT NULL,
  sha256 text NOT NULL,
  path text NOT NULL,
  sample text,
  status text NOT NULL CHECK (status IN ('loading', 'ready', 'superseded')),
  record_count integer NOT NULL DEFAULT 0,
  header jsonb NOT NULL DEFAULT '{}'::jsonb,
  samples text[] NOT NULL DEFAULT '{}',
  ingested_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (order_id, sha256)
);

CREATE INDEX vcf_files_order ON vcf_files (order_id, status);

CREATE TABLE variants (
  id text NOT NULL,
  file_id text NOT NULL,
  order_id uuid NOT NULL,
  ordinal integer NOT NULL,
  chrom text COLLATE "C" NOT NULL,
  pos integer NOT NULL,
  ref text NOT NULL,
  alt text NOT NULL,
  vcf_id text,
  gene text COLLATE "C",
  hgvs_c text,
  hgvs_p text,
  consequence text,
  tier text COLLATE "C" CHECK (tier IN ('IA', 'IB', 'IIC', 'IID', 'III', 'IV')),
  category text,
  vaf double precision,
  read_count integer,
  depth integer,
  pop_af double precision,
  clinvar text,
  filter text,
  alias text,
  qual double precision,
  info jsonb NOT NULL DEFAULT '{}'::jsonb,
  format jsonb,
  PRIMARY KEY (id, file_id)
);

CREATE INDEX variants_locus ON variants (file_id, ordinal);
CREATE INDEX variants_gene ON variants (file_id, gene, ordinal);
CREATE INDEX variants_vaf ON variants (file_id, vaf, ordinal);
CREATE INDEX variants_tier ON variants (file_id, tier, ordinal);
CREATE INDEX variants_category ON variants (file_id, category, ordinal);
`;

/**
 * cache layout 2 (migration 4): one table per ingested file, created by ingest, slim
 * columns only; INFO/FORMAT stay in a block-compressed copy of the records beside the
 * store. The cache is rebuilt from files, so the old table goes: its files become
 * 'stale' (listed by staleVcfFile, replaced by the next ingest of the order)
 */
export const VCF_CACHE_V2_SQL = `
DROP TABLE variants;
ALTER TABLE vcf_files DROP CONSTRAINT vcf_files_status_check;
DELETE FROM vcf_files WHERE status <> 'ready';
UPDATE vcf_files SET status = 'stale';
ALTER TABLE vcf_files ADD CONSTRAINT vcf_files_status_check CHECK (status IN ('loading', 'ready', 'superseded', 'stale'));
ALTER TABLE vcf_files ADD COLUMN column_line text;
ALTER TABLE vcf_files ADD COLUMN detail_path text;
`;

/**
 * cache layout 3 (migration 5): a file's table is partitioned and unlogged, its tier and
 * ordinal share tier_key, its display text is packed (see fileTableSql). Tables of
 * layout 2 cannot be read by it, so they go and their files become 'stale' too: the
 * next ingest of each order builds its table again
 */
export const VCF_CACHE_V3_SQL = `
DO $$
DECLARE f record;
BEGIN
  FOR f IN SELECT id FROM vcf_files LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I', 'variants_' || f.id);
  END LOOP;
END $$;
DELETE FROM vcf_files WHERE status NOT IN ('ready', 'stale');
UPDATE vcf_files SET status = 'stale';
`;

/** the whole cache DDL for a database that has none of it yet (migrations 3, 4 and 5 in order) */
export const VCF_MIGRATION_SQL = VCF_CACHE_V1_SQL + VCF_CACHE_V2_SQL + VCF_CACHE_V3_SQL;

/** column order of a file's rows as the ingest worker writes them (binary COPY or CSV) */
export const VARIANT_COLUMNS = [
  'ordinal',
  'id',
  'chrom',
  'pos',
  'gene',
  'tier_key',
  'category',
  'vaf',
  'read_count',
  'depth',
  'pop_af',
  'filter',
  'qual',
  'voff',
  'search_text',
  'display_text',
] as const;

export type VariantColumn = (typeof VARIANT_COLUMNS)[number];

/**
 * text fields that no eager index reads travel as two columns of fields joined by \x01
 * (a missing one is empty): COPY pays ~0.2 µs per text column and row, and the text
 * filter reads search_text whole. A \x01 inside a value is stored as %01
 */
export const SEARCH_FIELDS = ['hgvs_c', 'hgvs_p', 'consequence', 'alias', 'vcf_id'] as const;
export const DISPLAY_FIELDS = ['ref', 'alt', 'clinvar'] as const;
export type PackedField = (typeof SEARCH_FIELDS)[number] | (typeof DISPLAY_FIELDS)[number];
export const FIELD_SEPARATOR = '\x01';

export function packFields(values: readonly (string | null)[]): string {
  return values.map((v) => (v === null ? '' : v.includes(FIELD_SEPARATOR) ? v.replaceAll(FIELD_SEPARATOR, '%01') : v)).join(FIELD_SEPARATOR);
}

export function unpackFields(packed: string, n: number): (string | null)[] {
  const parts = packed.split(FIELD_SEPARATOR);
  return Array.from({ length: n }, (_, i) => (parts[i] ? parts[i] : null));
}

/** a row's two packed columns, field by field, by name */
export function unpackRow(searchText: string, displayText: string): Record<PackedField, string | null> {
  const search = unpackFields(searchText, SEARCH_FIELDS.length);
  const display = unpackFields(displayText, DISPLAY_FIELDS.length);
  const out = {} as Record<PackedField, string | null>;
  SEARCH_FIELDS.forEach((f, i) => (out[f] = search[i] ?? null));
  DISPLAY_FIELDS.forEach((f, i) => (out[f] = display[i] ?? null));
  return out;
}

export function isPackedField(key: string): key is PackedField {
  return (SEARCH_FIELDS as readonly string[]).includes(key) || (DISPLAY_FIELDS as readonly string[]).includes(key);
}

/** a packed field as SQL on the table aliased `alias` ('' for none, as in an index) */
export function packedFieldSql(field: PackedField, alias = ''): string {
  const search = (SEARCH_FIELDS as readonly string[]).indexOf(field);
  const column = search >= 0 ? 'search_text' : 'display_text';
  const n = (search >= 0 ? search : (DISPLAY_FIELDS as readonly string[]).indexOf(field)) + 1;
  return `NULLIF(split_part(${alias ? `${alias}.` : ''}${column}, E'\\x01', ${n}), '')`;
}

/**
 * tier_key: a row's tier and ordinal in one integer, the tier's rank (IA … IV, then no
 * tier) above ORDINAL_BITS bits of ordinal. Its index orders rows by (tier, ordinal) at
 * the cost of an integer sort, a third of the cost of sorting (tier text, ordinal)
 */
const ORDINAL_BITS = 28;
const TIER_UNIT = 2 ** ORDINAL_BITS;
/** the most records a file may have: its ordinals must fit beside the tier */
export const MAX_RECORDS = TIER_UNIT - 1;
/** rank of a row without a tier: after IV */
const NO_TIER = AMP_TIERS.length;

function tierRank(tier: AmpTier | null): number {
  const rank = tier === null ? -1 : AMP_TIERS.indexOf(tier);
  return rank < 0 ? NO_TIER : rank;
}

export function tierKey(tier: AmpTier | null, ordinal: number): number {
  return tierRank(tier) * TIER_UNIT + ordinal;
}

export function tierOfKey(key: number): AmpTier | null {
  return AMP_TIERS[Math.floor(key / TIER_UNIT)] ?? null;
}

/** the keys of a tier's rows (null: rows without a tier): from ≤ key < to */
export function tierKeyRange(tier: AmpTier | null): { from: number; to: number } {
  const rank = tierRank(tier);
  return { from: rank * TIER_UNIT, to: (rank + 1) * TIER_UNIT };
}

const FILE_ID_RE = /^[0-9a-f]{16}$/;

/** the table holding one file's rows; file ids are 16 hex digits, so the name needs no quoting */
export function fileTable(fileId: string): string {
  // ids come from vcfFileId or the vcf_files table; anything else is a programming error
  if (!FILE_ID_RE.test(fileId)) throw new RangeError(`not a VCF file id: ${fileId}`);
  return `variants_${fileId}`;
}

/**
 * a file's table, created when its ingest starts: partitioned by ordinal ranges
 * (partitionRange), each partition a table of its own made as its first rows arrive.
 * Text is bytewise (COLLATE "C": the same order on PGlite and PostgreSQL); the tier is
 * in tier_key. No index while a partition fills: its indexes are built once it
 * is full, while the parser reads the next one
 */
export function fileTableSql(fileId: string): string {
  const t = fileTable(fileId);
  return `CREATE TABLE ${t} (
  ordinal integer NOT NULL,
  id text NOT NULL,
  chrom text COLLATE "C" NOT NULL,
  pos integer NOT NULL,
  gene text COLLATE "C",
  tier_key integer NOT NULL,
  category text COLLATE "C",
  vaf double precision,
  read_count integer,
  depth integer,
  pop_af double precision,
  filter text COLLATE "C",
  qual double precision,
  voff bigint NOT NULL,
  search_text text COLLATE "C" NOT NULL,
  display_text text COLLATE "C" NOT NULL
) PARTITION BY RANGE (ordinal)`;
}

/** records per partition: 2^17 in the first eight (a million records), 2^19 after */
const SMALL_PARTITION = 1 << 17;
const SMALL_PARTITIONS = 8;
const LARGE_PARTITION = 1 << 19;
const SMALL_END = SMALL_PARTITION * SMALL_PARTITIONS;

/** the partition holding an ordinal (ordinals start at 1) */
export function partitionOf(ordinal: number): number {
  const i = ordinal - 1;
  return i < SMALL_END ? Math.floor(i / SMALL_PARTITION) : SMALL_PARTITIONS + Math.floor((i - SMALL_END) / LARGE_PARTITION);
}

/** the ordinals of partition k: from ≤ ordinal < to */
export function partitionRange(k: number): { from: number; to: number } {
  if (k < SMALL_PARTITIONS) return { from: k * SMALL_PARTITION + 1, to: (k + 1) * SMALL_PARTITION + 1 };
  const from = SMALL_END + (k - SMALL_PARTITIONS) * LARGE_PARTITION + 1;
  return { from, to: from + LARGE_PARTITION };
}

/** the ordinal is the last of its partition: a batch of rows never spans two */
export function endsPartition(ordinal: number): boolean {
  return partitionRange(partitionOf(ordinal)).to === ordinal + 1;
}

export function partitionTable(fileId: string, k: number): string {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`not a partition number: ${k}`);
  return `${fileTable(fileId)}_${k}`;
}

/**
 * UNLOGGED: the cache is rebuilt from files, so its rows skip the write-ahead log (a
 * third of the load's cost). A store that was not shut down cleanly comes back with
 * these tables empty; currentVcfFile notices and marks the file stale
 */
export function partitionSql(fileId: string, k: number): string {
  const { from, to } = partitionRange(k);
  return `CREATE UNLOGGED TABLE ${partitionTable(fileId, k)} PARTITION OF ${fileTable(fileId)} FOR VALUES FROM (${from}) TO (${to})`;
}

/**
 * indexes built with the load, partition by partition: the locus order, and the presets'
 * and report drafting's sorts and filters (tier, VAF)
 */
export const EAGER_INDEXES = ['ordinal', 'vaf', 'tier_key'] as const;

/**
 * indexes built the first time a page of a ready file is sorted (or, gene and category,
 * filtered) by their column; the id's the first time a variant is looked up by id alone
 * (the browser reads its rows' details by ordinal). The gene's is the costliest of the
 * load's (1.1 s per million rows: many rows share a gene, so its sort compares text),
 * and a file is often read without a gene filter
 */
export const LAZY_INDEXES = ['gene', 'category', 'hgvs_c', 'hgvs_p', 'consequence', 'read_count', 'depth', 'pop_af', 'clinvar', 'filter', 'id'] as const;

/**
 * the category filter ignores case ("fusion" finds "Fusion"): it compares lower(category),
 * through this expression index, built on the first category filter of a ready file
 */
export const CATEGORY_FILTER_INDEX = 'category_ci';

/**
 * rows sampled for statistics: this × 300 per table (PostgreSQL's default is 100): the
 * planner needs the columns' shape, not their every value
 */
export const STATISTICS_TARGET = 10;

/** the columns filters test: the planner's statistics are gathered for these only */
export const FILTERED_COLUMNS = ['gene', 'tier_key', 'vaf', 'category', 'filter', 'chrom', 'pos'] as const;

export type IndexedColumn = (typeof EAGER_INDEXES)[number] | (typeof LAZY_INDEXES)[number] | typeof CATEGORY_FILTER_INDEX;

export function indexName(fileId: string, column: IndexedColumn): string {
  return `${fileTable(fileId)}_${column}`;
}

/** (column, ordinal) serves both sort directions and the column's filters; the id needs no order, tier_key holds the ordinal */
function indexColumns(column: IndexedColumn): string {
  if (column === 'id' || column === 'ordinal' || column === 'tier_key') return column;
  if (column === CATEGORY_FILTER_INDEX) return 'lower(category), ordinal';
  if (isPackedField(column)) return `(${packedFieldSql(column)}), ordinal`;
  return `"${column}", ordinal`;
}

/** a lazy index, on the whole file's table (PostgreSQL builds it partition by partition) */
export function indexSql(fileId: string, column: IndexedColumn): string {
  return `CREATE INDEX IF NOT EXISTS ${indexName(fileId, column)} ON ${fileTable(fileId)} (${indexColumns(column)})`;
}

/** an eager index of one partition, built once the partition is full */
export function partitionIndexSql(fileId: string, k: number, column: (typeof EAGER_INDEXES)[number]): string {
  return `CREATE INDEX ${partitionTable(fileId, k)}_${column} ON ${partitionTable(fileId, k)} (${indexColumns(column)})`;
}
