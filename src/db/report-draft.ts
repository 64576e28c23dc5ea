// a draft report auto-populated from the order's variant cache: the one place that decides
// what `curio report draft` and the terminal UI send (docs/REPORTS.md "Auto-populate")
import { randomUUID } from 'node:crypto';
import {
  canonicalize,
  fail,
  isReportEditable,
  isReportOpen,
  ok,
  populateReport,
  REPORTABLE_TIERS,
  type CommandInput,
  type Curation,
  type Order,
  type Report,
  type ReportCandidate,
  type ReportVariant,
  type Result,
} from '../core/index.ts';
import { orderCurations } from './reports.ts';
import type { Sql } from './sql.ts';

export type ReportDraftCommand = Extract<CommandInput, { type: 'report.createDraft' | 'report.setVariants' }>;

export interface ReportDraft {
  /** report.createDraft for a new draft, report.setVariants to refresh the open one */
  command: ReportDraftCommand;
  reportId: string;
  /** the open draft being refreshed; null when a new draft is created */
  open: Report | null;
  variants: ReportVariant[];
  /** false when the order has no ingested VCF: the draft admits nothing from the cache */
  cached: boolean;
  /** entries the report did not hold before */
  added: number;
  /** false when the refresh leaves the open draft as it is: the command would only bump its version */
  changed: boolean;
}

// the variant area loads on first use: most callers of the store never touch it
const vcfArea = () => import('../vcf/index.ts');

/** the variants a draft may admit: a reportable tier in the file, or a curation that can make one */
async function candidatesOf(db: Sql, orderId: string, curations: ReadonlyMap<string, Curation>): Promise<{ candidates: ReportCandidate[]; cached: boolean }> {
  const { listVariants, getVariant } = await vcfArea();
  const out: ReportCandidate[] = [];
  let after: string | null = null;
  let fileId: string | null = null;
  // only reportable-tier rows are read, page by page: the cache is never loaded whole
  do {
    const page = await listVariants(db, orderId, { tiers: [...REPORTABLE_TIERS], hideTierIV: false, after, limit: 1000 });
    fileId = page.fileId;
    out.push(...page.rows);
    after = page.next;
  } while (after);
  const seen = new Set(out.map((v) => v.id));
  for (const c of curations.values()) {
    if (seen.has(c.variantId) || (c.reportable !== true && c.tierOverride === null)) continue;
    const v = await getVariant(db, c.variantId, { orderId });
    if (v && v.orderId === orderId) out.push(v);
  }
  return { candidates: out, cached: fileId !== null };
}

/**
 * the command that drafts the order's report, or refreshes its open draft: curations and
 * the sample's thresholds decide admission; entries already in the report keep their
 * snapshot, and a removed one stays removed. `reports` are the order's reports as read.
 */
export async function prepareReportDraft(
  db: Sql,
  order: Order,
  reports: readonly Report[],
  opts: { summary?: string } = {},
): Promise<Result<ReportDraft>> {
  const open = reports.find((r) => isReportOpen(r.status)) ?? null;
  if (open && !isReportEditable(open.status))
    return fail('conflict', `Conflict: report version ${open.version} of ${order.displayId} is ${open.status}; it is no longer edited`);
  const curations = new Map((await orderCurations(db, order.id)).map((c) => [c.variantId, c]));
  const { candidates, cached } = await candidatesOf(db, order.id, curations);
  const thresholds = await (await vcfArea()).orderAdmissionThresholds(db, order.id);
  const variants = populateReport(open?.variants ?? [], candidates, curations, thresholds);
  const known = new Set((open?.variants ?? []).map((v) => v.variantId));
  const reportId = open?.id ?? randomUUID();
  const summary = opts.summary !== undefined ? { summary: opts.summary } : {};
  const command: ReportDraftCommand = open
    ? { type: 'report.setVariants', orderId: order.id, reportId, variants, baseVersion: open.rowVersion, ...summary }
    : { type: 'report.createDraft', orderId: order.id, reportId, variants, ...summary };
  const changed = !open || opts.summary !== undefined || canonicalize(open.variants) !== canonicalize(variants);
  return ok({ command, reportId, open, variants, cached, added: variants.filter((v) => !known.has(v.variantId)).length, changed });
}
