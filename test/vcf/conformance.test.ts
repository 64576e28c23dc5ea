// every fixture either ingests with exactly the records bcftools sees, or fails with
// `file:line: reason`; where bcftools itself rejects a file, Curio's decision is pinned
// here and explained in docs/VCF.md
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/pglite.ts';
import type { SqlDatabase } from '../../src/db/sql.ts';
import { isHeaderProblem, readHeader } from '../../src/vcf/header.ts';
import { countVariants, FORMAT_SAMPLE_LIMIT, getVariant, ingestVcf, VCF_MIGRATION_SQL } from '../../src/vcf/index.ts';
import { allVariants } from './helpers.ts';

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
const home = mkdtempSync(join(tmpdir(), 'curio-vcf-conformance-'));
beforeAll(async () => {
  db = await openPglite(join(home, 'store'));
  await db.exec(VCF_MIGRATION_SQL);
});
afterAll(async () => {
  await db.close();
  rmSync(home, { recursive: true, force: true });
});

/** INFO and FORMAT of each record straight from @gmod/vcf, as the cache's jsonb columns held them before layout 2 */
function freshParse(path: string): { records: string[]; info: (line: string) => unknown; format: (line: string) => unknown } {
  const raw = readFileSync(path);
  const text = (raw[0] === 0x1f ? gunzipSync(raw) : raw).toString('utf8');
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const at = lines.findIndex((l) => l.startsWith('#CHROM'));
  const h = readHeader(lines.slice(0, at).filter((l) => l.startsWith('##')), lines[at] ?? '', at + 1, undefined);
  if (isHeaderProblem(h)) throw new Error(h.reason);
  const json = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;
  return {
    records: lines.slice(at + 1).filter((l) => l !== ''),
    info: (line) => json(line.split('\t')[7] === '' ? {} : h.parser.parseLine(line).INFO),
    format: (line) => {
      const v = h.parser.parseLine(line);
      if (h.samples.length === 0 || !v.FORMAT) return null;
      const all = v.SAMPLES();
      return json(h.samples.length > FORMAT_SAMPLE_LIMIT ? { [h.sample ?? '']: all[h.sample ?? ''] } : all);
    },
  };
}

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
    const loads = (want?.records !== null && want?.records !== undefined) || (decision !== undefined && 'records' in decision);
    if (want?.records !== null && want?.records !== undefined) {
      expect(r).toMatchObject({ ok: true, records: want.records, skipped: false });
      expect(await countVariants(db, orderId, { hideTierIV: false })).toBe(want.records);
    } else if (decision && 'records' in decision) {
      expect(r).toMatchObject({ ok: true, records: decision.records });
    }
    if (loads && r.ok) {
      // the detail pane shows every INFO/FORMAT value of every record, as a fresh parse reads it
      const rows = await allVariants(db, orderId, { hideTierIV: false });
      const fresh = freshParse(path);
      expect(rows).toHaveLength(fresh.records.length);
      for (const row of rows) {
        const line = fresh.records[row.ordinal - 1] ?? '';
        const d = await getVariant(db, row.id);
        expect(d?.detailError).toBeUndefined();
        expect({ info: d?.info, format: d?.format }, line).toEqual({ info: fresh.info(line), format: fresh.format(line) });
      }
    } else if (!loads && decision && !('records' in decision)) {
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.code).toBe('malformed_vcf');
      expect(r.message.startsWith(`${path}:${decision.line}: `)).toBe(true);
      expect(r.message).toMatch(decision.reason);
      // nothing of the failed file stays behind
      expect(await db.query('SELECT id FROM vcf_files WHERE order_id = $1', [orderId])).toEqual([]);
      expect(readdirSync(join(home, 'cache', 'vcf')).length).toBe((await db.query('SELECT id FROM vcf_files')).length);
    } else {
      throw new Error(`no expectation for ${file}`);
    }
  });
});
