// `curio variants list --sort COL`: every browser column, and a refusal that names them all
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VARIANT_SORT_KEYS } from '../../src/vcf/index.ts';
import { createCliFixture, type CliFixture, type CliHome } from '../helpers/cli.ts';
import { rec, vcfText } from './helpers.ts';

const RECORDS = [
  rec('chr13', 28034105, '.', 'A', 'AT', 50, 'PASS', 'ISEQ_REPORT_AMP_CLASSIFICATION=IA;ISEQ_REPORT_READ_COUNT=40;ISEQ_REPORT_GENE_SYMBOL=FLT3', 'GT:DP', '0/1:300'),
  rec('chr17', 7675088, '.', 'C', 'T', 60, 'LowQual', 'ISEQ_REPORT_AMP_CLASSIFICATION=IIC;ISEQ_REPORT_READ_COUNT=900;ISEQ_REPORT_GENE_SYMBOL=TP53', 'GT:DP', '0/1:90'),
  rec('chr7', 140753336, '.', 'A', 'T', 60, 'PASS', 'ISEQ_REPORT_AMP_CLASSIFICATION=IB;ISEQ_REPORT_GENE_SYMBOL=BRAF', 'GT:DP', '0/1:1200'),
];

let fx: CliFixture;
let h: CliHome;
beforeAll(async () => {
  fx = await createCliFixture();
  const vcf = join(fx.root, 'sort.vcf');
  writeFileSync(vcf, vcfText(RECORDS));
  h = fx.fresh();
  h.as('editor');
  const run = async (...args: string[]) => {
    const r = await h.run(...args);
    if (r.code !== 0) throw new Error(`curio ${args.join(' ')}: ${r.stderr}`);
  };
  await run('orders', 'create', '-n', 'ORD-SORT', '--mode', 'somatic', '--indication', 'AML');
  await run('orders', 'transition', 'ORD-SORT', 'analyzing');
  await run('stages', 'assign', 'ORD-SORT', '--self');
  await run('vcf', 'ingest', 'ORD-SORT', vcf);
});
afterAll(() => fx?.cleanup());

describe('curio variants list --sort', () => {
  it('sorts by the new columns in either direction, unknown values last', async () => {
    const genes = async (sort: string) => (await h.json<{ gene: string }[]>('variants', 'list', 'ORD-SORT', '--sort', sort)).map((v) => v.gene);
    expect(await genes('read_count')).toEqual(['FLT3', 'TP53', 'BRAF']);
    expect(await genes('-read_count')).toEqual(['TP53', 'FLT3', 'BRAF']);
    expect(await genes('depth:desc')).toEqual(['BRAF', 'FLT3', 'TP53']);
    expect(await genes('filter')).toEqual(['TP53', 'FLT3', 'BRAF']);
    // nothing is curated yet: every row is unranked, in file order
    expect(await genes('acmg')).toEqual(['FLT3', 'TP53', 'BRAF']);
  });

  it('names every valid key when the column is unknown', async () => {
    const r = await h.run('variants', 'list', 'ORD-SORT', '--sort', 'colour');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`must be one of ${VARIANT_SORT_KEYS.join(', ')} (optionally -COL or COL:desc), got "colour"`);
  });
});
