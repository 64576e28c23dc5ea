// reading the variant cache: keyset-paginated pages (never OFFSET), counts, one variant
import { basename } from 'node:path';
import { z } from 'zod';
import { AMP_TIERS, type AmpTier } from '../core/admission.ts';
import { UUID_RE } from '../core/schemas.ts';
import type { Sql, SqlParam } from '../db/sql.ts';
import { BgzfError, readLineAt } from './bgzf.ts';
import { isHeaderProblem, readHeader, type HeaderContext, type HeaderJson } from './header.ts';
import { recordDetail, type SlimRecord } from './record.ts';
import {
  CATEGORY_FILTER_INDEX,
  fileTable,
  indexName,
  indexSql,
  isPackedField,
  LAZY_INDEXES,
  packedFieldSql,
  SEARCH_FIELDS,
  STATISTICS_TARGET,
  tierKeyRange,
  tierOfKey,
  unpackRow,
  VARIANT_COLUMNS,
  type IndexedColumn,
} from './schema.ts';

/** every column of the variant browser; the names are stable (saved presets and the TUI use them) */
export const VARIANT_SORT_KEYS = [
  'locus',
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
  'acmg',
  'reportable',
] as const;
export type VariantSortKey = (typeof VARIANT_SORT_KEYS)[number];

export interface VariantSort {
  key: VariantSortKey;
  dir: 'asc' | 'desc';
  /**
   * where rows without a value go: 'last' (the default) in either direction, or
   * 'first'. A sort with nulls 'first' lists exactly the reverse of the opposite
   * direction with nulls 'last', which is how a list is read backwards from its end
   */
  nulls?: 'last' | 'first' | undefined;
}

export const DEFAULT_SORT: Readonly<VariantSort> = Object.freeze({ key: 'locus', dir: 'asc' });

/** filters are plain data, so saved presets can be stored as JSON (see variantFilterSchema) */
export const variantFilterSchema = z
  .object({
    gene: z.string().min(1).optional(),
    genes: z.array(z.string().min(1)).optional(),
    tiers: z.array(z.enum(AMP_TIERS)).optional(),
    /** default true: tier IV (benign/likely benign) rows are hidden */
    hideTierIV: z.boolean().optional(),
    minVaf: z.number().min(0).max(1).optional(),
    /** any case: "fusion" finds "Fusion" */
    category: z.string().min(1).optional(),
    passOnly: z.boolean().optional(),
    /** gene/HGVS/consequence/alias/ID substring, or a locus: chr7:140753336 or chr7:140-150 */
    text: z.string().optional(),
  })
  .strict();
export type VariantFilter = z.infer<typeof variantFilterSchema>;

export const variantSortSchema = z
  .object({ key: z.enum(VARIANT_SORT_KEYS), dir: z.enum(['asc', 'desc']), nulls: z.enum(['last', 'first']).optional() })
  .strict();

export const variantFilterPresetSchema = z
  .object({ name: z.string().min(1), filter: variantFilterSchema, sort: variantSortSchema })
  .strict();
export type VariantFilterPreset = z.infer<typeof variantFilterPresetSchema>;

export const DEFAULT_FILTER_PRESETS: readonly VariantFilterPreset[] = Object.freeze([
  { name: 'All but tier IV', filter: {}, sort: { key: 'locus', dir: 'asc' } },
  { name: 'Reportable tiers', filter: { tiers: ['IA', 'IB', 'IIC', 'IID'] }, sort: { key: 'tier', dir: 'asc' } },
  { name: 'PASS, VAF ≥ 5%', filter: { passOnly: true, minVaf: 0.05 }, sort: { key: 'vaf', dir: 'desc' } },
  { name: 'Everything', filter: { hideTierIV: false }, sort: { key: 'locus', dir: 'asc' } },
]);

export interface ListVariantsOptions extends VariantFilter {
  sort?: VariantSort;
  /** the `next` cursor of the previous page */
  after?: string | null;
  /** rows per page, 1–1000 (default 100) */
  limit?: number;
  /** read the file still being ingested, if there is one (rows arrive as it loads) */
  includeLoading?: boolean;
  /**
   * called, and awaited, before this page builds an index on its first use (a second or
   * more per million rows, once per file), so a screen can say so before the database
   * is busy; names the index's column (`category` for the category filter's)
   */
  onIndexBuild?: OnIndexBuild;
}

export type OnIndexBuild = (column: Exclude<IndexedColumn, typeof CATEGORY_FILTER_INDEX>) => void | Promise<void>;

/** the slim columns: one row of the variant browser */
export interface VariantRow extends Omit<SlimRecord, 'key'> {
  /** the variant's id (variantId): curations and reports name it by this */
  id: string;
  fileId: string;
}

export type VariantDetailErrorCode = 'detail_missing' | 'detail_unreadable';

/** a variant with everything the file said about it, for the detail pane */
export interface VariantDetail extends VariantRow {
  orderId: string;
  info: Record<string, unknown>;
  /** FORMAT values by sample name (null when the file has no samples) */
  format: Record<string, Record<string, unknown>> | null;
  /**
   * set when INFO and FORMAT could not be read back (their copy beside the store was
   * removed or damaged): info is then {} and format null, the slim columns are still right
   */
  detailError?: { code: VariantDetailErrorCode; message: string };
}

export interface VariantPage {
  rows: VariantRow[];
  /** pass as `after` for the next page; null on the last page */
  next: string | null;
  /** the file the rows come from; null when the order has no variants yet */
  fileId: string | null;
  /** true when the rows come from a file still being ingested */
  loading: boolean;
  /** when the order has no usable file but one from an older cache layout: what to do about it */
  stale?: string;
}

export interface OrderVcfFile {
  id: string;
  orderId: string;
  sha256: string;
  path: string;
  sample: string | null;
  status: 'loading' | 'ready';
  recordCount: number;
  samples: string[];
  header: HeaderJson;
  ingestedAt: Date;
}

/** what a page reads: every cached column but the detail copy's offset */
const SLIM_COLUMNS = VARIANT_COLUMNS.filter((c) => c !== 'voff');
const slim = (alias: string) => SLIM_COLUMNS.map((c) => `${alias}."${c}"`).join(', ');

type Raw = Record<string, unknown>;

function rowOf(r: Raw, fileId: string): VariantRow {
  const t = unpackRow(r.search_text as string, r.display_text as string);
  return {
    id: r.id as string,
    fileId,
    ordinal: r.ordinal as number,
    chrom: r.chrom as string,
    pos: r.pos as number,
    ref: t.ref ?? '',
    alt: t.alt ?? '',
    vcfId: t.vcf_id,
    gene: (r.gene as string | null) ?? null,
    hgvsC: t.hgvs_c,
    hgvsP: t.hgvs_p,
    consequence: t.consequence,
    tier: tierOfKey(r.tier_key as number),
    category: (r.category as string | null) ?? null,
    vaf: (r.vaf as number | null) ?? null,
    readCount: (r.read_count as number | null) ?? null,
    depth: (r.depth as number | null) ?? null,
    popAf: (r.pop_af as number | null) ?? null,
    clinvar: t.clinvar,
    filter: (r.filter as string | null) ?? null,
    alias: t.alias,
    qual: (r.qual as number | null) ?? null,
  };
}

/** the order's file that queries read: the ready one, or with includeLoading the one loading */
export async function currentVcfFile(sql: Sql, orderId: string, includeLoading = false): Promise<OrderVcfFile | null> {
  const rows = await sql.query<Raw>(
    `SELECT id, order_id, sha256, path, sample, status, record_count, samples, header, ingested_at
       FROM vcf_files WHERE order_id = $1 AND status = ANY($2)
      ORDER BY status = 'loading' DESC, ingested_at DESC LIMIT 1`,
    [orderId, includeLoading ? ['ready', 'loading'] : ['ready']],
  );
  const r = rows[0];
  if (!r) return null;
  if (r.status === 'ready' && (r.record_count as number) > 0 && !(await cacheSurvived(sql, r.id as string))) return null;
  return {
    id: r.id as string,
    orderId: r.order_id as string,
    sha256: r.sha256 as string,
    path: r.path as string,
    sample: (r.sample as string | null) ?? null,
    status: r.status as 'loading' | 'ready',
    recordCount: r.record_count as number,
    samples: (r.samples as string[]) ?? [],
    header: r.header as HeaderJson,
    ingestedAt: r.ingested_at as Date,
  };
}

/** ready files whose rows this process has seen, by store */
const alive = new WeakMap<Sql, Set<string>>();

/**
 * a ready file still has its rows. The cache's tables are unlogged, so a store that was
 * not shut down cleanly comes back with them empty: such a file becomes stale (what
 * staleVcfFile tells), and the order's next ingest of it brings the rows back
 */
export async function cacheSurvived(sql: Sql, fileId: string): Promise<boolean> {
  let seen = alive.get(sql);
  if (seen?.has(fileId)) return true;
  const [r] = await sql.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${fileTable(fileId)}) AS any`);
  if (r?.any) {
    if (!seen) alive.set(sql, (seen = new Set()));
    seen.add(fileId);
    return true;
  }
  await sql.query(`UPDATE vcf_files SET status = 'stale' WHERE id = $1 AND status = 'ready'`, [fileId]);
  return false;
}

/**
 * the order's file whose rows are gone, if that is all it has: one built by the cache
 * layout before migration 4, or one whose rows a crash took (see cacheSurvived); the same
 * file ingested again brings them back
 */
export async function staleVcfFile(sql: Sql, orderId: string): Promise<{ path: string; sha256: string; message: string } | null> {
  const [r] = await sql.query<{ path: string; sha256: string }>(
    `SELECT path, sha256 FROM vcf_files WHERE order_id = $1 AND status = 'stale' ORDER BY ingested_at DESC LIMIT 1`,
    [orderId],
  );
  if (!r) return null;
  return {
    path: r.path,
    sha256: r.sha256,
    message: `the variant cache of this order has been cleared (it was built by an older version of Curio, or Curio stopped without closing its store); ingest ${r.path} again to browse its variants`,
  };
}

// cursor: which section (rows with a sort value, then nulls), the sort value, the ordinal
const cursorSchema = z.tuple([z.enum(['v', 'n']), z.union([z.string(), z.number(), z.null()]), z.number().int()]);
type Cursor = z.infer<typeof cursorSchema>;
type Section = 'v' | 'n';

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(s: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  const r = cursorSchema.safeParse(parsed);
  // cursors only ever come from listVariants: a bad one is a programming error
  if (!r.success) throw new RangeError(`not a variant page cursor: ${s}`);
  return r.data;
}

type ColumnKey = Exclude<VariantSortKey, 'locus' | 'acmg' | 'reportable' | 'tier'>;

/** the SQL type of each column sort key's values, for the cursor parameter */
const COLUMN_CAST: Record<ColumnKey, string> = {
  gene: 'text',
  hgvs_c: 'text',
  hgvs_p: 'text',
  consequence: 'text',
  category: 'text',
  vaf: 'float8',
  read_count: 'int',
  depth: 'int',
  pop_af: 'float8',
  clinvar: 'text',
  filter: 'text',
};

/**
 * curation sorts rank the curated rows of the order (few) and put the rest after:
 * ACMG from pathogenic to benign, reportable yes before no
 */
const CURATION_RANK: Record<'acmg' | 'reportable', string> = {
  acmg: `CASE WHEN c.acmg_class IS NULL THEN NULL WHEN c.acmg_class = 'P' THEN 1 WHEN c.acmg_class = 'LP' THEN 2
    WHEN c.acmg_class = 'VUS' THEN 3 WHEN c.acmg_class = 'LB' THEN 4 WHEN c.acmg_class = 'B' THEN 5 ELSE 6 END`,
  reportable: `CASE WHEN c.reportable THEN 1 WHEN NOT c.reportable THEN 2 END`,
};

class Params {
  readonly values: SqlParam[] = [];
  add(v: SqlParam): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

const LOCUS_RE = /^\s*([^\s:]+):([\d,]+)(?:-([\d,]+))?\s*$/;
/** what the text filter reads: the gene and the packed search fields (SEARCH_FIELDS) */
const TEXT_FIELDS = ['v.gene', ...SEARCH_FIELDS.map((f) => packedFieldSql(f, 'v'))];

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** the rows of one tier (null: without a tier), as a range of tier_key */
function tierIn(tier: AmpTier | null): string {
  const { from, to } = tierKeyRange(tier);
  return `(v.tier_key >= ${from} AND v.tier_key < ${to})`;
}

/** the filter as SQL conditions on the file's table, aliased `v` */
function filterSql(f: VariantFilter, p: Params): string[] {
  const where: string[] = [];
  const genes = [...(f.genes ?? []), ...(f.gene !== undefined ? [f.gene] : [])];
  if (genes.length) where.push(`v.gene = ANY(${p.add(genes)}::text[])`);
  // tiers as ranges of tier_key, which its index answers
  if (f.tiers?.length) where.push(`(${[...new Set(f.tiers)].map((t) => tierIn(t)).join(' OR ')})`);
  if (f.hideTierIV ?? true) where.push(`NOT ${tierIn('IV')}`);
  if (f.minVaf !== undefined) where.push(`v.vaf >= ${p.add(f.minVaf)}::float8`);
  // the expression of the category_ci index, compared bytewise (ASCII letters fold)
  if (f.category !== undefined) where.push(`lower(v.category) = lower(${p.add(f.category)}::text COLLATE "C")`);
  if (f.passOnly) where.push(`v."filter" = 'PASS'`);
  const text = f.text?.trim();
  if (text) {
    const locus = LOCUS_RE.exec(text);
    if (locus) {
      const [, chrom = '', a = '', b] = locus;
      const from = Number(a.replace(/,/g, ''));
      const to = b === undefined ? from : Number(b.replace(/,/g, ''));
      const bare = chrom.replace(/^chr/i, '');
      where.push(`v.chrom = ANY(${p.add([bare, `chr${bare}`])}::text[]) AND v.pos BETWEEN ${p.add(from)}::int AND ${p.add(to)}::int`);
    } else {
      const pat = p.add(`%${likeEscape(text)}%`);
      if (text.includes('\x01')) {
        where.push(`(${TEXT_FIELDS.map((c) => `${c} ILIKE ${pat}`).join(' OR ')})`);
      } else {
        // one ILIKE over the six fields joined by a byte no search contains (search_text
        // is stored so joined): the same matches, as a match cannot span two fields
        where.push(`(coalesce(v.gene, '') || E'\\x01' || v.search_text) ILIKE ${pat}`);
      }
    }
  }
  return where;
}

/** lazy indexes known to exist (or being built), so a page asks the catalog once per process */
const built = new Map<string, Promise<void>>();

type LazyIndex = (typeof LAZY_INDEXES)[number] | typeof CATEGORY_FILTER_INDEX;

function ensureIndex(sql: Sql, fileId: string, index: LazyIndex | ColumnKey, onBuild?: OnIndexBuild): Promise<void> {
  if (index !== CATEGORY_FILTER_INDEX && !(LAZY_INDEXES as readonly string[]).includes(index)) return Promise.resolve();
  const key = `${fileId}/${index}`;
  let done = built.get(key);
  if (!done) {
    // a page and its count ask at once: one build
    done = buildIndex(sql, fileId, index as IndexedColumn, onBuild);
    built.set(key, done);
    done.catch(() => built.delete(key));
  }
  return done;
}

/** the indexes of a ready file that the filter's gene and category tests read, built on their first use */
async function ensureFilterIndexes(sql: Sql, fileId: string, f: VariantFilter, onBuild?: OnIndexBuild): Promise<void> {
  if (f.gene !== undefined || f.genes?.length) await ensureIndex(sql, fileId, 'gene', onBuild);
  if (f.category !== undefined) await ensureIndex(sql, fileId, CATEGORY_FILTER_INDEX, onBuild);
}

/** a rarely used sort (or the gene or category filter) pays for its index once, on its first page (see docs/VCF.md) */
async function buildIndex(sql: Sql, fileId: string, index: IndexedColumn, onBuild?: OnIndexBuild): Promise<void> {
  if (await relationExists(sql, indexName(fileId, index))) return;
  await onBuild?.(index === CATEGORY_FILTER_INDEX ? 'category' : index);
  await sql.exec(indexSql(fileId, index));
  // statistics of lower(category) come with the expression index, and only from a whole-table
  // ANALYZE: without them the planner could take it for a common category, and sort most rows
  if (index === CATEGORY_FILTER_INDEX) await analyzeSampled(sql, fileTable(fileId));
}

/**
 * ANALYZE with a small sample (STATISTICS_TARGET × 300 rows; PGlite runs no autovacuum):
 * the planner needs the columns' shape to pick an index for filtered pages, not their every value
 */
export async function analyzeSampled(sql: Sql, table: string, columns?: readonly string[]): Promise<void> {
  await sql.transaction(async (tx) => {
    await tx.exec(`SET LOCAL default_statistics_target = ${STATISTICS_TARGET}`);
    await tx.exec(`ANALYZE ${table}${columns ? ` (${columns.map((c) => `"${c}"`).join(', ')})` : ''}`);
  });
}

async function relationExists(sql: Sql, name: string): Promise<boolean> {
  const [r] = await sql.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name]);
  return !!r?.t;
}

/**
 * one page of an order's variants. Pages follow the sort's index (sort column,
 * ordinal) from the cursor on, so page 1,000 costs what page 1 costs; rows whose sort
 * value is unknown come last in either direction (or first, with nulls: 'first'), ties
 * keep file order in the sort's direction
 */
export async function listVariants(sql: Sql, orderId: string, opts: ListVariantsOptions = {}): Promise<VariantPage> {
  const limit = Math.min(1000, Math.max(1, Math.floor(opts.limit ?? 100)));
  const sort = opts.sort ?? DEFAULT_SORT;
  const file = await currentVcfFile(sql, orderId, opts.includeLoading ?? false);
  if (!file) {
    const stale = await staleVcfFile(sql, orderId);
    return { rows: [], next: null, fileId: null, loading: false, ...(stale ? { stale: stale.message } : {}) };
  }
  const loading = file.status === 'loading';
  const table = fileTable(file.id);
  if (!loading) await ensureFilterIndexes(sql, file.id, opts, opts.onIndexBuild);
  const cursor = opts.after ? decodeCursor(opts.after) : null;
  const dir = sort.dir === 'desc' ? 'DESC' : 'ASC';
  const cmp = sort.dir === 'desc' ? '<' : '>';
  const key = sort.key;

  let run: (section: Section, from: Cursor | null, want: number) => Promise<Raw[]>;
  let valueOf: (r: Raw) => string | number | null;
  if (key === 'locus') {
    valueOf = () => null;
    run = (_section, from, want) => {
      const p = new Params();
      const where = filterSql(opts, p);
      if (from) where.push(`v.ordinal ${cmp} ${p.add(from[2])}::int`);
      return sql.query<Raw>(
        `SELECT ${slim('v')} FROM ${table} v ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY v.ordinal ${dir} LIMIT ${want}`,
        p.values,
      );
    };
  } else if (key === 'acmg' || key === 'reportable') {
    const rank = CURATION_RANK[key];
    // the curated rows are found by id
    if (!loading) await ensureIndex(sql, file.id, 'id', opts.onIndexBuild);
    const hasCurations = await relationExists(sql, 'curations');
    let curated: string[] = [];
    if (hasCurations) {
      const ids = await sql.query<{ variant_id: string }>(`SELECT c.variant_id FROM curations c WHERE c.order_id = $1 AND (${rank}) IS NOT NULL`, [
        orderId,
      ]);
      curated = ids.map((r) => r.variant_id);
    }
    valueOf = (r) => (r.sort_rank as number | null) ?? null;
    run = async (section, from, want) => {
      const p = new Params();
      const where = filterSql(opts, p);
      if (section === 'v') {
        if (!curated.length) return [];
        where.push(`c.order_id = ${p.add(orderId)}::uuid`, `(${rank}) IS NOT NULL`);
        if (from) where.push(`((${rank}), v.ordinal) ${cmp} (${p.add(from[1])}::int, ${p.add(from[2])}::int)`);
        return sql.query<Raw>(
          `SELECT ${slim('v')}, (${rank}) AS sort_rank FROM curations c JOIN ${table} v ON v.id = c.variant_id
            WHERE ${where.join(' AND ')} ORDER BY sort_rank ${dir}, v.ordinal ${dir} LIMIT ${want}`,
          p.values,
        );
      }
      if (curated.length) where.push(`NOT (v.id = ANY(${p.add(curated)}::text[]))`);
      if (from) where.push(`v.ordinal ${cmp} ${p.add(from[2])}::int`);
      return sql.query<Raw>(
        `SELECT ${slim('v')} FROM ${table} v ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY v.ordinal ${dir} LIMIT ${want}`,
        p.values,
      );
    };
  } else if (key === 'tier') {
    // tier_key orders rows by (tier, ordinal) on its own; rows without a tier rank last
    const noTier = tierKeyRange(null).from;
    valueOf = (r) => r.tier_key as number;
    run = (section, from, want) => {
      const p = new Params();
      const where = filterSql(opts, p);
      where.push(section === 'v' ? `v.tier_key < ${noTier}` : `v.tier_key >= ${noTier}`);
      if (from) where.push(`v.tier_key ${cmp} ${p.add(section === 'v' ? from[1] : noTier + from[2])}::int`);
      return sql.query<Raw>(`SELECT ${slim('v')} FROM ${table} v WHERE ${where.join(' AND ')} ORDER BY v.tier_key ${dir} LIMIT ${want}`, p.values);
    };
  } else {
    if (!loading) await ensureIndex(sql, file.id, key, opts.onIndexBuild);
    const col = isPackedField(key) ? packedFieldSql(key, 'v') : `v."${key}"`;
    const cast = COLUMN_CAST[key];
    valueOf = (r) => (r.sort_value as string | number | null) ?? null;
    run = (section, from, want) => {
      const p = new Params();
      const where = filterSql(opts, p);
      let order: string;
      if (section === 'v') {
        where.push(`${col} IS NOT NULL`);
        if (from) where.push(`(${col}, v.ordinal) ${cmp} (${p.add(from[1])}::${cast}, ${p.add(from[2])}::int)`);
        order = `${col} ${dir}, v.ordinal ${dir}`;
      } else {
        where.push(`${col} IS NULL`);
        if (from) where.push(`v.ordinal ${cmp} ${p.add(from[2])}::int`);
        order = `v.ordinal ${dir}`;
      }
      return sql.query<Raw>(`SELECT ${slim('v')}, ${col} AS sort_value FROM ${table} v WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${want}`, p.values);
    };
  }

  // one row more than asked tells whether there is a next page
  const sections: Section[] = key === 'locus' ? ['v'] : sort.nulls === 'first' ? ['n', 'v'] : ['v', 'n'];
  let at = cursor ? sections.indexOf(cursor[0]) : 0;
  if (at < 0) throw new RangeError(`not a cursor of this sort: ${opts.after ?? ''}`);
  const raws: { raw: Raw; section: Section }[] = [];
  for (let from: Cursor | null = cursor; at < sections.length && raws.length < limit + 1; at++, from = null) {
    const section = sections[at] as Section;
    for (const raw of await run(section, from, limit + 1 - raws.length)) raws.push({ raw, section });
  }
  const hasMore = raws.length > limit;
  const page = raws.slice(0, limit);
  let next: string | null = null;
  const last = page[page.length - 1];
  if (hasMore && last) next = encodeCursor([last.section, last.section === 'v' ? valueOf(last.raw) : null, last.raw.ordinal as number]);
  return { rows: page.map((x) => rowOf(x.raw, file.id)), next, fileId: file.id, loading };
}

/** how many of the order's variants match the filter */
export async function countVariants(
  sql: Sql,
  orderId: string,
  filter: VariantFilter & { includeLoading?: boolean } = {},
): Promise<number> {
  const file = await currentVcfFile(sql, orderId, filter.includeLoading ?? false);
  if (!file) return 0;
  const p = new Params();
  const where = filterSql(filter, p);
  if (file.status === 'ready') await ensureFilterIndexes(sql, file.id, filter);
  const [r] = await sql.query<{ n: number | string }>(
    `SELECT count(*)::int AS n FROM ${fileTable(file.id)} v ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
    p.values,
  );
  return Number(r?.n ?? 0);
}

/** parsing contexts of recently read files: rebuilding one costs a header parse */
const contexts = new Map<string, HeaderContext>();

function contextOf(fileId: string, header: HeaderJson, columnLine: string, sample: string | null): HeaderContext | null {
  const cached = contexts.get(fileId);
  if (cached) return cached;
  const h = readHeader(header.lines, columnLine, 0, sample ?? undefined);
  if (isHeaderProblem(h)) return null;
  if (contexts.size >= 8) contexts.delete(contexts.keys().next().value as string);
  contexts.set(fileId, h);
  return h;
}

/** the leading fixed columns of a record line */
function locusOf(line: string): string {
  return line.split('\t', 5).filter((_, i) => i !== 2).join('\t');
}

const FILE_COLUMNS = 'id, order_id, path, sample, status, header, column_line, detail_path';

export interface GetVariantOptions {
  /**
   * the order the variant belongs to: only its current file is read (the one listVariants
   * pages, with includeLoading the one loading), one lookup in one table. Without it every
   * file's table is asked, since an id does not say which file holds it
   */
  orderId?: string;
  /** read the file still being ingested too */
  includeLoading?: boolean;
  /**
   * the variant's ordinal in the order's file, when the caller has its row (the browser):
   * read through the locus index; an id alone goes through the id index, built on first use
   */
  ordinal?: number;
}

/** one variant of an order's current file, with its full INFO and FORMAT values */
export async function getVariant(sql: Sql, id: string, opts: GetVariantOptions = {}): Promise<VariantDetail | null> {
  const statuses = opts.includeLoading ? ['ready', 'loading'] : ['ready'];
  let found: { raw: Raw; file: Raw } | null = null;
  if (opts.orderId !== undefined) {
    if (!UUID_RE.test(opts.orderId)) return null;
    // the file currentVcfFile names: what the browser shows
    const [file] = await sql.query<Raw>(
      `SELECT ${FILE_COLUMNS} FROM vcf_files WHERE order_id = $1 AND status = ANY($2)
        ORDER BY status = 'loading' DESC, ingested_at DESC LIMIT 1`,
      [opts.orderId, statuses],
    );
    if (!file) return null;
    const fileId = file.id as string;
    const byOrdinal = opts.ordinal !== undefined && Number.isInteger(opts.ordinal);
    if (!byOrdinal && file.status === 'ready') await ensureIndex(sql, fileId, 'id');
    const [raw] = await sql.query<Raw>(
      `SELECT ${slim('v')}, v.voff FROM ${fileTable(fileId)} v WHERE v.id = $1${byOrdinal ? ' AND v.ordinal = $2' : ''}`,
      byOrdinal ? [id, opts.ordinal as number] : [id],
    );
    if (raw) found = { raw, file };
  } else {
    const files = await sql.query<Raw>(`SELECT ${FILE_COLUMNS} FROM vcf_files WHERE status = ANY($1) ORDER BY status = 'ready' DESC`, [statuses]);
    for (const f of files) if (f.status === 'ready') await ensureIndex(sql, f.id as string, 'id');
    // an id names one order's variant, but not which file: ask every file's id index, a batch at a time
    for (let i = 0; i < files.length && !found; i += 50) {
      const batch = files.slice(i, i + 50);
      const union = batch.map((f, j) => `SELECT ${j} AS f, ${slim('v')}, v.voff FROM ${fileTable(f.id as string)} v WHERE v.id = $1`).join(' UNION ALL ');
      const rows = await sql.query<Raw>(`SELECT * FROM (${union}) u ORDER BY f LIMIT 1`, [id]);
      const r = rows[0];
      if (r) found = { raw: r, file: batch[r.f as number] as Raw };
    }
  }
  if (!found) return null;
  const { raw, file } = found;
  const row = rowOf(raw, file.id as string);
  const detail: VariantDetail = { ...row, orderId: file.order_id as string, info: {}, format: null };
  const source = basename(file.path as string);
  const detailPath = file.detail_path as string | null;
  const ctx = contextOf(file.id as string, file.header as HeaderJson, (file.column_line as string | null) ?? '', (file.sample as string | null) ?? null);
  const fail = (code: VariantDetailErrorCode, why: string): VariantDetail => ({
    ...detail,
    detailError: { code, message: `INFO and FORMAT of ${row.chrom}:${row.pos} ${row.ref}>${row.alt} cannot be shown: ${why}; ingest ${source} again to restore them` },
  });
  if (!detailPath || !ctx) return fail('detail_missing', 'this cache entry has no copy of the records');
  let line: string;
  try {
    line = await readLineAt(detailPath, Number(raw.voff));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return fail('detail_missing', `the copy of the records (${detailPath}) is missing`);
    if (e instanceof BgzfError || err.code) return fail('detail_unreadable', `the copy of the records (${detailPath}) is unreadable (${err.message})`);
    throw e;
  }
  // the copy must hold this very record: a replaced or damaged file must not show another's values
  if (locusOf(line) !== [row.chrom, String(row.pos), row.ref, row.alt].join('\t')) {
    return fail('detail_unreadable', `the copy of the records (${detailPath}) does not match the cache`);
  }
  const { info, format } = recordDetail(ctx, line);
  return { ...detail, info, format };
}
