// every fixture either ingests with exactly the records bcftools sees, or fails with
// `file:line: reason`; where bcftools itself rejects a file, Curio's decision is pinned
// here and explained in docs/VCF.md
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/pglite.ts';
import type { SqlDatabase } from '../../src/db/sql.ts';
import { countVariants, ingestVcf, VCF_MIGRATION_SQL } from '../../src/vcf/index.ts';

const dir = join(import.meta.dirname, '../fixtures/vcf');
const expected = JSON.parse(readFileSync(join(dir, 'expected-counts.json'), 'utf8')) as {
  files: Record<string, { records: number | null; error?: string }>;
};
const files = readdirSync(dir)
  .filter((f) => /\.vcf(\.gz)?$/.test(f))
  .sort();

/** files bcftools rejects: what Curio does with each, and why (docs/VCF.md) */
const DECISIONS: Record<string, { records: number } | { line: number; reason: RegExp }> = {
  // the #CHROM line is padded with spaces, the records are tab-separated: unambiguous
  'example-4.1-bnd.vcf': { records: 10 },
  // a FORMAT column with no samples
  'example-4.1-info-multiple-values.vcf': { records: 1 },
  'gatk_26_meta.vcf': { records: 0 },
  // empty sample columns are read as all-missing; the column count is right
  'strelka.vcf.gz': { records: 3 },
  // records separated by spaces, not tabs
  'example-4.2.vcf.gz': { line: 49, reason: /expected 73 tab-separated columns, found 1 \(columns must be separated by tabs\)/ },
  'metadata-whitespace.vcf.gz': { line: 49, reason: /expected 73 tab-separated columns, found 1/ },
  'issue_49.vcf.gz': { line: 30, reason: /expected 8 tab-separated columns, found 1/ },
  // a record with spaces for some of its tabs
  'issue-16.vcf': { line: 20, reason: /expected 12 tab-separated columns, found 9/ },
  // 0.1 in a FORMAT field declared Integer
  'issue-254.vcf': { line: 9, reason: /FORMAT\/AO of sample NA00001 is not an Integer/ },
};

const hasBcftools = spawnSync('bcftools', ['--version']).status === 0;

let db: SqlDatabase;
beforeAll(async () => {
  db = await openPglite();
  await db.exec(VCF_MIGRATION_SQL);
});
afterAll(async () => {
  await db.close();
});

describe('VCF conformance fixtures', () => {
  it('expected-counts.json covers every fixture', () => {
    expect(Object.keys(expected.files).sort()).toEqual(files);
    for (const [f, e] of Object.entries(expected.files)) {
      if (e.records === null) expect(DECISIONS[f], `no decision recorded for ${f}`).toBeDefined();
    }
  });

  it.each(files.map((f, i) => [f, i] as const))('%s', async (file, i) => {
    const orderId = `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`;
    const path = join(dir, file);
    const want = expected.files[file];
    expect(want).toBeDefined();

    if (hasBcftools) {
      const live = spawnSync('bcftools', ['view', '-H', path], { encoding: 'utf8', maxBuffer: 1 << 28 });
      const liveRecords = live.status === 0 ? live.stdout.split('\n').filter(Boolean).length : null;
      expect(liveRecords, 'bcftools disagrees with expected-counts.json').toBe(want?.records);
    }

    const r = await ingestVcf(db, { orderId, path });
    const decision = DECISIONS[file];
    if (want?.records !== null && want?.records !== undefined) {
      expect(r).toMatchObject({ ok: true, records: want.records, skipped: false });
      expect(await countVariants(db, orderId, { hideTierIV: false })).toBe(want.records);
    } else if (decision && 'records' in decision) {
      expect(r).toMatchObject({ ok: true, records: decision.records });
    } else if (decision) {
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.code).toBe('malformed_vcf');
      expect(r.message.startsWith(`${path}:${decision.line}: `)).toBe(true);
      expect(r.message).toMatch(decision.reason);
      // nothing of the failed file stays behind
      const [left] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM variants WHERE order_id = $1', [orderId]);
      expect(left?.n).toBe(0);
    } else {
      throw new Error(`no expectation for ${file}`);
    }
  });
});
