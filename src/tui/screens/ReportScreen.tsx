import { Box } from 'ink';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { isReportEditable, isReportOpen, normalizeStatus, renderReport, type CommandInput, type OrderAggregate, type Report, type ReportVariant } from '../../core/index.ts';
import { checkWith } from '../actions.ts';
import { rejectionText, shortTime, wrapText } from '../format.ts';
import { useLoad, useTopOnChange } from '../hooks.ts';
import { LineText, Table, useListNavigation, useTheme, WindowedList, type Column, type Span } from '../kit/index.ts';
import { orderRight, readOnlyText, refusalText } from '../rights.ts';
import { useScreenHandler, useUi, type ScreenProps } from '../ui.ts';
import { fraction } from '../variant-columns.ts';

export interface ReportScreenProps extends ScreenProps {
  orderId: string;
}

type ReportPane = 'variants' | 'text';

/** the action in a word or two, for refusals that must fit the message line */
const DOING: Partial<Record<CommandInput['type'], string>> = {
  'report.createDraft': 'drafting',
  'report.setVariants': 'editing',
  'report.submit': 'submitting',
  'report.approveAndSign': 'signing',
  'report.amend': 'amending',
};

/** the one meaning the terminal signs with: Approve-and-Sign is an approval */
export const SIGN_MEANING = 'approval';

interface Row {
  entry: ReportVariant;
  index: number;
}

function snap(v: ReportVariant): Record<string, unknown> {
  return v.snapshot;
}

function str(v: unknown): string {
  return v === null || v === undefined || v === '' ? '—' : String(v);
}

export function variantWords(v: ReportVariant): string {
  const s = snap(v);
  const hgvs = (s.hgvsP ?? s.hgvsC ?? `${str(s.chrom)}:${str(s.pos)} ${str(s.ref)}>${str(s.alt)}`) as string;
  return `${str(s.gene)} ${hgvs} (tier ${str(s.tier)}${s.acmgClass ? `, ${String(s.acmgClass)}` : ''})`;
}

const COLUMNS: readonly Column<Row>[] = [
  { id: 'mark', title: ' ', minWidth: 1, priority: 0, value: (r) => (r.entry.removed ? '✗' : '✓'), tone: (r) => (r.entry.removed ? 'muted' : 'ok') },
  { id: 'n', title: '#', minWidth: 3, align: 'right', priority: 0, value: (r) => String(r.index + 1) },
  { id: 'gene', title: 'GENE', minWidth: 7, maxWidth: 10, priority: 0, value: (r) => str(snap(r.entry).gene) },
  { id: 'hgvs', title: 'HGVS', minWidth: 12, maxWidth: 26, grow: 2, priority: 0, value: (r) => str(snap(r.entry).hgvsP ?? snap(r.entry).hgvsC) },
  { id: 'locus', title: 'LOCUS', minWidth: 14, maxWidth: 28, grow: 1, priority: 2, value: (r) => `${str(snap(r.entry).chrom)}:${str(snap(r.entry).pos)} ${str(snap(r.entry).ref)}>${str(snap(r.entry).alt)}` },
  { id: 'tier', title: 'TIER', minWidth: 4, priority: 0, value: (r) => str(snap(r.entry).tier) },
  { id: 'acmg', title: 'ACMG', minWidth: 4, priority: 1, value: (r) => (snap(r.entry).acmgClass ? String(snap(r.entry).acmgClass) : '') },
  { id: 'vaf', title: 'VAF', minWidth: 5, align: 'right', priority: 1, value: (r) => fraction(typeof snap(r.entry).vaf === 'number' ? (snap(r.entry).vaf as number) : null) },
  { id: 'why', title: 'WHY', minWidth: 10, grow: 3, priority: 1, value: (r) => (r.entry.removed ? `removed: ${r.entry.reason}` : r.entry.reason), tone: () => 'muted' },
];

/** the version shown first: the open one, else the latest signed */
export function defaultVersion(reports: readonly Report[]): Report | undefined {
  return reports.find((r) => isReportOpen(r.status)) ?? [...reports].reverse().find((r) => r.status === 'signed') ?? reports[reports.length - 1];
}

/** an order's report: versions, variants, summary, signature; drafting, editing, signing, amending */
export function ReportScreen({ orderId, width, height, front, active }: ReportScreenProps): ReactNode {
  const ui = useUi();
  const { backend, notify } = ui;
  const theme = useTheme();
  const data = useLoad(async () => {
    const [agg, reports] = await Promise.all([backend.aggregate(orderId), backend.reports(orderId)]);
    return { agg, reports };
  }, [orderId]);
  const agg: OrderAggregate | null = data.value?.agg ?? null;
  const reports = useMemo(() => data.value?.reports ?? [], [data.value]);
  const [pinned, setPinned] = useState<string | null>(null);
  const [pane, setPane] = useState<ReportPane>('variants');
  const report = (pinned ? reports.find((r) => r.id === pinned) : undefined) ?? defaultVersion(reports);
  const actor = backend.actor();
  const order = agg?.order ?? null;
  const displayId = order?.displayId ?? null;

  // a signed report is the record, readable with the order; an unsigned one follows the stage
  const viewRight = agg && report && report.status !== 'signed' ? orderRight(actor, agg, 'report_viewable', `viewing the unsigned report of order ${agg.order.displayId}`) : null;
  const readable = !viewRight || viewRight.success;
  const readOnly = agg ? readOnlyText(actor, agg, 'report_editable', ui.userName) : null;

  const rows: Row[] = useMemo(() => (report && readable ? report.variants.map((entry, index) => ({ entry, index })) : []), [report, readable]);
  const amendsVersion = report?.amendsReportId ? (reports.find((r) => r.id === report.amendsReportId)?.version ?? null) : null;
  const textLines = useMemo(() => {
    if (!report || !order || !readable) return [];
    const text = report.status === 'signed' && report.renderedText !== null ? report.renderedText : renderReport(report, order, null, { format: 'text', amendsVersion });
    return text.replace(/\n$/, '').split('\n');
  }, [report, order, readable, amendsVersion]);

  const listHeight = Math.max(1, height - 7);
  const nav = useListNavigation({
    count: pane === 'variants' ? rows.length : textLines.length,
    height: pane === 'variants' ? listHeight : listHeight + 1,
    keyAt: (i) => rows[i]?.entry.variantId ?? String(i),
    matches: (i, q) => {
      const needle = q.toLowerCase();
      if (pane === 'text') return (textLines[i] ?? '').toLowerCase().includes(needle);
      const r = rows[i];
      return !!r && JSON.stringify(r.entry.snapshot).toLowerCase().includes(needle);
    },
  });
  // another version or pane starts at its top
  useTopOnChange(`${report?.id ?? ''}:${pane}`, nav);

  const { setFocus } = ui;
  useEffect(() => {
    if (active && displayId) setFocus({ orderIds: [displayId], transitions: [] });
  }, [active, displayId, setFocus]);

  const input = agg ? { agg, actor, project: backend.project() } : null;
  const refused = (command: CommandInput): string | null => {
    if (!input || !agg) return null;
    const r = checkWith(input, command, { reports, actorDisplayName: backend.user.displayName });
    return r ? refusalText(r, agg, DOING[command.type] ?? 'this', ui.userName) : null;
  };
  /** checks a command with the rules first: a refusal is explained, not sent */
  const send = async (command: CommandInput, label: string) => {
    if (!input) return null;
    const why = refused(command);
    if (why) {
      notify('error', why);
      return null;
    }
    return ui.perform(command, label);
  };
  const editable = (): Report | null => {
    if (!order) return null;
    const open = reports.find((r) => isReportOpen(r.status));
    if (!open) {
      const signed = reports.some((r) => r.status === 'signed');
      notify('warn', signed ? `${order.displayId} has no open report: its report is signed; M amends it with a reason` : `${order.displayId} has no report yet: d drafts one from the variant cache`);
      return null;
    }
    if (report && report.id !== open.id) {
      notify('info', `Version ${report.version} is ${report.status}; the open version is ${open.version} (→ shows it)`);
      return null;
    }
    if (!isReportEditable(open.status)) {
      notify('error', `Conflict: report version ${open.version} is ${open.status}; it is no longer edited`);
      return null;
    }
    return open;
  };
  const setVariants = (open: Report, variants: ReportVariant[], label: string, summary?: string) =>
    send({ type: 'report.setVariants', orderId, reportId: open.id, variants, baseVersion: open.rowVersion, ...(summary !== undefined ? { summary } : {}) }, label);

  const toggle = (remove: boolean | null, reason?: string) => {
    const open = editable();
    if (!open || !order) return;
    if (pane !== 'variants') return notify('info', 'Tab to the variants to remove or restore one');
    const entry = rows[nav.cursor]?.entry;
    if (!entry) return notify('warn', 'No variant under the cursor');
    const removed = remove ?? !entry.removed;
    if (entry.removed === removed) return notify('info', `${variantWords(entry)} is already ${removed ? 'removed' : 'in the report'}`);
    const why = reason?.trim();
    const variants = open.variants.map((v) =>
      v.variantId === entry.variantId ? { ...v, removed, reason: `${removed ? 'removed' : 'restored'} by curator${why ? `: ${why}` : ''}` } : v,
    );
    void setVariants(open, variants, `${order.displayId}: ${removed ? 'removed' : 'restored'} ${variantWords(entry)}`);
  };

  const sign = () => {
    if (!order || !input) return;
    const open = reports.find((r) => isReportOpen(r.status));
    if (!open) return notify('warn', `${order.displayId} has no report awaiting a signature`);
    const command: CommandInput = { type: 'report.approveAndSign', orderId, reportId: open.id, meaning: SIGN_MEANING, baseVersion: open.rowVersion };
    const why = refused(command);
    if (why) return notify('error', why);
    const shown = open.variants.filter((v) => !v.removed);
    const removed = open.variants.length - shown.length;
    const listed = shown.slice(0, 5).map((v, i) => `  ${i + 1}. ${variantWords(v)}`);
    const summary = open.summary?.trim() ? wrapText(`Summary: ${open.summary.trim()}`, 68, 2) : ['Summary: none'];
    confirmSign(open, [
      `Signed as ${backend.user.displayName}, meaning "${SIGN_MEANING}".`,
      `${shown.length} variant${shown.length === 1 ? '' : 's'} reported${removed ? `, ${removed} removed by curation` : ''}:`,
      ...(listed.length ? listed : ['  none']),
      ...(shown.length > listed.length ? [`  … and ${shown.length - listed.length} more (Tab: the full text)`] : []),
      ...summary,
      open.amendsReportId === null ? `Order ${order.displayId} moves ${normalizeStatus(order.status)} → completed.` : `This amends version ${reports.find((r) => r.id === open.amendsReportId)?.version ?? '?'}; both stay readable.`,
      'A signed report never changes: corrections are amendments.',
    ], command);
  };
  const confirmSign = (open: Report, message: string[], command: CommandInput) => {
    if (!order) return;
    ui.confirm({
      title: `Approve and sign report version ${open.version} of ${order.displayId}?`,
      message,
      confirmLabel: 'Sign',
      destructive: true,
      onConfirm: () => {
        void ui.perform(command, `${order.displayId}: report version ${open.version} signed by ${backend.user.displayName} (${SIGN_MEANING})`).then((outcome) => {
          if (outcome.status === 'accepted' && open.amendsReportId === null) notify('ok', `${order.displayId}: report version ${open.version} signed (${SIGN_MEANING}); the order is completed`);
        });
        setPinned(null);
      },
    });
  };

  useScreenHandler((id, args) => {
    const arg = args.join(' ').trim();
    switch (id) {
      case 'app.pane':
      case 'app.pane_prev':
        setPane((p) => (p === 'variants' ? 'text' : 'variants'));
        return true;
      case 'report.older':
      case 'report.newer': {
        if (!report) {
          notify('info', 'No report yet: d drafts one');
          return true;
        }
        const at = reports.findIndex((r) => r.id === report.id) + (id === 'report.newer' ? 1 : -1);
        const next = reports[at];
        if (!next) notify('info', id === 'report.newer' ? `Version ${report.version} is the newest` : `Version ${report.version} is the first`);
        else setPinned(next.id);
        return true;
      }
      case 'report.draft': {
        if (!order || !agg) return true;
        const status = normalizeStatus(order.status);
        // a draft is made before sign-off; afterwards a signed report changes only by amendment
        if (!reports.some((r) => isReportOpen(r.status)) && (status === 'completed' || status === 'cancelled')) {
          notify('error', status === 'completed' ? `Conflict: ${order.displayId} is completed: M amends its signed report` : `Conflict: ${order.displayId} is cancelled: it gets no report`);
          return true;
        }
        void (async () => {
          const draft = await backend.draftReport(order, reports);
          if (!draft.success) return notify('error', rejectionText(draft.error));
          const d = draft.data;
          const reported = d.variants.filter((v) => !v.removed).length;
          const what = d.open ? `report version ${d.open.version} refreshed: ${d.added} newly admitted, ${reported} reported` : `report drafted: ${reported} variant${reported === 1 ? '' : 's'} admitted`;
          // nothing to change (when allowed at all): sending would only move the draft's version under the screen
          if (!d.changed && !refused(d.command)) return notify('info', `${order.displayId}: ${what} (unchanged)`);
          const outcome = await send(d.command, `${order.displayId}: ${what}${d.cached ? '' : ' — no VCF is ingested, so none could be admitted'}`);
          if (outcome && (outcome.status === 'accepted' || outcome.status === 'queued')) setPinned(null);
        })().catch((err: Error) => notify('error', err.message));
        return true;
      }
      case 'report.toggle':
        toggle(null);
        return true;
      case 'report.remove':
        toggle(true, arg);
        return true;
      case 'report.restore':
        toggle(false);
        return true;
      case 'report.summary': {
        const open = editable();
        if (!open || !order) return true;
        const save = (text: string) => {
          const summary = text.trim();
          if (summary === (open.summary ?? '').trim()) return notify('info', 'Summary unchanged');
          void setVariants(open, open.variants, `${order.displayId}: summary of report version ${open.version} saved`, summary);
        };
        if (arg) save(arg);
        else ui.prompt({ label: 'Summary', initial: open.summary ?? '', placeholder: 'what the report concludes', onSubmit: save });
        return true;
      }
      case 'report.submit': {
        const open = reports.find((r) => isReportOpen(r.status));
        if (!order) return true;
        if (!open) notify('warn', `${order.displayId} has no open report to submit: d drafts one`);
        else void send({ type: 'report.submit', orderId, reportId: open.id, baseVersion: open.rowVersion }, `${order.displayId}: report version ${open.version} submitted for review`);
        return true;
      }
      case 'report.sign':
        sign();
        return true;
      case 'report.amend': {
        if (!order) return true;
        const latest = [...reports].reverse().find((r) => r.status === 'signed');
        if (!latest) {
          notify('warn', `${order.displayId} has no signed report to amend`);
          return true;
        }
        const amend = (text: string) => {
          const reason = text.trim();
          if (!reason) return notify('warn', 'An amendment says why: nothing was changed');
          void send({ type: 'report.amend', orderId, reportId: crypto.randomUUID(), amendsReportId: latest.id, reason }, `${order.displayId}: amendment of version ${latest.version} drafted; version ${latest.version} stays as signed`).then(() =>
            setPinned(null),
          );
        };
        // the rules first: a refused amendment is not asked a reason for
        const why = refused({ type: 'report.amend', orderId, reportId: crypto.randomUUID(), amendsReportId: latest.id, reason: 'checking' });
        if (why) notify('error', why);
        else if (arg) amend(arg);
        else ui.prompt({ label: `Why amend version ${latest.version}`, placeholder: 'the reason is kept with the new version', onSubmit: amend });
        return true;
      }
      default:
        return nav.handle(id, args);
    }
  }, front);

  // --- drawing ----------------------------------------------------------------------
  if (!agg || !order) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <LineText line={[{ text: data.loading ? ' loading…' : ` ${theme.glyph.warn} This order is gone or not visible to you — Esc goes back`, tone: data.loading ? 'muted' : 'warn' }]} width={width} />
      </Box>
    );
  }
  const head: Span[] = [{ text: ` ${order.displayId} report`, tone: 'title' }];
  if (report) {
    head.push({ text: ` · version ${report.version} of ${reports.length}` }, { text: ` · ${report.status === 'signed' ? `${theme.glyph.ok} signed` : `○ ${report.status}`}`, tone: report.status === 'signed' ? 'ok' : 'warn' });
    if (report.amendsReportId) head.push({ text: ` · amends v${amendsVersion ?? '?'}`, tone: 'muted' });
  } else head.push({ text: ' · no report yet', tone: 'muted' });

  const versions: Span[] = [{ text: ' versions:', tone: 'muted' }];
  for (const r of reports) {
    const label = `v${r.version} ${r.status}${r.signature ? ` ${r.signature.signedAt.slice(0, 10)}` : ''}`;
    versions.push(r.id === report?.id ? { text: ` [${label}]`, tone: 'accent' } : { text: `  ${label} ` });
  }
  if (reports.length > 1) versions.push({ text: '  ←/→ switch', tone: 'muted' });
  if (reports.length === 0) versions.push({ text: ' none — d drafts one from the variant cache', tone: 'muted' });

  const sig = report?.signature ?? null;
  const signature: Span[] = sig
    ? [
        { text: ` ${theme.glyph.ok} Signed by ${sig.signerName}`, tone: 'ok' },
        { text: ` · ${shortTime(sig.signedAt)} · meaning ${sig.meaning}` },
        { text: ` · sha256 ${sig.sha256.slice(0, 8)}…`, tone: 'muted' },
      ]
    : [
        {
          text: !report
            ? ' Not signed'
            : report.amendsReportId && readable
              ? ` Not signed (${report.status}) · amendment of v${amendsVersion ?? '?'}: ${report.amendReason ?? ''}`
              : ` Not signed (${report.status})${report.status === 'draft' ? ' · s submits it for review, then A signs (project_admin)' : report.status === 'pending_review' ? ' · A approves and signs (project_admin)' : ''}`,
          tone: 'muted',
        },
      ];
  // nothing of a draft the user may not read: not its summary, not its reason
  const summaryText = readable ? report?.summary?.trim() : undefined;
  const summary: Span[] = [{ text: ' summary: ', tone: 'muted' }, { text: summaryText ? summaryText.replace(/\s+/g, ' ') : readable ? 'none' : '—', ...(summaryText ? {} : { tone: 'muted' as const }) }];
  const shown = report ? report.variants.filter((v) => !v.removed).length : 0;
  const tabs: Span[] = [{ text: ' ' }];
  for (const p of ['variants', 'text'] as const) {
    const title = p === 'variants' ? `Variants (${shown} reported${report && report.variants.length > shown ? `, ${report.variants.length - shown} removed` : ''})` : report?.status === 'signed' ? 'Signed text' : 'Text';
    tabs.push(p === pane ? { text: `${theme.glyph.focus}${title} `, tone: 'accent' } : { text: ` ${title} `, tone: 'muted' }, { text: ' ' });
  }
  tabs.push({ text: ' Tab switches', tone: 'muted' });

  // under the list: why the variant under the cursor is in the report (or out of it)
  const entry = pane === 'variants' ? rows[nav.cursor]?.entry : undefined;
  const status: Span[] = readOnly ? [{ text: ` ${theme.glyph.warn} ${readOnly}`, tone: 'warn' }] : [];
  if (entry) status.push({ text: `${readOnly ? ' │' : ''} ${entry.removed ? theme.glyph.error : theme.glyph.ok} ${variantWords(entry)}: ${entry.reason}`, tone: 'muted' });
  else if (!readOnly) status.push({ text: ' d draft/refresh · Space remove/restore · e summary · s submit · A sign · M amend', tone: 'muted' });

  let body: ReactNode;
  if (!readable && viewRight && !viewRight.success) {
    body = <LineText line={[{ text: ` ${theme.glyph.error} ${refusalText(viewRight.error, agg, 'reading a draft', ui.userName)}${reports.some((r) => r.status === 'signed') ? ' — ← signed versions' : ''}`, tone: 'danger' }]} width={width} />;
  } else if (pane === 'variants') {
    body = (
      <Table
        columns={COLUMNS}
        rowAt={(i) => rows[i]}
        {...nav.view}
        width={width}
        focused={active}
        emptyText={report ? 'No variants in this version — d refreshes the draft from the variant cache' : 'No report yet — d drafts one from the variant cache'}
      />
    );
  } else {
    body = <WindowedList {...nav.view} width={width} rowAt={(i) => textLines[i]} focused={active} emptyText="No report yet" />;
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      <LineText line={head} width={width} />
      <LineText line={versions} width={width} />
      <LineText line={signature} width={width} />
      <LineText line={summary} width={width} />
      <LineText line={tabs} width={width} />
      <Box flexDirection="column" width={width} height={height - 6} overflow="hidden">
        {body}
      </Box>
      <LineText line={status} width={width} />
    </Box>
  );
}
