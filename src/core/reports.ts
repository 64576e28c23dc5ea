// clinical reports: auto-populate from the variant cache, and the one rendering a
// signature covers (DESIGN.md §1 "Analyses, VCFs and reports")
import { admitVariant, normaliseTier, REPORTABLE_TIERS, type AdmissionDecision, type AdmissionThresholds, type AmpTier } from './admission.ts';
import type { Curation, Order, Report, ReportStatus, ReportVariant, Signature } from './schemas.ts';

/** a signature as decided; the store adds the SHA-256 of the rendered text */
export type UnsealedSignature = Omit<Signature, 'sha256'>;

/** at most one report per order is not signed */
export function isReportOpen(status: ReportStatus): boolean {
  return status !== 'signed';
}

/** a draft is edited; editing a report under review withdraws it to draft */
export function isReportEditable(status: ReportStatus): boolean {
  return status === 'draft' || status === 'pending_review';
}

export function isReportSignable(status: ReportStatus): boolean {
  return status === 'pending_review' || status === 'approved';
}

/** the slim columns of a cached variant that a report looks at (the variant cache's rows fit) */
export interface ReportCandidate {
  id: string;
  chrom: string;
  pos: number;
  ref: string;
  alt: string;
  gene: string | null;
  hgvsC: string | null;
  hgvsP: string | null;
  consequence: string | null;
  tier: string | null;
  category: string | null;
  vaf: number | null;
  readCount: number | null;
  depth: number | null;
  popAf: number | null;
  clinvar: string | null;
  filter: string | null;
  alias: string | null;
}

/** the tier that counts: a curator's override wins over the file's */
export function effectiveTier(candidate: Pick<ReportCandidate, 'tier'>, curation: Pick<Curation, 'tierOverride'> | undefined): AmpTier | null {
  return curation?.tierOverride ?? normaliseTier(candidate.tier);
}

/**
 * admission of one variant into a draft: a curation saying "not reportable" excludes it;
 * "reportable" with a reportable tier includes it whatever the thresholds say; otherwise
 * rules 1–4 apply to the effective tier
 */
export function admitForReport(
  candidate: ReportCandidate,
  curation: Curation | undefined,
  thresholds: AdmissionThresholds,
): AdmissionDecision {
  if (curation?.reportable === false) return { admit: false, reason: 'curated as not reportable' };
  const tier = effectiveTier(candidate, curation);
  const overridden = curation?.tierOverride != null;
  if (curation?.reportable === true) {
    if (tier !== null && REPORTABLE_TIERS.includes(tier))
      return { admit: true, reason: `curated as reportable, tier ${tier}${overridden ? ' (curated)' : ''}` };
    return { admit: false, reason: `curated as reportable, but tier ${tier ?? 'unknown'} is not reportable` };
  }
  const d = admitVariant(
    { tier, vaf: candidate.vaf, readCount: candidate.readCount, category: candidate.category, alias: candidate.alias },
    thresholds,
  );
  return overridden && d.admit ? { admit: true, reason: `${d.reason} (tier curated)` } : d;
}

/** the variant as it is when it enters a report; later curations and files never change it */
export function snapshotOf(candidate: ReportCandidate, curation: Curation | undefined): Record<string, unknown> {
  return {
    chrom: candidate.chrom,
    pos: candidate.pos,
    ref: candidate.ref,
    alt: candidate.alt,
    gene: candidate.gene,
    hgvsC: candidate.hgvsC,
    hgvsP: candidate.hgvsP,
    consequence: candidate.consequence,
    tier: effectiveTier(candidate, curation),
    fileTier: normaliseTier(candidate.tier),
    category: candidate.category,
    vaf: candidate.vaf,
    readCount: candidate.readCount,
    depth: candidate.depth,
    popAf: candidate.popAf,
    clinvar: candidate.clinvar,
    filter: candidate.filter,
    alias: candidate.alias,
    acmgClass: curation?.acmgClass ?? null,
    curationNote: curation?.note ?? null,
  };
}

/**
 * auto-populate: the report's variants after admitting `candidates`. Entries already in
 * the report keep their snapshot; one the curator removed stays removed and is never
 * re-added; an entry whose curation now says "not reportable" is marked removed. Only
 * variants that may be admitted need to be passed (reportable file tier, or curated).
 */
export function populateReport(
  existing: readonly ReportVariant[],
  candidates: Iterable<ReportCandidate>,
  curations: ReadonlyMap<string, Curation>,
  thresholds: AdmissionThresholds,
): ReportVariant[] {
  const out = existing.map((v) => ({ ...v }));
  const byId = new Map(out.map((v) => [v.variantId, v]));
  for (const v of out) {
    if (!v.removed && curations.get(v.variantId)?.reportable === false) {
      v.removed = true;
      v.reason = 'curated as not reportable';
    }
  }
  for (const c of candidates) {
    if (byId.has(c.id)) continue;
    const curation = curations.get(c.id);
    const d = admitForReport(c, curation, thresholds);
    if (!d.admit) continue;
    const entry: ReportVariant = { variantId: c.id, snapshot: snapshotOf(c, curation), reason: d.reason, removed: false };
    out.push(entry);
    byId.set(c.id, entry);
  }
  return out;
}

/**
 * a report's variant list after an edit: entries are never dropped (a removed one stays,
 * marked removed) and an entry's snapshot never changes once it is in the report
 */
export function mergeReportVariants(
  current: readonly ReportVariant[],
  incoming: readonly ReportVariant[],
): { ok: true; variants: ReportVariant[] } | { ok: false; problem: string } {
  const seen = new Set<string>();
  for (const v of incoming) {
    if (seen.has(v.variantId)) return { ok: false, problem: `variant ${v.variantId} is listed twice` };
    seen.add(v.variantId);
  }
  const missing = current.find((v) => !seen.has(v.variantId));
  if (missing) return { ok: false, problem: `variant ${missing.variantId} cannot leave the report; mark it removed instead` };
  const before = new Map(current.map((v) => [v.variantId, v]));
  return {
    ok: true,
    variants: incoming.map((v) => {
      const old = before.get(v.variantId);
      return old ? { ...v, snapshot: old.snapshot } : { ...v };
    }),
  };
}

// --- rendering ---------------------------------------------------------------------------

export type ReportFormat = 'text' | 'md';

export interface RenderOptions {
  format?: ReportFormat;
  /** the version of the report an amendment corrects */
  amendsVersion?: number | null;
}

function cell(v: unknown): string {
  if (v === null || v === undefined || v === '') return '-';
  return String(v).replace(/[\r\n\t]+/g, ' ');
}

function snap(v: ReportVariant): Record<string, unknown> {
  return v.snapshot;
}

function locus(s: Record<string, unknown>): string {
  return `${cell(s.chrom)}:${cell(s.pos)} ${cell(s.ref)}>${cell(s.alt)}`;
}

function variantCells(v: ReportVariant, i: number): string[] {
  const s = snap(v);
  const hgvs = [s.hgvsC, s.hgvsP].filter((x) => typeof x === 'string' && x !== '').join(' ');
  return [String(i + 1), cell(s.gene), locus(s), cell(hgvs), cell(s.tier), cell(s.acmgClass), cell(s.vaf), cell(s.readCount), cell(s.category)];
}

const VARIANT_HEADERS = ['#', 'GENE', 'VARIANT', 'HGVS', 'TIER', 'ACMG', 'VAF', 'READS', 'CATEGORY'];

function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

function mdTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)];
}

function kv(pairs: readonly (readonly [string, unknown])[], md: boolean): string[] {
  if (md) return pairs.map(([k, v]) => `- **${k}:** ${cell(v)}`);
  const w = Math.max(...pairs.map(([k]) => k.length)) + 1;
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(w)} ${cell(v)}`);
}

/**
 * the report as people read it. The text form at signing is what the signature's SHA-256
 * covers, so this is deterministic: the same report, order and signature give the same
 * bytes on every machine. It shows the signer's printed name, the time and the meaning.
 */
export function renderReport(report: Report, order: Order, signature: UnsealedSignature | null, opts: RenderOptions = {}): string {
  const md = opts.format === 'md';
  const shown = report.variants.filter((v) => !v.removed);
  const removed = report.variants.filter((v) => v.removed);
  const lines: string[] = [];
  const heading = (t: string) => (md ? lines.push('', `## ${t}`, '') : lines.push('', t, '-'.repeat(t.length)));
  const table = (h: readonly string[], rows: readonly (readonly string[])[]) => lines.push(...(md ? mdTable(h, rows) : textTable(h, rows)));
  const title = `Clinical report ${order.displayId}, version ${report.version}`;
  lines.push(md ? `# ${title}` : title, ...(md ? [] : ['='.repeat(title.length)]));
  if (md) lines.push('');
  lines.push(...kv([
    ['Order', order.displayId],
    ['Report version', report.version],
    ['Status', report.status],
    ...(report.amendsReportId !== null
      ? ([
          ['Amends', opts.amendsVersion != null ? `version ${opts.amendsVersion}` : 'an earlier version'],
          ['Amendment reason', report.amendReason],
        ] as const)
      : []),
    ['Mode', order.mode],
    ['Accession', order.accession],
    ['External id', order.externalId],
    ['Clinical indication', order.clinicalIndication],
    ['Ordering provider', order.orderingProvider],
    ['Ordering facility', order.orderingFacility],
  ], md));
  heading('Summary');
  lines.push(report.summary?.trim() ? report.summary.trim() : 'No summary.');
  heading(`Reported variants (${shown.length})`);
  if (shown.length) table(VARIANT_HEADERS, shown.map(variantCells));
  else lines.push('No variants are reported.');
  if (removed.length) {
    heading(`Removed by curation (${removed.length})`);
    table(['#', 'GENE', 'VARIANT', 'REASON'], removed.map((v, i) => [String(i + 1), cell(snap(v).gene), locus(snap(v)), cell(v.reason)]));
  }
  heading('Signature');
  if (signature) {
    lines.push(...kv([
      ['Signed by', signature.signerName],
      ['Signed at', signature.signedAt],
      ['Meaning', signature.meaning],
    ], md));
  } else lines.push(`Not signed (${report.status}).`);
  return lines.join('\n') + '\n';
}
