import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandInput } from '../core/index.ts';
import { addUser, findOrder, findUser, initStore, openPglite, orderReports, prepareReportDraft, processCommand, type SqlDatabase } from '../db/index.ts';

// a demo project a new user can explore: users with each role, orders across every
// status of both workflows, served by an embedded relay

export interface DemoTokens {
  projectId: string;
  users: Record<string, { id: string; token: string; role: string }>;
}

export const DEMO_USERS = [
  { name: 'ada', role: 'project_admin', displayName: 'Ada Admin' },
  { name: 'cora', role: 'project_editor', displayName: 'Cora Curator' },
  { name: 'eli', role: 'project_editor', displayName: 'Eli Editor' },
  { name: 'vik', role: 'project_viewer', displayName: 'Vik Viewer' },
  { name: 'rhea', role: 'researcher', displayName: 'Rhea Researcher', department: 'oncology' },
  { name: 'fran', role: 'facility_admin', displayName: 'Fran Facility' },
] as const;

const INDICATIONS = [
  'Suspected hereditary breast and ovarian cancer',
  'Acute myeloid leukaemia, FLT3 status',
  'Lynch syndrome screening',
  'Developmental delay, trio exome',
  'Non-small cell lung cancer, EGFR/ALK',
  'Cardiomyopathy panel',
  'Colorectal cancer, KRAS/NRAS/BRAF',
];

/** a tiny deterministic generator, so every demo looks the same */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

// --- a variant file for the orders that have reached the browser ------------------------------

/** demo orders with an ingested VCF: one in analyzing (browse only), one in review assigned to
 * cora (browse, curate, draft the report), one in sign_off with a report awaiting Ada's signature */
export const DEMO_VCF_ORDERS: readonly { displayId: string; seed: number }[] = [
  { displayId: 'ORD-2026-0002', seed: 2 },
  { displayId: 'ORD-2026-0004', seed: 4 },
  { displayId: 'ORD-2026-0007', seed: 7 },
];

export const DEMO_VCF_RECORDS = 1500;

const DEMO_GENES = ['TP53', 'KRAS', 'NRAS', 'BRAF', 'EGFR', 'PIK3CA', 'FLT3', 'NPM1', 'DNMT3A', 'IDH1', 'IDH2', 'TET2', 'ASXL1', 'RUNX1', 'BRCA1', 'BRCA2', 'APC', 'PTEN', 'ALK', 'KIT', 'MLH1', 'MSH2', 'ATM', 'CHEK2', 'SF3B1', 'JAK2', 'CEBPA', 'WT1', 'ARID1A', 'NOTCH1'];
const AMINO = ['Ala', 'Arg', 'Asn', 'Asp', 'Cys', 'Gln', 'Glu', 'Gly', 'His', 'Ile', 'Leu', 'Lys', 'Met', 'Phe', 'Pro', 'Ser', 'Thr', 'Trp', 'Tyr', 'Val'];
const CONSEQUENCES = ['missense_variant', 'synonymous_variant', 'frameshift_variant', 'stop_gained', 'splice_region_variant', 'intron_variant', '3_prime_UTR_variant'];
const CLNSIG = ['Pathogenic', 'Likely_pathogenic', 'Uncertain_significance', 'Likely_benign', 'Benign'];

/** an ISEQ-annotated tumour VCF, the same text for the same seed on every machine */
export function demoVcfText(seed: number, records = DEMO_VCF_RECORDS): string {
  const random = rng(1000 + seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const lines = [
    '##fileformat=VCFv4.2',
    '##source=curio-demo',
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="Total depth">',
    '##INFO=<ID=ISEQ_REPORT_AMP_CLASSIFICATION,Number=1,Type=String,Description="AMP/ASCO/CAP tier">',
    '##INFO=<ID=ISEQ_REPORT_VAF,Number=A,Type=Float,Description="Variant allele fraction">',
    '##INFO=<ID=ISEQ_REPORT_READ_COUNT,Number=1,Type=Integer,Description="Supporting reads">',
    '##INFO=<ID=ISEQ_REPORT_VARIANT_CATEGORY,Number=1,Type=String,Description="Variant category">',
    '##INFO=<ID=ISEQ_REPORT_GENE_SYMBOL,Number=1,Type=String,Description="Gene">',
    '##INFO=<ID=ALIAS_ID,Number=.,Type=String,Description="Alias">',
    '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="ClinVar significance">',
    '##INFO=<ID=gnomAD_AF,Number=A,Type=Float,Description="gnomAD allele frequency">',
    "##INFO=<ID=ANN,Number=.,Type=String,Description=\"Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO'\">",
    '##FILTER=<ID=LowQual,Description="Low quality">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
    '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fraction">',
    '##SAMPLE=<ID=TUMOR,SAMPLE_INFO_JSON="{\\"vaf_threshold\\":0.02}">',
    ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT', 'TUMOR'].join('\t'),
  ];
  const chroms = [...Array.from({ length: 22 }, (_, i) => `chr${i + 1}`), 'chrX'];
  const perChrom = Math.ceil(records / chroms.length);
  let n = 0;
  for (const chrom of chroms) {
    let pos = 10_000 + Math.floor(random() * 50_000);
    for (let i = 0; i < perChrom && n < records; i++, n++) {
      pos += 1 + Math.floor(random() * 40_000);
      const bases = ['A', 'C', 'G', 'T'];
      const ref = pick(bases);
      const alt = pick(bases.filter((b) => b !== ref));
      const r = random();
      const tier = r < 0.003 ? 'IA' : r < 0.006 ? 'IB' : r < 0.01 ? 'IIC' : r < 0.016 ? 'IID' : r < 0.2 ? 'III' : 'IV';
      const gene = pick(DEMO_GENES);
      const category = random() < 0.85 ? 'SNV' : random() < 0.7 ? 'Indel' : random() < 0.5 ? 'CNV' : 'Fusion';
      const depth = 80 + Math.floor(random() * 900);
      const vaf = Number((tier === 'IV' ? 0.3 + random() * 0.7 : random() < 0.2 ? random() * 0.02 : 0.02 + random() * 0.6).toFixed(3));
      const altReads = Math.max(1, Math.round(depth * vaf));
      const consequence = pick(CONSEQUENCES);
      const codon = 1 + Math.floor(random() * 900);
      const hgvsC = `c.${codon * 3 - 1}${ref}>${alt}`;
      const hgvsP = consequence === 'missense_variant' ? `p.${pick(AMINO)}${codon}${pick(AMINO)}` : consequence === 'stop_gained' ? `p.${pick(AMINO)}${codon}*` : '';
      const info = [
        `DP=${depth}`,
        `ISEQ_REPORT_AMP_CLASSIFICATION=Tier_${tier}`,
        `ISEQ_REPORT_VAF=${vaf}`,
        `ISEQ_REPORT_READ_COUNT=${altReads}`,
        `ISEQ_REPORT_VARIANT_CATEGORY=${category}`,
        `ISEQ_REPORT_GENE_SYMBOL=${gene}`,
        ...(gene === 'FLT3' && category === 'Indel' ? ['ALIAS_ID=FLT3-ITD'] : []),
        ...(tier !== 'IV' && random() < 0.6 ? [`CLNSIG=${tier === 'III' ? pick(CLNSIG.slice(2)) : pick(CLNSIG.slice(0, 2))}`] : []),
        `gnomAD_AF=${tier === 'IV' ? (random() * 0.4).toFixed(4) : (random() * 0.0005).toFixed(6)}`,
        `ANN=${alt}|${consequence}|MODERATE|${gene}|${gene}|transcript|NM_${String(100000 + Math.floor(random() * 899999))}.3|protein_coding|${1 + Math.floor(random() * 20)}/21|${hgvsC}|${hgvsP}|||||`,
      ].join(';');
      const filter = random() < 0.9 ? 'PASS' : 'LowQual';
      const qual = (20 + random() * 980).toFixed(1);
      lines.push([chrom, pos, '.', ref, alt, qual, filter, info, 'GT:AD:DP:AF', `0/1:${depth - altReads},${altReads}:${depth}:${vaf}`].join('\t'));
    }
  }
  return `${lines.join('\n')}\n`;
}

/** one demo order's VCF into this store's variant cache; the same file again is a no-op */
async function ingestDemoVcf(db: SqlDatabase, orderId: string, displayId: string, seed: number): Promise<{ sha256: string; records: number; skipped: boolean }> {
  const { ingestVcf, currentVcfFile } = await import('../vcf/index.ts');
  const dir = mkdtempSync(join(tmpdir(), 'curio-demo-vcf-'));
  try {
    const path = join(dir, `${displayId.toLowerCase()}-tumour.vcf`);
    writeFileSync(path, demoVcfText(seed));
    const r = await ingestVcf(db, { orderId, path, sample: 'TUMOR' });
    if (!r.ok) throw new Error(`demo VCF of ${displayId}: ${r.message}`);
    const file = await currentVcfFile(db, orderId);
    return { sha256: file?.sha256 ?? '', records: r.records, skipped: r.skipped };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * the demo VCFs in this store's variant cache. Each store has its own cache (the relay's
 * and every replica's), so a demo replica ingests the same files after its first sync;
 * variant ids follow from order and locus, so curations and reports match on both.
 */
export async function ingestDemoVariants(db: SqlDatabase, projectId: string): Promise<number> {
  let n = 0;
  for (const { displayId, seed } of DEMO_VCF_ORDERS) {
    const order = await findOrder(db, projectId, displayId);
    if (!order) continue;
    await ingestDemoVcf(db, order.id, displayId, seed);
    n++;
  }
  return n;
}

export async function seedDemo(db: SqlDatabase, onProgress: (msg: string) => void = () => undefined): Promise<DemoTokens> {
  const init = await initStore(db, { projectName: 'demo-lab', adminName: 'ada' });
  if (!init.success) throw new Error(init.error.message);
  const projectId = init.data.projectId;
  const users: DemoTokens['users'] = { ada: { id: init.data.userId, token: init.data.token, role: 'project_admin' } };
  for (const u of DEMO_USERS.slice(1)) {
    const r = await addUser(db, { projectId, name: u.name, role: u.role, displayName: u.displayName, department: 'department' in u ? u.department : null, actorId: init.data.userId });
    if (!r.success) throw new Error(r.error.message);
    users[u.name] = { id: r.data.userId, token: r.data.token, role: u.role };
  }
  // rhea also belongs to oncology's department for sharing; fran sees every facility order
  const seqs = new Map<string, number>();
  const send = async (user: string, command: CommandInput) => {
    const clientId = `demo-${user}`;
    const seq = (seqs.get(clientId) ?? 0) + 1;
    seqs.set(clientId, seq);
    const out = await processCommand(db, { projectId, userId: users[user]!.id, envelope: { mid: `${clientId}:${seq}`, clientId, seq, clientTime: new Date().toISOString(), command } });
    if (out.kind !== 'result') throw new Error(`demo seeding: ${out.kind}`);
    return out.result;
  };
  // a report drafted from the cache and submitted, as in review, for Ada to sign in sign_off
  const draftDemoReport = async (orderId: string, user: string) => {
    const order = (await findOrder(db, projectId, orderId))!;
    const draft = await prepareReportDraft(db, order, await orderReports(db, orderId), { summary: 'Demo report: variants admitted from the tumour VCF by the AMP tier and VAF rules.' });
    if (!draft.success) throw new Error(draft.error.message);
    const made = await send(user, draft.data.command);
    if (made.status !== 'accepted') throw new Error(`demo seeding: ${made.message ?? made.status}`);
    await send(user, { type: 'report.submit', orderId, reportId: draft.data.reportId });
  };
  const random = rng(42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const targets = ['created', 'created', 'analyzing', 'analyzing', 'review', 'review', 'review', 'sign_off', 'cancelled'] as const;
  const editors = ['cora', 'eli'];
  onProgress('seeding demo orders');
  for (let i = 1; i <= 30; i++) {
    const orderId = randomUUID();
    const creator = pick(editors);
    const displayId = `ORD-2026-${String(i).padStart(4, '0')}`;
    await send(creator, {
      type: 'order.create',
      orderId,
      fields: {
        displayId,
        priority: pick(['low', 'medium', 'medium', 'high'] as const),
        mode: pick(['hereditary', 'somatic'] as const),
        clinicalIndication: pick(INDICATIONS),
        orderingProvider: pick(['Dr. Okafor', 'Dr. Lindqvist', 'Dr. Mehta', 'Dr. Rossi']),
        orderingFacility: pick(['St. Anne Hospital', 'North Clinic', 'University Medical Centre']),
        accession: `ACC-${100000 + i}`,
        tags: random() < 0.3 ? ['urgent'] : random() < 0.3 ? ['research'] : [],
      },
    });
    const sampleId = randomUUID();
    await send(creator, { type: 'sample.create', sampleId, fields: { displayId: `SMP-${String(i).padStart(4, '0')}`, sampleType: pick(['germline', 'somatic', 'ffpe'] as const), sex: pick(['female', 'male'] as const), subjectId: `SUBJ-${500 + i}` } });
    await send(creator, { type: 'order.addSample', orderId, sampleId, role: i % 4 === 0 ? 'tumour' : 'proband' });
    const vcf = DEMO_VCF_ORDERS.find((o) => o.displayId === displayId);
    if (vcf) {
      const file = await ingestDemoVcf(db, orderId, displayId, vcf.seed);
      await send(creator, { type: 'vcf.ingested', orderId, fileSha256: file.sha256, records: file.records, sample: 'TUMOR' });
    }
    const target = targets[i % targets.length]!;
    const path = { created: [], analyzing: ['analyzing'], review: ['analyzing', 'review'], sign_off: ['analyzing', 'review', 'sign_off'], cancelled: ['analyzing'] }[target];
    for (const step of path) {
      // the creator moves the first stage; later stages are picked up by an editor
      const mover = step === 'analyzing' ? creator : pick(editors);
      if (step !== 'analyzing') await send(mover, { type: 'stage.assign', orderId, userId: users[mover]!.id });
      // a report is drafted and submitted in review, while the stage is report-editable
      if (step === 'sign_off' && DEMO_VCF_ORDERS.some((o) => o.displayId === displayId)) await draftDemoReport(orderId, mover);
      await send(mover, { type: 'order.transition', orderId, to: step });
    }
    if (target === 'cancelled') await send('ada', { type: 'order.transition', orderId, to: 'cancelled', reason: 'sample quality insufficient' });
    // leave some stages open for the queue: unassigned, or assigned to cora
    if (target === 'review' && i % 2 === 0) await send('ada', { type: 'stage.assign', orderId, userId: users.cora!.id });
    if (target === 'analyzing' && i % 3 === 0) await send('ada', { type: 'stage.assign', orderId, userId: users.cora!.id });
  }
  onProgress('seeding facility orders');
  for (let i = 1; i <= 8; i++) {
    const orderId = randomUUID();
    await send('rhea', { type: 'order.create', orderId, workflow: 'facility', fields: { displayId: `SEQ-2026-${String(i).padStart(3, '0')}`, description: pick(['WGS 30x', 'RNA-seq, 50M reads', 'Exome capture', 'Amplicon panel']), priority: pick(['low', 'medium', 'high'] as const) } });
    if (i > 2) await send('rhea', { type: 'order.transition', orderId, to: 'submitted' });
    if (i > 4) await send('rhea', { type: 'note.samplesSent', orderId, text: 'shipped on dry ice' });
    if (i > 6) await send('fran', { type: 'order.transition', orderId, to: 'completed' });
  }
  return { projectId, users };
}

export function demoPaths(home: string) {
  return { root: join(home, 'demo'), relay: join(home, 'demo', 'relay'), client: join(home, 'demo', 'client'), tokens: join(home, 'demo', 'tokens.json') };
}

/** the demo relay's store: seeded once, reused afterwards */
export async function ensureDemoStore(home: string, onProgress: (msg: string) => void): Promise<DemoTokens> {
  const p = demoPaths(home);
  if (existsSync(p.tokens)) return JSON.parse(readFileSync(p.tokens, 'utf8')) as DemoTokens;
  mkdirSync(p.relay, { recursive: true, mode: 0o700 });
  onProgress('creating the demo store (first run only)');
  const db = await openPglite(join(p.relay, 'store'));
  try {
    if (await findUser(db, 'ada').catch(() => null)) throw new Error(`${p.relay} holds a half-made demo store: remove ${p.root} and run again`);
    const tokens = await seedDemo(db, onProgress);
    writeFileSync(p.tokens, JSON.stringify(tokens, null, 2), { mode: 0o600 });
    return tokens;
  } finally {
    await db.close();
  }
}
