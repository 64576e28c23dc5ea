// reading the variant cache: keyset-paginated pages (never OFFSET), counts, one variant
import type { SlimFields } from './extract.ts';
import { z } from 'zod';
import { AMP_TIERS, type AmpTier } from '../core/admission.ts';
import type { Sql, SqlParam } from '../db/sql.ts';
import type { HeaderJson } from './header.ts';

export const VARIANT_SORT_KEYS = ['locus', 'gene', 'vaf', 'tier'] as const;
export type VariantSortKey = (typeof VARIANT_SORT_KEYS)[number];

export interface VariantSort {
  key: VariantSortKey;
  dir: 'asc' | 'desc';
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
    category: z.string().min(1).optional(),
    passOnly: z.boolean().optional(),
    /** gene/HGVS/consequence/alias/ID substring, or a locus: chr7:140753336 or chr7:140-150 */
    text: z.string().optional(),
  })
  .strict();
export type VariantFilter = z.infer<typeof variantFilterSchema>;

export const variantSortSchema = z.object({ key: z.enum(VARIANT_SORT_KEYS), dir: z.enum(['asc', 'desc']) }).strict();

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
}

/** the slim columns: one row of the variant browser */
export interface VariantRow extends SlimFields {
  id: string;
  fileId: string;
  ordinal: number;
  chrom: string;
  pos: number;
  ref: string;
  alt: string;
  vcfId: string | null;
  filter: string | null;
  qual: number | null;
}

/** a variant with everything the file said about it, for the detail pane */
export interface VariantDetail extends VariantRow {
  orderId: string;
  info: Record<string, unknown>;
  /** FORMAT values by sample name (null when the file has no samples) */
  format: Record<string, Record<string, unknown>> | null;
}

export interface VariantPage {
  rows: VariantRow[];
  /** pass as `after` for the next page; null on the last page */
  next: string | null;
  /** the file the rows come from; null when the order has no variants yet */
  fileId: string | null;
  /** true when the rows come from a file still being ingested */
  loading: boolean;
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

const SLIM = `id, file_id, ordinal, chrom, pos, ref, alt, vcf_id, gene, hgvs_c, hgvs_p, consequence, tier, category,
  vaf, read_count, depth, pop_af, clinvar, filter, alias, qual`;

type Raw = Record<string, unknown>;

function rowOf(r: Raw): VariantRow {
  return {
    id: r.id as string,
    fileId: r.file_id as string,
    ordinal: r.ordinal as number,
    chrom: r.chrom as string,
    pos: r.pos as number,
    ref: r.ref as string,
    alt: r.alt as string,
    vcfId: (r.vcf_id as string | null) ?? null,
    gene: (r.gene as string | null) ?? null,
    hgvsC: (r.hgvs_c as string | null) ?? null,
    hgvsP: (r.hgvs_p as string | null) ?? null,
    consequence: (r.consequence as string | null) ?? null,
    tier: (r.tier as AmpTier | null) ?? null,
    category: (r.category as string | null) ?? null,
    vaf: (r.vaf as number | null) ?? null,
    readCount: (r.read_count as number | null) ?? null,
    depth: (r.depth as number | null) ?? null,
    popAf: (r.pop_af as number | null) ?? null,
    clinvar: (r.clinvar as string | null) ?? null,
    filter: (r.filter as string | null) ?? null,
    alias: (r.alias as string | null) ?? null,
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

// cursor: which section (non-null sort values, then nulls), the sort value, the ordinal
const cursorSchema = z.tuple([z.enum(['v', 'n']), z.union([z.string(), z.number(), z.null()]), z.number().int()]);
type Cursor = z.infer<typeof cursorSchema>;

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

const SORT_COLUMN: Record<Exclude<VariantSortKey, 'locus'>, string> = { gene: 'gene', vaf: 'vaf', tier: 'tier' };

class Params {
  readonly values: SqlParam[] = [];
  add(v: SqlParam): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

const LOCUS_RE = /^\s*([^\s:]+):([\d,]+)(?:-([\d,]+))?\s*$/;

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function filterSql(f: VariantFilter, p: Params): string[] {
  const where: string[] = [];
  const genes = [...(f.genes ?? []), ...(f.gene !== undefined ? [f.gene] : [])];
  if (genes.length) where.push(`gene = ANY(${p.add(genes)}::text[])`);
  if (f.tiers?.length) where.push(`tier = ANY(${p.add([...f.tiers])}::text[])`);
  if (f.hideTierIV ?? true) where.push(`tier IS DISTINCT FROM 'IV'`);
  if (f.minVaf !== undefined) where.push(`vaf >= ${p.add(f.minVaf)}::float8`);
  if (f.category !== undefined) where.push(`category = ${p.add(f.category)}`);
  if (f.passOnly) where.push(`filter = 'PASS'`);
  const text = f.text?.trim();
  if (text) {
    const locus = LOCUS_RE.exec(text);
    if (locus) {
      const [, chrom = '', a = '', b] = locus;
      const from = Number(a.replace(/,/g, ''));
      const to = b === undefined ? from : Number(b.replace(/,/g, ''));
      const bare = chrom.replace(/^chr/i, '');
      where.push(`chrom = ANY(${p.add([bare, `chr${bare}`])}::text[]) AND pos BETWEEN ${p.add(from)}::int AND ${p.add(to)}::int`);
    } else {
      const pat = p.add(`%${likeEscape(text)}%`);
      where.push(
        `(gene ILIKE ${pat} OR hgvs_c ILIKE ${pat} OR hgvs_p ILIKE ${pat} OR consequence ILIKE ${pat} OR alias ILIKE ${pat} OR vcf_id ILIKE ${pat})`,
      );
    }
  }
  return where;
}

/**
 * one page of an order's variants. Pages follow the sort's index (file, sort column,
 * ordinal) from the cursor on, so page 1,000 costs what page 1 costs; rows whose sort
 * value is unknown come last in either direction, ties keep file order in the sort's
 * direction
 */
export async function listVariants(sql: Sql, orderId: string, opts: ListVariantsOptions = {}): Promise<VariantPage> {
  const limit = Math.min(1000, Math.max(1, Math.floor(opts.limit ?? 100)));
  const sort = opts.sort ?? DEFAULT_SORT;
  const file = await currentVcfFile(sql, orderId, opts.includeLoading ?? false);
  const loading = file?.status === 'loading';
  if (!file) return { rows: [], next: null, fileId: null, loading: false };
  const cursor = opts.after ? decodeCursor(opts.after) : null;
  const dir = sort.dir === 'desc' ? 'DESC' : 'ASC';
  const cmp = sort.dir === 'desc' ? '<' : '>';

  const run = async (section: 'v' | 'n', from: Cursor | null, want: number): Promise<Raw[]> => {
    const p = new Params();
    const where = [`file_id = ${p.add(file.id)}`, ...filterSql(opts, p)];
    let order: string;
    if (sort.key === 'locus') {
      if (from) where.push(`ordinal ${cmp} ${p.add(from[2])}::int`);
      order = `ordinal ${dir}`;
    } else {
      const col = SORT_COLUMN[sort.key];
      if (section === 'v') {
        where.push(`${col} IS NOT NULL`);
        if (from) {
          const cast = sort.key === 'vaf' ? '::float8' : '::text';
          where.push(`(${col}, ordinal) ${cmp} (${p.add(from[1])}${cast}, ${p.add(from[2])}::int)`);
        }
        order = `${col} ${dir}, ordinal ${dir}`;
      } else {
        where.push(`${col} IS NULL`);
        if (from) where.push(`ordinal ${cmp} ${p.add(from[2])}::int`);
        order = `ordinal ${dir}`;
      }
    }
    return sql.query<Raw>(`SELECT ${SLIM} FROM variants WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${want}`, p.values);
  };

  // one row more than asked tells whether there is a next page
  let raws: Raw[];
  if (sort.key === 'locus' || cursor?.[0] === 'n') {
    raws = await run(cursor?.[0] ?? 'v', cursor, limit + 1);
  } else {
    raws = await run('v', cursor, limit + 1);
    if (raws.length < limit + 1) raws = raws.concat(await run('n', null, limit + 1 - raws.length));
  }
  const hasMore = raws.length > limit;
  const page = raws.slice(0, limit);
  let next: string | null = null;
  const last = page[page.length - 1];
  if (hasMore && last) {
    const value = sort.key === 'locus' ? null : ((last[SORT_COLUMN[sort.key]] as string | number | null) ?? null);
    next = encodeCursor([sort.key !== 'locus' && value === null ? 'n' : 'v', value, last.ordinal as number]);
  }
  return { rows: page.map(rowOf), next, fileId: file.id, loading };
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
  const where = [`file_id = ${p.add(file.id)}`, ...filterSql(filter, p)];
  const [r] = await sql.query<{ n: number | string }>(`SELECT count(*)::int AS n FROM variants WHERE ${where.join(' AND ')}`, p.values);
  return Number(r?.n ?? 0);
}

/** one variant of an order's current file, with its full INFO and FORMAT values */
export async function getVariant(sql: Sql, id: string, opts: { includeLoading?: boolean } = {}): Promise<VariantDetail | null> {
  const statuses = opts.includeLoading ? ['ready', 'loading'] : ['ready'];
  const rows = await sql.query<Raw>(
    `SELECT v.${SLIM.split(',').map((c) => c.trim()).join(', v.')}, v.order_id, v.info, v.format
       FROM variants v JOIN vcf_files f ON f.id = v.file_id
      WHERE v.id = $1 AND f.status = ANY($2)
      ORDER BY f.status = 'ready' DESC LIMIT 1`,
    [id, statuses],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    ...rowOf(r),
    orderId: r.order_id as string,
    info: (r.info as Record<string, unknown>) ?? {},
    format: (r.format as Record<string, Record<string, unknown>> | null) ?? null,
  };
}
