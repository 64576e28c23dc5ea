// report auto-populate: which variants a new draft report admits (DESIGN.md §1, rules 1–4)

export const AMP_TIERS = ['IA', 'IB', 'IIC', 'IID', 'III', 'IV'] as const;
export type AmpTier = (typeof AMP_TIERS)[number];

/** tiers admitted automatically; III and IV need manual curation */
export const REPORTABLE_TIERS: readonly AmpTier[] = ['IA', 'IB', 'IIC', 'IID'];

export interface AdmissionThresholds {
  /** rule 4: VAF must be strictly above this */
  vafThreshold: number;
  /** rule 2: FLT3-ITD VAF must be strictly above this */
  flt3ItdVafThreshold: number;
  /** rule 3: Fusion read count must be strictly above this */
  readCountThreshold: number;
}

export const DEFAULT_THRESHOLDS: Readonly<AdmissionThresholds> = Object.freeze({
  vafThreshold: 0.01,
  flt3ItdVafThreshold: 0.005,
  readCountThreshold: 150,
});

/** SAMPLE_INFO_JSON keys, in the spelling the pipeline writes them */
const OVERRIDE_KEYS = {
  vafThreshold: 'vaf_threshold',
  flt3ItdVafThreshold: 'flt3_itd_vaf_threshold',
  readCountThreshold: 'read_count_threshold',
} as const satisfies Record<keyof AdmissionThresholds, string>;

/** the annotator's ALIAS_ID for internal tandem duplications of FLT3 */
export const FLT3_ITD_ALIAS = 'FLT3-ITD';
/** the ISEQ_REPORT_VARIANT_CATEGORY of fusions */
export const FUSION_CATEGORY = 'Fusion';

/**
 * normalises an AMP/ASCO/CAP tier as annotators write it: a leading "Tier"
 * (any case, then spaces, '_' or '-') and the case do not matter; anything else
 * that is not one of the six tiers is null
 */
export function normaliseTier(raw: unknown): AmpTier | null {
  if (typeof raw !== 'string') return null;
  const t = raw
    .trim()
    .replace(/^tier[\s_-]*/i, '')
    .toUpperCase();
  return (AMP_TIERS as readonly string[]).includes(t) ? (t as AmpTier) : null;
}

function toThreshold(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : null;
}

// @gmod/vcf hands the quoted value back with its escapes: {\"vaf_threshold\":0.02}
function unescapeMetaValue(s: string): string {
  let v = s.trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
  return v.replace(/\\(["\\])/g, '$1');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * per-sample admission thresholds from a SAMPLE (or SAMPLE_METADATA) header
 * line's SAMPLE_INFO_JSON value; each key that is missing or unparseable falls
 * back to its default on its own, so one bad key never discards the others
 */
export function parseSampleThresholds(sampleMetaValue: string | undefined): AdmissionThresholds {
  const out: AdmissionThresholds = { ...DEFAULT_THRESHOLDS };
  if (sampleMetaValue === undefined) return out;
  const text = unescapeMetaValue(sampleMetaValue);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const obj = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  for (const field of Object.keys(OVERRIDE_KEYS) as (keyof AdmissionThresholds)[]) {
    const key = OVERRIDE_KEYS[field];
    let value: unknown;
    if (obj) {
      value = obj[key];
    } else {
      // broken JSON elsewhere in the value must not cost the keys that are fine
      const m = new RegExp(`"${escapeRegExp(key)}"\\s*:\\s*("?)([^,"}\\s]*)\\1\\s*(?=[,}]|$)`).exec(text);
      value = m?.[2];
    }
    const n = toThreshold(value);
    if (n !== null) out[field] = n;
  }
  return out;
}

/** what admission needs to know about a variant (slim columns of the cache) */
export interface AdmissionInput {
  /** ISEQ_REPORT_AMP_CLASSIFICATION, raw or normalised */
  tier: string | null;
  /** ISEQ_REPORT_VAF */
  vaf: number | null;
  /** ISEQ_REPORT_READ_COUNT */
  readCount: number | null;
  /** ISEQ_REPORT_VARIANT_CATEGORY */
  category: string | null;
  /** ALIAS_ID; several aliases are comma-joined */
  alias: string | null;
}

export interface AdmissionDecision {
  admit: boolean;
  reason: string;
}

function isFlt3Itd(alias: string | null): boolean {
  return alias !== null && alias.split(',').some((a) => a === FLT3_ITD_ALIAS);
}

function fmt(n: number): string {
  return String(n);
}

/**
 * decides whether a draft report admits a variant automatically:
 * 1. the tier is reportable (IA, IB, IIC, IID);
 * 2. FLT3-ITD: VAF > flt3_itd_vaf_threshold;
 * 3. Fusion: read count > read_count_threshold, or no read count at all;
 * 4. everything else: VAF > vaf_threshold.
 * A missing VAF never passes a VAF rule.
 */
export function admitVariant(v: AdmissionInput, thresholds: AdmissionThresholds = DEFAULT_THRESHOLDS): AdmissionDecision {
  const tier = normaliseTier(v.tier);
  if (tier === null) {
    return { admit: false, reason: v.tier === null ? 'no AMP tier' : `unrecognised AMP tier "${v.tier}"` };
  }
  if (!REPORTABLE_TIERS.includes(tier)) {
    return { admit: false, reason: `tier ${tier} needs manual curation` };
  }
  const vaf = v.vaf !== null && Number.isFinite(v.vaf) ? v.vaf : null;
  if (isFlt3Itd(v.alias)) {
    const t = thresholds.flt3ItdVafThreshold;
    if (vaf === null) return { admit: false, reason: `tier ${tier} FLT3-ITD without VAF` };
    return vaf > t
      ? { admit: true, reason: `tier ${tier} FLT3-ITD, VAF ${fmt(vaf)} > ${fmt(t)}` }
      : { admit: false, reason: `FLT3-ITD VAF ${fmt(vaf)} is not above ${fmt(t)}` };
  }
  if (v.category === FUSION_CATEGORY) {
    const t = thresholds.readCountThreshold;
    const reads = v.readCount !== null && Number.isFinite(v.readCount) ? v.readCount : null;
    if (reads === null) return { admit: true, reason: `tier ${tier} Fusion without read count, admitted on tier` };
    return reads > t
      ? { admit: true, reason: `tier ${tier} Fusion, read count ${fmt(reads)} > ${fmt(t)}` }
      : { admit: false, reason: `Fusion read count ${fmt(reads)} is not above ${fmt(t)}` };
  }
  const t = thresholds.vafThreshold;
  if (vaf === null) return { admit: false, reason: `tier ${tier} without VAF` };
  return vaf > t
    ? { admit: true, reason: `tier ${tier}, VAF ${fmt(vaf)} > ${fmt(t)}` }
    : { admit: false, reason: `VAF ${fmt(vaf)} is not above ${fmt(t)}` };
}
