import type { Curation } from '../core/index.ts';
import type { VariantRow } from '../vcf/index.ts';
import { textWidth, type Column, type Tone } from './kit/index.ts';

// the variant browser's columns. At 80 columns a fitting subset shows (locus, gene, one
// HGVS, tier, VAF, depth, ACMG, the reportable mark); wide mode lists every column at its
// narrowest and scrolls them sideways behind the pinned mark and locus.

export interface VariantView {
  row: VariantRow;
  curation: Curation | undefined;
}

/** reportable ✓, not reportable ✗, left to the rules blank: meaning without colour */
export const REPORTABLE_MARK = { yes: '✓', no: '✗', auto: ' ' } as const;
/** a tier set by curation carries this after it, as in `curio variants list` */
export const CURATED_TIER = '*';

export function reportableMark(c: Curation | undefined): { text: string; tone?: Tone } {
  if (c?.reportable === true) return { text: REPORTABLE_MARK.yes, tone: 'ok' };
  if (c?.reportable === false) return { text: REPORTABLE_MARK.no, tone: 'muted' };
  return { text: REPORTABLE_MARK.auto };
}

export function locusText(r: Pick<VariantRow, 'chrom' | 'pos' | 'ref' | 'alt'>): string {
  return `${r.chrom}:${r.pos} ${r.ref}>${r.alt}`;
}

export function tierText(r: VariantView): string {
  return r.curation?.tierOverride ? `${r.curation.tierOverride}${CURATED_TIER}` : (r.row.tier ?? '—');
}

/** a fraction in few cells: 0.452, 0.013, 1.2e-4 */
export function fraction(v: number | null): string {
  if (v === null) return '—';
  if (v === 0) return '0';
  if (Math.abs(v) < 0.001) return v.toExponential(1).replace('e-', 'e-');
  return String(Number(v.toFixed(3)));
}

function count(v: number | null): string {
  return v === null ? '—' : String(v);
}

function text(v: string | null): string {
  return v === null || v === '' ? '—' : v;
}

interface Spec {
  id: string;
  title: string;
  /** sort keys (normalised: lower case, letters and digits) this column shows */
  sorts: readonly string[];
  value: (r: VariantView) => string;
  tone?: (r: VariantView) => Tone | undefined;
  minWidth: number;
  maxWidth?: number;
  grow?: number;
  align?: 'left' | 'right';
  /** narrow mode: lower is kept longer; undefined: wide mode only */
  priority?: number;
  /** wide mode: stays on screen while the others scroll */
  pinned?: boolean;
  /** narrow mode only (wide mode splits it) */
  narrowOnly?: boolean;
}

const SPECS: readonly Spec[] = [
  { id: 'reportable', title: 'R', sorts: ['reportable'], value: (r) => reportableMark(r.curation).text, tone: (r) => reportableMark(r.curation).tone, minWidth: 1, priority: 0, pinned: true },
  { id: 'locus', title: 'LOCUS', sorts: ['locus', 'position', 'pos', 'chrom', 'ordinal'], value: (r) => locusText(r.row), minWidth: 20, maxWidth: 34, grow: 2, priority: 0, pinned: true },
  { id: 'gene', title: 'GENE', sorts: ['gene'], value: (r) => text(r.row.gene), minWidth: 7, maxWidth: 12, grow: 1, priority: 0 },
  { id: 'hgvs', title: 'HGVS', sorts: ['hgvs', 'hgvsp', 'hgvsc'], value: (r) => text(r.row.hgvsP ?? r.row.hgvsC), minWidth: 14, maxWidth: 30, grow: 3, priority: 1, narrowOnly: true },
  { id: 'hgvs_c', title: 'HGVS C.', sorts: ['hgvsc'], value: (r) => text(r.row.hgvsC), minWidth: 14, maxWidth: 30, grow: 2 },
  { id: 'hgvs_p', title: 'HGVS P.', sorts: ['hgvsp'], value: (r) => text(r.row.hgvsP), minWidth: 14, maxWidth: 30, grow: 2 },
  { id: 'consequence', title: 'CONSEQUENCE', sorts: ['consequence'], value: (r) => text(r.row.consequence), minWidth: 16, maxWidth: 30, grow: 1, priority: 5 },
  { id: 'tier', title: 'TIER', sorts: ['tier'], value: tierText, tone: (r) => (r.curation?.tierOverride ? 'accent' : undefined), minWidth: 4, priority: 0 },
  { id: 'category', title: 'CAT', sorts: ['category'], value: (r) => text(r.row.category), minWidth: 6, maxWidth: 10, priority: 3 },
  { id: 'vaf', title: 'VAF', sorts: ['vaf'], value: (r) => fraction(r.row.vaf), minWidth: 5, align: 'right', priority: 0 },
  { id: 'read_count', title: 'READS', sorts: ['readcount', 'reads'], value: (r) => count(r.row.readCount), minWidth: 5, align: 'right', priority: 3 },
  { id: 'depth', title: 'DEPTH', sorts: ['depth', 'dp'], value: (r) => count(r.row.depth), minWidth: 5, align: 'right', priority: 1 },
  { id: 'pop_af', title: 'POP AF', sorts: ['popaf', 'populationaf', 'gnomad', 'gnomadaf'], value: (r) => fraction(r.row.popAf), minWidth: 7, align: 'right', priority: 4 },
  { id: 'clinvar', title: 'CLINVAR', sorts: ['clinvar', 'clnsig'], value: (r) => text(r.row.clinvar), minWidth: 10, maxWidth: 28, grow: 1, priority: 6 },
  { id: 'filter', title: 'FILTER', sorts: ['filter'], value: (r) => text(r.row.filter), minWidth: 6, maxWidth: 14, priority: 4 },
  { id: 'acmg', title: 'ACMG', sorts: ['acmg', 'acmgclass'], value: (r) => r.curation?.acmgClass ?? '', minWidth: 4, priority: 0 },
];

export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** the column id that shows a sort key, if one does */
export function columnOfSort(key: string): string | null {
  const k = normaliseKey(key);
  return SPECS.find((s) => !s.narrowOnly && s.sorts.includes(k))?.id ?? SPECS.find((s) => s.sorts.includes(k))?.id ?? null;
}

function toColumn(s: Spec, sort: { key: string; dir: 'asc' | 'desc' } | null, priority: number): Column<VariantView> {
  const sorted = sort !== null && s.sorts.includes(normaliseKey(sort.key));
  const title = sorted ? `${s.title}${sort.dir === 'asc' ? '↑' : '↓'}` : s.title;
  return {
    id: s.id,
    title,
    value: s.value,
    ...(s.tone ? { tone: s.tone } : {}),
    minWidth: Math.max(s.minWidth, textWidth(title)),
    ...(s.maxWidth !== undefined ? { maxWidth: s.maxWidth } : {}),
    ...(s.grow !== undefined ? { grow: s.grow } : {}),
    ...(s.align ? { align: s.align } : {}),
    priority,
  };
}

/** the columns that scroll sideways in wide mode, in order */
export const WIDE_SCROLLING: readonly string[] = SPECS.filter((s) => !s.narrowOnly && !s.pinned).map((s) => s.id);

/** every column title (for the wide mode's position line and the tests) */
export function columnTitle(id: string): string {
  return SPECS.find((s) => s.id === id)?.title ?? id;
}

/**
 * narrow: the subset that fits, by priority. wide: the pinned columns, then every other
 * column from `scroll` on, as many as fit at their narrowest (the Table drops the rest)
 */
export function variantColumns(options: { wide: boolean; scroll: number; sort: { key: string; dir: 'asc' | 'desc' } | null }): Column<VariantView>[] {
  const { wide, scroll, sort } = options;
  if (!wide) return SPECS.filter((s) => s.priority !== undefined).map((s) => toColumn(s, sort, s.priority ?? 9));
  const pinned = SPECS.filter((s) => s.pinned);
  const moving = SPECS.filter((s) => !s.narrowOnly && !s.pinned).slice(Math.max(0, scroll));
  // the pinned ones first to be kept, then left to right: the rightmost go when short of room
  return [...pinned.map((s) => toColumn(s, sort, 0)), ...moving.map((s, i) => toColumn({ ...s, grow: 0 }, sort, 1 + i))];
}
