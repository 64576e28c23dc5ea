// curio vcf / variants / report / analyses, end to end on a small annotated VCF
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliFixture, jsonOf, looksLikeCrash, type CliFixture, type CliHome } from '../helpers/cli.ts';

const META = [
  '##fileformat=VCFv4.2',
  '##INFO=<ID=ISEQ_REPORT_AMP_CLASSIFICATION,Number=1,Type=String,Description="AMP tier">',
  '##INFO=<ID=ISEQ_REPORT_VAF,Number=A,Type=Float,Description="VAF">',
  '##INFO=<ID=ISEQ_REPORT_READ_COUNT,Number=1,Type=Integer,Description="Read count">',
  '##INFO=<ID=ISEQ_REPORT_VARIANT_CATEGORY,Number=1,Type=String,Description="Category">',
  '##INFO=<ID=ISEQ_REPORT_GENE_SYMBOL,Number=1,Type=String,Description="Gene">',
  '##INFO=<ID=ALIAS_ID,Number=.,Type=String,Description="Alias">',
  '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
  // the per-sample VAF threshold is raised to 0.02: BRAF at 0.015 stays out
  '##SAMPLE=<ID=TUMOR,SAMPLE_INFO_JSON="{\\"vaf_threshold\\":0.02}">',
  ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT', 'TUMOR'].join('\t'),
];
const rec = (...cols: (string | number)[]) => cols.join('\t');
const RECORDS = [
  rec('chr13', 28034105, '.', 'A', 'AT', 50, 'PASS', 'ISEQ_REPORT_AMP_CLASSIFICATION=Tier IA;ISEQ_REPORT_VAF=0.004;ALIAS_ID=FLT3-ITD;ISEQ_REPORT_GENE_SYMBOL=FLT3', 'GT', '0/1'),
  rec('chr17', 7675088, 'rs28934578', 'C', 'T', 60, 'PASS', 'ISEQ_REPORT_AMP_CLASSIFICATION=IIC;ISEQ_REPORT_VAF=0.3;ISEQ_REPORT_GENE_SYMBOL=TP53', 'GT', '0/1'),
  rec('chr7', 140753336, '.', 'A', 'T', 60, 'PASS', 'ISEQ_REPORT_AMP_CLASSIFICATION=IB;ISEQ_REPORT_VAF=0.015;ISEQ_REPORT_GENE_SYMBOL=BRAF', 'GT', '0/1'),
  rec('chr22', 23180000, '.', 'N', '<FUS>', '.', 'PASS', 'ISEQ_REPORT_AMP_CLASSIFICATION=IB;ISEQ_REPORT_VARIANT_CATEGORY=Fusion;ISEQ_REPORT_READ_COUNT=200;ISEQ_REPORT_GENE_SYMBOL=BCR', 'GT', './.'),
  rec('chr12', 25245350, '.', 'C', 'A', 60, 'PASS', 'ISEQ_REPORT_AMP_CLASSIFICATION=III;ISEQ_REPORT_VAF=0.4;ISEQ_REPORT_GENE_SYMBOL=KRAS', 'GT', '0/1'),
  rec('chr1', 100, '.', 'G', 'A', 5, 'LowQual', 'ISEQ_REPORT_AMP_CLASSIFICATION=IV;ISEQ_REPORT_VAF=0.5;ISEQ_REPORT_GENE_SYMBOL=OR4F5', 'GT', '0/1'),
];

interface VariantJson {
  id: string;
  gene: string | null;
  tier: string | null;
  vaf: number | null;
  curation: { tier_override: string | null; acmg_class: string | null } | null;
}

let fx: CliFixture;
let vcf: string;
let badVcf: string;
beforeAll(async () => {
  fx = await createCliFixture();
  vcf = join(fx.root, 'tumor.vcf');
  writeFileSync(vcf, [...META, ...RECORDS].join('\n') + '\n');
  badVcf = join(fx.root, 'broken.vcf');
  writeFileSync(badVcf, [...META, RECORDS[1]!, rec('chr1', 'notanumber', '.', 'G', 'A', 5, 'PASS', '.', 'GT', '0/1')].join('\n') + '\n');
});
afterAll(() => fx?.cleanup());

async function ok(h: CliHome, ...args: string[]) {
  const r = await h.run(...args);
  if (r.code !== 0) throw new Error(`curio ${args.join(' ')} exited ${r.code}\n${r.stdout}${r.stderr}`);
  return r;
}

/** an order created by the editor and moved to `to`, the editor assigned to each stage on the way */
async function orderIn(h: CliHome, name: string, to: 'analyzing' | 'review' | 'sign_off') {
  h.as('editor');
  await ok(h, 'orders', 'create', '-n', name, '--mode', 'somatic', '--indication', 'AML');
  for (const status of ['analyzing', 'review', 'sign_off'] as const) {
    await ok(h, 'orders', 'transition', name, status);
    await ok(h, 'stages', 'assign', name, '--self');
    if (status === to) break;
  }
}

describe('curio vcf ingest', () => {
  it('ingests with a progress bar on a terminal, freezes the slug, and a second ingest is a no-op', async () => {
    const h = fx.fresh();
    await orderIn(h, 'ORD-VCF-1', 'analyzing');
    const r = await h.runWith({ tty: true }, 'vcf', 'ingest', 'ORD-VCF-1', vcf);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('ORD-VCF-1: ingested 6 records (sample TUMOR)\n');
    expect(r.stderr).toMatch(/ingesting ORD-VCF-1 \[#{30}\] 100%/);
    const again = await h.run('vcf', 'ingest', 'ORD-VCF-1', vcf);
    expect(again.stdout).toBe('ORD-VCF-1: this VCF is already ingested (6 records); nothing changed\n');
    expect(again.stderr).toBe('');
    const renamed = await h.run('orders', 'update', 'ORD-VCF-1', '--display-id', 'ORD-VCF-RENAMED');
    expect(renamed.code).toBe(3);
    expect(renamed.stderr).toMatch(/cannot be renamed: files have been written under its slug ord-vcf-1/);
    const history = await h.run('orders', 'history', 'ORD-VCF-1');
    expect(history.stdout.match(/vcf\.ingested/g)).toHaveLength(1);
  });

  it('says file:line: reason and exits 2 on a malformed file, and leaves the cache as it was', async () => {
    const h = fx.fresh();
    await orderIn(h, 'ORD-VCF-2', 'analyzing');
    const r = await h.run('vcf', 'ingest', 'ORD-VCF-2', badVcf);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^${badVcf.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${META.length + 2}: .+`));
    expect(looksLikeCrash(r)).toBe(false);
    expect((await h.run('variants', 'list', 'ORD-VCF-2')).stdout).toMatch(/has no variants yet/);
    expect((await h.run('vcf', 'ingest', 'ORD-VCF-2', join(fx.root, 'missing.vcf'))).code).toBe(2);
    h.as('viewer');
    const viewer = await h.run('vcf', 'ingest', 'ORD-VCF-2', vcf);
    expect(viewer.code).toBe(3);
    expect(viewer.stderr).toMatch(/^Permission denied: ingesting a VCF requires project_editor/);
  });
});

describe('curio variants', () => {
  let h: CliHome;
  beforeAll(async () => {
    h = fx.fresh();
    await orderIn(h, 'ORD-VAR', 'review');
    await ok(h, 'vcf', 'ingest', 'ORD-VAR', vcf);
  });

  it('lists with filters, sorts and JSON; tier IV hides unless asked for', async () => {
    h.as('editor');
    const all = await h.json<VariantJson[]>('variants', 'list', 'ORD-VAR');
    expect(all.map((v) => v.gene)).toEqual(['FLT3', 'TP53', 'BRAF', 'BCR', 'KRAS']);
    expect((await h.json<VariantJson[]>('variants', 'list', 'ORD-VAR', '--with-tier-iv')).map((v) => v.gene)).toContain('OR4F5');
    expect((await h.json<VariantJson[]>('variants', 'list', 'ORD-VAR', '--tier', 'IB,IIC')).map((v) => v.gene)).toEqual(['TP53', 'BRAF', 'BCR']);
    expect((await h.json<VariantJson[]>('variants', 'list', 'ORD-VAR', '--min-vaf', '0.2', '--sort', '-vaf')).map((v) => v.gene)).toEqual(['KRAS', 'TP53']);
    expect((await h.json<VariantJson[]>('variants', 'list', 'ORD-VAR', '--gene', 'BCR', '--category', 'Fusion')).map((v) => v.gene)).toEqual(['BCR']);
    expect((await h.json<VariantJson[]>('variants', 'list', 'ORD-VAR', '--pass-only', '--with-tier-iv')).map((v) => v.gene)).not.toContain('OR4F5');
    const text = await h.run('variants', 'list', 'ORD-VAR', '--limit', '2');
    expect(text.stdout.split('\n')[0]).toMatch(/^ID\s+LOCUS\s+GENE\s+HGVS\s+TIER\s+VAF/);
    expect(text.stderr).toBe('showing 2 of 5; use --limit N (up to 10000) or narrow the filter\n');
    const bad = await h.run('variants', 'list', 'ORD-VAR', '--tier', 'V');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--tier: "V" is not one of IA, IB, IIC, IID, III, IV/);
  });

  it('curates as the assigned editor; the tier override shows with a glyph, not only colour', async () => {
    h.as('editor');
    const kras = (await h.json<VariantJson[]>('variants', 'list', 'ORD-VAR', '--gene', 'KRAS'))[0]!;
    const r = await h.run('variants', 'curate', 'ORD-VAR', kras.id, '--tier', 'IID', '--acmg', 'LP', '--note', 'hotspot');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('ORD-VAR KRAS chr12:25245350 C>A: tier IID, ACMG LP, reportable auto, note "hotspot" (version 1)\n');
    const listed = await h.run('variants', 'list', 'ORD-VAR', '--gene', 'KRAS');
    expect(listed.stdout).toMatch(/KRAS\s+-\s+IID\*\s+0\.4\s+-\s+-\s+PASS\s+LP, note/);
    expect(listed.stderr).toBe('* tier set by curation\n');
    h.as('editor2');
    const other = await h.run('variants', 'curate', 'ORD-VAR', kras.id, '--acmg', 'P');
    expect(other.code).toBe(3);
    expect(other.stderr).toMatch(/^Permission denied: curating variants of order ORD-VAR requires being assigned to stage review/);
    expect((await h.run('variants', 'curate', 'ORD-VAR', 'ffffffffffffffffffff', '--acmg', 'P')).code).toBe(4);
  });

  it('says why a stage does not let someone see the variants', async () => {
    const g = fx.fresh();
    await orderIn(g, 'ORD-SO', 'sign_off');
    g.as('viewer');
    const r = await g.run('variants', 'list', 'ORD-SO');
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('Capability denied: viewing the variants of order ORD-SO needs browser_viewable on stage sign_off\n');
  });
});

describe('curio report', () => {
  it('drafts, curates, submits, signs, shows and amends', async () => {
    const h = fx.fresh();
    await orderIn(h, 'ORD-REP', 'review');
    await ok(h, 'vcf', 'ingest', 'ORD-REP', vcf);
    const vs = await h.json<VariantJson[]>('variants', 'list', 'ORD-REP');
    const id = (gene: string) => vs.find((v) => v.gene === gene)!.id;

    // FLT3-ITD 0.004 ≤ 0.005, BRAF 0.015 ≤ the sample's 0.02, KRAS is tier III
    expect((await ok(h, 'report', 'draft', 'ORD-REP', '--summary', 'Somatic TP53.')).stdout).toBe('drafted report version 1 of ORD-REP (draft): 2 variants reported\n');
    await ok(h, 'variants', 'curate', 'ORD-REP', id('KRAS'), '--tier', 'IIC', '--reportable', 'yes');
    await ok(h, 'report', 'remove', 'ORD-REP', id('BCR'), '--reason', 'artefact');
    expect((await ok(h, 'report', 'draft', 'ORD-REP')).stdout).toBe('refreshed report version 1 of ORD-REP (draft): 2 variants reported, 1 removed; 1 newly admitted\n');
    const draft = await ok(h, 'report', 'show', 'ORD-REP');
    expect(draft.stdout).toMatch(/Reported variants \(2\)[\s\S]*TP53[\s\S]*KRAS[\s\S]*Removed by curation \(1\)[\s\S]*BCR.*removed by curator: artefact/);
    expect(draft.stdout).toMatch(/Not signed \(draft\)\.\n$/);
    await ok(h, 'report', 'submit', 'ORD-REP');
    await ok(h, 'orders', 'transition', 'ORD-REP', 'sign_off');

    h.as('editor');
    const editorSign = await h.run('report', 'sign', 'ORD-REP', '--meaning', 'approval', '--yes');
    expect(editorSign.code).toBe(3);
    expect(editorSign.stderr).toMatch(/^Permission denied: approving and signing a report requires project_admin/);
    h.as('admin');
    const noYes = await h.run('report', 'sign', 'ORD-REP', '--meaning', 'approval');
    expect(noYes.code).toBe(2);
    const declined = await h.runWith({ tty: true, stdin: 'n\n' }, 'report', 'sign', 'ORD-REP', '--meaning', 'approval');
    expect(declined.code).toBe(3);
    const signed = await h.runWith({ tty: true, stdin: 'y\n' }, 'report', 'sign', 'ORD-REP', '--meaning', 'approval');
    expect(signed.code, signed.stderr).toBe(0);
    expect(signed.stdout).toMatch(/^signed report version 1 of ORD-REP as admin \(approval\) at \S+\nsha256 [0-9a-f]{64}\norder ORD-REP: sign_off → completed\n$/);
    const sha = /sha256 ([0-9a-f]{64})/.exec(signed.stdout)![1]!;

    // stdout is exactly the signed text: hash it and compare
    const shown = await ok(h, 'report', 'show', 'ORD-REP');
    expect(createHash('sha256').update(shown.stdout).digest('hex')).toBe(sha);
    expect(shown.stdout).toMatch(/Signed by: admin\nSigned at: \S+\nMeaning: {3}approval\n$/);
    expect(shown.stderr).toBe(`SHA-256 of the signed text: ${sha} (matches the stored text)\n`);
    const md = await ok(h, 'report', 'show', 'ORD-REP', '--format', 'md');
    expect(md.stdout).toMatch(/^# Clinical report ORD-REP, version 1\n/);
    const pdf = join(fx.root, 'ord-rep.pdf');
    await ok(h, 'report', 'show', 'ORD-REP', '--format', 'pdf', '-o', pdf);
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
    expect((await h.run('report', 'show', 'ORD-REP', '--format', 'pdf')).code).toBe(2);

    expect((await h.run('report', 'draft', 'ORD-REP')).code).toBe(3);
    expect((await h.run('report', 'amend', 'ORD-REP')).code).toBe(2);
    expect((await ok(h, 'report', 'amend', 'ORD-REP', '--reason', 'BCR fusion confirmed')).stdout).toMatch(/amending version 1; version 1 stays as signed/);
    await ok(h, 'report', 'restore', 'ORD-REP', id('BCR'));
    await ok(h, 'report', 'submit', 'ORD-REP');
    await ok(h, 'report', 'sign', 'ORD-REP', '--meaning', 'approval', '--yes');
    const list = await ok(h, 'report', 'list', 'ORD-REP');
    expect(list.stdout).toMatch(/^VERSION\s+STATUS\s+REPORTED\s+REMOVED\s+AMENDS/);
    expect(list.stdout).toMatch(/\n1\s+signed\s+2\s+1\s+-\s+admin/);
    expect(list.stdout).toMatch(/\n2\s+signed\s+3\s+0\s+1\s+admin/);
    const v1 = await ok(h, 'report', 'show', 'ORD-REP', '--version', '1');
    expect(v1.stdout).toBe(shown.stdout);
    const v2 = await h.json<{ version: number; amends_version: number; hash_verified: boolean; amend_reason: string }>('report', 'show', 'ORD-REP');
    expect(v2).toMatchObject({ version: 2, amends_version: 1, hash_verified: true, amend_reason: 'BCR fusion confirmed' });
  });

  it('an unsigned report follows the stage; a signed one is readable by the whole project', async () => {
    const h = fx.fresh();
    await orderIn(h, 'ORD-VIEW', 'review');
    await ok(h, 'report', 'draft', 'ORD-VIEW');
    await ok(h, 'report', 'submit', 'ORD-VIEW');
    await ok(h, 'orders', 'transition', 'ORD-VIEW', 'sign_off');
    h.as('viewer');
    expect((await h.run('report', 'show', 'ORD-VIEW')).code).toBe(0); // sign_off: report_viewable
    h.as('admin');
    await ok(h, 'report', 'sign', 'ORD-VIEW', '--meaning', 'review', '--yes');
    h.as('viewer');
    const r = await h.run('report', 'show', 'ORD-VIEW');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Meaning: {3}review\n$/);
  });
});

describe('curio analyses', () => {
  it('submits, runs, ingests on success, and creates an order from a succeeded analysis', async () => {
    const h = fx.fresh('editor');
    await ok(h, 'samples', 'create', '-n', 'TUMOR-1');
    await orderIn(h, 'ORD-AN', 'analyzing');
    await ok(h, 'orders', 'add-sample', 'ORD-AN', 'TUMOR-1', '--role', 'tumour');
    const sub = await h.run('analyses', 'submit', '--pipeline', 'iseq-somatic', '--order-id', 'ORD-AN', '-P', `sample_vcf=${vcf}`, '-n', 'AN-1');
    expect(sub.stdout).toBe('submitted analysis AN-1 (iseq-somatic, queued) for order ORD-AN with 1 sample\n');
    const early = await h.run('analyses', 'transition', 'AN-1', 'succeeded');
    expect(early.code).toBe(3);
    expect(early.stderr).toMatch(/^Invalid transition: analysis AN-1 queued → succeeded/);
    await ok(h, 'analyses', 'transition', 'AN-1', 'running');
    const done = await h.run('analyses', 'transition', 'AN-1', 'succeeded');
    expect(done.stdout).toBe('analysis AN-1: running → succeeded; ingested 6 records into order ORD-AN\n');
    const got = await h.json<{ status: string; order: string; samples: string[]; outputs: { vcf: { records: number } } }>('analyses', 'get', 'AN-1');
    expect(got).toMatchObject({ status: 'succeeded', order: 'ORD-AN', samples: ['TUMOR-1'], outputs: { vcf: { records: 6 } } });
    expect((await h.json<VariantJson[]>('variants', 'list', 'ORD-AN')).length).toBe(5);
    expect((await h.run('analyses', 'transition', 'AN-1', 'cancelled')).code).toBe(3);

    await ok(h, 'samples', 'create', '-n', 'TUMOR-2');
    await ok(h, 'analyses', 'submit', '--pipeline', 'iseq-somatic', '--sample', 'TUMOR-2', '-P', `sample_vcf=${vcf}`, '-n', 'AN-2');
    expect((await h.run('analyses', 'create-order', 'AN-2', '-n', 'ORD-FROM-AN')).code).toBe(3);
    await ok(h, 'analyses', 'transition', 'AN-2', 'running');
    await ok(h, 'analyses', 'transition', 'AN-2', 'succeeded');
    const created = await h.run('analyses', 'create-order', 'AN-2', '-n', 'ORD-FROM-AN');
    expect(created.stdout).toBe('created order ORD-FROM-AN from analysis AN-2 with 1 sample; ingested 6 records\n');
    const samples = jsonOf<{ display_id: string; role: string }[]>(await h.run('orders', 'samples', 'ORD-FROM-AN', '--json'));
    expect(samples).toMatchObject([{ display_id: 'TUMOR-2', role: 'proband' }]);
    expect((await h.run('analyses', 'create-order', 'AN-2', '-n', 'ORD-AGAIN')).code).toBe(3);
    const list = await ok(h, 'analyses', 'list');
    expect(list.stdout).toMatch(/AN-2\s+succeeded\s+iseq-somatic\s+ORD-FROM-AN\s+1/);
    expect(list.stdout).toMatch(/AN-1\s+succeeded\s+iseq-somatic\s+ORD-AN\s+1/);
  });
});
