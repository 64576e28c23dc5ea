// DDL of the per-order variant cache; see docs/VCF.md for why the keys look like this.

/** column order of variants rows as the ingest worker writes them (CSV for COPY) */
export const VARIANT_COLUMNS = [
  'id',
  'file_id',
  'order_id',
  'ordinal',
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
  'info',
  'format',
] as const;

export const VCF_MIGRATION_SQL = `
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
