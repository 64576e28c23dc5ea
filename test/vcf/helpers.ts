import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openPglite } from '../../src/db/pglite.ts';
import type { Sql, SqlDatabase } from '../../src/db/sql.ts';
import { isHeaderProblem, readHeader, type HeaderContext } from '../../src/vcf/header.ts';
import { dropOrderVariants, listVariants, recoverVcfCache, VCF_MIGRATION_SQL, type ListVariantsOptions, type VariantRow } from '../../src/vcf/index.ts';

export const ORDER = '7f1c4a52-1b7a-4d59-9c55-2d9a3f1b0a11';
export const ORDER2 = '0b6d3c1e-52f4-4f43-9a8e-6a0c2d7e9b10';

/** a database with the variant cache; in dataDir, the detail copies go to its sibling cache/vcf */
export async function openCache(dataDir?: string): Promise<SqlDatabase> {
  const db = await openPglite(dataDir);
  await db.exec(VCF_MIGRATION_SQL);
  return db;
}

/** every file of the cache dropped: tables, rows and detail copies */
export async function clearCache(db: Sql): Promise<void> {
  for (const r of await db.query<{ order_id: string }>('SELECT DISTINCT order_id FROM vcf_files')) await dropOrderVariants(db, r.order_id);
  await recoverVcfCache(db);
}

/** every variant of the order listVariants gives, page after page (1,000 rows each) */
export async function allVariants(db: Sql, orderId: string, opts: Omit<ListVariantsOptions, 'after' | 'limit'> = {}): Promise<VariantRow[]> {
  const out: VariantRow[] = [];
  let after: string | null = null;
  do {
    const page = await listVariants(db, orderId, { ...opts, after, limit: 1000 });
    out.push(...page.rows);
    after = page.next;
  } while (after);
  return out;
}

/** names of the per-file tables in the database (their partitions go with them) */
export async function fileTables(db: Sql): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = current_schema() AND c.relname LIKE 'variants\\_%' ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'curio-vcf-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const BASE_META = [
  '##fileformat=VCFv4.2',
  '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
  '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency">',
  '##INFO=<ID=ISEQ_REPORT_AMP_CLASSIFICATION,Number=1,Type=String,Description="Tier">',
  '##INFO=<ID=ISEQ_REPORT_VAF,Number=A,Type=Float,Description="VAF">',
  '##INFO=<ID=ISEQ_REPORT_READ_COUNT,Number=1,Type=Integer,Description="Reads">',
  '##INFO=<ID=ISEQ_REPORT_VARIANT_CATEGORY,Number=1,Type=String,Description="Category">',
  '##INFO=<ID=ISEQ_REPORT_GENE_SYMBOL,Number=1,Type=String,Description="Gene">',
  '##INFO=<ID=ALIAS_ID,Number=.,Type=String,Description="Alias">',
  '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="ClinVar">',
  '##INFO=<ID=gnomAD_AF,Number=A,Type=Float,Description="gnomAD AF">',
  '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="SV type">',
  "##INFO=<ID=ANN,Number=.,Type=String,Description=\"Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO'\">",
  '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Gene|Feature|HGVSc|HGVSp|CANONICAL|PICK|gnomADe_AF|CLIN_SIG">',
  '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
  '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
  '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
  '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fraction">',
];

export function vcfText(records: string[], opts: { meta?: string[]; samples?: string[] } = {}): string {
  const samples = opts.samples ?? ['TUMOR'];
  const cols = ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', ...(samples.length ? ['FORMAT', ...samples] : [])];
  return [...(opts.meta ?? BASE_META), cols.join('\t'), ...records].join('\n') + '\n';
}

/** a record line from tab-free pieces */
export const rec = (...cols: (string | number)[]) => cols.join('\t');

export function writeVcf(dir: string, name: string, text: string, how: 'plain' | 'gzip' | 'multi' = 'plain'): string {
  const path = join(dir, name);
  if (how === 'plain') writeFileSync(path, text);
  else if (how === 'gzip') writeFileSync(path, gzipSync(text));
  else {
    // several gzip members back to back, as bgzip writes them
    const cut = Math.floor(text.length / 3);
    writeFileSync(path, Buffer.concat([gzipSync(text.slice(0, cut)), gzipSync(text.slice(cut, 2 * cut)), gzipSync(text.slice(2 * cut))]));
  }
  return path;
}

export function header(text: string, sample?: string): HeaderContext {
  const lines = text.split('\n');
  const meta = lines.filter((l) => l.startsWith('##'));
  const col = lines.find((l) => l.startsWith('#CHROM'));
  const h = readHeader(meta, col ?? '', meta.length + 1, sample);
  if (isHeaderProblem(h)) throw new Error(h.reason);
  return h;
}
