// keyset pages must list exactly what one big ORDER BY would, for every sort and filter
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlDatabase, SqlParam } from '../../src/db/sql.ts';
import {
  countVariants,
  DEFAULT_FILTER_PRESETS,
  dropOrderVariants,
  getVariant,
  ingestVcf,
  listVariants,
  VARIANT_SORT_KEYS,
  variantFilterPresetSchema,
  type VariantFilter,
  type VariantRow,
  type VariantSort,
  type VariantSortKey,
} from '../../src/vcf/index.ts';
import { rng } from '../../bench/vcf/generate.mjs';
import { allVariants, openCache, ORDER, ORDER2, rec, tempDir, vcfText, writeVcf } from './helpers.ts';

const SEED = Number(process.env.CURIO_SEED ?? 20260501);
const N = 600;
const tmp = tempDir();
let db: SqlDatabase;
let all: VariantRow[] = [];

function dataset(seed: number): string[] {
  const r = rng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const lines: string[] = [];
  let pos = 1000;
  for (let i = 0; i < N; i++) {
    pos += r() < 0.05 ? 0 : 1 + Math.floor(r() * 50);
    const info: string[] = [];
    if (r() < 0.85) info.push(`ISEQ_REPORT_GENE_SYMBOL=${pick(['TP53', 'FLT3', 'NPM1', 'KRAS', 'BRAF', 'A"B'])}`);
    if (r() < 0.8) info.push(`ISEQ_REPORT_AMP_CLASSIFICATION=${pick(['IA', 'Tier IB', 'IIC', 'IID', 'III', 'IV', 'IV'])}`);
    // a few repeated values, so ties need the ordinal to break them
    if (r() < 0.8) info.push(`ISEQ_REPORT_VAF=${pick(['0.5', '0.01', String(Math.round(r() * 1000) / 1000)])}`);
    // a category as pipelines spell it: the filter ignores case
    if (r() < 0.1) info.push(`ISEQ_REPORT_VARIANT_CATEGORY=${pick(['Fusion', 'Fusion', 'FUSION', 'CNV'])}`);
    if (r() < 0.2) info.push(`ANN=T|${pick(['missense_variant', 'stop_gained'])}|MODERATE|X|E|transcript|T|pc|1/1|c.${pick(['524G>A', '35G>T'])}|p.${pick(['Arg175His', 'Gly12Val'])}|||||`);
    if (r() < 0.6) info.push(`ISEQ_REPORT_READ_COUNT=${pick([10, 150, 151, Math.floor(r() * 400)])}`);
    if (r() < 0.5) info.push(`gnomAD_AF=${pick(['0.001', '0.2', String(Math.round(r() * 1e4) / 1e6)])}`);
    if (r() < 0.3) info.push(`CLNSIG=${pick(['Pathogenic', 'Benign', 'Uncertain_significance'])}`);
    const chrom = pick(['chr1', 'chr2', 'chrX']);
    const sample = r() < 0.1 ? '0/1' : `0/1:${pick([20, 100, Math.floor(r() * 900)])}`;
    const filter = pick(['PASS', 'PASS', 'PASS', 'LowQual', 'q10;s50', '.']);
    lines.push(rec(chrom, pos, '.', 'A', pick(['G', 'T', 'C,T']), '.', filter, info.join(';') || '.', sample.includes(':') ? 'GT:DP' : 'GT', sample));
  }
  return lines;
}

/** curations by variant id: few, as in life, with every ACMG class, both reportable answers, and unset values */
const curations = new Map<string, { acmg: string | null; reportable: boolean | null }>();

beforeAll(async () => {
  db = await openCache();
  const path = writeVcf(tmp.dir, 'q.vcf', vcfText(dataset(SEED)));
  const r = await ingestVcf(db, { orderId: ORDER, path, batchRows: 200, cacheDir: join(tmp.dir, 'cache') });
  if (!r.ok) throw new Error(r.message);
  all = await allVariants(db, ORDER, { hideTierIV: false });
  // the store's curations table (src/db/schema.ts), without the foreign key to orders
  await db.exec(`CREATE TABLE curations (order_id uuid NOT NULL, variant_id text NOT NULL, tier_override text, acmg_class text, reportable boolean,
    note text, curated_by uuid NOT NULL, curated_at timestamptz NOT NULL, version int NOT NULL, PRIMARY KEY (order_id, variant_id))`);
  const r2 = rng(SEED + 1);
  const classes = ['P', 'LP', 'VUS', 'LB', 'B', null];
  const answers = [true, false, null];
  for (const v of all) {
    if (r2() > 0.06) continue;
    const c = { acmg: classes[Math.floor(r2() * classes.length)] ?? null, reportable: answers[Math.floor(r2() * answers.length)] ?? null };
    curations.set(v.id, c);
    await db.query(
      `INSERT INTO curations (order_id, variant_id, acmg_class, reportable, curated_by, curated_at, version) VALUES ($1, $2, $3, $4, $1, now(), 1)`,
      [ORDER, v.id, c.acmg, c.reportable],
    );
  }
  // a curation of another order's variant, and one of a variant not in the file: neither shows
  await db.query(`INSERT INTO curations (order_id, variant_id, acmg_class, curated_by, curated_at, version) VALUES ($1, $2, 'P', $1, now(), 1)`, [
    ORDER2,
    all[0]?.id ?? '',
  ]);
  await db.query(`INSERT INTO curations (order_id, variant_id, acmg_class, curated_by, curated_at, version) VALUES ($1, 'gone', 'P', $1, now(), 1)`, [ORDER]);
});
afterAll(async () => {
  await db.close();
  tmp.cleanup();
});

/** the documented semantics, computed in memory */
function reference(f: VariantFilter, sort: VariantSort): string[] {
  const genes = [...(f.genes ?? []), ...(f.gene ? [f.gene] : [])];
  const t = f.text?.toLowerCase();
  const rows = all.filter(
    (v) =>
      (!genes.length || (v.gene !== null && genes.includes(v.gene))) &&
      (!f.tiers?.length || (v.tier !== null && f.tiers.includes(v.tier))) &&
      (!(f.hideTierIV ?? true) || v.tier !== 'IV') &&
      (f.minVaf === undefined || (v.vaf !== null && v.vaf >= f.minVaf)) &&
      (f.category === undefined || v.category?.toLowerCase() === f.category.toLowerCase()) &&
      (!f.passOnly || v.filter === 'PASS') &&
      (!t || [v.gene, v.hgvsC, v.hgvsP, v.consequence, v.alias, v.vcfId].some((x) => x?.toLowerCase().includes(t))),
  );
  const sign = sort.dir === 'asc' ? 1 : -1;
  const nullsFirst = sort.nulls === 'first';
  rows.sort((a, b) => {
    if (sort.key !== 'locus') {
      const ka = sortValue(a, sort.key);
      const kb = sortValue(b, sort.key);
      if (ka === null && kb !== null) return nullsFirst ? -1 : 1;
      if (kb === null && ka !== null) return nullsFirst ? 1 : -1;
      if (ka !== null && kb !== null && ka !== kb) return (ka < kb ? -1 : 1) * sign;
    }
    return (a.ordinal - b.ordinal) * sign;
  });
  return rows.map((v) => v.id);
}

const ACMG_RANK: Record<string, number> = { P: 1, LP: 2, VUS: 3, LB: 4, B: 5 };

/** the documented sort value of each key: a column, or the curation's rank (ACMG pathogenic first, reportable yes first) */
function sortValue(v: VariantRow, key: VariantSortKey): string | number | null {
  const c = curations.get(v.id);
  switch (key) {
    case 'locus':
      return null;
    case 'acmg':
      return c?.acmg ? (ACMG_RANK[c.acmg] ?? 6) : null;
    case 'reportable':
      return c?.reportable === true ? 1 : c?.reportable === false ? 2 : null;
    case 'hgvs_c':
      return v.hgvsC;
    case 'hgvs_p':
      return v.hgvsP;
    case 'read_count':
      return v.readCount;
    case 'pop_af':
      return v.popAf;
    default:
      return v[key];
  }
}

async function walk(f: VariantFilter, sort: VariantSort, limit: number): Promise<string[]> {
  const out: string[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await listVariants(db, ORDER, { ...f, sort, limit, after });
    expect(page.rows.length).toBeLessThanOrEqual(limit);
    out.push(...page.rows.map((r) => r.id));
    after = page.next;
    if (!after) return out;
    expect(page.rows.length).toBe(limit);
  }
  throw new Error('no last page');
}

const FILTERS: [string, VariantFilter][] = [
  ['default (hide tier IV)', {}],
  ['everything', { hideTierIV: false }],
  ['reportable tiers', { tiers: ['IA', 'IB', 'IIC', 'IID'] }],
  ['one gene', { gene: 'TP53' }],
  ['genes + min VAF', { genes: ['FLT3', 'NPM1'], minVaf: 0.2 }],
  ['PASS fusions', { category: 'Fusion', passOnly: true, hideTierIV: false }],
  ['fusions typed in lower case', { category: 'fusion' }],
  ['text in HGVS', { text: 'arg175' }],
  ['text with a quote', { text: 'A"B' }],
  ['text with LIKE wildcards', { text: '%_' }],
];

describe('listVariants', () => {
  it(`loaded the dataset (seed ${SEED})`, () => {
    expect(all).toHaveLength(N);
    expect(all.some((v) => v.gene === null) && all.some((v) => v.vaf === null) && all.some((v) => v.tier === null)).toBe(true);
  });

  describe.each(FILTERS)('%s', (_, filter) => {
    it.each(VARIANT_SORT_KEYS.flatMap((key) => (['asc', 'desc'] as const).map((dir) => [`${key} ${dir}`, { key, dir }] as const)))(
      'pages by %s match one ORDER BY',
      async (_n, sort) => {
        const want = reference(filter, sort);
        expect(await walk(filter, sort, 37), `seed ${SEED}`).toEqual(want);
        expect(await countVariants(db, ORDER, filter)).toBe(want.length);
      },
    );
  });

  it('every key has values, nulls and ties in the dataset, so the walks above test all three', () => {
    for (const key of VARIANT_SORT_KEYS.filter((k) => k !== 'locus')) {
      const values = all.map((v) => sortValue(v, key));
      const present = values.filter((x) => x !== null);
      expect(present.length, key).toBeGreaterThan(1);
      expect(present.length, key).toBeLessThan(all.length);
      expect(new Set(present).size, key).toBeLessThan(present.length);
    }
  });

  it.each(VARIANT_SORT_KEYS.map((key) => [key] as const))('%s: nulls first in one direction reads the other direction backwards', async (key) => {
    for (const [filter, dir] of [[{}, 'asc'], [{ hideTierIV: false, passOnly: true }, 'desc']] as const) {
      const forward = await walk(filter, { key, dir }, 41);
      const backward = await walk(filter, { key, dir: dir === 'asc' ? 'desc' : 'asc', nulls: 'first' }, 23);
      expect(backward).toEqual([...forward].reverse());
      expect(backward).toEqual(reference(filter, { key, dir: dir === 'asc' ? 'desc' : 'asc', nulls: 'first' }));
    }
  });

  it('finds a locus typed as chrom:pos or a range, with or without "chr"', async () => {
    const v = all[10];
    if (!v) throw new Error('no data');
    const bare = v.chrom.replace(/^chr/, '');
    const hits = await listVariants(db, ORDER, { hideTierIV: false, text: `${bare}:${v.pos}` });
    expect(hits.rows.map((r) => r.id)).toContain(v.id);
    expect(hits.rows.every((r) => r.chrom === v.chrom && r.pos === v.pos)).toBe(true);
    const range = await countVariants(db, ORDER, { hideTierIV: false, text: `${v.chrom}:${v.pos - 100}-${v.pos + 100}` });
    expect(range).toBe(all.filter((x) => x.chrom === v.chrom && Math.abs(x.pos - v.pos) <= 100).length);
  });

  it('returns nothing for an order without a file, and rejects a forged cursor', async () => {
    expect(await listVariants(db, ORDER2)).toEqual({ rows: [], next: null, fileId: null, loading: false });
    expect(await countVariants(db, ORDER2)).toBe(0);
    await expect(listVariants(db, ORDER, { after: 'bm9wZQ' })).rejects.toThrow(RangeError);
  });

  it('clamps the page size', async () => {
    expect((await listVariants(db, ORDER, { hideTierIV: false, limit: 0 })).rows).toHaveLength(1);
    expect((await listVariants(db, ORDER, { hideTierIV: false, limit: 5000 })).rows).toHaveLength(N);
  });

  it('getVariant returns full INFO and FORMAT; unknown ids are null', async () => {
    const v = all.find((x) => x.hgvsP !== null);
    const d = await getVariant(db, v?.id ?? '');
    expect(d).toMatchObject({ ...v, orderId: ORDER });
    expect(d?.info.ANN).toBeDefined();
    expect(d?.format?.TUMOR?.GT).toEqual(['0/1']);
    expect(await getVariant(db, 'nope')).toBeNull();
  });

  it('the category filter ignores case, through an index on lower(category)', async () => {
    const spellings = new Set(all.filter((v) => v.category?.toLowerCase() === 'fusion').map((v) => v.category));
    expect(spellings).toEqual(new Set(['Fusion', 'FUSION']));
    const everyFusion = all.filter((v) => v.category?.toLowerCase() === 'fusion').map((v) => v.id);
    for (const typed of ['fusion', 'Fusion', 'FUSION', 'fUsIoN']) {
      expect(await walk({ category: typed, hideTierIV: false }, { key: 'locus', dir: 'asc' }, 50)).toEqual(everyFusion);
      expect(await countVariants(db, ORDER, { category: typed, hideTierIV: false })).toBe(everyFusion.length);
    }
    const [file] = await db.query<{ id: string }>('SELECT id FROM vcf_files WHERE order_id = $1', [ORDER]);
    const [index] = await db.query<{ def: string }>('SELECT indexdef AS def FROM pg_indexes WHERE indexname = $1', [`variants_${file?.id}_category_ci`]);
    expect(index?.def).toMatch(/\(lower\(category\), ordinal\)/);
  });

  it('getVariant with the order reads that order\'s current file only, in one lookup', async () => {
    const other = writeVcf(tmp.dir, 'other.vcf', vcfText(dataset(SEED + 7).slice(0, 50)));
    const r = await ingestVcf(db, { orderId: ORDER2, path: other, cacheDir: join(tmp.dir, 'cache') });
    if (!r.ok) throw new Error(r.message);
    try {
      const v = all.find((x) => x.hgvsP !== null)!;
      const statements: string[] = [];
      const spy = { ...db, query: <T,>(text: string, params?: readonly SqlParam[]) => (statements.push(text), db.query<T>(text, params)) } as SqlDatabase;
      const d = await getVariant(spy, v.id, { orderId: ORDER });
      expect(d).toMatchObject({ ...v, orderId: ORDER });
      expect(d?.info.ANN).toBeDefined();
      // one read of the order's file row, one lookup in its table; the other order's table is never read
      expect(statements).toHaveLength(2);
      expect(statements.filter((q) => /variants_[0-9a-f]{16}/.test(q))).toEqual([expect.stringContaining(`variants_${v.fileId} v WHERE v.id = $1`)]);
      // an id of another order's variant is not this order's
      expect(await getVariant(db, v.id, { orderId: ORDER2 })).toBeNull();
      expect(await getVariant(db, v.id, { orderId: 'not-a-uuid' })).toBeNull();
      // the old form still searches every file
      expect(await getVariant(db, v.id)).toMatchObject({ id: v.id, orderId: ORDER });
    } finally {
      await dropOrderVariants(db, ORDER2);
    }
  });

  it('ships presets that validate as stored data', () => {
    for (const p of DEFAULT_FILTER_PRESETS) expect(variantFilterPresetSchema.parse(p)).toEqual(p);
    expect(variantFilterPresetSchema.safeParse({ name: 'x', filter: { tiers: ['V'] }, sort: { key: 'locus', dir: 'asc' } }).success).toBe(false);
  });
});
