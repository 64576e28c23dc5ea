import { describe, expect, it } from 'vitest';
import {
  admitVariant,
  DEFAULT_THRESHOLDS,
  normaliseTier,
  parseSampleThresholds,
  REPORTABLE_TIERS,
  type AdmissionInput,
} from '../../src/core/admission.ts';

// the value exactly as @gmod/vcf hands it back: quotes stripped, backslashes kept
const esc = (json: string) => json.replace(/"/g, '\\"');

const base: AdmissionInput = { tier: 'IA', vaf: 0.5, readCount: null, category: 'SNV', alias: null };
const v = (over: Partial<AdmissionInput>): AdmissionInput => ({ ...base, ...over });

describe('normaliseTier', () => {
  it.each([
    ['IA', 'IA'],
    ['Tier IA', 'IA'],
    ['tier iib', null],
    ['tier iic', 'IIC'],
    ['TIER IID', 'IID'],
    ['Tier_III', 'III'],
    ['  iv ', 'IV'],
    ['Tier-IB', 'IB'],
    ['I', null],
    ['Tier', null],
    ['V', null],
    ['', null],
  ])('%j → %j', (raw, want) => {
    expect(normaliseTier(raw)).toBe(want);
  });

  it('is null for non-strings', () => {
    expect(normaliseTier(undefined)).toBeNull();
    expect(normaliseTier(1)).toBeNull();
  });
});

describe('parseSampleThresholds', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_THRESHOLDS).toEqual({ vafThreshold: 0.01, flt3ItdVafThreshold: 0.005, readCountThreshold: 150 });
    expect(parseSampleThresholds(undefined)).toEqual(DEFAULT_THRESHOLDS);
  });

  it('reads all three keys from the escaped value', () => {
    const t = parseSampleThresholds(esc('{"vaf_threshold":0.02,"flt3_itd_vaf_threshold":0.001,"read_count_threshold":100}'));
    expect(t).toEqual({ vafThreshold: 0.02, flt3ItdVafThreshold: 0.001, readCountThreshold: 100 });
  });

  it('reads unescaped JSON and a value still wrapped in quotes', () => {
    expect(parseSampleThresholds('{"vaf_threshold":0.03}').vafThreshold).toBe(0.03);
    expect(parseSampleThresholds(`"${esc('{"vaf_threshold":0.04}')}"`).vafThreshold).toBe(0.04);
  });

  const keys = [
    ['vaf_threshold', 'vafThreshold', 0.02],
    ['flt3_itd_vaf_threshold', 'flt3ItdVafThreshold', 0.002],
    ['read_count_threshold', 'readCountThreshold', 99],
  ] as const;

  describe.each(keys)('%s', (key, field, value) => {
    const others = keys.filter(([k]) => k !== key);

    it('present on its own: overrides only itself', () => {
      const t = parseSampleThresholds(esc(`{"${key}":${value}}`));
      expect(t[field]).toBe(value);
      for (const [, f] of others) expect(t[f]).toBe(DEFAULT_THRESHOLDS[f]);
    });

    it('missing: falls back while the others apply', () => {
      const json = `{${others.map(([k, , val]) => `"${k}":${val}`).join(',')}}`;
      const t = parseSampleThresholds(esc(json));
      expect(t[field]).toBe(DEFAULT_THRESHOLDS[field]);
      for (const [, f, val] of others) expect(t[f]).toBe(val);
    });

    it.each([
      ['a word', '"abc"'],
      ['null', 'null'],
      ['negative', '-1'],
      ['an object', '{"x":1}'],
      ['an empty string', '""'],
      ['true', 'true'],
    ])('unparseable (%s): falls back on its own', (_, bad) => {
      const json = `{"${key}":${bad},${others.map(([k, , val]) => `"${k}":${val}`).join(',')}}`;
      const t = parseSampleThresholds(esc(json));
      expect(t[field]).toBe(DEFAULT_THRESHOLDS[field]);
      for (const [, f, val] of others) expect(t[f]).toBe(val);
    });

    it('unparseable inside broken JSON: the others still apply', () => {
      const json = `{"${key}":oops,${others.map(([k, , val]) => `"${k}":${val}`).join(',')}`;
      const t = parseSampleThresholds(esc(json));
      expect(t[field]).toBe(DEFAULT_THRESHOLDS[field]);
      for (const [, f, val] of others) expect(t[f]).toBe(val);
    });

    it('a numeric string counts as a number', () => {
      expect(parseSampleThresholds(esc(`{"${key}":"${value}"}`))[field]).toBe(value);
    });
  });

  it('falls back entirely for garbage', () => {
    expect(parseSampleThresholds('not json at all')).toEqual(DEFAULT_THRESHOLDS);
    expect(parseSampleThresholds('')).toEqual(DEFAULT_THRESHOLDS);
    expect(parseSampleThresholds('[1,2]')).toEqual(DEFAULT_THRESHOLDS);
  });
});

describe('admitVariant', () => {
  it('rule 1: only IA, IB, IIC, IID are admitted automatically', () => {
    expect(REPORTABLE_TIERS).toEqual(['IA', 'IB', 'IIC', 'IID']);
    for (const tier of ['IA', 'IB', 'IIC', 'IID', 'Tier IA', 'tier iid']) expect(admitVariant(v({ tier })).admit).toBe(true);
    for (const tier of ['III', 'IV', 'Tier III']) {
      const d = admitVariant(v({ tier }));
      expect(d.admit).toBe(false);
      expect(d.reason).toMatch(/manual curation/);
    }
    expect(admitVariant(v({ tier: null }))).toEqual({ admit: false, reason: 'no AMP tier' });
    expect(admitVariant(v({ tier: 'Tier V' })).admit).toBe(false);
  });

  it('rule 1 comes first: a tier IV FLT3-ITD or Fusion is not admitted', () => {
    expect(admitVariant(v({ tier: 'IV', alias: 'FLT3-ITD', vaf: 0.9 })).admit).toBe(false);
    expect(admitVariant(v({ tier: 'III', category: 'Fusion', readCount: null })).admit).toBe(false);
  });

  it('rule 2: FLT3-ITD needs VAF strictly above 0.005', () => {
    const itd = (vaf: number | null) => admitVariant(v({ alias: 'FLT3-ITD', vaf })).admit;
    expect(itd(0.006)).toBe(true);
    expect(itd(0.005)).toBe(false);
    expect(itd(0.004)).toBe(false);
    expect(itd(null)).toBe(false);
    // between the two thresholds: admitted only because it is an ITD
    expect(itd(0.008)).toBe(true);
    expect(admitVariant(v({ vaf: 0.008 })).admit).toBe(false);
  });

  it('rule 2 matches ALIAS_ID exactly, also among several aliases', () => {
    expect(admitVariant(v({ alias: 'X,FLT3-ITD', vaf: 0.008 })).admit).toBe(true);
    expect(admitVariant(v({ alias: 'flt3-itd', vaf: 0.008 })).admit).toBe(false);
  });

  it('rule 3: Fusion needs read count strictly above 150; no read count admits on tier', () => {
    const fusion = (readCount: number | null, vaf: number | null = null) =>
      admitVariant(v({ category: 'Fusion', readCount, vaf }));
    expect(fusion(151).admit).toBe(true);
    expect(fusion(150).admit).toBe(false);
    expect(fusion(10, 0.9).admit).toBe(false);
    expect(fusion(null)).toEqual({ admit: true, reason: 'tier IA Fusion without read count, admitted on tier' });
    expect(admitVariant(v({ category: 'fusion', readCount: null, vaf: null })).admit).toBe(false);
  });

  it('rule 4: everything else needs VAF strictly above 0.01', () => {
    expect(admitVariant(v({ vaf: 0.0101 })).admit).toBe(true);
    expect(admitVariant(v({ vaf: 0.01 })).admit).toBe(false);
    expect(admitVariant(v({ vaf: 0 })).admit).toBe(false);
    expect(admitVariant(v({ vaf: null }))).toEqual({ admit: false, reason: 'tier IA without VAF' });
    expect(admitVariant(v({ vaf: Number.NaN })).admit).toBe(false);
    // a read count does not matter outside fusions
    expect(admitVariant(v({ vaf: 0.5, readCount: 1 })).admit).toBe(true);
  });

  it('uses per-sample thresholds', () => {
    const t = parseSampleThresholds(esc('{"vaf_threshold":0.2,"flt3_itd_vaf_threshold":0.1,"read_count_threshold":10}'));
    expect(admitVariant(v({ vaf: 0.15 }), t).admit).toBe(false);
    expect(admitVariant(v({ vaf: 0.25 }), t).admit).toBe(true);
    expect(admitVariant(v({ alias: 'FLT3-ITD', vaf: 0.1 }), t).admit).toBe(false);
    expect(admitVariant(v({ alias: 'FLT3-ITD', vaf: 0.11 }), t).admit).toBe(true);
    expect(admitVariant(v({ category: 'Fusion', readCount: 11 }), t).admit).toBe(true);
    expect(admitVariant(v({ category: 'Fusion', readCount: 10 }), t).admit).toBe(false);
  });

  it('explains each decision', () => {
    expect(admitVariant(v({ vaf: 0.02 }))).toEqual({ admit: true, reason: 'tier IA, VAF 0.02 > 0.01' });
    expect(admitVariant(v({ tier: 'Tier IIC', vaf: 0.01 }))).toEqual({ admit: false, reason: 'VAF 0.01 is not above 0.01' });
    expect(admitVariant(v({ alias: 'FLT3-ITD', vaf: 0.001 }))).toEqual({
      admit: false,
      reason: 'FLT3-ITD VAF 0.001 is not above 0.005',
    });
    expect(admitVariant(v({ category: 'Fusion', readCount: 200 }))).toEqual({
      admit: true,
      reason: 'tier IA Fusion, read count 200 > 150',
    });
  });
});
