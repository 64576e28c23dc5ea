import type { OrderListItem } from '../db/index.ts';
import type { PendingMark } from './backend.ts';
import { age, priorityText, shortDate, stageStateText, stageStateTone, statusText, statusTone } from './format.ts';
import type { Column, Tone } from './kit/index.ts';

// the columns of the Queue and Orders tables; the flag column reads
// ↑ queued for the relay, ✗ refused by it, ◉ someone else is looking

export interface RowFlags {
  pending: ReadonlyMap<string, PendingMark>;
  presence: ReadonlyMap<string, readonly string[]>;
}

export const FLAG = { queued: '↑', rejected: '✗', viewed: '◉' } as const;

export function flagOf(flags: RowFlags, orderId: string): { text: string; tone?: Tone } {
  const mark = flags.pending.get(orderId);
  if (mark === 'rejected') return { text: FLAG.rejected, tone: 'danger' };
  if (mark === 'queued') return { text: FLAG.queued, tone: 'pending' };
  if ((flags.presence.get(orderId)?.length ?? 0) > 0) return { text: FLAG.viewed, tone: 'accent' };
  return { text: ' ' };
}

export function orderColumns<Row extends OrderListItem>(flags: RowFlags, options: { queue?: boolean } = {}): Column<Row>[] {
  const columns: Column<Row>[] = [
    { id: 'flag', title: ' ', minWidth: 1, priority: 0, value: (r) => flagOf(flags, r.order.id).text, tone: (r) => flagOf(flags, r.order.id).tone },
    // no tone on the id: every row is rewritten when the list scrolls, and each style costs bytes over SSH
    { id: 'order', title: 'ORDER', minWidth: 13, maxWidth: 20, grow: 1, priority: 0, value: (r) => r.order.displayId },
    { id: 'status', title: 'STATUS', minWidth: 11, priority: 0, value: (r) => statusText(r.order.status), tone: (r) => statusTone(r.order.status) },
    // in lists only the states that want attention are coloured (glyphs carry the rest): a
    // scrolled list rewrites every row, and at 80×24 each escape counts
    { id: 'stage', title: 'STAGE', minWidth: 13, priority: 1, value: (r) => stageStateText(r.stageState), tone: (r) => (r.stageState === 'in_progress' || r.stageState === 'on_hold' ? stageStateTone(r.stageState) : undefined) },
    { id: 'priority', title: 'PRI', minWidth: 6, priority: 1, value: (r) => priorityText(r.order.priority), tone: (r) => (r.order.priority === 'high' ? 'warn' : undefined) },
  ];
  if (options.queue) {
    columns.push({ id: 'age', title: 'AGE', minWidth: 4, align: 'right', priority: 2, value: (r) => age(r.order.updatedAt) });
  } else {
    columns.push(
      { id: 'assignee', title: 'ASSIGNEE', minWidth: 8, maxWidth: 12, priority: 2, value: (r) => r.assigneeName ?? '—' },
      { id: 'created', title: 'CREATED', minWidth: 10, priority: 3, value: (r) => shortDate(r.order.createdAt) },
    );
  }
  columns.push(
    { id: 'indication', title: 'INDICATION', minWidth: 10, grow: 4, priority: 4, value: (r) => r.order.clinicalIndication ?? r.order.description ?? '', tone: () => 'muted' },
    { id: 'tags', title: 'TAGS', minWidth: 8, grow: 1, priority: 5, value: (r) => r.order.tags.join(',') },
  );
  return columns;
}
