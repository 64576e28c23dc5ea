// slug vs the SQL the database generates it with; samplesheets; canonical encoding
import { PGlite } from '@electric-sql/pglite';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalize,
  parseSamplesheet,
  renderSamplesheet,
  SAMPLESHEET_COLUMNS,
  slugify,
  SLUG_SQL,
  type OrderSample,
  type Sample,
} from '../../src/core/index.ts';
import { uid } from './fixtures.ts';

const SEED = process.env.CURIO_SEED !== undefined ? Number(process.env.CURIO_SEED) : 20_260_301;
const LONG = Boolean(process.env.CURIO_LONG);

describe('slugify matches the SQL expression of the orders.slug column', () => {
  let pg: PGlite;
  beforeAll(async () => {
    pg = await PGlite.create('memory://');
  });
  afterAll(async () => {
    await pg.close();
  });

  /** the database's slug for each input, computed by the very expression the schema uses */
  async function sqlSlugs(inputs: readonly string[]): Promise<string[]> {
    const r = await pg.query<{ slug: string }>(
      `SELECT ${SLUG_SQL} AS slug FROM unnest($1::text[]) WITH ORDINALITY AS t(display_id, n) ORDER BY n`,
      [inputs],
    );
    return r.rows.map((row) => row.slug);
  }

  const TRICKY = [
    'ORD-2026-0042',
    '  --ORD__1--  ',
    'ORD 2026..0042',
    '---',
    '',
    '!!!a!!!b!!!',
    'A..B  C',
    'Ünïcödé-Ω-1',
    'xİy', // dotted capital I
    '\u212Aelvin', // Kelvin sign lowercases to k
    'STRASSE-ß',
    'ＡＢＣ-１２３', // fullwidth letters and digits are not [a-z0-9]
    'a\u0301b', // combining accent
    '日本-1',
    'Σσς-final-sigma',
    '😀ORD😀',
    'tab\there\nnewline',
    'ǅ-ǈ-ǋ', // titlecase digraphs
  ];

  it('on tricky inputs', async () => {
    const want = await sqlSlugs(TRICKY);
    expect(TRICKY.map(slugify)).toEqual(want);
    expect(slugify('xİy')).toBe('xiy');
    expect(slugify('  --ORD__1--  ')).toBe('ord-1');
  });

  it('on random strings built from awkward characters', async () => {
    const unit = fc.oneof(
      fc.constantFrom('-', '_', ' ', '.', '/', 'A', 'z', '0', '9', 'İ', 'I', '\u212A', 'ß', 'Ω', 'É', '\u0301', '日', '😀', 'ǅ', 'Ａ'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => c !== '\0'),
    );
    const inputs = fc.sample(fc.string({ unit, maxLength: 24 }), { seed: SEED, numRuns: LONG ? 20_000 : 1_000 });
    const want = await sqlSlugs(inputs);
    const diffs = inputs.map((s, i) => [s, slugify(s), want[i]] as const).filter(([, js, sql]) => js !== sql);
    expect(diffs, `seed ${SEED}`).toEqual([]);
  });

  it.runIf(LONG)('on every code point between two letters', async () => {
    const r = await pg.query<{ cp: number; slug: string }>(
      `SELECT cp, TRIM(BOTH '-' FROM REGEXP_REPLACE(LOWER('a' || chr(cp) || 'b'), '[^a-z0-9]+', '-', 'g')) AS slug
         FROM generate_series(1, 1114111) AS cp WHERE cp NOT BETWEEN 55296 AND 57343`,
    );
    const diffs = r.rows.filter((row) => slugify(`a${String.fromCodePoint(row.cp)}b`) !== row.slug).map((row) => row.cp.toString(16));
    expect(diffs).toEqual([]);
  });
});

function sample(n: number, fields: Partial<Sample> = {}): Sample {
  return {
    id: uid(0x5000 + n),
    projectId: uid(0xf00),
    displayId: `S-${n}`,
    subjectId: null,
    sampleType: 'germline',
    specimenType: null,
    sex: null,
    fastq1: null,
    fastq2: null,
    strandedness: null,
    accession: null,
    tags: [],
    properties: {},
    qcResult: null,
    sampleNotes: null,
    createdBy: uid(3),
    createdAt: '2026-03-01T00:00:00.000Z',
    version: 1,
    ...fields,
  };
}

function sheetOf(samples: Sample[]): string {
  const links: OrderSample[] = samples.map((s) => ({ orderId: uid(0x1), sampleId: s.id, role: 'proband' }));
  return renderSamplesheet(links, new Map(samples.map((s) => [s.id, s])));
}

describe('samplesheet', () => {
  it('renders the nf-core columns, quoting what needs it', () => {
    const text = sheetOf([
      sample(1, { fastq1: 's3://runs/a_R1.fastq.gz', fastq2: 's3://runs/a_R2.fastq.gz', strandedness: 'auto', sex: 'female', accession: 'ACC,1' }),
      sample(2, { specimenType: 'saliva "Oragene"' }),
    ]);
    expect(text).toBe(
      [
        'sample,fastq_1,fastq_2,strandedness,specimen_type,sex,accession_id',
        'S-1,s3://runs/a_R1.fastq.gz,s3://runs/a_R2.fastq.gz,auto,,female,"ACC,1"',
        'S-2,,,,"saliva ""Oragene""",,',
        '',
      ].join('\n'),
    );
    expect(SAMPLESHEET_COLUMNS.join(',')).toBe(text.split('\n')[0]);
  });

  it('a rendered sheet parses back to the same values', () => {
    // surrounding whitespace is dropped when reading, and an empty cell reads as null
    const value = fc.option(
      fc.string({ unit: fc.constantFrom('a', 'Z', '0', ',', '"', ' ', '\n', '\r\n', '/', '.', 'é', '日'), minLength: 1, maxLength: 12 }).filter((s) => s.trim() === s && s !== ''),
      { nil: null },
    );
    const row = fc.record({
      fastq1: value,
      fastq2: value,
      specimenType: value,
      accession: value,
      strandedness: fc.constantFrom('forward', 'reverse', 'unstranded', 'auto', null),
      sex: fc.constantFrom('female', 'male', 'unknown', 'other', null),
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 6 }), (rows) => {
        const samples = rows.map((r, i) => sample(i + 1, r));
        const parsed = parseSamplesheet(sheetOf(samples));
        expect(parsed).toEqual({
          success: true,
          data: samples.map((s) => ({
            sample: s.displayId,
            fastq_1: s.fastq1,
            fastq_2: s.fastq2,
            strandedness: s.strandedness,
            specimen_type: s.specimenType,
            sex: s.sex,
            accession_id: s.accession,
          })),
        });
      }),
      { seed: SEED, numRuns: LONG ? 2_000 : 200 },
    );
  });

  it('reads columns by name, in any order, with CRLF line ends', () => {
    const r = parseSamplesheet('accession_id,sex,sample,fastq_1,fastq_2,strandedness,specimen_type\r\nACC9,male,S-9,r1.fq,,auto,blood\r\n');
    expect(r).toEqual({
      success: true,
      data: [{ sample: 'S-9', fastq_1: 'r1.fq', fastq_2: null, strandedness: 'auto', specimen_type: 'blood', sex: 'male', accession_id: 'ACC9' }],
    });
  });

  const HEADER = SAMPLESHEET_COLUMNS.join(',');
  const error = (text: string) => {
    const r = parseSamplesheet(text);
    if (r.success) return expect.fail('expected the samplesheet to be refused');
    expect(r.error.code).toBe('invalid_input');
    return r.error.message;
  };

  it('names the line of each problem', () => {
    expect(error('')).toBe('samplesheet: line 1: missing header');
    expect(error('sample,fastq_1,fastq_2,strandedness,specimen_type,sex\nS-1,,,,,\n')).toBe('samplesheet: line 1: missing column accession_id');
    expect(error(`${HEADER}\nS-1,,,,,,\nS-2,,,,,\n`)).toBe('samplesheet: line 3: expected 7 fields, found 6');
    expect(error(`${HEADER}\nS-1,,,,,,\n,a.fq,,,,,\n`)).toBe('samplesheet: line 3: column sample is empty');
    expect(error(`${HEADER}\nS-1,"unterminated,,,,,,\n`)).toBe('samplesheet: line 2: unterminated quote');
  });

  it('counts blank lines and quoted line breaks when naming a line', () => {
    expect(error(`${HEADER}\n\nS-1,,,,,,\n\n\nS-2,,,\n`)).toBe('samplesheet: line 6: expected 7 fields, found 4');
    expect(error(`${HEADER}\nS-1,,,,"two\nlines",,\nS-2\n`)).toBe('samplesheet: line 4: expected 7 fields, found 1');
  });
});

describe('canonicalize', () => {
  /** the same value with every object's keys in another order */
  function shuffled(value: unknown, seed: number): unknown {
    if (Array.isArray(value)) return value.map((v, i) => shuffled(v, seed + i));
    if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      const order = entries.map((_, i) => i).sort((a, b) => ((a * 7919 + seed) % 13) - ((b * 7919 + seed) % 13) || b - a);
      return Object.fromEntries(order.map((i) => [entries[i]![0], shuffled(entries[i]![1], seed + i)]));
    }
    return value;
  }

  it('does not depend on key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, seed) => {
        expect(canonicalize(shuffled(value, seed))).toBe(canonicalize(value));
      }),
      { seed: SEED, numRuns: LONG ? 5_000 : 300 },
    );
    expect(canonicalize({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it('round-trips JSON up to key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalize(value);
        expect(canonicalize(JSON.parse(text))).toBe(text);
      }),
      { seed: SEED, numRuns: LONG ? 5_000 : 300 },
    );
  });

  it('writes dates as ISO UTC, drops undefined fields and nulls what JSON cannot hold', () => {
    expect(canonicalize({ at: new Date(Date.UTC(2026, 2, 1, 9, 30)), gone: undefined, n: Number.NaN, inf: -Infinity, list: [undefined, 1] })).toBe(
      '{"at":"2026-03-01T09:30:00.000Z","inf":null,"list":[null,1],"n":null}',
    );
  });
});
