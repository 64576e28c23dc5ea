// report auto-populate and rendering: pure, no store
import { describe, expect, it } from 'vitest';
import {
  admitForReport,
  DEFAULT_THRESHOLDS,
  mergeReportVariants,
  parseSampleThresholds,
  populateReport,
  renderReport,
  type Curation,
  type Order,
  type Report,
  type ReportCandidate,
  type ReportVariant,
} from '../../src/core/index.ts';

const ORDER_ID = '00000000-0000-4000-8000-000000000001';

function variant(id: string, v: Partial<ReportCandidate> = {}): ReportCandidate {
  return {
    id,
    chrom: 'chr17',
    pos: 7675088,
    ref: 'C',
    alt: 'T',
    gene: 'TP53',
    hgvsC: 'c.524G>A',
    hgvsP: 'p.R175H',
    consequence: 'missense_variant',
    tier: 'IIC',
    category: 'SNV',
    vaf: 0.3,
    readCount: null,
    depth: 100,
    popAf: null,
    clinvar: null,
    filter: 'PASS',
    alias: null,
    ...v,
  };
}

function curation(variantId: string, c: Partial<Curation> = {}): Curation {
  return {
    orderId: ORDER_ID,
    variantId,
    tierOverride: null,
    acmgClass: null,
    reportable: null,
    note: null,
    curatedBy: '00000000-0000-4000-8000-0000000000aa',
    curatedAt: '2026-03-01T09:00:00.000Z',
    version: 1,
    ...c,
  };
}

const ids = (vs: readonly ReportVariant[]) => vs.filter((v) => !v.removed).map((v) => v.variantId);
const none = new Map<string, Curation>();

describe('populateReport', () => {
  it('admits by rules 1–4 and says why', () => {
    const out = populateReport(
      [],
      [
        variant('snv-ok', { vaf: 0.3 }),
        variant('snv-low', { vaf: 0.01 }),
        variant('tier-iii', { tier: 'III', vaf: 0.9 }),
        variant('no-tier', { tier: null }),
        variant('itd-ok', { alias: 'FLT3-ITD', vaf: 0.006 }),
        variant('itd-low', { alias: 'FLT3-ITD', vaf: 0.005 }),
        variant('fusion-ok', { category: 'Fusion', vaf: null, readCount: 151 }),
        variant('fusion-low', { category: 'Fusion', vaf: null, readCount: 150 }),
        variant('fusion-unknown', { category: 'Fusion', vaf: null, readCount: null }),
      ],
      none,
      DEFAULT_THRESHOLDS,
    );
    expect(ids(out)).toEqual(['snv-ok', 'itd-ok', 'fusion-ok', 'fusion-unknown']);
    expect(out.find((v) => v.variantId === 'fusion-unknown')?.reason).toMatch(/without read count, admitted on tier/);
  });

  it('uses the sample thresholds from SAMPLE_INFO_JSON, each key on its own', () => {
    const candidates = [
      variant('snv', { vaf: 0.015 }),
      variant('itd', { alias: 'FLT3-ITD', vaf: 0.004 }),
      variant('fusion', { category: 'Fusion', vaf: null, readCount: 100 }),
    ];
    const admitted = (meta: string | undefined) => ids(populateReport([], candidates, none, parseSampleThresholds(meta)));
    expect(admitted(undefined)).toEqual(['snv']);
    expect(admitted('"{\\"vaf_threshold\\":0.02}"')).toEqual([]);
    expect(admitted('"{\\"flt3_itd_vaf_threshold\\":0.001}"')).toEqual(['snv', 'itd']);
    expect(admitted('"{\\"read_count_threshold\\":50}"')).toEqual(['snv', 'fusion']);
    // an unparseable key falls back to its default; the others still apply
    expect(admitted('"{\\"vaf_threshold\\":\\"lots\\",\\"read_count_threshold\\":50}"')).toEqual(['snv', 'fusion']);
    expect(admitted('"{\\"vaf_threshold\\":0.02,\\"read_count_threshold\\":oops}"')).toEqual([]);
  });

  it('a curated tier wins over the file tier, in both directions', () => {
    const out = populateReport(
      [],
      [variant('up', { tier: 'III', vaf: 0.3 }), variant('down', { tier: 'IA', vaf: 0.3 })],
      new Map([
        ['up', curation('up', { tierOverride: 'IIC' })],
        ['down', curation('down', { tierOverride: 'IV' })],
      ]),
      DEFAULT_THRESHOLDS,
    );
    expect(ids(out)).toEqual(['up']);
    expect(out[0]!.snapshot).toMatchObject({ tier: 'IIC', fileTier: 'III' });
    expect(out[0]!.reason).toMatch(/tier curated/);
  });

  it('reportable=false excludes; reportable=true with a reportable tier includes below the thresholds', () => {
    const c = new Map([
      ['no', curation('no', { reportable: false })],
      ['yes-low-vaf', curation('yes-low-vaf', { reportable: true })],
      ['yes-tier-iii', curation('yes-tier-iii', { reportable: true })],
      ['yes-lifted', curation('yes-lifted', { reportable: true, tierOverride: 'IID' })],
    ]);
    const out = populateReport(
      [],
      [variant('no'), variant('yes-low-vaf', { vaf: 0.001 }), variant('yes-tier-iii', { tier: 'III' }), variant('yes-lifted', { tier: 'III', vaf: 0.001 })],
      c,
      DEFAULT_THRESHOLDS,
    );
    expect(ids(out)).toEqual(['yes-low-vaf', 'yes-lifted']);
    expect(admitForReport(variant('yes-tier-iii', { tier: 'III' }), c.get('yes-tier-iii'), DEFAULT_THRESHOLDS)).toEqual({
      admit: false,
      reason: 'curated as reportable, but tier III is not reportable',
    });
  });

  it('never re-adds a variant the curator removed, even when it is admitted again', () => {
    const first = populateReport([], [variant('a'), variant('b')], none, DEFAULT_THRESHOLDS);
    const edited = first.map((v) => (v.variantId === 'a' ? { ...v, removed: true, reason: 'removed by curator' } : v));
    const again = populateReport(edited, [variant('a'), variant('b'), variant('c')], new Map([['a', curation('a', { reportable: true })]]), DEFAULT_THRESHOLDS);
    expect(again.map((v) => [v.variantId, v.removed])).toEqual([
      ['a', true],
      ['b', false],
      ['c', false],
    ]);
    expect(again[0]!.reason).toBe('removed by curator');
  });

  it('marks an entry removed when its curation turns to not reportable', () => {
    const first = populateReport([], [variant('a')], none, DEFAULT_THRESHOLDS);
    const again = populateReport(first, [variant('a')], new Map([['a', curation('a', { reportable: false })]]), DEFAULT_THRESHOLDS);
    expect(again).toEqual([{ ...first[0], removed: true, reason: 'curated as not reportable' }]);
  });

  it('keeps the snapshot taken when the variant entered the report', () => {
    const first = populateReport([], [variant('a', { vaf: 0.3, gene: 'TP53' })], none, DEFAULT_THRESHOLDS);
    const again = populateReport(first, [variant('a', { vaf: 0.9, gene: 'RENAMED' })], new Map([['a', curation('a', { acmgClass: 'P' })]]), DEFAULT_THRESHOLDS);
    expect(again[0]!.snapshot).toEqual(first[0]!.snapshot);
    expect(first[0]!.snapshot).toMatchObject({ vaf: 0.3, gene: 'TP53', acmgClass: null, chrom: 'chr17', pos: 7675088, ref: 'C', alt: 'T' });
  });
});

describe('mergeReportVariants', () => {
  const current: ReportVariant[] = [
    { variantId: 'a', snapshot: { vaf: 0.3 }, reason: 'tier IIC', removed: false },
    { variantId: 'b', snapshot: { vaf: 0.4 }, reason: 'tier IB', removed: false },
  ];

  it('refuses to drop an entry: removal is a flag', () => {
    expect(mergeReportVariants(current, [current[0]!])).toEqual({ ok: false, problem: 'variant b cannot leave the report; mark it removed instead' });
  });

  it('refuses duplicates', () => {
    expect(mergeReportVariants([], [current[0]!, current[0]!])).toMatchObject({ ok: false, problem: 'variant a is listed twice' });
  });

  it('keeps stored snapshots whatever the edit sends', () => {
    const r = mergeReportVariants(current, [
      { ...current[0]!, snapshot: { vaf: 0.99 }, removed: true },
      current[1]!,
      { variantId: 'c', snapshot: { vaf: 0.5 }, reason: 'curated', removed: false },
    ]);
    expect(r.ok && r.variants.map((v) => [v.variantId, v.snapshot, v.removed])).toEqual([
      ['a', { vaf: 0.3 }, true],
      ['b', { vaf: 0.4 }, false],
      ['c', { vaf: 0.5 }, false],
    ]);
  });
});

describe('renderReport', () => {
  const order = {
    id: ORDER_ID,
    displayId: 'ORD-2026-0042',
    mode: 'somatic',
    accession: 'ACC-1',
    externalId: null,
    clinicalIndication: 'AML',
    orderingProvider: 'Dr. Who',
    orderingFacility: null,
    status: 'sign_off',
  } as unknown as Order;
  const report: Report = {
    id: '00000000-0000-4000-8000-0000000000b1',
    orderId: ORDER_ID,
    version: 1,
    status: 'signed',
    amendsReportId: null,
    amendReason: null,
    variants: populateReport([], [variant('a'), variant('b', { gene: 'BRAF', pos: 140753336 }), variant('c', { gene: 'KRAS' })], none, DEFAULT_THRESHOLDS).map(
      (v, i) => (i === 1 ? { ...v, removed: true, reason: 'removed by curator' } : v),
    ),
    summary: 'Pathogenic TP53 variant.',
    signature: null,
    renderedText: null,
    createdBy: '00000000-0000-4000-8000-0000000000aa',
    createdAt: '2026-03-01T09:00:00.000Z',
    updatedAt: '2026-03-01T09:00:00.000Z',
    rowVersion: 3,
  };
  const sig = { signerId: '00000000-0000-4000-8000-0000000000aa', signerName: 'Ada Lovelace', signedAt: '2026-03-02T10:00:00.000Z', meaning: 'approval' };

  it('shows the printed name, time and meaning of the signature, and the removed variants apart', () => {
    const text = renderReport(report, order, sig);
    expect(text).toContain('Signed by: Ada Lovelace');
    expect(text).toContain('Signed at: 2026-03-02T10:00:00.000Z');
    expect(text).toContain('Meaning:   approval');
    expect(text).toMatch(/Reported variants \(2\)[\s\S]*TP53[\s\S]*KRAS[\s\S]*Removed by curation \(1\)\n-+\n.*\n1 {2}BRAF {2}chr17:140753336 C>T {2}removed by curator/);
    expect(text).toContain('Clinical indication: AML');
  });

  it('is deterministic and does not depend on the order status or version', () => {
    const a = renderReport(report, order, sig);
    const b = renderReport(structuredClone(report), { ...order, status: 'completed', version: 9 } as Order, { ...sig });
    expect(b).toBe(a);
    expect(renderReport({ ...report, summary: 'changed' }, order, sig)).not.toBe(a);
  });

  it('names the version an amendment corrects, and renders markdown too', () => {
    const amendment = { ...report, version: 2, amendsReportId: report.id, amendReason: 'wrong gene' };
    expect(renderReport(amendment, order, null, { amendsVersion: 1 })).toMatch(/Amends: +version 1\nAmendment reason: +wrong gene/);
    const md = renderReport(amendment, order, sig, { format: 'md', amendsVersion: 1 });
    expect(md).toMatch(/^# Clinical report ORD-2026-0042, version 2/);
    expect(md).toContain('| 1 | TP53 | chr17:7675088 C>T | c.524G>A p.R175H | IIC | - | 0.3 | - | SNV |');
    expect(md).toContain('- **Signed by:** Ada Lovelace');
  });
});
