import { Box } from 'ink';
import { useEffect, useMemo, type ReactNode } from 'react';
import type { QueueItem } from '../../db/index.ts';
import { useLoad, useSearchNotice } from '../hooks.ts';
import { LineText, Table, useListNavigation } from '../kit/index.ts';
import { orderColumns, type RowFlags } from '../order-columns.ts';
import { useScreenHandler, useUi, type ScreenProps } from '../ui.ts';

export type QueueScreenProps = ScreenProps;

const EMPTY: readonly QueueItem[] = [];

/** the start screen: stages assigned to me, then unassigned stages I may pick up */
export function QueueScreen({ width, height, front, active }: QueueScreenProps): ReactNode {
  const ui = useUi();
  const { backend } = ui;
  const data = useLoad(async () => {
    const [rows, pending] = await Promise.all([backend.queue(), backend.pendingMarks()]);
    return { rows, pending };
  }, []);
  const rows = data.value?.rows ?? EMPTY;
  const flags = useMemo<RowFlags>(() => ({ pending: data.value?.pending ?? new Map(), presence: backend.presence() }), [data.value, backend, ui.version]);
  const listHeight = Math.max(1, height - 2);
  const nav = useListNavigation({
    count: rows.length,
    height: listHeight,
    keyAt: (i) => rows[i]?.order.id ?? String(i),
    matches: (i, q) => {
      const r = rows[i];
      const text = q.toLowerCase();
      return !!r && [r.order.displayId, r.order.clinicalIndication ?? '', r.order.status, r.stageState ?? ''].some((v) => v.toLowerCase().includes(text));
    },
  });
  useSearchNotice(nav.search);
  const columns = useMemo(() => orderColumns<QueueItem>(flags, { queue: true }), [flags]);
  const current = rows[nav.cursor];

  const { setFocus } = ui;
  useEffect(() => {
    if (active) setFocus({ orderIds: rows.map((r) => r.order.displayId), transitions: [] });
  }, [active, rows, setFocus]);

  useScreenHandler((id, args) => {
    if (nav.handle(id, args)) return true;
    if (id === 'order.open') {
      if (current) ui.open({ kind: 'detail', orderId: current.order.id });
      return true;
    }
    if (id.startsWith('order.') || id.startsWith('stage.')) {
      const marked = rows.filter((r) => nav.marks.has(r.order.id)).map((r) => r.order.id);
      const targets = marked.length > 0 ? marked : current ? [current.order.id] : [];
      if (targets.length === 0) {
        ui.notify('warn', 'No order selected');
        return true;
      }
      ui.orderCommand(id, args, targets);
      if (marked.length > 0) nav.dispatch({ type: 'clear_marks' });
      return true;
    }
    return false;
  }, front);

  const mine = rows.filter((r) => r.mine).length;
  const open = rows.length - mine;
  const summary = data.value
    ? `${mine} assigned to you · ${open} you may pick up${nav.marks.size ? ` · ${nav.marks.size} marked` : ''}`
    : 'loading…';
  const canPick = backend.actor().projectRole !== 'project_viewer' && backend.actor().projectRole !== null;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <LineText
        line={[
          { text: ' Queue ', tone: 'title' },
          { text: summary, tone: 'muted' },
          ...(rows.length ? [{ text: `  ${nav.cursor + 1}/${rows.length}`, tone: 'muted' as const }] : []),
        ]}
        width={width}
      />
      <Table
        columns={columns}
        rowAt={(i) => rows[i]}
        {...nav.view}
        width={width}
        focused={active}
        emptyText={data.value ? (canPick ? 'Nothing waiting for you — 2 lists every order' : 'Nothing to pick up: your role cannot take stages') : 'loading…'}
      />
    </Box>
  );
}
