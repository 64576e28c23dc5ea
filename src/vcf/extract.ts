// slim columns from one parsed record; every field read here is listed in docs/VCF.md
import type { InfoValue, SampleData } from '@gmod/vcf';
import { normaliseTier, type AmpTier } from '../core/admission.ts';
import { POP_AF_CSQ_KEYS, type HeaderContext } from './header.ts';

export interface SlimFields {
  gene: string | null;
  hgvsC: string | null;
  hgvsP: string | null;
  consequence: string | null;
  tier: AmpTier | null;
  category: string | null;
  vaf: number | null;
  readCount: number | null;
  depth: number | null;
  popAf: number | null;
  clinvar: string | null;
  alias: string | null;
}

type Info = Record<string, InfoValue>;

/**
 * the INFO keys extractSlim reads, besides the header's population-AF keys
 * (ctx.popAfKeys): the ingest hot path parses only these
 */
export const SLIM_INFO_KEYS = [
  'ANN',
  'CSQ',
  'ISEQ_REPORT_GENE_SYMBOL',
  'ISEQ_REPORT_VAF',
  'ISEQ_REPORT_READ_COUNT',
  'ISEQ_REPORT_AMP_CLASSIFICATION',
  'ISEQ_REPORT_VARIANT_CATEGORY',
  'ALIAS_ID',
  'CLNSIG',
  'DP',
  'AF',
] as const;

/** the chosen sample's FORMAT keys extractSlim reads */
export const SLIM_FORMAT_KEYS = ['AF', 'AD', 'DP'] as const;

function values(v: InfoValue | undefined): (string | number | undefined)[] {
  return v === undefined || v === true ? [] : v;
}

function firstString(v: InfoValue | undefined): string | null {
  for (const x of values(v)) {
    if (x !== undefined && x !== '') return String(x);
  }
  return null;
}

function joined(v: InfoValue | undefined, sep = ','): string | null {
  const xs = values(v).filter((x): x is string | number => x !== undefined && x !== '');
  return xs.length ? xs.map(String).join(sep) : null;
}

function num(x: unknown): number | null {
  const n = typeof x === 'number' ? x : typeof x === 'string' && x.trim() !== '' ? Number(x) : NaN;
  return Number.isFinite(n) ? n : null;
}

/** multi-allelic records: the largest per-ALT value, so "VAF ≥ x" keeps a record if any allele passes */
function maxNum(v: readonly unknown[] | undefined): number | null {
  let best: number | null = null;
  for (const x of v ?? []) {
    const n = num(x);
    if (n !== null && (best === null || n > best)) best = n;
  }
  return best;
}

function firstNum(v: readonly unknown[] | undefined): number | null {
  for (const x of v ?? []) {
    const n = num(x);
    if (n !== null) return n;
  }
  return null;
}

function intOrNull(n: number | null): number | null {
  return n !== null && Number.isInteger(n) ? n : null;
}

/** one annotation entry, '|'-separated; fields looked up by header position */
type Entry = { text: string; at: ReadonlyMap<string, number> };

/** the i-th '|'-separated part of s (s.split('|')[i]) without splitting the rest */
function part(s: string, i: number): string | undefined {
  let start = 0;
  for (let k = 0; k < i; k++) {
    const bar = s.indexOf('|', start);
    if (bar < 0) return undefined;
    start = bar + 1;
  }
  const end = s.indexOf('|', start);
  return s.slice(start, end < 0 ? s.length : end);
}

function field(e: Entry | null, name: string): string | null {
  if (!e) return null;
  const i = e.at.get(name);
  const v = i === undefined ? undefined : part(e.text, i)?.trim();
  return v === undefined || v === '' ? null : v;
}

/** VEP CSQ: the entry flagged PICK, else the canonical transcript, else the first */
function pickCsq(info: Info, at: ReadonlyMap<string, number>): Entry | null {
  const entries = values(info.CSQ).filter((e): e is string => typeof e === 'string');
  if (entries.length === 0) return null;
  const rows = entries.map((text) => ({ text, at }));
  return rows.find((r) => field(r, 'PICK') === '1') ?? rows.find((r) => field(r, 'CANONICAL') === 'YES') ?? rows[0] ?? null;
}

/** snpEff ANN: entries come most severe first, so the first one */
function pickAnn(info: Info, at: ReadonlyMap<string, number>): Entry | null {
  const first = values(info.ANN).find((e): e is string => typeof e === 'string');
  return first === undefined ? null : { text: first, at };
}

/** VAF of the chosen sample: FORMAT AF, else alt share of FORMAT AD */
function sampleVaf(s: SampleData | undefined): number | null {
  if (!s) return null;
  const af = maxNum(s.AF);
  if (af !== null) return af;
  const ad = s.AD;
  if (!ad || ad.length < 2) return null;
  let total = 0;
  let best = -1;
  for (let i = 0; i < ad.length; i++) {
    const n = num(ad[i]);
    if (n === null) continue;
    total += n;
    if (i > 0 && n > best) best = n;
  }
  return total > 0 && best >= 0 ? best / total : null;
}

/** the tier each raw ISEQ_REPORT_AMP_CLASSIFICATION value means; a file uses a handful */
const tiers = new Map<string, AmpTier | null>();

function tierOf(raw: string | null): AmpTier | null {
  if (raw === null) return null;
  let t = tiers.get(raw);
  if (t === undefined) {
    t = normaliseTier(raw);
    if (tiers.size < 256) tiers.set(raw, t);
  }
  return t;
}

export function extractSlim(info: Info, sample: SampleData | undefined, ctx: HeaderContext): SlimFields {
  const ann = info.ANN === undefined ? null : pickAnn(info, ctx.annIndex);
  const csq = info.CSQ === undefined || !ctx.csqIndex ? null : pickCsq(info, ctx.csqIndex);

  const gene = firstString(info.ISEQ_REPORT_GENE_SYMBOL) ?? field(ann, 'Gene_Name') ?? field(csq, 'SYMBOL');
  const hgvsC = field(ann, 'HGVS.c') ?? field(csq, 'HGVSc');
  const hgvsP = field(ann, 'HGVS.p') ?? field(csq, 'HGVSp');
  const consequence = field(ann, 'Annotation') ?? field(csq, 'Consequence');

  const vaf = maxNum(values(info.ISEQ_REPORT_VAF)) ?? sampleVaf(sample);
  const readCount = intOrNull(firstNum(values(info.ISEQ_REPORT_READ_COUNT)));
  const depth = intOrNull(firstNum(sample?.DP)) ?? intOrNull(firstNum(values(info.DP)));

  let popAf: number | null = null;
  for (const k of ctx.popAfKeys) {
    popAf = maxNum(values(info[k]));
    if (popAf !== null) break;
  }
  if (popAf === null && csq) {
    for (const k of POP_AF_CSQ_KEYS) {
      popAf = num(field(csq, k)?.split('&')[0]);
      if (popAf !== null) break;
    }
  }
  // without samples INFO AF describes the population the file was made from; with
  // samples it is the called samples' own frequency and says nothing about rarity
  if (popAf === null && ctx.samples.length === 0) popAf = maxNum(values(info.AF));

  const clinvar = joined(info.CLNSIG) ?? field(csq, 'CLIN_SIG');

  return {
    gene,
    hgvsC,
    hgvsP,
    consequence,
    tier: tierOf(firstString(info.ISEQ_REPORT_AMP_CLASSIFICATION)),
    category: firstString(info.ISEQ_REPORT_VARIANT_CATEGORY),
    vaf,
    readCount,
    depth,
    popAf,
    clinvar,
    alias: joined(info.ALIAS_ID),
  };
}
