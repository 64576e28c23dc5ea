import { AMP_TIERS, normaliseTier, type AmpTier, type Result } from '../core/index.ts';
import type { VariantFilter, VariantSort } from '../vcf/index.ts';

// the variant browser's filter as typed by people: parsing and describing it. What comes
// out is checked once more against the query layer's variantFilterSchema before use.

function invalid(message: string): { success: false; error: { code: 'invalid_input'; message: string } } {
  return { success: false, error: { code: 'invalid_input', message: `Invalid input: ${message}` } };
}

/** 'IA, ib,Tier IIC' → tiers; blank or 'all' → none */
export function parseTiers(text: string): Result<AmpTier[] | undefined> {
  const parts = text.split(/[,\s]+/).filter((p) => p !== '' && p.toLowerCase() !== 'tier');
  if (parts.length === 0 || (parts.length === 1 && parts[0]!.toLowerCase() === 'all')) return { success: true, data: undefined };
  const out: AmpTier[] = [];
  for (const part of parts) {
    const t = normaliseTier(part);
    if (!t) return invalid(`tier "${part}" is not one of ${AMP_TIERS.join(', ')}`);
    if (!out.includes(t)) out.push(t);
  }
  return { success: true, data: out };
}

/** '0.05', '5%', '.05' → 0.05; blank or '0' → none */
export function parseVaf(text: string): Result<number | undefined> {
  const t = text.trim();
  if (t === '' || t.toLowerCase() === 'all') return { success: true, data: undefined };
  const percent = t.endsWith('%');
  const n = Number(percent ? t.slice(0, -1) : t);
  if (!Number.isFinite(n)) return invalid(`minimum VAF "${t}" is not a number (0.05 or 5%)`);
  const v = percent ? n / 100 : n;
  if (v < 0 || v > 1) return invalid(`minimum VAF ${t} is outside 0–1 (0.05 or 5%)`);
  return { success: true, data: v === 0 ? undefined : v };
}

/** 'KRAS, nras' → ['KRAS', 'NRAS']: gene symbols are matched exactly, and written upper case */
export function parseGenes(text: string): string[] | undefined {
  const genes = text
    .split(/[,\s]+/)
    .map((g) => g.trim())
    .filter((g) => g !== '' && g.toLowerCase() !== 'all');
  return genes.length ? [...new Set(genes.map((g) => g.toUpperCase()))] : undefined;
}

/** the filter with one field set or, for undefined, removed */
export function withField<K extends keyof VariantFilter>(filter: VariantFilter, key: K, value: VariantFilter[K] | undefined): VariantFilter {
  const next: VariantFilter = { ...filter };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}

/** tier IV shown ↔ hidden (hidden is the default, so it is left out then) */
export function toggleTierIV(filter: VariantFilter): VariantFilter {
  return withField(filter, 'hideTierIV', filter.hideTierIV === false ? undefined : false);
}

export function tierIVShown(filter: VariantFilter): boolean {
  return filter.hideTierIV === false || (filter.tiers?.includes('IV') ?? false);
}

function vafText(v: number): string {
  return `${Number((v * 100).toFixed(2))}%`;
}

/** the filter in words, for the header line */
export function describeFilter(filter: VariantFilter): string {
  const parts: string[] = [];
  if (filter.tiers?.length) parts.push(`tiers ${filter.tiers.join(',')}`);
  parts.push(tierIVShown(filter) ? 'tier IV shown' : 'tier IV hidden');
  if (filter.minVaf !== undefined) parts.push(`VAF ≥ ${vafText(filter.minVaf)}`);
  const genes = [...(filter.genes ?? []), ...(filter.gene !== undefined ? [filter.gene] : [])];
  if (genes.length) parts.push(`gene${genes.length > 1 ? 's' : ''} ${genes.join(',')}`);
  if (filter.category !== undefined) parts.push(`category ${filter.category}`);
  if (filter.passOnly) parts.push('PASS only');
  if (filter.text?.trim()) parts.push(`"${filter.text.trim()}"`);
  return parts.join(' · ');
}

export function sortText(sort: VariantSort): string {
  return `${sort.key} ${sort.dir === 'asc' ? '↑' : '↓'}`;
}

/** one string per distinct query, to notice a change */
export function queryKey(filter: VariantFilter, sort: VariantSort): string {
  const sorted = Object.fromEntries(Object.entries(filter).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify([sorted, sort.key, sort.dir]);
}

/** the form's fields from a filter, and back */
export interface FilterFields {
  tiers: string;
  tierIV: 'hidden' | 'shown';
  minVaf: string;
  genes: string;
  category: string;
  passOnly: 'no' | 'yes';
  text: string;
}

export function fieldsOf(filter: VariantFilter): FilterFields {
  return {
    tiers: filter.tiers?.join(', ') ?? '',
    tierIV: filter.hideTierIV === false ? 'shown' : 'hidden',
    minVaf: filter.minVaf === undefined ? '' : String(filter.minVaf),
    genes: [...(filter.genes ?? []), ...(filter.gene !== undefined ? [filter.gene] : [])].join(', '),
    category: filter.category ?? '',
    passOnly: filter.passOnly ? 'yes' : 'no',
    text: filter.text ?? '',
  };
}

export function filterOf(fields: FilterFields): Result<VariantFilter> {
  const tiers = parseTiers(fields.tiers);
  if (!tiers.success) return tiers;
  const minVaf = parseVaf(fields.minVaf);
  if (!minVaf.success) return minVaf;
  const filter: VariantFilter = {};
  if (tiers.data) filter.tiers = tiers.data;
  if (fields.tierIV === 'shown') filter.hideTierIV = false;
  if (minVaf.data !== undefined) filter.minVaf = minVaf.data;
  const genes = parseGenes(fields.genes);
  if (genes) filter.genes = genes;
  if (fields.category.trim() && fields.category.trim().toLowerCase() !== 'all') filter.category = fields.category.trim();
  if (fields.passOnly === 'yes') filter.passOnly = true;
  if (fields.text.trim()) filter.text = fields.text.trim();
  return { success: true, data: filter };
}
