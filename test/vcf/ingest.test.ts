import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sql, SqlDatabase } from '../../src/db/sql.ts';
import {
  countVariants,
  currentVcfFile,
  getVariant,
  ingestVcf,
  listVariants,
  orderAdmissionThresholds,
  recoverVcfCache,
  variantId,
  vcfFileId,
} from '../../src/vcf/index.ts';
import { generateVcf } from '../../bench/vcf/generate.mjs';
import { EAGER_INDEXES, partitionRange, partitionTable } from '../../src/vcf/schema.ts';
import { AMP_TIERS, type AmpTier } from '../../src/core/admission.ts';
import { allVariants, BASE_META, clearCache, fileTables, ORDER, ORDER2, openCache, rec, tempDir, vcfText, writeVcf } from './helpers.ts';

const tmp = tempDir();
let db: SqlDatabase;
// a data directory, as the client has: the detail copies go to its sibling cache/vcf
const cacheDir = join(tmp.dir, 'cache', 'vcf');

beforeAll(async () => {
  db = await openCache(join(tmp.dir, 'store'));
});
afterAll(async () => {
  await db.close();
  tmp.cleanup();
});
beforeEach(async () => {
  await clearCache(db);
});

/** the same database without its PGlite handle: ingest loads CSV through copyCsv, as on PostgreSQL */
function throughCopyCsv(overrides: Partial<Sql>): Sql {
  const { pglite: _pglite, ...plain } = db as SqlDatabase & { pglite?: unknown };
  return { ...plain, ...overrides };
}

const META = [...BASE_META, '##SAMPLE=<ID=TUMOR,SAMPLE_INFO_JSON="{\\"vaf_threshold\\":0.02,\\"read_count_threshold\\":oops}">'];
const R1 = rec('chr13', 28034105, '.', 'A', 'AT', 50, 'PASS', 'ISEQ_REPORT_AMP_CLASSIFICATION=Tier IA;ISEQ_REPORT_VAF=0.004;ALIAS_ID=FLT3-ITD;ISEQ_REPORT_GENE_SYMBOL=FLT3', 'GT:AD:DP', '0/1:990,10:1000');
const R2 = rec('chr17', 7675088, 'rs28934578', 'C', 'T', 60, 'PASS', 'ISEQ_REPORT_AMP_CLASSIFICATION=IIC;ISEQ_REPORT_VAF=0.3;ISEQ_REPORT_GENE_SYMBOL=TP53', 'GT:AD:DP', '0/1:70,30:100');
const R3 = rec('chr22', 23180000, '.', 'N', '<FUSION>', '.', 'PASS', 'ISEQ_REPORT_AMP_CLASSIFICATION=IB;ISEQ_REPORT_VARIANT_CATEGORY=Fusion;ISEQ_REPORT_GENE_SYMBOL=BCR', 'GT', './.');
const R4 = rec('chr1', 100, '.', 'G', 'A', 5, 'LowQual', 'ISEQ_REPORT_AMP_CLASSIFICATION=IV', 'GT:AD:DP', '0/1:9,1:10');

const tableSnapshot = async (sql: Sql) => {
  const files = await sql.query<{ id: string }>('SELECT id, order_id, sha256, status, record_count, detail_path FROM vcf_files ORDER BY id');
  const rows: Record<string, unknown[]> = {};
  for (const f of files) rows[f.id] = await sql.query(`SELECT id, ordinal, gene, vaf FROM variants_${f.id} ORDER BY ordinal`);
  return { files, rows, tables: await fileTables(sql), details: existsSync(cacheDir) ? readdirSync(cacheDir).sort() : [] };
};

describe('ingestVcf', () => {
  it('loads slim columns, full INFO and FORMAT, and the header', async () => {
    const path = writeVcf(tmp.dir, 'a.vcf', vcfText([R1, R2, R3, R4], { meta: META }));
    const progress: number[] = [];
    const r = await ingestVcf(db, { orderId: ORDER, path, onProgress: (done) => progress.push(done) });
    expect(r).toMatchObject({ ok: true, records: 4, skipped: false });
    expect(progress.at(-1)).toBe(progress.length ? Math.max(...progress) : 0);

    const id = variantId(ORDER, 'chr17', 7675088, 'C', 'T');
    const v = await getVariant(db, id);
    expect(v).toMatchObject({ id, gene: 'TP53', tier: 'IIC', vaf: 0.3, depth: 100, vcfId: 'rs28934578', ordinal: 2, orderId: ORDER });
    expect(v?.info).toEqual({ ISEQ_REPORT_AMP_CLASSIFICATION: ['IIC'], ISEQ_REPORT_VAF: [0.3], ISEQ_REPORT_GENE_SYMBOL: ['TP53'] });
    expect(v?.format).toEqual({ TUMOR: { GT: ['0/1'], AD: [70, 30], DP: [100] } });
    expect(v?.detailError).toBeUndefined();

    const file = await currentVcfFile(db, ORDER);
    expect(file).toMatchObject({ status: 'ready', recordCount: 4, samples: ['TUMOR'], sample: 'TUMOR' });
    expect(file?.header.sampleMetadata.TUMOR?.SAMPLE_INFO_JSON).toContain('vaf_threshold');
    // the broken key falls back on its own
    expect(await orderAdmissionThresholds(db, ORDER)).toEqual({ vafThreshold: 0.02, flt3ItdVafThreshold: 0.005, readCountThreshold: 150 });
  });

  it('is a no-op for the same file again, and the same ids in another order are different', async () => {
    const path = writeVcf(tmp.dir, 'b.vcf', vcfText([R1, R2]));
    const first = await ingestVcf(db, { orderId: ORDER, path });
    const again = await ingestVcf(db, { orderId: ORDER, path });
    expect(first).toMatchObject({ ok: true, skipped: false, records: 2 });
    expect(again).toEqual({ ok: true, skipped: true, records: 2, fileId: first.ok ? first.fileId : '' });
    expect(await countVariants(db, ORDER)).toBe(2);
    const other = await ingestVcf(db, { orderId: ORDER2, path });
    expect(other).toMatchObject({ ok: true, skipped: false });
    const ids = [...(await listVariants(db, ORDER)).rows, ...(await listVariants(db, ORDER2)).rows].map((r) => r.id);
    expect(new Set(ids).size).toBe(4);
  });

  it('a newer file replaces the order’s variants and keeps the ids of variants it shares', async () => {
    await ingestVcf(db, { orderId: ORDER, path: writeVcf(tmp.dir, 'c1.vcf', vcfText([R1, R2])) });
    const before = (await listVariants(db, ORDER)).rows.map((r) => r.id);
    const r = await ingestVcf(db, { orderId: ORDER, path: writeVcf(tmp.dir, 'c2.vcf', vcfText([R2, R3])) });
    expect(r).toMatchObject({ ok: true, records: 2 });
    const after = (await listVariants(db, ORDER)).rows.map((x) => x.id);
    expect(after[0]).toBe(before[1]);
    expect(after).not.toContain(before[0]);
    const files = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM vcf_files WHERE order_id = $1', [ORDER]);
    expect(files[0]?.n).toBe(1);
    // the replaced file's table and detail copy are gone with it
    expect(await fileTables(db)).toEqual([`variants_${r.ok ? r.fileId : ''}`]);
    expect(readdirSync(cacheDir)).toHaveLength(1);
  });

  it('a malformed file fails with file:line: reason and leaves the cache exactly as it was', async () => {
    await ingestVcf(db, { orderId: ORDER, path: writeVcf(tmp.dir, 'good.vcf', vcfText([R1, R2])) });
    const snap = await tableSnapshot(db);
    const records = [R1, R2, R3, R1.replace('28034105', 'x')];
    const path = writeVcf(tmp.dir, 'bad.vcf.gz', vcfText(records), 'gzip');
    const r = await ingestVcf(db, { orderId: ORDER, path });
    expect(r).toEqual({
      ok: false,
      code: 'malformed_vcf',
      message: `${path}:${BASE_META.length + 1 + 4}: POS "x" is not a position`,
    });
    expect(await tableSnapshot(db)).toEqual(snap);
  });

  it('a database failure midway also leaves the cache as it was', async () => {
    await ingestVcf(db, { orderId: ORDER, path: writeVcf(tmp.dir, 'g2.vcf', vcfText([R2])) });
    const snap = await tableSnapshot(db);
    const path = join(tmp.dir, 'many.vcf');
    await generateVcf(path, 3000, 7);
    let batches = 0;
    const failing = throughCopyCsv({
      copyCsv: async (t, c, csv) => {
        if (++batches === 2) throw new Error('disk full');
        return db.copyCsv(t, c, csv);
      },
    });
    const r = await ingestVcf(failing, { orderId: ORDER, path, batchRows: 1000, cacheDir });
    expect(r).toMatchObject({ ok: false, code: 'database_error' });
    expect(r.ok ? '' : r.message).toMatch(/disk full/);
    expect(await tableSnapshot(db)).toEqual(snap);
  });

  it('shows loading rows only to queries that ask for them', async () => {
    await ingestVcf(db, { orderId: ORDER, path: writeVcf(tmp.dir, 'old.vcf', vcfText([R4])) });
    const path = join(tmp.dir, 'loading.vcf');
    await generateVcf(path, 2000, 3);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let seen: { ready: number; loading: number; loadingFlag: boolean } | null = null;
    let batches = 0;
    const gated = throughCopyCsv({
      copyCsv: async (t, c, csv) => {
        const n = await db.copyCsv(t, c, csv);
        if (++batches === 1) {
          const ready = await listVariants(db, ORDER, { hideTierIV: false });
          const loading = await listVariants(db, ORDER, { hideTierIV: false, includeLoading: true });
          seen = { ready: ready.rows.length, loading: loading.rows.length, loadingFlag: loading.loading };
          await gate;
        }
        return n;
      },
    });
    const running = ingestVcf(gated, { orderId: ORDER, path, batchRows: 500, cacheDir });
    await new Promise((r) => setTimeout(r, 50));
    release();
    expect(await running).toMatchObject({ ok: true, records: 2000 });
    expect(seen).toEqual({ ready: 1, loading: 100, loadingFlag: true });
    expect(await countVariants(db, ORDER, { hideTierIV: false })).toBe(2000);
  });

  it('keeps record_count at the rows loaded after every batch, and exact at the end', async () => {
    const path = join(tmp.dir, 'progress.vcf');
    await generateVcf(path, 3000, 5);
    const fileId = vcfFileId(ORDER, createHash('sha256').update(readFileSync(path)).digest('hex'));
    // onProgress follows each batch; a query sent from it runs before the next batch (PGlite is one connection)
    const seen: Promise<{ status: string; recordCount: number; rows: number }>[] = [];
    const r = await ingestVcf(db, {
      orderId: ORDER,
      path,
      batchRows: 500,
      onProgress: () => {
        seen.push(
          db
            .query<{ status: string; record_count: number; n: number }>(
              `SELECT status, record_count, (SELECT count(*)::int FROM variants_${fileId}) AS n FROM vcf_files WHERE id = $1`,
              [fileId],
            )
            .then(([f]) => ({ status: f?.status ?? 'gone', recordCount: f?.record_count ?? -1, rows: f?.n ?? -1 })),
        );
      },
    });
    expect(r).toMatchObject({ ok: true, records: 3000 });
    const samples = await Promise.all(seen);
    const loading = samples.filter((x) => x.status === 'loading');
    // what the browser shows while the file loads is what is in its table
    expect(loading.length).toBeGreaterThanOrEqual(3);
    for (const x of loading) expect(x.recordCount).toBe(x.rows);
    expect(loading.map((x) => x.recordCount)).toEqual([...new Set(loading.map((x) => x.recordCount))].sort((a, b) => a - b));
    expect(loading[0]?.recordCount).toBeGreaterThan(0);
    expect(samples.at(-1)).toEqual({ status: 'ready', recordCount: 3000, rows: 3000 });
    expect((await currentVcfFile(db, ORDER))?.recordCount).toBe(3000);
  });

  it('the CSV loader (PostgreSQL) keeps record_count up with each batch too', async () => {
    const path = join(tmp.dir, 'progress-csv.vcf');
    await generateVcf(path, 1200, 6);
    const fileId = vcfFileId(ORDER, createHash('sha256').update(readFileSync(path)).digest('hex'));
    const counts: number[] = [];
    const csv = throughCopyCsv({
      copyCsv: async (t, c, text) => {
        // the count the previous batch left, read before this one goes in
        const [f] = await db.query<{ record_count: number }>('SELECT record_count FROM vcf_files WHERE id = $1', [fileId]);
        counts.push(f?.record_count ?? -1);
        return db.copyCsv(t, c, text);
      },
    });
    expect(await ingestVcf(csv, { orderId: ORDER, path, batchRows: 400, cacheDir })).toMatchObject({ ok: true, records: 1200 });
    expect(counts).toEqual([0, 400, 800]);
    expect((await currentVcfFile(db, ORDER))?.recordCount).toBe(1200);
  });

  it('reads gzip and multi-member gzip (bgzip) the same as plain text', async () => {
    const text = vcfText([R1, R2, R3, R4]);
    const plain = await ingestVcf(db, { orderId: ORDER, path: writeVcf(tmp.dir, 'p.vcf', text) });
    const ids = async (o: string) => (await listVariants(db, o, { hideTierIV: false })).rows.map((r) => r.id);
    const want = await ids(ORDER);
    expect(plain).toMatchObject({ ok: true, records: 4 });
    for (const how of ['gzip', 'multi'] as const) {
      await clearCache(db);
      const r = await ingestVcf(db, { orderId: ORDER, path: writeVcf(tmp.dir, `p-${how}.vcf.gz`, text, how) });
      expect(r).toMatchObject({ ok: true, records: 4 });
      expect(await ids(ORDER)).toEqual(want);
    }
    if (spawnSync('bgzip', ['--version']).status === 0) {
      await clearCache(db);
      const path = writeVcf(tmp.dir, 'real.vcf', text);
      execFileSync('bgzip', ['-f', path]);
      expect(await ingestVcf(db, { orderId: ORDER, path: `${path}.gz` })).toMatchObject({ ok: true, records: 4 });
      expect(await ids(ORDER)).toEqual(want);
    }
  });

  it('reports corrupt and truncated gzip with the line it reached', async () => {
    const gz = writeVcf(tmp.dir, 'x.vcf.gz', vcfText([R1, R2]), 'gzip');
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(gz);
    const truncated = join(tmp.dir, 'truncated.vcf.gz');
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 12));
    const r = await ingestVcf(db, { orderId: ORDER, path: truncated });
    expect(r).toMatchObject({ ok: false, code: 'malformed_vcf' });
    expect(r.ok ? '' : r.message).toMatch(new RegExp(`^${truncated}:\\d+: corrupt or truncated gzip data`));
    const corrupt = join(tmp.dir, 'corrupt.vcf.gz');
    writeFileSync(corrupt, Buffer.concat([bytes.subarray(0, 20), Buffer.alloc(200, 7)]));
    expect(await ingestVcf(db, { orderId: ORDER, path: corrupt })).toMatchObject({ ok: false, code: 'malformed_vcf' });
    expect(await countVariants(db, ORDER)).toBe(0);
  });

  it.each([
    ['empty.vcf', '', 'empty.vcf:1: empty file'],
    ['text.vcf', 'hello\n', 'text.vcf:1: not a VCF: the first line must be a ## header line or the #CHROM line'],
    ['nochrom.vcf', '##fileformat=VCFv4.2\n##x=y\n', 'nochrom.vcf:2: no #CHROM header line'],
    ['early.vcf', '##fileformat=VCFv4.2\n1\t1\t.\tA\tG\t.\t.\t.\n', 'early.vcf:2: record before the #CHROM header line'],
    ['late.vcf', `${vcfText([R1])}##late=1\n`, `late.vcf:${BASE_META.length + 3}: header line after the #CHROM line`],
    ['bcf.vcf', 'BCF\u0002\u0002junk\n', 'bcf.vcf:1: BCF (binary) input is not supported; convert it with bcftools view -Ov'],
  ])('%s fails with a line number', async (name, text, message) => {
    const path = writeVcf(tmp.dir, name, text);
    expect(await ingestVcf(db, { orderId: ORDER, path })).toEqual({ ok: false, code: 'malformed_vcf', message: `${tmp.dir}/${message}` });
  });

  it('rejects bad input as values, never by throwing', async () => {
    expect(await ingestVcf(db, { orderId: 'ORD-1', path: '/x' })).toMatchObject({ ok: false, code: 'invalid_input' });
    expect(await ingestVcf(db, { orderId: ORDER, path: join(tmp.dir, 'missing.vcf') })).toMatchObject({ ok: false, code: 'file_not_found' });
    expect(await ingestVcf(db, { orderId: ORDER, path: tmp.dir })).toMatchObject({ ok: false, code: 'unreadable' });
    const path = writeVcf(tmp.dir, 's.vcf', vcfText([R2]));
    expect(await ingestVcf(db, { orderId: ORDER, path, sample: 'NORMAL' })).toMatchObject({
      ok: false,
      code: 'unknown_sample',
      message: `${path}:${BASE_META.length + 1}: sample "NORMAL" is not in the file (samples: TUMOR)`,
    });
  });

  it('refuses a second ingest for an order while one runs, and can be aborted', async () => {
    const path = join(tmp.dir, 'abort.vcf');
    await generateVcf(path, 5000, 5);
    const ac = new AbortController();
    const first = ingestVcf(db, {
      orderId: ORDER,
      path,
      batchRows: 500,
      signal: ac.signal,
      onProgress: () => ac.abort(),
    });
    const second = await ingestVcf(db, { orderId: ORDER, path });
    expect(second).toMatchObject({ ok: false, code: 'ingest_in_progress' });
    expect(await first).toEqual({ ok: false, code: 'aborted', message: 'ingest aborted' });
    expect(await fileTables(db)).toEqual([]);
    expect(await db.query('SELECT * FROM vcf_files')).toEqual([]);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('recovers what an interrupted ingest left behind', async () => {
    await ingestVcf(db, { orderId: ORDER, path: writeVcf(tmp.dir, 'keep.vcf', vcfText([R2])) });
    const half = 'aaaaaaaaaaaaaaaa';
    const leftover = join(cacheDir, '0b6d3c1e-52f4-4f43-9a8e-6a0c2d7e9b10.bgz');
    writeFileSync(leftover, 'half a copy');
    await db.query(`INSERT INTO vcf_files (id, order_id, sha256, path, status) VALUES ($1, $2, 'x', '/x', 'loading')`, [half, ORDER2]);
    await db.exec(`CREATE TABLE variants_${half} (ordinal int); CREATE TABLE variants_bbbbbbbbbbbbbbbb (ordinal int)`);
    expect(await recoverVcfCache(db)).toBe(1);
    // the loading file, a table no file names, a copy no file names: all gone; the ready file stays
    expect(await fileTables(db)).toHaveLength(1);
    expect(existsSync(leftover)).toBe(false);
    expect(readdirSync(cacheDir)).toHaveLength(1);
    expect(await countVariants(db, ORDER)).toBe(1);
  });
});

describe('the detail copy', () => {
  it('keeps every INFO/FORMAT value after the source file moves', async () => {
    const path = writeVcf(tmp.dir, 'moving.vcf.gz', vcfText([R1, R2, R3, R4]), 'gzip');
    const r = await ingestVcf(db, { orderId: ORDER, path });
    expect(r).toMatchObject({ ok: true, records: 4 });
    renameSync(path, `${path}.moved`);
    const v = await getVariant(db, variantId(ORDER, 'chr13', 28034105, 'A', 'AT'));
    expect(v?.detailError).toBeUndefined();
    expect(v?.info).toEqual({ ISEQ_REPORT_AMP_CLASSIFICATION: ['Tier IA'], ISEQ_REPORT_VAF: [0.004], ALIAS_ID: ['FLT3-ITD'], ISEQ_REPORT_GENE_SYMBOL: ['FLT3'] });
    expect(v?.format).toEqual({ TUMOR: { GT: ['0/1'], AD: [990, 10], DP: [1000] } });
  });

  it('a removed or damaged copy gives a clear error, and the slim columns still', async () => {
    const path = writeVcf(tmp.dir, 'detail.vcf', vcfText([R1, R2]));
    const r = await ingestVcf(db, { orderId: ORDER, path });
    if (!r.ok) throw new Error(r.message);
    const [file] = await db.query<{ detail_path: string }>('SELECT detail_path FROM vcf_files WHERE id = $1', [r.fileId]);
    const copy = file?.detail_path ?? '';
    expect(copy.startsWith(cacheDir)).toBe(true);
    const id = variantId(ORDER, 'chr17', 7675088, 'C', 'T');

    renameSync(copy, `${copy}.away`);
    const missing = await getVariant(db, id);
    expect(missing).toMatchObject({ id, gene: 'TP53', vaf: 0.3, info: {}, format: null, detailError: { code: 'detail_missing' } });
    expect(missing?.detailError?.message).toMatch(/INFO and FORMAT of chr17:7675088 C>T cannot be shown: the copy of the records .* is missing; ingest detail\.vcf again/);

    writeFileSync(copy, 'not a bgzf file at all');
    expect((await getVariant(db, id))?.detailError).toMatchObject({ code: 'detail_unreadable' });

    // another record's copy in its place must not show that record's values
    renameSync(`${copy}.away`, copy);
    const other = await ingestVcf(db, { orderId: ORDER2, path: writeVcf(tmp.dir, 'other.vcf', vcfText([R3, R4])) });
    if (!other.ok) throw new Error(other.message);
    const [o] = await db.query<{ detail_path: string }>('SELECT detail_path FROM vcf_files WHERE id = $1', [other.fileId]);
    const { copyFileSync } = await import('node:fs');
    copyFileSync(o?.detail_path ?? '', copy);
    expect((await getVariant(db, id))?.detailError).toMatchObject({ code: 'detail_unreadable', message: expect.stringMatching(/does not match/) });
  });

  it('the CSV loader (PostgreSQL) and the binary one (PGlite) load the same rows', async () => {
    const path = join(tmp.dir, 'both.vcf');
    await generateVcf(path, 1500, 11);
    const all = async () => (await allVariants(db, ORDER, { hideTierIV: false })).map(({ fileId: _f, ...row }) => row);
    expect(await ingestVcf(db, { orderId: ORDER, path })).toMatchObject({ ok: true, records: 1500 });
    const binary = await all();
    await clearCache(db);
    expect(await ingestVcf(throughCopyCsv({}), { orderId: ORDER, path, cacheDir })).toMatchObject({ ok: true, records: 1500 });
    expect(await all()).toEqual(binary);
  });

  it('both keep the packed text fields apart, with the separator byte and non-ASCII text inside values, and number repeats alike', async () => {
    // %01 decodes to the separator byte itself; ç and → are two- and three-byte UTF-8
    const odd = rec('chr2', 100, 'rs7%01x', 'A', 'G', 10, 'PASS', 'ALIAS_ID=a%01b,ç→;CLNSIG=Likely_pathogenic;ANN=G|missense%01variant|MODERATE|TP53|', 'GT:AD:DP', '0/1:5,5:10');
    // a repeated record's id is longer than the others: the binary batch makes room for it
    const path = writeVcf(tmp.dir, 'odd.vcf', vcfText([odd, R2, R2, odd, R2]));
    const rows = async (sql: Sql) => {
      expect(await ingestVcf(sql, { orderId: ORDER, path, cacheDir })).toMatchObject({ ok: true, records: 5 });
      const page = await listVariants(db, ORDER, { hideTierIV: false });
      await clearCache(db);
      return page.rows.map(({ fileId: _f, ...row }) => row);
    };
    const binary = await rows(db);
    expect(binary[0]).toMatchObject({ ref: 'A', alt: 'G', vcfId: 'rs7%01x', alias: 'a%01b,ç→', clinvar: 'Likely_pathogenic', consequence: 'missense%01variant' });
    const oddId = variantId(ORDER, 'chr2', 100, 'A', 'G');
    const r2 = binary[1] as (typeof binary)[number];
    const r2Id = variantId(ORDER, r2.chrom, r2.pos, r2.ref, r2.alt);
    expect(binary.map((v) => v.id)).toEqual([oddId, r2Id, `${r2Id}-2`, `${oddId}-2`, `${r2Id}-3`]);
    expect(binary[4]).toMatchObject({ ordinal: 5, ref: r2.ref, alt: r2.alt, gene: r2.gene });
    expect(await rows(throughCopyCsv({}))).toEqual(binary);
  });
});

const rank = (t: string | null) => (t === null ? -1 : AMP_TIERS.indexOf(t as AmpTier));

describe('a file larger than one partition', () => {
  it('is loaded partition by partition, each with its indexes, and pages across the seam in every order', async () => {
    const seam = partitionRange(1).from;
    const records = seam + 1999;
    const path = join(tmp.dir, 'two-partitions.vcf');
    await generateVcf(path, records, 11);
    const r = await ingestVcf(db, { orderId: ORDER, path });
    expect(r).toMatchObject({ ok: true, records, skipped: false });
    const fileId = r.ok ? r.fileId : '';
    const parts = await db.query<{ name: string; persistence: string }>(
      `SELECT c.relname AS name, c.relpersistence AS persistence FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = $1::regclass ORDER BY 1`,
      [`variants_${fileId}`],
    );
    expect(parts).toEqual([0, 1].map((k) => ({ name: partitionTable(fileId, k), persistence: 'u' })));
    for (const k of [0, 1]) {
      const names = await db.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE tablename = $1 ORDER BY 1', [partitionTable(fileId, k)]);
      expect(names.map((x) => x.indexname)).toEqual(EAGER_INDEXES.map((c) => `${partitionTable(fileId, k)}_${c}`).sort());
      const [n] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${partitionTable(fileId, k)}`);
      expect(n?.n).toBe(k === 0 ? seam - 1 : records - seam + 1);
    }
    // keyset pages in the order of the indexes, against the same order straight from SQL
    const ordinals = async (sort: { key: 'locus' | 'vaf' | 'tier'; dir: 'asc' | 'desc' }) =>
      (await allVariants(db, ORDER, { hideTierIV: false, sort })).map((v) => v.ordinal);
    const t = `variants_${fileId}`;
    const expected = async (order: string) => (await db.query<{ ordinal: number }>(`SELECT ordinal FROM ${t} ${order}`)).map((x) => x.ordinal);
    expect(await ordinals({ key: 'locus', dir: 'asc' })).toEqual(await expected('ORDER BY ordinal'));
    expect(await ordinals({ key: 'vaf', dir: 'desc' })).toEqual(
      await expected('WHERE vaf IS NOT NULL ORDER BY vaf DESC, ordinal DESC').then(async (a) => [...a, ...(await expected('WHERE vaf IS NULL ORDER BY ordinal DESC'))]),
    );
    // the tier from the rows' own values, ranked as AMP_TIERS lists them
    const byTier = (await allVariants(db, ORDER, { hideTierIV: false })).sort((a, b) => rank(b.tier) - rank(a.tier) || b.ordinal - a.ordinal);
    expect(await ordinals({ key: 'tier', dir: 'desc' })).toEqual([
      ...byTier.filter((v) => v.tier !== null).map((v) => v.ordinal),
      ...byTier.filter((v) => v.tier === null).map((v) => v.ordinal),
    ]);
    expect(await countVariants(db, ORDER, { tiers: ['IA', 'IB'] })).toBe(byTier.filter((v) => v.tier === 'IA' || v.tier === 'IB').length);
    const relation = async (name: string) => (await db.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name]))[0]?.t ?? null;
    // the gene index comes with the first gene filter, over both partitions
    expect(await relation(`${t}_gene`)).toBeNull();
    expect(await relation(`${t}_category_ci`)).toBeNull();
    const gene = (await db.query<{ gene: string }>(`SELECT gene FROM ${t} WHERE ordinal = $1`, [records]))[0]?.gene ?? '';
    const ofGene = await expected(`WHERE gene = '${gene}' ORDER BY ordinal`);
    expect(ofGene.some((o) => o < seam) && ofGene.some((o) => o >= seam)).toBe(true);
    // a page that builds an index on its first use says so first, naming its column
    const builds: string[] = [];
    const onIndexBuild = (column: string) => void builds.push(column);
    await listVariants(db, ORDER, { gene, hideTierIV: false, limit: 5, onIndexBuild });
    await listVariants(db, ORDER, { category: 'snv', limit: 5, onIndexBuild });
    await listVariants(db, ORDER, { gene, category: 'SNV', limit: 5, onIndexBuild });
    expect(builds).toEqual(['gene', 'category']);
    expect(await countVariants(db, ORDER, { gene, hideTierIV: false })).toBe(ofGene.length);
    expect(await relation(`${t}_gene`)).toBe(`${t}_gene`);
    expect((await allVariants(db, ORDER, { gene, hideTierIV: false })).map((v) => v.ordinal)).toEqual(ofGene);
    for (const k of [0, 1]) expect(await relation(`${partitionTable(fileId, k)}_gene_ordinal_idx`)).not.toBeNull();
    // a variant of the second partition, as the browser finds it (by its row's ordinal)
    const [last] = await db.query<{ id: string; pos: number }>(`SELECT id, pos FROM ${t} WHERE ordinal = $1`, [records]);
    expect(await getVariant(db, last?.id ?? '', { orderId: ORDER, ordinal: records })).toMatchObject({ ordinal: records, pos: last?.pos });
    expect(await getVariant(db, last?.id ?? '', { orderId: ORDER, ordinal: records - 1 })).toBeNull();
    const idIndex = () => relation(`${t}_id`);
    expect(await idIndex()).toBeNull();
    // and by its id alone, which builds the id index on first use
    const v = await getVariant(db, last?.id ?? '', { orderId: ORDER });
    expect(await idIndex()).toBe(`${t}_id`);
    expect(v).toMatchObject({ ordinal: records, pos: last?.pos });
    expect(v?.detailError).toBeUndefined();
    expect(Object.keys(v?.info ?? {})).toContain('ANN');
  }, 60_000);
});

describe('a store that stopped without closing', () => {
  it('comes back with the file stale and says so, and the next ingest restores it', async () => {
    const { openPglite } = await import('../../src/db/pglite.ts');
    const live = await openCache(join(tmp.dir, 'live-store'));
    const path = writeVcf(tmp.dir, 'crash.vcf', vcfText([R1, R2, R3]));
    let copy: SqlDatabase | null = null;
    try {
      expect(await ingestVcf(live, { orderId: ORDER, path })).toMatchObject({ ok: true, records: 3 });
      // the data directory as a crash leaves it: copied while the store is open
      cpSync(join(tmp.dir, 'live-store'), join(tmp.dir, 'crashed-store'), { recursive: true });
      copy = await openPglite(join(tmp.dir, 'crashed-store'));
      await recoverVcfCache(copy);
      const page = await listVariants(copy, ORDER);
      expect(page).toMatchObject({ rows: [], fileId: null });
      expect(page.stale).toMatch(/has been cleared \(.*Curio stopped without closing its store\); ingest .*crash\.vcf again/);
      expect(await currentVcfFile(copy, ORDER)).toBeNull();
      expect(await copy.query('SELECT status FROM vcf_files')).toEqual([{ status: 'stale' }]);
      expect(await ingestVcf(copy, { orderId: ORDER, path })).toMatchObject({ ok: true, records: 3, skipped: false });
      expect((await listVariants(copy, ORDER, { hideTierIV: false })).rows).toHaveLength(3);
      // the store that was closed properly kept its rows
      expect((await listVariants(live, ORDER, { hideTierIV: false })).rows).toHaveLength(3);
    } finally {
      await copy?.close();
      await live.close();
    }
  });
});

/** a store in tmp.dir/NAME as the migrations up to VERSION left it */
async function storeAt(version: number, name: string): Promise<SqlDatabase> {
  const { openPglite } = await import('../../src/db/pglite.ts');
  const { MIGRATIONS } = await import('../../src/db/schema.ts');
  const db = await openPglite(join(tmp.dir, name));
  await db.exec('CREATE TABLE schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
  for (const m of MIGRATIONS.filter((x) => x.version <= version)) {
    await db.exec(m.sql);
    await db.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
  }
  return db;
}

describe('a cache from the layout before migration 4', () => {
  it('is cleared by the migration, named as stale, and comes back with the next ingest', async () => {
    const { migrate } = await import('../../src/db/schema.ts');
    // a store as migrations 1-3 left it, with a file in the shared variants table
    const old = await storeAt(3, 'old-store');
    try {
      const path = writeVcf(tmp.dir, 'before.vcf', vcfText([R1, R2]));
      await old.query(
        `INSERT INTO vcf_files (id, order_id, sha256, path, status, record_count) VALUES ('0123456789abcdef', $1, 'x', $2, 'ready', 1)`,
        [ORDER, path],
      );
      await old.query(`INSERT INTO variants (id, file_id, order_id, ordinal, chrom, pos, ref, alt, info) VALUES ('v1', '0123456789abcdef', $1, 1, 'chr13', 1, 'A', 'G', '{}')`, [ORDER]);
      expect(await migrate(old)).toEqual([4, 5]);
      expect(await old.query(`SELECT to_regclass('variants')::text AS t`)).toEqual([{ t: null }]);
      const page = await listVariants(old, ORDER);
      expect(page).toMatchObject({ rows: [], fileId: null });
      expect(page.stale).toMatch(/has been cleared \(it was built by an older version of Curio, .*\); ingest .*before\.vcf again/);
      expect(await getVariant(old, 'v1')).toBeNull();
      // recovery leaves the stale file listed; the next ingest of the order replaces it
      await recoverVcfCache(old);
      expect(await ingestVcf(old, { orderId: ORDER, path })).toMatchObject({ ok: true, records: 2, skipped: false });
      const after = await listVariants(old, ORDER);
      expect(after.rows).toHaveLength(2);
      expect(after.stale).toBeUndefined();
      expect(await old.query('SELECT status FROM vcf_files')).toEqual([{ status: 'ready' }]);
    } finally {
      await old.close();
    }
  });
});

describe('a cache of layout 2 (before migration 5)', () => {
  it('has its tables dropped and its files named as stale, and comes back with the next ingest', async () => {
    const { migrate } = await import('../../src/db/schema.ts');
    const old = await storeAt(4, 'layout2-store');
    try {
      // a ready file and a half-loaded one, each with a table of layout 2 (tier as text)
      const path = writeVcf(tmp.dir, 'layout2.vcf', vcfText([R1, R2]));
      for (const [id, status] of [['0123456789abcdef', 'ready'], ['fedcba9876543210', 'loading']] as const) {
        await old.query(`INSERT INTO vcf_files (id, order_id, sha256, path, status, record_count) VALUES ($1, $2, $3, $4, $5, 1)`, [id, ORDER, id, path, status]);
        await old.exec(`CREATE TABLE variants_${id} (ordinal integer PRIMARY KEY, id text NOT NULL, tier text); INSERT INTO variants_${id} VALUES (1, 'v1', 'IA')`);
      }
      expect(await migrate(old)).toEqual([5]);
      expect(await fileTables(old)).toEqual([]);
      expect(await old.query('SELECT id, status FROM vcf_files')).toEqual([{ id: '0123456789abcdef', status: 'stale' }]);
      const page = await listVariants(old, ORDER);
      expect(page).toMatchObject({ rows: [], fileId: null });
      expect(page.stale).toMatch(/has been cleared .*; ingest .*layout2\.vcf again/);
      expect(await ingestVcf(old, { orderId: ORDER, path })).toMatchObject({ ok: true, records: 2, skipped: false });
      expect((await listVariants(old, ORDER, { hideTierIV: false })).rows.map((v) => v.tier)).toEqual(['IA', 'IIC']);
    } finally {
      await old.close();
    }
  });
});

describe('the detail copies of an in-memory store', () => {
  it('live in a directory of the process, which also clears what killed processes left', () => {
    const tmpRoot = join(tmp.dir, 'tmpdir');
    mkdirSync(tmpRoot);
    const host = hostname().replace(/[^A-Za-z0-9.-]/g, '_');
    const dead = spawnSync(process.execPath, ['-e', '']).pid ?? 0;
    const left = (name: string) => {
      mkdirSync(join(tmpRoot, name));
      writeFileSync(join(tmpRoot, name, `${randomUUID()}.bgz`), 'a copy');
      return name;
    };
    // a test runner ends its workers without their exit handlers: this one's copies stayed
    const killed = left(`curio-vcf-${host}-${dead}-AbC123`);
    const living = left(`curio-vcf-${host}-${process.pid}-DeF456`);
    const elsewhere = left(`curio-vcf-other.host-${dead}-GhI789`);
    const path = writeVcf(tmp.dir, 'memory.vcf', vcfText([R1, R2]));
    const script = join(tmp.dir, 'memory.mts');
    const root = join(import.meta.dirname, '../..');
    writeFileSync(
      script,
      `import { openPglite } from '${root}/src/db/pglite.ts';
import { VCF_MIGRATION_SQL, ingestVcf, vcfCacheDir } from '${root}/src/vcf/index.ts';
const db = await openPglite();
await db.exec(VCF_MIGRATION_SQL);
const r = await ingestVcf(db, { orderId: '${ORDER}', path: '${path}' });
const { readdirSync } = await import('node:fs');
console.log(JSON.stringify({ ok: r.ok, dir: vcfCacheDir(db), copies: readdirSync(vcfCacheDir(db)).length }));
await db.close();
`,
    );
    const out = execFileSync(process.execPath, ['--import', 'tsx', script], { cwd: root, encoding: 'utf8', env: { ...process.env, TMPDIR: tmpRoot } });
    const child = JSON.parse(out.trim().split('\n').at(-1) ?? '') as { ok: boolean; dir: string; copies: number };
    expect(child).toMatchObject({ ok: true, copies: 1 });
    expect(child.dir.startsWith(join(tmpRoot, `curio-vcf-${host}-`))).toBe(true);
    // its own directory went when it exited; the killed process's too; a live one's and another host's stay
    expect(readdirSync(tmpRoot).filter((n) => n.startsWith('curio-vcf-')).sort()).toEqual([elsewhere, living].sort());
    expect(existsSync(join(tmpRoot, killed))).toBe(false);
  });
});

describe('the parse worker under tsx', () => {
  it('runs when the main program is started with tsx', () => {
    const path = writeVcf(tmp.dir, 'tsx.vcf', vcfText([R1, R2]));
    const script = join(tmp.dir, 'main.mts');
    const root = join(import.meta.dirname, '../..');
    writeFileSync(
      script,
      `import { ingestVcf } from '${root}/src/vcf/index.ts';
// a stand-in database: this test is about the worker starting under tsx
let rows = 0;
const sql = {
  dialect: 'pglite',
  async query() { return []; },
  async exec() {},
  async transaction(fn) { return fn(sql); },
  async copyCsv(_t, _c, csv) { const n = csv.split('\\n').filter(Boolean).length; rows += n; return n; },
};
const r = await ingestVcf(sql, { orderId: '${ORDER}', path: '${path}', cacheDir: '${join(tmp.dir, 'tsx-cache')}' });
console.log(JSON.stringify({ ...r, rows }));
`,
    );
    const out = execFileSync(process.execPath, ['--import', 'tsx', script], { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').at(-1) ?? '')).toMatchObject({ ok: true, records: 2, rows: 2 });
  });
});
