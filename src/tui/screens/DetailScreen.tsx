import { Box } from 'ink';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { normalizeStatus, type StageCapabilities } from '../../core/index.ts';
import type { HistoryEntry } from '../../db/index.ts';
import { orderActions, type ActionKind, type OrderAction } from '../actions.ts';
import type { OrderDetail } from '../backend.ts';
import {
  commandText,
  priorityText,
  priorityTone,
  shortTime,
  stageStateText,
  stageStateTone,
  statusText,
  statusTone,
  toned,
  wrapText,
} from '../format.ts';
import { useLoad, useSearchNotice } from '../hooks.ts';
import { cyclePane, fit, LineText, lineText, useListNavigation, useTheme, WindowedList, type Line, type Span } from '../kit/index.ts';
import type { TuiCommandId } from '../keymap.ts';
import { useScreenHandler, useUi, type ScreenProps } from '../ui.ts';

export type DetailPane = 'labflow' | 'details' | 'history';
export const DETAIL_PANES: readonly DetailPane[] = ['labflow', 'details', 'history'];
const PANE_TITLES: Record<DetailPane, string> = { labflow: 'Labflow', details: 'Details', history: 'History' };

export interface DetailScreenProps extends ScreenProps {
  orderId: string;
}

/** the command-table id that runs an action */
export const ACTION_COMMAND: Record<ActionKind, TuiCommandId> = {
  assign_me: 'order.assign',
  start: 'stage.start',
  complete: 'stage.complete',
  resume: 'stage.resume',
  hold: 'stage.hold',
  skip: 'stage.skip',
  transition: 'order.transition',
  edit: 'order.edit',
  delete: 'order.delete',
  samples_sent: 'order.samples_sent',
};

function capsText(caps: StageCapabilities): string {
  const browse = [caps.browser_viewable && 'view', caps.browser_editable && 'edit'].filter(Boolean).join('+');
  const report = [caps.report_viewable && 'view', caps.report_editable && 'edit'].filter(Boolean).join('+');
  return `browser:${browse || '—'} report:${report || '—'}`;
}

interface PaneLines {
  lines: Line[];
  /** the action on a line of the labflow pane */
  actionAt: (Readonly<OrderAction> | undefined)[];
}

export function labflowLines(detail: OrderDetail, actions: readonly OrderAction[], userName: (id: string | null) => string | null, okGlyph: string, errorGlyph: string): PaneLines {
  const { agg } = detail;
  const lines: Line[] = [];
  const actionAt: (OrderAction | undefined)[] = [];
  const push = (line: Line, action?: OrderAction) => {
    lines.push(line);
    actionAt.push(action);
  };
  if (agg.order.workflow === 'clinical') {
    push([{ text: `Stages · ${agg.labflow ? `${agg.labflow.name} v${agg.labflow.version}` : 'no labflow'}`, tone: 'header' }]);
    const current = normalizeStatus(agg.order.status);
    for (const stage of detail.stages) {
      const def = agg.labflow?.stages.find((s) => s.code === stage.stageCode);
      const caps: StageCapabilities = {
        browser_viewable: def?.browser_viewable ?? false,
        browser_editable: def?.browser_editable ?? false,
        report_viewable: def?.report_viewable ?? false,
        report_editable: def?.report_editable ?? false,
      };
      const isCurrent = stage.stageCode === current;
      const tone = stageStateTone(stage.state);
      push([
        { text: isCurrent ? '▸ ' : '  ', tone: 'accent' },
        { text: fit(stage.stageCode, 11), ...(isCurrent ? { tone: 'title' as const } : {}) },
        toned(fit(stageStateText(stage.state), 14), tone),
        { text: fit(stage.assigneeName ?? userName(stage.assigneeId) ?? '—', 10) },
        { text: ` ${capsText(caps)}`, tone: 'muted' },
      ]);
    }
  } else {
    push([{ text: 'Facility workflow · draft → submitted → completed', tone: 'header' }]);
    push([{ text: `  now ${agg.order.status}${agg.samplesSentRecorded ? ' · samples sent' : ''}` }]);
  }
  push(' ');
  push([{ text: `Actions · ${okGlyph} allowed  ${errorGlyph} refused by the rules (reason below)`, tone: 'header' }]);
  const labelWidth = Math.min(26, Math.max(12, ...actions.map((a) => a.label.length + 1)));
  for (const a of actions) {
    const spans: Span[] = [
      { text: '  ' },
      { text: fit(a.key, 3), tone: a.enabled ? 'key' : 'muted' },
      { text: fit(a.label, labelWidth), ...(a.enabled ? {} : { tone: 'muted' as const }) },
      a.enabled ? { text: okGlyph, tone: 'ok' } : { text: `${errorGlyph} ${a.reason ?? ''}`, tone: 'muted' },
    ];
    push(spans, a);
  }
  return { lines, actionAt };
}

export function detailLines(detail: OrderDetail): Line[] {
  const o = detail.agg.order;
  const field = (name: string, value: string | null | undefined): Line => [{ text: fit(name, 20), tone: 'muted' }, { text: value === null || value === undefined || value === '' ? '—' : value }];
  const lines: Line[] = [
    [{ text: 'Fields', tone: 'header' }],
    field('display_id', o.displayId),
    field('status', statusText(o.status)),
    field('workflow', o.workflow),
    field('mode', o.mode),
    field('priority', o.priority),
    field('accession', o.accession),
    field('external_id', o.externalId),
    field('clinical_indication', o.clinicalIndication),
    field('ordering_provider', o.orderingProvider),
    field('ordering_facility', o.orderingFacility),
    field('description', o.description),
    field('tags', o.tags.join(', ')),
    field('slug', `${o.slug}${o.slugFrozen ? ' (frozen: files written under it)' : ''}`),
    field('version', String(o.version)),
    field('created_at', shortTime(o.createdAt)),
    field('updated_at', shortTime(o.updatedAt)),
  ];
  if (o.adminNotes) lines.push(field('admin_notes', o.adminNotes));
  lines.push(' ', [{ text: `Samples (${detail.samples.length})`, tone: 'header' }]);
  if (detail.samples.length === 0) lines.push([{ text: '  none', tone: 'muted' }]);
  for (const { sample, role } of detail.samples) {
    lines.push([
      { text: '  ' },
      { text: fit(sample.displayId, 14), tone: 'title' },
      { text: fit(role, 9) },
      { text: fit(sample.sampleType, 14) },
      { text: fit(sample.sex ?? '—', 8) },
      { text: sample.subjectId ?? '', tone: 'muted' },
    ]);
  }
  return lines;
}

function summarize(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'object') return String(value);
  const o = value as Record<string, unknown>;
  if ('status' in o && Object.keys(o).length === 1) return String(o.status);
  if ('state' in o && 'stage' in o) return `${String(o.stage)} ${String(o.state)}`;
  if ('assigneeId' in o) return `assignee ${o.assigneeId === null ? 'none' : 'set'}`;
  if ('displayId' in o && 'status' in o) return `${String(o.displayId)} ${String(o.status)}`;
  return Object.keys(o).slice(0, 4).join(', ');
}

export function historyLine(entry: HistoryEntry): Line {
  const head: Span[] = [{ text: `${shortTime(entry.at)} `, tone: 'muted' }, { text: fit(entry.by ?? '—', 7) }];
  if (entry.kind === 'transition') {
    const r = entry.record;
    const where = r.fromStage && r.fromStage !== r.toStage ? `${r.fromStage} → ${r.toStage}` : r.toStage;
    return [...head, { text: ` ${where}: ${r.fromState ?? '—'} → ${r.toState}` }, ...(r.notes ? [{ text: `  ${r.notes}`, tone: 'muted' as const }] : [])];
  }
  return [
    ...head,
    { text: ` ${entry.action}`, tone: 'accent' },
    { text: ` ${summarize(entry.before)} → ${summarize(entry.after)}` },
    ...(entry.reason ? [{ text: `  ${entry.reason}`, tone: 'muted' as const }] : []),
  ];
}

export function historyLines(detail: OrderDetail): Line[] {
  const lines: Line[] = [];
  if (detail.agg.order.workflow === 'facility') {
    lines.push([{ text: `Status notes (${detail.notes.length}) · newest first`, tone: 'header' }]);
    if (detail.notes.length === 0) lines.push([{ text: '  none', tone: 'muted' }]);
    for (const n of detail.notes) {
      lines.push([
        { text: `${shortTime(n.createdAt)} `, tone: 'muted' },
        { text: fit(n.authorName ?? '—', 7) },
        { text: ` ${n.kind}`, tone: 'accent' },
        { text: n.kind === 'STATUS_CHANGE' ? ` ${n.fromStatus ?? '—'} → ${n.toStatus ?? '—'}` : '' },
        ...(n.text ? [{ text: `  ${n.text}`, tone: 'muted' as const }] : []),
      ]);
    }
    lines.push(' ');
  }
  lines.push([{ text: `History and audit (${detail.history.length}) · newest first`, tone: 'header' }]);
  if (detail.history.length === 0) lines.push([{ text: '  none', tone: 'muted' }]);
  for (const entry of detail.history) lines.push(historyLine(entry));
  return lines;
}

/** the two lines under the labflow pane: what Enter does, or why it is refused */
function reasonText(action: Readonly<OrderAction> | undefined, errorGlyph: string, width: number): Line[] {
  if (!action) return [[{ text: ' j/k to an action · Enter runs it', tone: 'muted' }], ' '];
  if (action.enabled) return [[{ text: ` Enter or ${action.key}: ${action.label}${action.destructive ? ' (asks first)' : ''}`, tone: 'muted' }], ' '];
  const [first = '', second = ' '] = wrapText(action.reason ?? '', width, 2);
  return [[{ text: ` ${errorGlyph} ${first}`, tone: 'warn' }], [{ text: `   ${second}`, tone: 'warn' }]];
}

/** one order: fields, samples, labflow with its actions, history */
export function DetailScreen({ orderId, width, height, front, active }: DetailScreenProps): ReactNode {
  const ui = useUi();
  const { backend } = ui;
  const theme = useTheme();
  const data = useLoad(() => backend.detail(orderId), [orderId]);
  const detail = data.value ?? null;
  const [pane, setPane] = useState<DetailPane>('labflow');
  const actions = useMemo(
    () => (detail ? orderActions({ agg: detail.agg, actor: backend.actor(), project: backend.project() }) : []),
    [detail, backend],
  );

  useEffect(() => {
    backend.setPresence(orderId);
    return () => backend.setPresence(null);
  }, [backend, orderId]);

  const { setFocus } = ui;
  const displayId = detail?.agg.order.displayId;
  const targets = actions.filter((a) => a.kind === 'transition' && a.to).map((a) => a.to as string);
  const targetsKey = targets.join(',');
  useEffect(() => {
    if (active && displayId) setFocus({ orderIds: [displayId], transitions: targetsKey ? targetsKey.split(',') : [] });
  }, [active, displayId, targetsKey, setFocus]);

  const body = useMemo((): PaneLines => {
    if (!detail) return { lines: [], actionAt: [] };
    if (pane === 'labflow') return labflowLines(detail, actions, ui.userName, theme.glyph.ok, theme.glyph.error);
    const lines = pane === 'details' ? detailLines(detail) : historyLines(detail);
    return { lines, actionAt: [] };
  }, [detail, pane, actions, ui.userName, theme.glyph.ok, theme.glyph.error]);

  const reasonLines = pane === 'labflow' ? 2 : 0;
  const listHeight = Math.max(1, height - 3 - reasonLines);
  const nav = useListNavigation({
    count: body.lines.length,
    height: listHeight,
    initialCursor: 0,
    matches: (i, q) => lineText(body.lines[i] ?? '').toLowerCase().includes(q.toLowerCase()),
  });
  useSearchNotice(nav.search);

  // on the labflow pane the cursor starts on the first action
  const firstAction = body.actionAt.findIndex((a) => a !== undefined);
  const [placed, setPlaced] = useState<string | null>(null);
  useEffect(() => {
    const key = `${pane}:${detail ? 'ready' : 'loading'}`;
    if (placed === key || !detail) return;
    setPlaced(key);
    if (pane === 'labflow' && firstAction >= 0) nav.dispatch({ type: 'move_to', index: firstAction });
    else nav.dispatch({ type: 'top' });
  }, [pane, detail, placed, firstAction, nav]);

  const selectedAction = body.actionAt[nav.cursor];

  useScreenHandler((id, args) => {
    if (id === 'app.pane' || id === 'app.pane_prev') {
      setPane((p) => cyclePane(DETAIL_PANES, p, id === 'app.pane' ? 1 : -1));
      return true;
    }
    if (nav.handle(id, args)) return true;
    if (!detail) {
      if (!(id.startsWith('order.') || id.startsWith('stage.') || id === 'detail.run')) return false;
      ui.notify('info', data.loading ? 'Still reading the order — try again in a moment' : 'This order is gone or not visible to you');
      return true;
    }
    if (id === 'detail.run') {
      if (!selectedAction) {
        ui.notify('info', pane === 'labflow' ? 'Move to an action and press Enter, or press its key' : 'Tab to the labflow pane for actions');
        return true;
      }
      ui.orderCommand(ACTION_COMMAND[selectedAction.kind], selectedAction.to ? [selectedAction.to] : [], [orderId]);
      return true;
    }
    if (id.startsWith('order.') || id.startsWith('stage.')) {
      ui.orderCommand(id, args, [orderId]);
      return true;
    }
    return false;
  }, front);

  if (!detail) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <LineText line={[{ text: data.loading ? ' loading…' : ` ${theme.glyph.warn} This order is gone or not visible to you — Esc goes back`, tone: data.loading ? 'muted' : 'warn' }]} width={width} />
      </Box>
    );
  }

  const o = detail.agg.order;
  const others = backend.presence().get(orderId) ?? [];
  const queued = detail.pending.filter((p) => p.status !== 'rejected');
  const rejected = detail.pending.filter((p) => p.status === 'rejected');
  const head: Span[] = [
    { text: ` ${o.displayId} `, tone: 'title' },
    toned(` ${statusText(o.status)}`, statusTone(o.status)),
    toned(`  ${priorityText(o.priority)}`, priorityTone(o.priority)),
    { text: `  ${o.workflow === 'facility' ? 'facility' : o.mode}  v${o.version}`, tone: 'muted' },
    ...(queued.length ? [{ text: `  ${theme.glyph.queued} ${queued.length} pending (${queued.map((p) => commandText(p.command)).join(', ')})`, tone: 'pending' as const }] : []),
    ...(rejected.length ? [{ text: `  ${theme.glyph.error} ${rejected.length} rejected (3 Sync)`, tone: 'danger' as const }] : []),
  ];
  const sub: Span[] = [
    // who else is looking comes first: it must not be cut off by a long indication
    ...(others.length ? [{ text: ` ◉ also viewing: ${others.join(', ')} ·`, tone: 'accent' as const }] : []),
    { text: ` ${[o.clinicalIndication ?? o.description, o.orderingProvider, o.orderingFacility].filter(Boolean).join(' · ') || '—'}`, tone: 'muted' },
  ];
  const tabs: Span[] = [{ text: ' ' }];
  for (const p of DETAIL_PANES) {
    tabs.push(p === pane ? { text: `${theme.glyph.focus}${PANE_TITLES[p]} `, tone: 'accent' } : { text: ` ${PANE_TITLES[p]} `, tone: 'muted' });
    tabs.push({ text: ' ' });
  }
  tabs.push({ text: ` Tab switches · ${nav.cursor + 1}/${body.lines.length}${o.workflow === 'clinical' ? ' · v variants · R report' : ''}`, tone: 'muted' });

  return (
    <Box flexDirection="column" width={width} height={height}>
      <LineText line={head} width={width} />
      <LineText line={sub} width={width} />
      <LineText line={tabs} width={width} />
      <WindowedList {...nav.view} width={width} rowAt={(i) => body.lines[i]} focused={active} />
      {reasonLines
        ? reasonText(selectedAction, theme.glyph.error, width - 3).map((line, i) => <LineText key={`why${i}`} line={line} width={width} />)
        : null}
    </Box>
  );
}
