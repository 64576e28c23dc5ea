// deterministic synthetic annotated VCF for the ingest benchmark (seeded, no deps)
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** mulberry32: small, fast, good enough for test data */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GENES = ['TP53', 'FLT3', 'NPM1', 'DNMT3A', 'KRAS', 'NRAS', 'IDH1', 'IDH2', 'TET2', 'ASXL1', 'RUNX1', 'CEBPA',
  'BRCA1', 'BRCA2', 'EGFR', 'BRAF', 'PIK3CA', 'PTEN', 'APC', 'KIT', 'JAK2', 'SF3B1', 'SRSF2', 'U2AF1', 'EZH2',
  'BCOR', 'STAG2', 'WT1', 'PHF6', 'CALR', 'MPL', 'ZRSR2', 'GATA2', 'ETV6', 'CBL', 'PTPN11', 'SETBP1', 'BCORL1'];
const TIERS = ['IA', 'Tier IB', 'tier IIC', 'IID', 'Tier III', 'IV', 'IV', 'IV', 'III', 'IV'];
const CONSEQ = ['missense_variant', 'synonymous_variant', 'frameshift_variant', 'stop_gained', 'splice_region_variant',
  'intron_variant', '3_prime_UTR_variant', 'inframe_deletion'];
const BASES = 'ACGT';
const CONTIGS = Array.from({ length: 22 }, (_, i) => `chr${i + 1}`).concat(['chrX', 'chrY']);
const AA = ['Arg', 'His', 'Gly', 'Ala', 'Leu', 'Ser', 'Pro', 'Val', 'Thr', 'Gln'];

export const HEADER = [
  '##fileformat=VCFv4.2',
  '##source=curio-bench',
  ...CONTIGS.map((c) => `##contig=<ID=${c}>`),
  '##FILTER=<ID=LowQual,Description="Low quality">',
  '##INFO=<ID=DP,Number=1,Type=Integer,Description="Total depth">',
  '##INFO=<ID=ISEQ_REPORT_AMP_CLASSIFICATION,Number=1,Type=String,Description="AMP/ASCO/CAP tier">',
  '##INFO=<ID=ISEQ_REPORT_VAF,Number=A,Type=Float,Description="Variant allele fraction">',
  '##INFO=<ID=ISEQ_REPORT_READ_COUNT,Number=1,Type=Integer,Description="Supporting reads">',
  '##INFO=<ID=ISEQ_REPORT_VARIANT_CATEGORY,Number=1,Type=String,Description="Variant category">',
  '##INFO=<ID=ISEQ_REPORT_GENE_SYMBOL,Number=1,Type=String,Description="Gene symbol">',
  '##INFO=<ID=ALIAS_ID,Number=1,Type=String,Description="Alias">',
  '##INFO=<ID=gnomAD_AF,Number=A,Type=Float,Description="gnomAD allele frequency">',
  '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="ClinVar significance">',
  "##INFO=<ID=ANN,Number=.,Type=String,Description=\"Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO'\">",
  '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
  '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
  '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
  '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fraction">',
  '##SAMPLE=<ID=TUMOR,SAMPLE_INFO_JSON="{\\"vaf_threshold\\":0.02,\\"read_count_threshold\\":100}">',
  '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR',
].join('\n');

/** writes `records` sorted records to path (plain text); resolves when flushed */
export async function generateVcf(path, records, seed = 42) {
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const out = createWriteStream(path);
  out.write(HEADER + '\n');
  const perContig = Math.ceil(records / CONTIGS.length);
  let written = 0;
  let chunk = '';
  for (const chrom of CONTIGS) {
    let pos = 10000;
    for (let i = 0; i < perContig && written < records; i++, written++) {
      pos += 1 + Math.floor(r() * 200);
      const ref = pick(BASES);
      let alt = pick(BASES);
      if (alt === ref) alt = ref === 'A' ? 'G' : 'A';
      const multi = r() < 0.02;
      const alts = multi ? `${alt},${ref === 'T' ? 'C' : 'T'}` : alt;
      const gene = pick(GENES);
      const depth = 100 + Math.floor(r() * 1900);
      const altReads = Math.floor(depth * r() * 0.6);
      const vaf = (altReads / depth).toFixed(4);
      const conseq = pick(CONSEQ);
      const cpos = 1 + Math.floor(r() * 3000);
      const ppos = Math.ceil(cpos / 3);
      const hgvsP = `p.${pick(AA)}${ppos}${pick(AA)}`;
      const ann = `${alt}|${conseq}|MODERATE|${gene}|ENSG0000${1000 + (i % 9000)}|transcript|ENST0000${2000 + (i % 9000)}.1|protein_coding|5/11|c.${cpos}${ref}>${alt}|${hgvsP}|${cpos}/3000|${cpos}/2400|${ppos}/800||`;
      const category = r() < 0.01 ? 'Fusion' : ref.length === alt.length ? 'SNV' : 'Indel';
      let info = `DP=${depth};ISEQ_REPORT_AMP_CLASSIFICATION=${pick(TIERS)};ISEQ_REPORT_VAF=${vaf}${multi ? ',0.0100' : ''}`;
      info += `;ISEQ_REPORT_READ_COUNT=${altReads};ISEQ_REPORT_VARIANT_CATEGORY=${category};ISEQ_REPORT_GENE_SYMBOL=${gene}`;
      if (gene === 'FLT3' && r() < 0.1) info += ';ALIAS_ID=FLT3-ITD';
      info += `;gnomAD_AF=${(r() * 0.01).toFixed(6)}${multi ? ',0.000001' : ''}`;
      if (r() < 0.1) info += `;CLNSIG=${pick(['Pathogenic', 'Likely_pathogenic', 'Uncertain_significance', 'Benign'])}`;
      info += `;ANN=${ann}`;
      const qual = (30 + r() * 3000).toFixed(1);
      const filter = r() < 0.9 ? 'PASS' : 'LowQual';
      const ad = multi ? `${depth - altReads},${altReads},0` : `${depth - altReads},${altReads}`;
      const fmt = `0/1:${ad}:${depth}:${vaf}${multi ? ',0' : ''}`;
      chunk += `${chrom}\t${pos}\t.\t${ref}\t${alts}\t${qual}\t${filter}\t${info}\tGT:AD:DP:AF\t${fmt}\n`;
      if (chunk.length > 1 << 20) {
        if (!out.write(chunk)) await once(out, 'drain');
        chunk = '';
      }
    }
  }
  out.write(chunk);
  out.end();
  await once(out, 'finish');
  return written;
}

// node bench/vcf/generate.mjs OUT.vcf RECORDS [SEED]: a child process keeps the bench's RSS clean
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [out, n, seed] = process.argv.slice(2);
  if (!out || !n) {
    console.error('usage: node bench/vcf/generate.mjs OUT.vcf RECORDS [SEED]');
    process.exit(2);
  }
  await generateVcf(out, Number(n), seed === undefined ? 42 : Number(seed));
}
