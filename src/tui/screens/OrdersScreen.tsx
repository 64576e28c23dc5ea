import { Box } from 'ink';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { CLINICAL_STATUSES, FACILITY_STATUSES, normalizeStatus } from '../../core/index.ts';
import type { OrderListItem } from '../../db/index.ts';
import type { OrderQuery, TuiBackend } from '../backend.ts';
import { useLoad, useTopOnChange } from '../hooks.ts';
import { LineText, Table, useListNavigation, type Span } from '../kit/index.ts';
import { orderColumns, type RowFlags } from '../order-columns.ts';
import { PagedRows } from '../paged-rows.ts';
import { useScreenHandler, useUi, type ScreenProps } from '../ui.ts';

export interface OrdersScreenProps extends ScreenProps {
  query: OrderQuery;
}

export const COUNT_ORDER: readonly string[] = [...new Set([...CLINICAL_STATUSES, ...FACILITY_STATUSES])];

/** the words of a query, for the header and tests */
export function describeQuery(q: OrderQuery): string {
  const parts: string[] = [];
  if (q.status) parts.push(`status ${q.status}`);
  if (q.priority) parts.push(`priority ${q.priority}`);
  if (q.assignee) parts.push(`assignee ${q.assignee}`);
  if (q.tag) parts.push(`tag ${q.tag}`);
  if (q.text) parts.push(`text "${q.text}"`);
  return parts.length ? parts.join(' · ') : 'none';
}

export function queryKey(q: OrderQuery): string {
  return JSON.stringify([q.status, q.priority, q.assignee, q.tag, q.text, q.sort, q.descending]);
}

export function totalFor(counts: Readonly<Record<string, number>>, status: string | undefined): number {
  if (status) return counts[normalizeStatus(status)] ?? 0;
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

function matches(row: OrderListItem, text: string): boolean {
  const q = text.toLowerCase();
  const o = row.order;
  return [o.displayId, o.accession, o.externalId, o.clinicalIndication, o.description, o.orderingProvider, o.status, row.assigneeName]
    .some((v) => v !== null && v.toLowerCase().includes(q));
}

const SCAN_PAGE = 1000;

/** the next row matching `text` after (or before) `from`, wrapping; reads pages, keeps none */
export async function findOrderRow(
  backend: TuiBackend,
  query: OrderQuery,
  count: number,
  from: number,
  direction: 1 | -1,
  text: string,
  includeFrom = false,
): Promise<{ index: number; wrapped: boolean } | null> {
  if (count === 0 || text === '') return null;
  const start = includeFrom ? from : from + direction;
  for (let step = 0; step < count; ) {
    const pos = (((start + direction * step) % count) + count) % count;
    // a page that runs from pos in the search direction
    const pageStart = direction === 1 ? pos : Math.max(0, pos - SCAN_PAGE + 1);
    const rows = await backend.orders(query, pageStart, SCAN_PAGE);
    if (rows.length === 0) return null;
    for (let index = pos; step < count && index >= pageStart && index < pageStart + rows.length; index += direction) {
      const row = rows[index - pageStart];
      const raw = start + direction * step;
      step++;
      if (row && matches(row, text)) return { index, wrapped: raw >= count || raw < 0 };
      // the ends of the list: the outer loop carries on from the other end
      if (index + direction < 0 || index + direction >= count) break;
    }
  }
  return null;
}

/** every order I may see, windowed: only the pages around the screen are read */
export function OrdersScreen({ width, height, front, active, query }: OrdersScreenProps): ReactNode {
  const ui = useUi();
  const { backend, version } = ui;
  const key = queryKey(query);
  const counts = useLoad(() => backend.orderCounts(query), [key]);
  const pending = useLoad(() => backend.pendingMarks(), []);
  const total = counts.value ? totalFor(counts.value, query.status) : 0;
  const listHeight = Math.max(1, height - 3);

  const [, setTick] = useState(0);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );
  const pagesRef = useRef<PagedRows<OrderListItem> | null>(null);
  const pagesKey = useRef(key);
  // a page that arrives redraws, whichever render asked for it
  if (!pagesRef.current) pagesRef.current = new PagedRows((offset, limit) => backend.orders(query, offset, limit), { onLoad: () => mounted.current && setTick((t) => t + 1) });
  const pages = pagesRef.current;
  if (pagesKey.current !== key) {
    pagesKey.current = key;
    pages.reset((offset, limit) => backend.orders(query, offset, limit));
  }

  const nav = useListNavigation({ count: total, height: listHeight, keyAt: (i) => pages.rowAt(i)?.order.id ?? `#${i}` });
  const [search, setSearch] = useState<{ query: string; outcome: 'found' | 'wrapped' | 'not_found' } | null>(null);

  // a new query starts at the top
  useTopOnChange(key, nav);

  // rows changed on the server: what is held is refetched, and shown until then
  const seenVersion = useRef(version);
  useEffect(() => {
    if (seenVersion.current === version) return;
    seenVersion.current = version;
    pages.invalidate();
    setTick((t) => t + 1);
  }, [version, pages]);

  useEffect(() => {
    void pages.ensure(nav.offset, nav.offset + listHeight, total);
  });

  const flags = useMemo<RowFlags>(() => ({ pending: pending.value ?? new Map(), presence: backend.presence() }), [pending.value, backend, version]);
  const columns = useMemo(() => orderColumns<OrderListItem>(flags), [flags]);
  const current = pages.rowAt(nav.cursor);

  const { setFocus } = ui;
  const loadedIds = pages.loadedRows().map((r) => r.order.displayId);
  const idsKey = loadedIds.length ? `${loadedIds[0]}…${loadedIds.length}` : '';
  useEffect(() => {
    if (active) setFocus({ orderIds: pages.loadedRows().map((r) => r.order.displayId), transitions: [] });
  }, [active, idsKey, setFocus, pages]);

  const runSearch = (text: string, direction: 1 | -1, includeFrom: boolean) => {
    if (total > SCAN_PAGE) ui.notify('info', `Searching ${total} orders for ${text}…`);
    void findOrderRow(backend, query, total, nav.cursor, direction, text, includeFrom).then((found) => {
      if (!found) {
        setSearch({ query: text, outcome: 'not_found' });
        ui.notify('warn', `Not found: ${text}`);
        return;
      }
      setSearch({ query: text, outcome: found.wrapped ? 'wrapped' : 'found' });
      if (found.wrapped) ui.notify('info', `Search wrapped around: ${text}`);
      else if (total > SCAN_PAGE) ui.notify('ok', `Found ${text}`);
      nav.dispatch({ type: 'move_to', index: found.index });
    });
  };

  useScreenHandler((id, args) => {
    if (id === 'list.search') {
      const text = args.join(' ');
      if (text) runSearch(text, 1, true);
      return true;
    }
    if (id === 'list.search_next' || id === 'list.search_prev') {
      if (search) runSearch(search.query, id === 'list.search_next' ? 1 : -1, false);
      else ui.notify('info', 'No search yet: / searches');
      return true;
    }
    if (nav.handle(id, args)) return true;
    if (id === 'order.open') {
      if (current) ui.open({ kind: 'detail', orderId: current.order.id });
      return true;
    }
    if (id.startsWith('order.') || id.startsWith('stage.')) {
      const marked = [...nav.marks].filter((k) => !k.startsWith('#'));
      const targets = marked.length > 0 ? marked : current ? [current.order.id] : [];
      if (targets.length === 0 && id !== 'order.new') {
        ui.notify('warn', 'No order selected');
        return true;
      }
      ui.orderCommand(id, args, targets);
      if (marked.length > 0) nav.dispatch({ type: 'clear_marks' });
      return true;
    }
    return false;
  }, front);

  const countSpans: Span[] = [{ text: ' Orders ', tone: 'title' }, { text: `${total}`, tone: 'title' }, { text: ' │', tone: 'muted' }];
  const selected = query.status ? normalizeStatus(query.status) : null;
  for (const status of COUNT_ORDER) {
    const n = counts.value?.[status] ?? 0;
    if (n === 0 && status !== selected) continue;
    const label = `${status} ${n}`;
    countSpans.push(status === selected ? { text: ` [${label}]`, tone: 'accent' } : { text: ` ${label}` });
  }
  if (!counts.value) countSpans.push({ text: ' counting…', tone: 'muted' });
  const position = total > 0 ? `${nav.cursor + 1}/${total}` : '0/0';
  const filterLine: Span[] = [
    { text: ' filter: ', tone: 'muted' },
    { text: describeQuery(query) },
    { text: '  sort: ', tone: 'muted' },
    { text: `${query.sort} ${query.descending ? '↓' : '↑'}` },
    { text: `  ${position}`, tone: 'muted' },
    ...(nav.marks.size ? [{ text: `  ${nav.marks.size} marked`, tone: 'accent' as const }] : []),
  ];
  return (
    <Box flexDirection="column" width={width} height={height}>
      <LineText line={countSpans} width={width} />
      <LineText line={filterLine} width={width} />
      <Table
        columns={columns}
        rowAt={(i) => pages.rowAt(i)}
        {...nav.view}
        width={width}
        focused={active}
        emptyText={counts.value ? 'No orders match — F clears the filters' : 'loading…'}
      />
    </Box>
  );
}
