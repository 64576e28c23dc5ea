// one line → one row, without a worker or a database: extraction and validation
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/db/postgres.ts';
import { isHeaderProblem, readHeader, splitColumnLine } from '../../src/vcf/header.ts';
import { VARIANT_COLUMNS } from '../../src/vcf/index.ts';
import { tierKey, tierOfKey, unpackRow, type PackedField } from '../../src/vcf/schema.ts';
import { recordDetail, RecordReader } from '../../src/vcf/record.ts';
import { rowBatch } from '../../src/vcf/rows.ts';
import { BASE_META, header, ORDER, rec, vcfText } from './helpers.ts';

type Row = Record<(typeof VARIANT_COLUMNS)[number] | PackedField | 'info' | 'format', string | null>;

/** rows as the CSV loader gets them, with the detail pane's INFO/FORMAT as JSON text */
function build(records: string[], opts: { meta?: string[]; samples?: string[]; sample?: string } = {}): Row[] {
  const text = vcfText(records, opts);
  const ctx = header(text, opts.sample);
  const reader = new RecordReader(ctx);
  const batch = rowBatch('csv', ORDER);
  const details = records.map((line) => {
    const r = reader.read(line);
    if (typeof r === 'string') throw new Error(r);
    batch.add(r, 0);
    return recordDetail(ctx, line);
  });
  return parseCsv(batch.take().data as string).map((cells, i) => {
    const d = details[i];
    const row = Object.fromEntries(VARIANT_COLUMNS.map((c, k) => [c, cells[k] ?? null])) as Record<(typeof VARIANT_COLUMNS)[number], string | null>;
    return {
      ...row,
      // the packed text columns, field by field
      ...unpackRow(row.search_text ?? '', row.display_text ?? ''),
      info: JSON.stringify(d?.info),
      format: d?.format ? JSON.stringify(d.format) : null,
    };
  });
}

function problem(records: string[], opts: { meta?: string[]; samples?: string[] } = {}): string | null {
  const reader = new RecordReader(header(vcfText(records, opts)));
  for (const r of records) {
    const p = reader.read(r);
    if (typeof p === 'string') return p;
  }
  return null;
}

const ISEQ =
  'DP=900;ISEQ_REPORT_AMP_CLASSIFICATION=Tier IIC;ISEQ_REPORT_VAF=0.031;ISEQ_REPORT_READ_COUNT=28;' +
  'ISEQ_REPORT_VARIANT_CATEGORY=SNV;ISEQ_REPORT_GENE_SYMBOL=NPM1;ALIAS_ID=NPM1-A;CLNSIG=Pathogenic;gnomAD_AF=0.0001';

describe('slim columns', () => {
  it('come from the ISEQ annotator first', () => {
    const [r] = build([rec('chr5', 171410540, 'rs1', 'C', 'CTCTG', 99.5, 'PASS', ISEQ, 'GT:AD:DP:AF', '0/1:500,20:520:0.05')]);
    expect(r).toMatchObject({
      chrom: 'chr5',
      pos: '171410540',
      ref: 'C',
      alt: 'CTCTG',
      vcf_id: 'rs1',
      gene: 'NPM1',
      tier_key: String(tierKey('IIC', 1)),
      category: 'SNV',
      vaf: '0.031',
      read_count: '28',
      depth: '520',
      pop_af: '0.0001',
      clinvar: 'Pathogenic',
      filter: 'PASS',
      alias: 'NPM1-A',
      qual: '99.5',
      ordinal: '1',
    });
    expect(JSON.parse(r?.info ?? '')).toMatchObject({ DP: [900], ISEQ_REPORT_AMP_CLASSIFICATION: ['Tier IIC'] });
    expect(JSON.parse(r?.format ?? '')).toEqual({ TUMOR: { GT: ['0/1'], AD: [500, 20], DP: [520], AF: [0.05] } });
  });

  it('fall back to snpEff ANN for gene, HGVS and consequence', () => {
    const ann =
      'ANN=T|missense_variant|MODERATE|TP53|ENSG141510|transcript|ENST269305|protein_coding|5/11|c.524G>A|p.Arg175His|||||,' +
      'T|upstream_gene_variant|MODIFIER|WRAP53|ENSG1|transcript|ENST2|protein_coding||c.-1G>A||||||';
    const [r] = build([rec('17', 7675088, '.', 'C', 'T', '.', '.', ann, 'GT', '0/1')]);
    expect(r).toMatchObject({ gene: 'TP53', hgvs_c: 'c.524G>A', hgvs_p: 'p.Arg175His', consequence: 'missense_variant' });
  });

  it('fall back to VEP CSQ in the header order, PICK first, then CANONICAL', () => {
    const csq =
      'CSQ=T|intron_variant|MODIFIER|AAA|G1|T1|T1:c.1+5G>T||||0.2|,' +
      'T|missense_variant|MODERATE|BRAF|G2|T2|T2:c.1799T>A|T2:p.Val600Glu|YES||0.00001|pathogenic&likely_pathogenic';
    const [r] = build([rec('7', 140753336, '.', 'A', 'T', '.', '.', csq, 'GT', '0/1')]);
    expect(r).toMatchObject({
      gene: 'BRAF',
      hgvs_c: 'T2:c.1799T>A',
      hgvs_p: 'T2:p.Val600Glu',
      consequence: 'missense_variant',
      pop_af: '0.00001',
      clinvar: 'pathogenic&likely_pathogenic',
    });
    const picked = 'CSQ=T|stop_gained|HIGH|PICKED|G|T|c.1A>T|p.X|YES|1||,T|missense_variant|MODERATE|CANON|G|T|c.2A>T|p.Y|YES|||';
    expect(build([rec('7', 1, '.', 'A', 'T', '.', '.', picked, 'GT', '0/1')])[0]?.gene).toBe('PICKED');
  });

  it('the ISEQ gene wins over ANN', () => {
    const info = 'ISEQ_REPORT_GENE_SYMBOL=FLT3;ANN=T|missense_variant|MODERATE|OTHER|E|transcript|T|pc|1/1|c.1A>T|p.M1L|||||';
    expect(build([rec('13', 1, '.', 'A', 'T', '.', '.', info, 'GT', '0/1')])[0]).toMatchObject({ gene: 'FLT3', hgvs_c: 'c.1A>T' });
  });

  it('VAF falls back to FORMAT AF, then to the alt share of FORMAT AD, of the chosen sample', () => {
    const two = { samples: ['NORMAL', 'TUMOR'] };
    const line = rec('1', 100, '.', 'A', 'G', '.', '.', 'DP=300', 'GT:AD:DP', '0/0:100,0:100', '0/1:150,50:200');
    expect(build([line], two)[0]).toMatchObject({ vaf: '0', depth: '100' });
    expect(build([line], { ...two, sample: 'TUMOR' })[0]).toMatchObject({ vaf: '0.25', depth: '200' });
    const withAf = rec('1', 100, '.', 'A', 'G', '.', '.', '.', 'GT:AD:AF', '0/1:150,50:0.3');
    expect(build([withAf])[0]).toMatchObject({ vaf: '0.3', depth: null });
  });

  it('depth falls back to INFO DP when the sample has none', () => {
    expect(build([rec('1', 1, '.', 'A', 'G', '.', '.', 'DP=42', 'GT', '0/1')])[0]?.depth).toBe('42');
  });

  it('multi-allelic records keep the comma-joined ALT and the largest per-allele value', () => {
    const info = 'ISEQ_REPORT_VAF=0.02,0.3;gnomAD_AF=0.5,0.001';
    const [r] = build([rec('1', 5, '.', 'A', 'G,T', '.', '.', info, 'GT:AD', '1/2:10,5,20')]);
    expect(r).toMatchObject({ alt: 'G,T', vaf: '0.3', pop_af: '0.5' });
    const [s] = build([rec('1', 5, '.', 'A', 'G,T', '.', '.', '.', 'GT:AD', '1/2:10,5,25')]);
    expect(s?.vaf).toBe('0.625');
  });

  it('INFO AF is a population frequency only in a file without samples', () => {
    expect(build([rec('1', 1, '.', 'A', 'G', '.', '.', 'AF=0.5', 'GT', '0/1')])[0]?.pop_af).toBeNull();
    expect(build([rec('1', 1, '.', 'A', 'G', '.', '.', 'AF=0.04')], { samples: [] })[0]?.pop_af).toBe('0.04');
  });

  it('normalises tiers and drops ones it does not know', () => {
    const tier = (t: string) => tierOfKey(Number(build([rec('1', 1, '.', 'A', 'G', '.', '.', `ISEQ_REPORT_AMP_CLASSIFICATION=${t}`, 'GT', '0/1')])[0]?.tier_key));
    expect(tier('tier ia')).toBe('IA');
    expect(tier('IV')).toBe('IV');
    expect(tier('Tier_IID')).toBe('IID');
    expect(tier('pathogenic')).toBeNull();
  });

  it('keeps odd records: breakends, symbolic alleles, no ALT, empty INFO, no FORMAT', () => {
    const rows = build(
      [
        rec('2', 321681, 'bnd_W', 'G', 'G]17:198982]', 6, 'PASS', 'SVTYPE=BND'),
        rec('2', 321682, '.', 'T', '<DEL>', 6, 'PASS', 'SVTYPE=DEL'),
        rec('2', 321683, '.', 'T', '.', '.', '.', ''),
        rec('2', 321684, '.', 'T', 'C', '.', 'q10;s50', '.'),
      ],
      { samples: [] },
    );
    expect(rows.map((r) => [r.alt, r.filter, r.info, r.format ?? null])).toEqual([
      ['G]17:198982]', 'PASS', '{"SVTYPE":["BND"]}', null],
      ['<DEL>', 'PASS', '{"SVTYPE":["DEL"]}', null],
      ['.', null, '{}', null],
      ['C', 'q10;s50', '{}', null],
    ]);
  });

  it('quotes text for COPY so quotes and list commas survive', () => {
    const [r] = build([rec('1', 1, '.', 'A', 'G', '.', '.', 'ISEQ_REPORT_GENE_SYMBOL=A"B;ALIAS_ID=X,Y', 'GT', '0/1')]);
    expect(r).toMatchObject({ gene: 'A"B', alias: 'X,Y' });
    expect(JSON.parse(r?.info ?? '')).toEqual({ ISEQ_REPORT_GENE_SYMBOL: ['A"B'], ALIAS_ID: ['X', 'Y'] });
  });

  it('gives repeated records distinct, deterministic ids', () => {
    const line = rec('1', 1, '.', 'A', 'G', '.', '.', '.', 'GT', '0/1');
    const [a, b, c] = build([line, line, rec('1', 1, '.', 'A', 'T', '.', '.', '.', 'GT', '0/1')]);
    expect(b?.id).toBe(`${a?.id}-2`);
    expect(c?.id).not.toBe(a?.id);
    expect(build([line])[0]?.id).toBe(a?.id);
    expect(a?.id).toMatch(/^[0-9a-f]{20}$/);
  });

  it('keeps FORMAT of the chosen sample only above 16 samples', () => {
    const samples = Array.from({ length: 17 }, (_, i) => `S${i}`);
    const line = rec('1', 1, '.', 'A', 'G', '.', '.', '.', 'GT', ...samples.map(() => '0/1'));
    expect(Object.keys(JSON.parse(build([line], { samples, sample: 'S3' })[0]?.format ?? '{}'))).toEqual(['S3']);
    const few = samples.slice(0, 3);
    const line3 = rec('1', 1, '.', 'A', 'G', '.', '.', '.', 'GT', '0/1', '0/0', '1/1');
    expect(Object.keys(JSON.parse(build([line3], { samples: few })[0]?.format ?? '{}'))).toEqual(few);
  });
});

describe('malformed records', () => {
  const ok = (info = '.') => rec('1', 1, '.', 'A', 'G', '.', '.', info, 'GT', '0/1');
  it.each([
    [rec('1', 1, '.', 'A', 'G', '.', '.', '.', 'GT'), /expected 10 tab-separated columns, found 9/],
    ['1 1 . A G . . . GT 0/1', /found 1 \(columns must be separated by tabs\)/],
    [rec('1', 'x7', '.', 'A', 'G', '.', '.', '.', 'GT', '0/1'), /POS "x7" is not a position/],
    [rec('1', 1.5, '.', 'A', 'G', '.', '.', '.', 'GT', '0/1'), /POS "1.5"/],
    [rec('1', 1, '.', '', 'G', '.', '.', '.', 'GT', '0/1'), /REF "" is empty/],
    [rec('1', 1, '.', 'A', '', '.', '.', '.', 'GT', '0/1'), /ALT "" is empty/],
    [rec('', 1, '.', 'A', 'G', '.', '.', '.', 'GT', '0/1'), /CHROM "" is empty/],
    [rec('1', 1, '.', 'A', 'G', 'high', '.', '.', 'GT', '0/1'), /QUAL "high" is not a number/],
    [ok('DP=1.5'), /INFO\/DP value "1.5" is not an Integer/],
    [ok('DP=abc'), /INFO\/DP value "abc" is not an Integer/],
    [ok('gnomAD_AF=often'), /INFO\/gnomAD_AF value "often" is not a Float/],
    [rec('1', 1, '.', 'A', 'G', '.', '.', '.', 'GT:DP', '0/1:7.5'), /FORMAT\/DP of sample TUMOR is not an Integer/],
    [rec('1', 1, '.', 'A', 'G', '.', '.', 'X=\0', 'GT', '0/1'), /NUL byte/],
  ])('%j', (line, reason) => {
    expect(problem([line])).toMatch(reason);
  });

  it('accepts nan and inf in Float fields and missing values anywhere', () => {
    expect(problem([ok('gnomAD_AF=nan'), ok('gnomAD_AF=.'), ok('DP=.'), rec('1', 1, '.', 'A', 'G', 'nan', '.', '.', 'GT', '0/1')])).toBeNull();
  });

  it('words a problem the same whichever path found it', () => {
    // the hot path hands doubtful records to the full parse, which words the message
    expect(problem([ok('DP=1;DP=2.5')])).toMatch(/INFO\/DP value "1" is not an Integer/);
    expect(problem([ok('gnomAD_AF=%41')])).toMatch(/gnomAD_AF value "%41" is not a Float/);
    expect(problem([rec('1', 1, '.', 'A', 'G', '.', '.', '.', 'GT:DP:DP', '0/1:7.5:3')])).toBeNull();
    expect(problem([rec('1', 1, '.', 'A', 'G', '.', '.', '.', 'GT:DP', '0/1:3,x')], { samples: ['TUMOR'] })).toMatch(/FORMAT\/DP of sample TUMOR/);
  });
});

/** every record of every fixture (and some made-up ones): the hot path reads what the full parse reads */
describe('the hot path', () => {
  const dir = join(import.meta.dirname, '../fixtures/vcf');
  const files = readdirSync(dir).filter((f) => /\.vcf(\.gz)?$/.test(f));
  it.each(files)('%s', (file) => {
    const raw = readFileSync(join(dir, file));
    const text = (raw[0] === 0x1f ? gunzipSync(raw) : raw).toString('utf8');
    const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    const meta = lines.filter((l) => l.startsWith('##'));
    const at = lines.findIndex((l) => l.startsWith('#CHROM'));
    const h = readHeader(meta, lines[at] ?? '', at + 1, undefined);
    if (isHeaderProblem(h)) return;
    const fast = new RecordReader(h);
    const full = new RecordReader(h, { fullParse: true });
    const records = lines.slice(at + 1).filter((l) => l !== '' && !l.startsWith('#'));
    for (const line of records) expect(fast.read(line), line).toEqual(full.read(line));
  });

  it('agrees on odd values: percent-encoding, flags with values, missing items, duplicates', () => {
    const text = vcfText([]);
    const lines = [
      'ISEQ_REPORT_GENE_SYMBOL=A%3BB;ISEQ_REPORT_VAF=0.1,.;ALIAS_ID',
      'ISEQ_REPORT_VAF=;CLNSIG=.;ALIAS_ID=X,.,Y;DP=5;DP=7',
      'ISEQ_REPORT_AMP_CLASSIFICATION=Tier%20IA;gnomAD_AF=1e-5;ANN=.,T|missense_variant|M|G|E|t|T|pc|1|c.1A>T|p.M1L|||||',
      'CSQ=T|intron_variant|MODIFIER|AAA|G1|T1|c.1|p.1|YES|1|0.2|benign;AF=0.3;ISEQ_REPORT_READ_COUNT=12',
      '.',
      '',
    ];
    const h = header(text);
    const fast = new RecordReader(h);
    const full = new RecordReader(h, { fullParse: true });
    for (const info of lines) {
      for (const sample of ['0/1:10,5:15:0.3', '.', '0/1:.:.:.', '0/1:1,2,3:9']) {
        const line = rec('1', 1, '.', 'A', 'G,T', '.', '.', info, 'GT:AD:DP:AF', sample);
        expect(fast.read(line), line).toEqual(full.read(line));
      }
    }
  });

  it('agrees on numbers in every spelling Number() reads, and on keys it skips', () => {
    const numbers = [
      '0.1234', '-0', '-0.5', '.5', '5.', '+5', '1e3', '1E-3', ' 5', '0x10', '1,,2', '007', '3.000', '0.1,.,0.3',
      '123456789012345', '1234567890123456', '12345678901234567890', '0.12345678901234567', '-', '1.2.3',
      'nan', 'inf', '-Infinity', '%31', '1%2C2', '%ZZ', '9007199254740993', '0.45342568805423754', '91749669545192650',
    ];
    const infos = [
      ...numbers.flatMap((x) => [`ISEQ_REPORT_VAF=${x}`, `DP=${x}`, `ISEQ_REPORT_READ_COUNT=${x};gnomAD_AF=${x}`]),
      'ALIAS_ID=A,B%3BC,.;CLNSIG=%,x',
      'DX=1;XP=abc;AF;DP=;ANN=;CLNSIG=a,b;SVTYPE=DEL;gnomAD_AF=0.1',
      'DP;ISEQ_REPORT_VAF=0.2;;ISEQ_REPORT_VAF=0.3;',
    ];
    const h = header(vcfText([]));
    const fast = new RecordReader(h);
    const full = new RecordReader(h, { fullParse: true });
    for (const info of infos) {
      const line = rec('1', 1, '.', 'A', 'G,T', '.', '.', info, 'GT:AD:DP:AF', '0/1:10,5:15:0.3');
      expect(fast.read(line), line).toEqual(full.read(line));
    }
    for (const x of numbers) {
      for (const sample of [`0/1:${x}:15:0.3`, `0/1:10,5:${x}:0.3`, `0/1:10,5:15:${x}`, `0/1:10,5:15:${x}:`, `${x}`]) {
        const line = rec('1', 1, '.', 'A', 'G,T', '.', '.', '.', 'GT:AD:DP:AF', sample);
        expect(fast.read(line), line).toEqual(full.read(line));
      }
    }
    // the samples not chosen are checked too
    const h2 = header(vcfText([], { samples: ['N', 'T'] }), 'T');
    const fast2 = new RecordReader(h2);
    const full2 = new RecordReader(h2, { fullParse: true });
    for (const x of numbers) {
      for (const other of [`0/1:${x}:15`, `0/1:1:${x}`, '', '.']) {
        const line = rec('1', 1, '.', 'A', 'G,T', '.', '.', '.', 'GT:AD:DP', other, '0/1:10,5:15');
        expect(fast2.read(line), line).toEqual(full2.read(line));
      }
    }
  });
});

describe('header', () => {
  it('accepts a #CHROM line padded with spaces', () => {
    expect(splitColumnLine('#CHROM POS ID\tREF ALT\tQUAL FILTER INFO\tFORMAT\tA\tB')).toEqual([
      '#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT', 'A', 'B',
    ]);
    // tab-separated sample names may contain spaces
    expect(splitColumnLine('#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNA 1\tNA 2')?.slice(9)).toEqual(['NA 1', 'NA 2']);
  });

  it.each([
    ['#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER', /must start with #CHROM POS ID REF ALT QUAL FILTER INFO/],
    ['#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFMT\tA', /ninth column .* must be FORMAT/],
    ['#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tA', /duplicate sample name "A"/],
  ])('rejects %j', (line, reason) => {
    const h = readHeader(BASE_META, line, 7, undefined);
    expect(h).toMatchObject({ line: 7, reason: expect.stringMatching(reason) });
  });

  it('names the samples when the wanted one is missing', () => {
    const h = readHeader(BASE_META, '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tN\tT', 3, 'X');
    expect(h).toMatchObject({ code: 'unknown_sample', reason: 'sample "X" is not in the file (samples: N, T)' });
  });

  it('keeps SAMPLE metadata with the JSON escapes as written, and only declared fields', () => {
    const meta = [...BASE_META, '##SAMPLE=<ID=TUMOR,SAMPLE_INFO_JSON="{\\"vaf_threshold\\":0.02}">', 'not a meta line ##'];
    const h = header(vcfText([], { meta }));
    expect(h.json.sampleMetadata.TUMOR?.SAMPLE_INFO_JSON).toBe('{\\"vaf_threshold\\":0.02}');
    expect(Object.keys(h.json.meta.INFO as object)).toContain('ISEQ_REPORT_VAF');
    // reserved definitions @gmod/vcf adds are not claimed to be in the file
    expect(Object.keys(h.json.meta.INFO as object)).not.toContain('SOMATIC');
    expect(h.json.fileformat).toBe('VCFv4.2');
  });
});

describe('ids of a binary batch', () => {
  /** the id column of every tuple of a binary COPY batch, read by its length words */
  function idColumn(data: Uint8Array): string[] {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const ids: string[] = [];
    for (let p = 19; ; ) {
      const fields = view.getInt16(p);
      p += 2;
      if (fields === -1) return ids;
      for (let f = 0; f < fields; f++) {
        const n = view.getInt32(p);
        p += 4;
        if (f === VARIANT_COLUMNS.indexOf('id')) ids.push(Buffer.from(data.subarray(p, p + n)).toString('latin1'));
        if (n > 0) p += n;
      }
    }
  }

  it('are filled in by the main thread as the CSV batch writes them, repeats spliced in', async () => {
    const { FileIds, fillIds } = await import('../../src/vcf/ids.ts');
    const a = rec('1', 10, '.', 'A', 'G', '.', '.', '.', 'GT', '0/1');
    const b = rec('1', 20, '.', 'C', 'T', '.', '.', '.', 'GT', '0/1');
    const lines = [a, a, b, a, b, rec('2', 5, '.', 'G', 'A', '.', '.', '.', 'GT', '0/1'), b];
    const ctx = header(vcfText(lines));
    const reader = new RecordReader(ctx);
    const binary = rowBatch('binary', ORDER);
    for (const line of lines) {
      const r = reader.read(line);
      if (typeof r === 'string') throw new Error(r);
      binary.add(r, 0);
    }
    const taken = binary.take();
    if (!taken.ids) throw new Error('a binary batch leaves its ids to the main thread');
    expect(idColumn(taken.data as Uint8Array)).toEqual(lines.map(() => '0'.repeat(20)));
    const filled = fillIds(taken.data as Uint8Array, taken.ids, new FileIds(ORDER));
    expect(idColumn(filled)).toEqual(build(lines).map((r) => r.id));
    expect(idColumn(filled).slice(0, 5).map((id) => id.slice(20))).toEqual(['', '-2', '', '-3', '-2']);
    expect(() => fillIds(taken.data as Uint8Array, { at: taken.ids.at, keys: 'x' }, new FileIds(ORDER))).toThrow(/1 variant keys for 7 rows/);
  });
});

describe('OccurrenceCounter', () => {
  it('counts repeats across table growth', async () => {
    const { OccurrenceCounter, variantId } = await import('../../src/vcf/ids.ts');
    const c = new OccurrenceCounter();
    const ids = Array.from({ length: 20_000 }, (_, i) => variantId(ORDER, '1', i, 'A', 'G'));
    expect(ids.map((id) => c.next(id)).every((n) => n === 1)).toBe(true);
    expect([c.next(ids[5] ?? ''), c.next(ids[5] ?? ''), c.next(ids[19_999] ?? '')]).toEqual([2, 3, 2]);
  });
});
