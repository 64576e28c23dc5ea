import { describe, expect, test } from 'vitest';
import type { Curation } from '../../src/core/index.ts';
import { fitColumns } from '../../src/tui/kit/index.ts';
import { readPresets, storedPresets } from '../../src/tui/presets.ts';
import { columnOfSort, fraction, variantColumns, WIDE_SCROLLING, type VariantView } from '../../src/tui/variant-columns.ts';
import { chunks, valueText, variantDetailLines } from '../../src/tui/variant-detail.ts';
import { describeFilter, fieldsOf, filterOf, parseGenes, parseTiers, parseVaf, queryKey, toggleTierIV } from '../../src/tui/variant-filter.ts';
import { DEFAULT_FILTER_PRESETS, VARIANT_SORT_KEYS, variantFilterPresetSchema, type VariantDetail, type VariantRow } from '../../src/vcf/index.ts';

const row: VariantRow = {
  id: 'a1b2c3d4e5f6a7b8c9d0',
  fileId: 'f1',
  ordinal: 1,
  chrom: 'chr12',
  pos: 25245350,
  ref: 'C',
  alt: 'T',
  vcfId: 'rs121913529',
  gene: 'KRAS',
  hgvsC: 'c.35G>A',
  hgvsP: 'p.Gly12Asp',
  consequence: 'missense_variant',
  tier: 'IA',
  category: 'SNV',
  vaf: 0.4521,
  readCount: 312,
  depth: 690,
  popAf: 0.00001,
  clinvar: 'Pathogenic',
  filter: 'PASS',
  alias: null,
  qual: 812.5,
};

const curation: Curation = {
  orderId: '7f1c4a52-1b7a-4d59-9c55-2d9a3f1b0a11',
  variantId: row.id,
  tierOverride: 'IIC',
  acmgClass: 'LP',
  reportable: true,
  note: 'confirmed by Sanger',
  curatedBy: '0b6d3c1e-52f4-4f43-9a8e-6a0c2d7e9b10',
  curatedAt: '2026-05-01T10:00:00.000Z',
  version: 2,
};

describe('the variant filter as typed', () => {
  test('tiers, VAF and genes parse the ways people write them; bad values say why', () => {
    expect(parseTiers('IA, ib,Tier IIC')).toEqual({ success: true, data: ['IA', 'IB', 'IIC'] });
    expect(parseTiers('all')).toEqual({ success: true, data: undefined });
    expect(parseTiers('IA,V')).toMatchObject({ success: false, error: { code: 'invalid_input', message: expect.stringContaining('"V" is not one of IA, IB, IIC, IID, III, IV') } });
    expect(parseVaf('5%')).toEqual({ success: true, data: 0.05 });
    expect(parseVaf('.2')).toEqual({ success: true, data: 0.2 });
    expect(parseVaf('0')).toEqual({ success: true, data: undefined });
    expect(parseVaf('1.5')).toMatchObject({ success: false, error: { message: expect.stringContaining('outside 0–1') } });
    expect(parseVaf('abc')).toMatchObject({ success: false });
    expect(parseGenes('kras, NRAS KRAS')).toEqual(['KRAS', 'NRAS']);
  });

  test('the dialog fields round-trip a filter; tier IV is hidden unless asked for', () => {
    const filter = { tiers: ['IA' as const, 'IB' as const], hideTierIV: false, minVaf: 0.05, genes: ['KRAS'], category: 'SNV', passOnly: true, text: 'p.G12' };
    expect(filterOf(fieldsOf(filter))).toEqual({ success: true, data: filter });
    expect(describeFilter({})).toBe('tier IV hidden');
    expect(describeFilter(filter)).toBe('tiers IA,IB · tier IV shown · VAF ≥ 5% · gene KRAS · category SNV · PASS only · "p.G12"');
    expect(toggleTierIV({})).toEqual({ hideTierIV: false });
    expect(toggleTierIV({ hideTierIV: false })).toEqual({});
    // the same filter written in another order is the same query
    expect(queryKey({ minVaf: 0.1, genes: ['A'] }, { key: 'vaf', dir: 'desc' })).toBe(queryKey({ genes: ['A'], minVaf: 0.1 }, { key: 'vaf', dir: 'desc' }));
  });
});

describe('saved presets', () => {
  const mine = { name: 'AML panel', filter: { genes: ['FLT3', 'NPM1'] }, sort: { key: VARIANT_SORT_KEYS[0], dir: 'asc' as const } };

  test('what was stored reads back', () => {
    expect(readPresets(undefined, variantFilterPresetSchema)).toEqual({ presets: [], problem: null });
    expect(readPresets(storedPresets([mine]), variantFilterPresetSchema)).toEqual({ presets: [mine], problem: null });
  });

  test('a corrupt store is explained, and the readable presets survive', () => {
    const broken = readPresets('{"presets": [', variantFilterPresetSchema);
    expect(broken.presets).toEqual([]);
    expect(broken.problem).toMatch(/unreadable \(not a list of presets\)/);
    const partly = readPresets({ version: 1, presets: [mine, { name: 'bad', filter: { minVaf: 7 }, sort: { key: 'locus', dir: 'asc' } }, 42] }, variantFilterPresetSchema);
    expect(partly.presets).toEqual([mine]);
    expect(partly.problem).toMatch(/^2 saved presets are unreadable and left out: #2 "bad" \(filter\.minVaf: .+\); #3 \(.+\); saving a preset keeps only the readable ones$/);
  });

  test('the built-in presets are valid presets', () => {
    for (const p of DEFAULT_FILTER_PRESETS) expect(variantFilterPresetSchema.safeParse(p).success).toBe(true);
  });
});

describe('variant columns', () => {
  const view: VariantView = { row, curation };
  const titles = (wide: boolean, width: number, scroll = 0) =>
    fitColumns(variantColumns({ wide, scroll, sort: { key: 'vaf', dir: 'desc' } }), width - 3, { wide }).map((f) => f.column.title);

  test('at 80 columns: locus, gene, one HGVS, tier, VAF, depth, ACMG and the reportable mark', () => {
    expect(titles(false, 80)).toEqual(['R', 'LOCUS', 'GENE', 'HGVS', 'TIER', 'CAT', 'VAF↓', 'DEPTH', 'ACMG']);
    // a wider terminal adds columns by priority, in the table's order
    expect(titles(false, 160)).toEqual(['R', 'LOCUS', 'GENE', 'HGVS', 'CONSEQUENCE', 'TIER', 'CAT', 'VAF↓', 'READS', 'DEPTH', 'POP AF', 'CLINVAR', 'FILTER', 'ACMG']);
  });

  test('wide mode: every column, the pinned ones stay while the rest scroll', () => {
    expect(titles(true, 80)).toEqual(['R', 'LOCUS', 'GENE', 'HGVS C.', 'HGVS P.', 'CONSEQUENCE']);
    expect(titles(true, 80, 3)).toEqual(['R', 'LOCUS', 'CONSEQUENCE', 'TIER', 'CAT', 'VAF↓', 'READS', 'DEPTH', 'POP AF']);
    const last = titles(true, 80, WIDE_SCROLLING.length - 1);
    expect(last).toEqual(['R', 'LOCUS', 'ACMG']);
    // every column can be reached
    const seen = new Set<string>();
    for (let s = 0; s < WIDE_SCROLLING.length; s++) for (const t of titles(true, 80, s)) seen.add(t.replace(/[↑↓]$/, ''));
    expect([...seen].sort()).toEqual(['ACMG', 'CAT', 'CLINVAR', 'CONSEQUENCE', 'DEPTH', 'FILTER', 'GENE', 'HGVS C.', 'HGVS P.', 'LOCUS', 'POP AF', 'R', 'READS', 'TIER', 'VAF']);
  });

  test('cells: curated tier starred, marks without colour, fractions in few cells', () => {
    const cells = Object.fromEntries(variantColumns({ wide: true, scroll: 0, sort: null }).map((c) => [c.id, c.value(view)]));
    expect(cells).toMatchObject({ reportable: '✓', locus: 'chr12:25245350 C>T', tier: 'IIC*', acmg: 'LP', vaf: '0.452', pop_af: '1.0e-5' });
    expect(variantColumns({ wide: false, scroll: 0, sort: null }).find((c) => c.id === 'reportable')?.value({ row, curation: { ...curation, reportable: false } })).toBe('✗');
    expect(fraction(null)).toBe('—');
    expect(columnOfSort('read_count')).toBe('read_count');
    expect(columnOfSort('hgvsP')).toBe('hgvs_p');
  });
});

describe('the detail pane', () => {
  test('every INFO and FORMAT field, long annotations one entry per line', () => {
    const detail: VariantDetail = {
      ...row,
      orderId: curation.orderId,
      info: { DP: [690], CLNSIG: ['Pathogenic', 'Drug_response'], SOMATIC: true, ANN: ['T|missense_variant|MODERATE|KRAS|ENSG1|transcript|NM_004985.5|protein_coding|2/6|c.35G>A|p.Gly12Asp||||', 'T|upstream_gene_variant|MODIFIER|KRAS|ENSG1|transcript|NM_033360.4|protein_coding||c.-120G>A|||||'], EMPTY: null },
      format: { TUMOR: { GT: ['0/1'], AD: [378, 312], DP: [690] } },
    };
    const text = variantDetailLines(detail, curation, () => 'cora', 76).map((l) => (typeof l === 'string' ? l : l.map((s) => s.text).join('')));
    expect(text[0]).toBe('chr12:25245350 C>T  rs121913529  id a1b2c3d4e5f6a7b8c9d0');
    expect(text).toContain('  tier IIC* (file IA) · ACMG LP · reportable ✓');
    expect(text.some((l) => /note +confirmed by Sanger/.test(l))).toBe(true);
    expect(text.some((l) => /by +cora at 2026-05-01 10:00 \(version 2\)/.test(l))).toBe(true);
    expect(text).toContain('INFO (5)');
    expect(text.some((l) => /^ {2}CLNSIG +Pathogenic,Drug_response$/.test(l))).toBe(true);
    expect(text.some((l) => /^ {2}SOMATIC +flag$/.test(l))).toBe(true);
    expect(text.some((l) => /^ {2}EMPTY +\.$/.test(l))).toBe(true);
    expect(text.filter((l) => /T\|(missense|upstream)/.test(l))).toHaveLength(2);
    expect(text).toContain('FORMAT · sample TUMOR');
    expect(text.some((l) => /^ {2}AD +378,312$/.test(l))).toBe(true);
    expect(valueText([1, [2, 3]])).toBe('1,2,3');
    // the full record could not be read back: the slim columns stay, the reason is shown
    const lost = variantDetailLines({ ...detail, info: {}, format: null, detailError: { code: 'detail_missing', message: 'INFO and FORMAT of chr12:25245350 C>T cannot be shown: the copy of the records is missing; ingest t.vcf again to restore them' } }, undefined, () => null, 76).map((l) => (typeof l === 'string' ? l : l.map((s) => s.text).join('')));
    expect(lost.some((l) => /^ {2}gene +KRAS$/.test(l))).toBe(true);
    expect(lost.join(' ')).toMatch(/! INFO and FORMAT of chr12:25245350 C>T cannot be shown: .*ingest t\.vcf again/);
    expect(lost).not.toContain('INFO (0)');
    expect(chunks('a,'.repeat(30), 20).every((c) => c.length <= 20)).toBe(true);
  });
});
