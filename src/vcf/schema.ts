// DDL of the per-order variant cache; see docs/VCF.md for why the keys look like this.

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

/** the whole cache DDL for a database that has none of it yet (migrations 3 and 4 in order) */
export const VCF_MIGRATION_SQL = VCF_CACHE_V1_SQL + VCF_CACHE_V2_SQL;

/** column order of a file's rows as the ingest worker writes them (binary COPY or CSV) */
export const VARIANT_COLUMNS = [
  'ordinal',
  'id',
  'chrom',
  'pos',
  'ref',
  'alt',
  'vcf_id',
  'gene',
  'hgvs_c',
  'hgvs_p',
  'consequence',
  'tier',
  'category',
  'vaf',
  'read_count',
  'depth',
  'pop_af',
  'clinvar',
  'filter',
  'alias',
  'qual',
  'voff',
] as const;

export type VariantColumn = (typeof VARIANT_COLUMNS)[number];

const FILE_ID_RE = /^[0-9a-f]{16}$/;

/** the table holding one file's rows; file ids are 16 hex digits, so the name needs no quoting */
export function fileTable(fileId: string): string {
  // ids come from vcfFileId or the vcf_files table; anything else is a programming error
  if (!FILE_ID_RE.test(fileId)) throw new RangeError(`not a VCF file id: ${fileId}`);
  return `variants_${fileId}`;
}

/**
 * a file's table, created when its ingest starts. Text is bytewise (COLLATE "C": the
 * same order on PGlite and PostgreSQL, and IA < IB < IIC < IID < III < IV). No index
 * but the primary key while rows arrive: the rest are built once, after the load
 */
export function fileTableSql(fileId: string): string {
  const t = fileTable(fileId);
  return `CREATE TABLE ${t} (
  ordinal integer NOT NULL,
  id text NOT NULL,
  chrom text COLLATE "C" NOT NULL,
  pos integer NOT NULL,
  ref text NOT NULL,
  alt text NOT NULL,
  vcf_id text COLLATE "C",
  gene text COLLATE "C",
  hgvs_c text COLLATE "C",
  hgvs_p text COLLATE "C",
  consequence text COLLATE "C",
  tier text COLLATE "C",
  category text COLLATE "C",
  vaf double precision,
  read_count integer,
  depth integer,
  pop_af double precision,
  clinvar text COLLATE "C",
  filter text COLLATE "C",
  alias text COLLATE "C",
  qual double precision,
  voff bigint NOT NULL,
  CONSTRAINT ${t}_pkey PRIMARY KEY (ordinal)
)`;
}

/** indexes built with the load: the presets' sorts and filters, report drafting's tiers, and the id for getVariant */
export const EAGER_INDEXES = ['id', 'gene', 'vaf', 'tier'] as const;

/** indexes built the first time a page of a ready file is sorted (or, category, filtered) by their column */
export const LAZY_INDEXES = ['category', 'hgvs_c', 'hgvs_p', 'consequence', 'read_count', 'depth', 'pop_af', 'clinvar', 'filter'] as const;

/**
 * the category filter ignores case ("fusion" finds "Fusion"): it compares lower(category),
 * through this expression index, built on the first category filter of a ready file
 */
export const CATEGORY_FILTER_INDEX = 'category_ci';

/** the columns filters test: the planner's statistics are gathered for these only */
export const FILTERED_COLUMNS = ['gene', 'tier', 'vaf', 'category', 'filter', 'chrom', 'pos'] as const;

export type IndexedColumn = (typeof EAGER_INDEXES)[number] | (typeof LAZY_INDEXES)[number] | typeof CATEGORY_FILTER_INDEX;

export function indexName(fileId: string, column: IndexedColumn): string {
  return `${fileTable(fileId)}_${column}`;
}

/** (column, ordinal) serves both sort directions and the column's filters; the id needs no order */
export function indexSql(fileId: string, column: IndexedColumn): string {
  const cols = column === 'id' ? 'id' : column === CATEGORY_FILTER_INDEX ? 'lower(category), ordinal' : `"${column}", ordinal`;
  return `CREATE INDEX IF NOT EXISTS ${indexName(fileId, column)} ON ${fileTable(fileId)} (${cols})`;
}
