import { describe, expect, it } from 'vitest';
import { AMP_TIERS } from '../../src/core/admission.ts';
import { endsPartition, MAX_RECORDS, partitionOf, partitionRange, tierKey, tierKeyRange, tierOfKey } from '../../src/vcf/schema.ts';

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
