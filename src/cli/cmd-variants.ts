import { stringFlag } from './args.ts';
import {
  AMP_TIERS,
  currentStage,
  normaliseTier,
  normalizeStatus,
  requireCapability,
  requireRole,
  stageCapabilities,
  type AmpTier,
  type CapabilityFlag,
  type CommandInput,
  type CommandResult,
  type Curation,
  type Order,
  type Rejection,
  type Result,
} from '../core/index.ts';
import { curationsOf, getCuration, loadAggregate, type SqlDatabase } from '../db/index.ts';
import type { IngestErrorCode, VariantFilter, VariantRow, VariantSort, VariantSortKey } from '../vcf/index.ts';
import type { CommandDef } from './cmd-orders.ts';
import { EXIT, report, type Session } from './context.ts';
import { fields, table, toWire, type Output } from './output.ts';
import { orderRef, submit } from './session-helpers.ts';

/** what a handler gets from the terminal; stderr carries progress bars */
export interface TerminalIo {
  confirm(q: string): Promise<boolean>;
  isTTY: boolean;
  stderr?: NodeJS.WritableStream;
}

/** the variant area loads on first use: most commands never touch it */
export function vcfArea() {
  return import('../vcf/index.ts');
}

// --- the variant cache in this store ---------------------------------------------------

/**
 * the variant cache's tables live beside the store's own; created on first use, and what
 * an interrupted ingest left behind is cleared (one process per store: the home lock)
 */
export async function ensureVariantCache(db: SqlDatabase): Promise<void> {
  const { VCF_MIGRATION_SQL, recoverVcfCache } = await vcfArea();
  const [r] = await db.query<{ t: string | null }>(`SELECT to_regclass('vcf_files')::text AS t`);
  if (!r?.t) await db.exec(VCF_MIGRATION_SQL);
  else await recoverVcfCache(db);
}

/** requires a capability flag of the order's current stage, the way decide() does */
export async function requireOrderCapability(s: Session, order: Order, flag: CapabilityFlag, doing: string): Promise<Result<void>> {
  if (order.workflow !== 'clinical')
    return { success: false, error: { code: 'invalid_input', message: `order ${order.displayId} is a facility order; it has no variants or reports` } };
  const agg = await loadAggregate(s.db, s.project.id, order.id);
  if (!agg?.labflow) return { success: false, error: { code: 'not_found', message: `Not found: labflow of order ${order.displayId}` } };
  const caps = stageCapabilities(agg.labflow, normalizeStatus(order.status));
  return requireCapability(s.actor, currentStage(agg), caps, flag, doing);
}

/** sends a command and answers what became of it, printing nothing */
export async function send(
  s: Session,
  command: CommandInput,
): Promise<{ ok: true; queued: false; result: CommandResult } | { ok: true; queued: true; mid: string; reason: string } | { ok: false; rejection: Rejection }> {
  const o = await s.gateway.submit(command);
  if (o.status === 'accepted') return { ok: true, queued: false, result: o.result };
  if (o.status === 'queued') return { ok: true, queued: true, mid: o.mid, reason: o.reason };
  if (o.status === 'refused') return { ok: false, rejection: o.rejection };
  const r = o.result;
  return { ok: false, rejection: { code: r.code ?? 'conflict', message: r.message ?? 'rejected', ...(r.current ? { current: r.current } : {}) } };
}

// --- ingest -------------------------------------------------------------------------------

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/** a one-line progress bar on a terminal's stderr; nothing elsewhere */
export function progressBar(io: TerminalIo, label: string): { update(done: number, total: number): void; end(): void } {
  const stream = io.isTTY ? io.stderr : undefined;
  let last = -1;
  let drawn = false;
  return {
    update(done, total) {
      if (!stream || total <= 0) return;
      const pct = Math.min(100, Math.floor((done / total) * 100));
      if (pct === last) return;
      last = pct;
      const width = 30;
      const fill = Math.round((pct / 100) * width);
      stream.write(`\r${label} [${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${String(pct).padStart(3)}%  ${mb(done)}/${mb(total)} MB`);
      drawn = true;
    },
    end() {
      if (stream && drawn) stream.write('\n');
    },
  };
}

function ingestExit(code: IngestErrorCode): Rejection['code'] | 'failure' {
  switch (code) {
    case 'invalid_input':
    case 'file_not_found':
    case 'unreadable':
    case 'malformed_vcf':
    case 'unknown_sample':
      return 'invalid_input';
    case 'ingest_in_progress':
      return 'conflict';
    default:
      return 'failure';
  }
}

export type IngestOutcome =
  | { ok: true; records: number; skipped: boolean; sha256: string; sample: string | null; queued: boolean }
  | { ok: false; exit: number };

/**
 * puts a VCF into the order's variant cache (progress on a terminal) and records the
 * ingest with vcf.ingested, which freezes the order's slug; the same file again is a no-op
 */
export async function ingestForOrder(s: Session, out: Output, io: TerminalIo, order: Order, path: string, sample?: string): Promise<IngestOutcome> {
  if (order.workflow !== 'clinical') return { ok: false, exit: report(out, { code: 'invalid_input', message: `order ${order.displayId} is a facility order; it has no variant cache` }) };
  // the relay checks this too; asking first keeps a refused user from filling the cache
  const role = requireRole(s.actor, 'project_editor', 'ingesting a VCF');
  if (!role.success) return { ok: false, exit: report(out, role.error) };
  await ensureVariantCache(s.db);
  const { ingestVcf, currentVcfFile } = await vcfArea();
  const bar = progressBar(io, `ingesting ${order.displayId}`);
  const r = await ingestVcf(s.db, { orderId: order.id, path, ...(sample !== undefined ? { sample } : {}), onProgress: (d, t) => bar.update(d, t) });
  bar.end();
  if (!r.ok) {
    const code = ingestExit(r.code);
    if (code === 'failure') {
      out.err(`ingest failed: ${r.message}`);
      return { ok: false, exit: EXIT.failure };
    }
    // malformed files come back as "file:line: reason"
    if (out.json) out.data({ error: { code: r.code, message: r.message } });
    else out.err(r.message);
    return { ok: false, exit: code === 'invalid_input' ? EXIT.usage : EXIT.refused };
  }
  const file = await currentVcfFile(s.db, order.id);
  const sha256 = file?.sha256 ?? '';
  const chosen = file?.sample ?? null;
  if (r.skipped) return { ok: true, records: r.records, skipped: true, sha256, sample: chosen, queued: false };
  const sent = await send(s, { type: 'vcf.ingested', orderId: order.id, fileSha256: sha256, records: r.records, ...(chosen !== null ? { sample: chosen } : {}) });
  if (!sent.ok) return { ok: false, exit: report(out, sent.rejection) };
  return { ok: true, records: r.records, skipped: false, sha256, sample: chosen, queued: sent.queued };
}

export const vcfCommands: Record<string, CommandDef> = {
  ingest: {
    spec: { usage: 'curio vcf ingest ORDER_ID PATH [--sample S]', flags: { sample: { type: 'string', value: 'S' } }, positionals: ['ORDER_ID', 'PATH'] },
    async run(s, out, a, io) {
      const o = await orderRef(s, out, a.positionals[0]!);
      if (!o.ok) return o.exit;
      const sample = stringFlag(a.flags.sample);
      const r = await ingestForOrder(s, out, io as TerminalIo, o.value, a.positionals[1]!, sample);
      if (!r.ok) return r.exit;
      const data = { order: o.value.displayId, records: r.records, sha256: r.sha256, sample: r.sample, unchanged: r.skipped, queued: r.queued };
      if (out.json) out.data(data);
      else if (r.skipped) out.out(`${o.value.displayId}: this VCF is already ingested (${r.records} records); nothing changed`);
      else out.out(`${o.value.displayId}: ingested ${r.records} records${r.sample ? ` (sample ${r.sample})` : ''}${r.queued ? '; the record of it is queued for the relay' : ''}`);
      return EXIT.ok;
    },
  },
};

// --- browsing and curating ----------------------------------------------------------------

const MAX_LIST = 10_000;
// VARIANT_SORT_KEYS, spelled out so the variant area still loads lazily; `satisfies` keeps it complete
const SORT_KEYS = Object.keys({
  locus: true, gene: true, hgvs_c: true, hgvs_p: true, consequence: true, tier: true, category: true, vaf: true,
  read_count: true, depth: true, pop_af: true, clinvar: true, filter: true, acmg: true, reportable: true,
} satisfies Record<VariantSortKey, true>) as VariantSortKey[];

function parseSort(raw: string | undefined): Result<VariantSort> {
  if (raw === undefined) return { success: true, data: { key: 'locus', dir: 'asc' } };
  let key = raw.trim();
  let dir: 'asc' | 'desc' = 'asc';
  if (key.startsWith('-')) {
    dir = 'desc';
    key = key.slice(1);
  }
  const m = /^([a-z_]+)(?::(asc|desc))?$/.exec(key);
  if (m?.[2]) dir = m[2] as 'asc' | 'desc';
  if (!m || !(SORT_KEYS as readonly string[]).includes(m[1]!))
    return { success: false, error: { code: 'invalid_input', message: `--sort: must be one of ${SORT_KEYS.join(', ')} (optionally -COL or COL:desc), got ${JSON.stringify(raw)}` } };
  return { success: true, data: { key: m[1] as VariantSortKey, dir } };
}

function parseTiers(raw: string[] | undefined): Result<AmpTier[] | undefined> {
  if (!raw) return { success: true, data: undefined };
  const out: AmpTier[] = [];
  for (const part of raw.flatMap((r) => r.split(','))) {
    if (part.trim() === '') continue;
    const t = normaliseTier(part);
    if (!t) return { success: false, error: { code: 'invalid_input', message: `--tier: ${JSON.stringify(part)} is not one of ${AMP_TIERS.join(', ')}` } };
    out.push(t);
  }
  return { success: true, data: out };
}

function curationCell(c: Curation | undefined): string {
  if (!c) return '-';
  const parts: string[] = [];
  if (c.acmgClass) parts.push(c.acmgClass);
  if (c.reportable === true) parts.push('reportable');
  if (c.reportable === false) parts.push('not reportable');
  if (c.note) parts.push('note');
  return parts.join(', ') || '-';
}

function tierCell(row: VariantRow, c: Curation | undefined): string {
  // the glyph says "curated", so the table reads the same without colour
  return c?.tierOverride ? `${c.tierOverride}*` : (row.tier ?? '-');
}

function fmtNum(v: number | null, digits = 3): string | null {
  return v === null ? null : String(Number(v.toFixed(digits)));
}

export const variantsCommands: Record<string, CommandDef> = {
  list: {
    spec: {
      usage: 'curio variants list ORDER_ID [--gene G]... [--tier IA,IB] [--with-tier-iv] [--min-vaf X] [--category C] [--pass-only] [--text Q] [--sort COL[:desc]] [--limit N]',
      flags: {
        gene: { type: 'string', multiple: true, value: 'G' },
        tier: { type: 'string', multiple: true, value: 'IA,IB' },
        'with-tier-iv': { type: 'boolean' },
        'min-vaf': { type: 'number', value: 'X' },
        category: { type: 'string', value: 'C' },
        'pass-only': { type: 'boolean' },
        text: { type: 'string', value: 'Q' },
        sort: { type: 'string', value: 'COL' },
        limit: { type: 'number', value: `N (1-${MAX_LIST}, default 50)` },
      },
      positionals: ['ORDER_ID'],
    },
    async run(s, out, a) {
      const o = await orderRef(s, out, a.positionals[0]!);
      if (!o.ok) return o.exit;
      const allowed = await requireOrderCapability(s, o.value, 'browser_viewable', `viewing the variants of order ${o.value.displayId}`);
      if (!allowed.success) return report(out, allowed.error);
      const sort = parseSort(stringFlag(a.flags.sort));
      if (!sort.success) return report(out, sort.error);
      const tiers = parseTiers(a.flags.tier as string[] | undefined);
      if (!tiers.success) return report(out, tiers.error);
      const minVaf = a.flags['min-vaf'] as number | undefined;
      if (minVaf !== undefined && (minVaf < 0 || minVaf > 1)) return report(out, { code: 'invalid_input', message: `--min-vaf: expected a fraction between 0 and 1, got ${minVaf}` });
      const limit = a.flags.limit === undefined ? 50 : Number(a.flags.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) return report(out, { code: 'invalid_input', message: `--limit: expected a whole number from 1 to ${MAX_LIST}, got ${limit}` });
      const filter: VariantFilter = {};
      const genes = a.flags.gene as string[] | undefined;
      if (genes?.length) filter.genes = genes;
      if (tiers.data?.length) filter.tiers = tiers.data;
      if (a.flags['with-tier-iv'] || tiers.data?.includes('IV')) filter.hideTierIV = false;
      if (minVaf !== undefined) filter.minVaf = minVaf;
      const category = stringFlag(a.flags.category);
      if (category) filter.category = category;
      if (a.flags['pass-only']) filter.passOnly = true;
      const text = stringFlag(a.flags.text);
      if (text) filter.text = text;

      await ensureVariantCache(s.db);
      const { listVariants, countVariants } = await vcfArea();
      const rows: VariantRow[] = [];
      let after: string | null = null;
      let fileId: string | null = null;
      let stale: string | undefined;
      do {
        const page = await listVariants(s.db, o.value.id, { ...filter, sort: sort.data, after, limit: Math.min(1000, limit - rows.length) });
        fileId = page.fileId;
        stale = page.stale;
        rows.push(...page.rows);
        after = page.next;
      } while (after && rows.length < limit);
      const curations = await curationsOf(s.db, o.value.id, rows.map((r) => r.id));
      // a file of the cache layout before migration 4: its rows are gone until it is ingested again
      const staleText = stale === undefined ? null : `order ${o.value.displayId}: ${stale} (curio vcf ingest ${o.value.displayId} FILE)`;
      if (out.json) {
        if (staleText) out.err(staleText);
        out.data(rows.map((r) => toWire({ ...r, curation: curations.get(r.id) ?? null })));
        return EXIT.ok;
      }
      if (fileId === null) {
        out.out(staleText ?? `order ${o.value.displayId} has no variants yet (curio vcf ingest ${o.value.displayId} FILE)`);
        return EXIT.ok;
      }
      if (rows.length === 0) {
        out.out('no variants match');
        return EXIT.ok;
      }
      out.out(
        table(
          ['ID', 'LOCUS', 'GENE', 'HGVS', 'TIER', 'VAF', 'READS', 'CATEGORY', 'FILTER', 'CURATION'],
          rows.map((r) => {
            const c = curations.get(r.id);
            return [r.id, `${r.chrom}:${r.pos} ${r.ref}>${r.alt}`, r.gene, r.hgvsP ?? r.hgvsC, tierCell(r, c), fmtNum(r.vaf), r.readCount, r.category, r.filter, curationCell(c)];
          }),
        ),
      );
      if (rows.length === limit) {
        const total = await countVariants(s.db, o.value.id, filter);
        if (total > limit) out.err(`showing ${limit} of ${total}; use --limit N (up to ${MAX_LIST}) or narrow the filter`);
      }
      if (rows.some((r) => curations.get(r.id)?.tierOverride)) out.err('* tier set by curation');
      return EXIT.ok;
    },
  },

  show: {
    spec: { usage: 'curio variants show ORDER_ID VARIANT_ID', positionals: ['ORDER_ID', 'VARIANT_ID'] },
    async run(s, out, a) {
      const o = await orderRef(s, out, a.positionals[0]!);
      if (!o.ok) return o.exit;
      const allowed = await requireOrderCapability(s, o.value, 'browser_viewable', `viewing the variants of order ${o.value.displayId}`);
      if (!allowed.success) return report(out, allowed.error);
      await ensureVariantCache(s.db);
      const id = a.positionals[1]!;
      const v = await (await vcfArea()).getVariant(s.db, id, { orderId: o.value.id });
      if (!v) return report(out, { code: 'not_found', message: `Not found: variant ${id} on order ${o.value.displayId}` });
      const c = await getCuration(s.db, o.value.id, id);
      if (out.json) {
        // INFO and FORMAT keys are the file's (DP, ISEQ_REPORT_VAF), not snake-cased;
        // detail_error is always there: null, or why info and format are empty
        const { info, format, ...rest } = v;
        out.data({ ...(toWire({ ...rest, detailError: v.detailError ?? null, curation: c }) as object), info, format });
        return EXIT.ok;
      }
      out.out(
        fields([
          ['id', v.id],
          ['locus', `${v.chrom}:${v.pos} ${v.ref}>${v.alt}`],
          ['gene', v.gene],
          ['hgvs_c', v.hgvsC],
          ['hgvs_p', v.hgvsP],
          ['consequence', v.consequence],
          ['tier', v.tier],
          ['category', v.category],
          ['vaf', v.vaf],
          ['read_count', v.readCount],
          ['depth', v.depth],
          ['pop_af', v.popAf],
          ['clinvar', v.clinvar],
          ['filter', v.filter],
          ['alias', v.alias],
          ['curation', c ? `tier ${c.tierOverride ?? '(file)'}, ACMG ${c.acmgClass ?? '-'}, reportable ${c.reportable === null ? 'auto' : c.reportable ? 'yes' : 'no'}, version ${c.version}` : null],
          ['note', c?.note ?? null],
          ['info', v.detailError ? null : v.info],
        ]),
      );
      // the slim columns above are right; INFO and FORMAT need the file ingested again
      if (v.detailError) out.err(v.detailError.message);
      return EXIT.ok;
    },
  },

  curate: {
    spec: {
      usage: 'curio variants curate ORDER_ID VARIANT_ID [--tier IA|IB|IIC|IID|III|IV|none] [--acmg P|LP|VUS|LB|B|none] [--reportable yes|no|auto] [--note TEXT]',
      flags: {
        tier: { type: 'string', choices: [...AMP_TIERS, 'none'] },
        acmg: { type: 'string', choices: ['P', 'LP', 'VUS', 'LB', 'B', 'none'] },
        reportable: { type: 'string', choices: ['yes', 'no', 'auto'] },
        note: { type: 'string', value: 'TEXT' },
      },
      positionals: ['ORDER_ID', 'VARIANT_ID'],
    },
    async run(s, out, a) {
      const o = await orderRef(s, out, a.positionals[0]!);
      if (!o.ok) return o.exit;
      const variantId = a.positionals[1]!;
      const tier = stringFlag(a.flags.tier);
      const acmg = stringFlag(a.flags.acmg);
      const reportable = stringFlag(a.flags.reportable);
      const note = stringFlag(a.flags.note);
      if (tier === undefined && acmg === undefined && reportable === undefined && note === undefined)
        return report(out, { code: 'invalid_input', message: 'nothing to change: give --tier, --acmg, --reportable or --note' });
      await ensureVariantCache(s.db);
      const v = await (await vcfArea()).getVariant(s.db, variantId, { orderId: o.value.id });
      // an order's variant ids come from its locus, so another machine's curation points here too
      if (!v)
        return report(out, { code: 'not_found', message: `Not found: variant ${variantId} in the variant cache of order ${o.value.displayId}` });
      const existing = await getCuration(s.db, o.value.id, variantId);
      const command: CommandInput = {
        type: 'variant.curate',
        orderId: o.value.id,
        variantId,
        baseVersion: existing?.version ?? 0,
        ...(tier !== undefined ? { tierOverride: tier === 'none' ? null : (tier as AmpTier) } : {}),
        ...(acmg !== undefined ? { acmgClass: acmg === 'none' ? null : (acmg as NonNullable<Curation['acmgClass']>) } : {}),
        ...(reportable !== undefined ? { reportable: reportable === 'auto' ? null : reportable === 'yes' } : {}),
        ...(note !== undefined ? { note: note === '' ? null : note } : {}),
      };
      return submit(s, out, command, {
        wait: !a.flags['no-wait'],
        done: async () => {
          const c = await getCuration(s.db, o.value.id, variantId);
          const what = c
            ? `tier ${c.tierOverride ?? `${v.tier ?? '-'} (file)`}, ACMG ${c.acmgClass ?? '-'}, reportable ${c.reportable === null ? 'auto' : c.reportable ? 'yes' : 'no'}${c.note ? `, note "${c.note}"` : ''} (version ${c.version})`
            : 'curated';
          return { text: `${o.value.displayId} ${v.gene ?? ''} ${v.chrom}:${v.pos} ${v.ref}>${v.alt}: ${what}`.replace(/\s+/g, ' '), data: toWire(c) };
        },
      });
    },
  },
};
