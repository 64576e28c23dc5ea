import { describe, expect, it } from 'vitest';
import { AMP_TIERS } from '../../src/core/admission.ts';
import {
  DISPLAY_FIELDS,
  endsPartition,
  MAX_RECORDS,
  packedFieldSql,
  packFields,
  partitionOf,
  partitionRange,
  SEARCH_FIELDS,
  tierKey,
  tierKeyRange,
  tierOfKey,
  unpackFields,
} from '../../src/vcf/schema.ts';

describe('partitions of a file’s table', () => {
  it('cover the ordinals from 1 without gaps or overlaps, 2^17 each for the first million, then 2^19', () => {
    expect(partitionRange(0)).toEqual({ from: 1, to: 2 ** 17 + 1 });
    for (let k = 0; k < 40; k++) {
      const { from, to } = partitionRange(k);
      expect(partitionRange(k + 1).from).toBe(to);
      expect(to - from).toBe(k < 8 ? 2 ** 17 : 2 ** 19);
      expect([partitionOf(from), partitionOf(to - 1)]).toEqual([k, k]);
      expect([endsPartition(to - 2), endsPartition(to - 1)]).toEqual([false, true]);
    }
    expect(partitionOf(2 ** 20)).toBe(7);
    expect(partitionOf(2 ** 20 + 1)).toBe(8);
    expect(partitionOf(MAX_RECORDS)).toBe(8 + Math.floor((MAX_RECORDS - 1 - 2 ** 20) / 2 ** 19));
  });
});

describe('tier_key', () => {
  it('orders rows by tier as AMP_TIERS lists them, rows without a tier last, then by ordinal', () => {
    const tiers = [...AMP_TIERS, null];
    const rows = tiers.flatMap((tier, rank) => [1, 2, MAX_RECORDS].map((ordinal) => ({ tier, rank, ordinal, key: tierKey(tier, ordinal) })));
    const byKey = [...rows].sort((a, b) => a.key - b.key);
    expect(byKey).toEqual([...rows].sort((a, b) => a.rank - b.rank || a.ordinal - b.ordinal));
    for (const r of rows) {
      expect(tierOfKey(r.key)).toBe(r.tier);
      const { from, to } = tierKeyRange(r.tier);
      expect(r.key >= from && r.key < to).toBe(true);
    }
  });

  it('fits a PostgreSQL integer for every ordinal a file may have', () => {
    expect(tierKey(null, MAX_RECORDS)).toBeLessThanOrEqual(2 ** 31 - 1);
    expect(tierKeyRange(null).to - 1).toBeLessThanOrEqual(2 ** 31 - 1);
  });
});

describe('packed text columns', () => {
  it('keep each field in its place, missing ones empty, and a separator inside a value escaped', () => {
    const packed = packFields(['c.1A>G', null, 'missense\x01variant', null, 'rs1']);
    expect(packed).toBe('c.1A>G\x01\x01missense%01variant\x01\x01rs1');
    expect(unpackFields(packed, SEARCH_FIELDS.length)).toEqual(['c.1A>G', null, 'missense%01variant', null, 'rs1']);
    expect(unpackFields(packFields(['A', 'T', null]), DISPLAY_FIELDS.length)).toEqual(['A', 'T', null]);
  });

  it('are read in SQL by position, a missing field as NULL', async () => {
    const { openPglite } = await import('../../src/db/pglite.ts');
    const db = await openPglite();
    try {
      await db.query('CREATE TABLE t (search_text text, display_text text)');
      await db.query('INSERT INTO t VALUES ($1, $2)', [packFields(['c.1A>G', null, 'stop_gained', 'X', 'rs9']), packFields(['A', 'T', null])]);
      const fields = [...SEARCH_FIELDS, ...DISPLAY_FIELDS];
      const [row] = await db.query<Record<string, string | null>>(`SELECT ${fields.map((f) => `${packedFieldSql(f)} AS ${f}`).join(', ')} FROM t`);
      expect(row).toEqual({ hgvs_c: 'c.1A>G', hgvs_p: null, consequence: 'stop_gained', alias: 'X', vcf_id: 'rs9', ref: 'A', alt: 'T', clinvar: null });
    } finally {
      await db.close();
    }
  });
});
