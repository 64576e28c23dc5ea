import { Box, useApp } from 'ink';
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { CommandInput } from '../core/index.ts';
import { actionFor, orderActions, type ActionRequest, type OrderAction } from './actions.ts';
import type { OrderQuery, SubmitOutcome, SyncView, TuiBackend, UserChoice } from './backend.ts';
import { rejectionText } from './format.ts';
import { keymap, SORT_COLUMNS, type ScreenKind, type TuiCommandId, type TuiCtx } from './keymap.ts';
import {
  CommandPalette,
  ConfirmDialog,
  HelpOverlay,
  keysFor,
  LineText,
  MessageLine,
  paletteHeight,
  resolveKey,
  Screen,
  StatusBar,
  TextField,
  useKeyInput,
  useMessage,
  useTerminalSize,
  useTheme,
  type ConnectionState,
  type Span,
} from './kit/index.ts';
import { ChoiceList, FilterDialog } from './overlays.tsx';
import { orderRight, refusalText } from './rights.ts';
import { DetailScreen } from './screens/DetailScreen.tsx';
import { OrderFormScreen } from './screens/OrderFormScreen.tsx';
import { OrdersScreen } from './screens/OrdersScreen.tsx';
import { QueueScreen } from './screens/QueueScreen.tsx';
import { ReportScreen } from './screens/ReportScreen.tsx';
import { SyncScreen } from './screens/SyncScreen.tsx';
import { VariantScreen } from './screens/VariantScreen.tsx';
import {
  HandlerContext,
  UiContext,
  type ChoiceOption,
  type ConfirmRequest,
  type DialogRender,
  type FocusInfo,
  type OpenMode,
  type PromptRequest,
  type Route,
  type ScreenHandler,
  type ScreenProps,
  type Ui,
} from './ui.ts';

type Overlay =
  | { kind: 'help' }
  | { kind: 'palette' }
  | { kind: 'filter' }
  | { kind: 'confirm'; request: ConfirmRequest }
  | { kind: 'choose'; title: string; options: readonly ChoiceOption[] }
  | { kind: 'prompt'; request: PromptRequest }
  | { kind: 'dialog'; render: DialogRender };

/** frame = header + body + message line + status bar, one line short of the terminal */
export const HEADER_LINES = 1;
export const FOOTER_LINES = 2;

const TABS: readonly { kind: 'queue' | 'orders' | 'sync'; key: string; label: string }[] = [
  { kind: 'queue', key: '1', label: 'Queue' },
  { kind: 'orders', key: '2', label: 'Orders' },
  { kind: 'sync', key: '3', label: 'Sync' },
];

/** the role that decides what this user may do to clinical orders, else the facility role */
export function roleOf(actor: { projectRole: string | null; facilityRole: string | null; superadmin: boolean }): string {
  if (actor.superadmin) return 'superadmin';
  return actor.projectRole ?? actor.facilityRole ?? 'no role';
}

export function connectionOf(view: SyncView | null): ConnectionState {
  if (!view) return 'offline';
  return view.connection === 'standalone' ? 'local' : view.connection;
}

/** the header: Curio and the three screens, the one in front marked without colour too */
export function HeaderLine(props: { width: number; root: ScreenKind; crumb?: string | null }): ReactNode {
  const { glyph } = useTheme();
  const spans: Span[] = [{ text: ' Curio ', tone: 'title' }];
  for (const tab of TABS) {
    const on = tab.kind === props.root;
    spans.push({ text: ` ${glyph.separator} `, tone: 'muted' }, on ? { text: `[${tab.key} ${tab.label}]`, tone: 'accent' } : { text: ` ${tab.key} ${tab.label} `, tone: 'muted' });
  }
  if (props.crumb) spans.push({ text: `  ${glyph.right} ${props.crumb}`, tone: 'title' });
  return <LineText line={spans} width={props.width} />;
}

const ORDER_REQUESTS: Partial<Record<TuiCommandId, ActionRequest['kind']>> = {
  'order.advance': 'advance',
  'stage.start': 'start',
  'stage.complete': 'complete',
  'stage.hold': 'hold',
  'stage.resume': 'resume',
  'stage.skip': 'skip',
  'order.delete': 'delete',
  'order.samples_sent': 'samples_sent',
};

const DEBOUNCE_MS = 30;

/** the status bar's hint per screen: the keys that matter most there, short enough for 80 columns */
const HINTS: Partial<Record<ScreenKind, string>> = {
  variants: 'f filter ⏎ info ? help',
  report: 'd draft A sign ? help',
};

export interface WorkspaceProps {
  backend: TuiBackend;
  initial?: Route;
}

function routeKey(route: Route, depth: number): string {
  return `${depth}:${route.kind}:${'orderId' in route ? route.orderId : ''}`;
}

function screenFor(route: Route, common: ScreenProps, query: OrderQuery): ReactNode {
  switch (route.kind) {
    case 'queue':
      return <QueueScreen {...common} />;
    case 'orders':
      return <OrdersScreen {...common} query={query} />;
    case 'sync':
      return <SyncScreen {...common} />;
    case 'detail':
      return <DetailScreen key={route.orderId} {...common} orderId={route.orderId} />;
    case 'variants':
      return <VariantScreen key={route.orderId} {...common} orderId={route.orderId} />;
    case 'report':
      return <ReportScreen key={route.orderId} {...common} orderId={route.orderId} />;
    case 'form':
      return route.mode === 'create' ? <OrderFormScreen key="new" {...common} mode="create" /> : <OrderFormScreen key={route.orderId} {...common} mode="edit" orderId={route.orderId} />;
  }
}

/** the whole app once the store is open: screens, overlays, messages, status bar */
export function Workspace({ backend, initial }: WorkspaceProps): ReactNode {
  const { exit } = useApp();
  const { columns } = useTerminalSize();
  const [stack, setStack] = useState<Route[]>([initial ?? { kind: 'queue' }]);
  const [overlay, setOverlay] = useState<Overlay | null>(null);
  const [searching, setSearching] = useState(false);
  const [searchText, setSearchText] = useState('');
  const [promptText, setPromptText] = useState('');
  const [query, setQuery] = useState<OrderQuery>({ sort: 'created', descending: true });
  const [version, setVersion] = useState(0);
  const [focus, setFocusState] = useState<FocusInfo>({ orderIds: [], transitions: [] });
  const [users, setUsers] = useState<readonly UserChoice[]>([]);
  const [syncView, setSyncView] = useState<SyncView | null>(null);
  const message = useMessage();
  const notify = message.show;
  const handler = useRef<ScreenHandler | null>(null);
  const tracked = useRef(new Map<string, string>());
  const lastRejected = useRef<number | null>(null);

  const route = stack[stack.length - 1] ?? { kind: 'queue' };
  const root = (stack[0]?.kind ?? 'queue') as 'queue' | 'orders' | 'sync';
  const screen: ScreenKind = route.kind;

  // the store changed (a command, the relay, presence): reload, but not once per event
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = backend.onChange(() => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        setVersion((v) => v + 1);
      }, DEBOUNCE_MS);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [backend]);

  useEffect(() => {
    void backend.users().then(setUsers, () => undefined);
  }, [backend]);

  // status bar figures, and the relay's answers to what this session queued
  useEffect(() => {
    let live = true;
    void (async () => {
      const view = await backend.syncView();
      if (!live) return;
      setSyncView(view);
      const mids = [...tracked.current.keys()];
      let explained = 0;
      for (const r of await backend.results(mids)) {
        const label = tracked.current.get(r.mid) ?? r.command.type;
        tracked.current.delete(r.mid);
        if (r.status === 'accepted') notify('ok', `${label} — accepted by the relay`);
        else {
          explained++;
          notify('error', `Rejected by the relay: ${label}: ${rejectionText({ code: r.result?.code ?? 'conflict', message: r.result?.message ?? 'rejected' })} (3 Sync)`);
        }
      }
      const before = lastRejected.current;
      lastRejected.current = view.rejected;
      if (before !== null && view.rejected > before + explained) {
        notify('error', `${view.rejected - before - explained} change(s) rejected by the relay — 3 opens Sync`);
      } else if (before === null && view.rejected > 0) {
        notify('warn', `${view.rejected} change(s) rejected by the relay wait for you — 3 opens Sync`);
      }
    })().catch(() => undefined);
    return () => {
      live = false;
    };
  }, [backend, version, notify]);

  const userName = useCallback((id: string | null) => (id ? (users.find((u) => u.id === id)?.name ?? null) : null), [users]);

  const open = useCallback((next: Route, mode: OpenMode = 'push') => {
    setSearching(false);
    setStack((s) => (mode === 'replace' ? [...s.slice(0, -1), next] : [...s, next]));
  }, []);
  const back = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const setFocus = useCallback((info: FocusInfo) => {
    const same = (a: readonly string[] | undefined, b: readonly string[] | undefined) => (a ?? []).join('\n') === (b ?? []).join('\n');
    setFocusState((prev) =>
      same(prev.orderIds, info.orderIds) && same(prev.transitions, info.transitions) && same(prev.sortKeys, info.sortKeys) && same(prev.presetNames, info.presetNames) ? prev : info,
    );
  }, []);

  const perform = useCallback(
    async (command: CommandInput, label: string): Promise<SubmitOutcome> => {
      let outcome: SubmitOutcome;
      try {
        outcome = await backend.submit(command);
      } catch (err) {
        notify('error', `${label}: ${(err as Error).message}`);
        return { status: 'refused', rejection: { code: 'conflict', message: (err as Error).message } };
      }
      switch (outcome.status) {
        case 'accepted':
          notify('ok', label);
          break;
        case 'queued':
          tracked.current.set(outcome.mid, label);
          notify('info', `${label} — queued until the relay answers`);
          break;
        case 'refused':
          notify('error', rejectionText(outcome.rejection));
          break;
        case 'rejected':
          notify('error', rejectionText({ code: outcome.result.code ?? 'conflict', message: outcome.result.message ?? 'rejected' }));
          break;
      }
      return outcome;
    },
    [backend, notify],
  );

  const confirm = useCallback((request: ConfirmRequest) => setOverlay({ kind: 'confirm', request }), []);
  const choose = useCallback((title: string, options: readonly ChoiceOption[]) => setOverlay({ kind: 'choose', title, options }), []);
  const prompt = useCallback((request: PromptRequest) => {
    setPromptText(request.initial ?? '');
    setOverlay({ kind: 'prompt', request });
  }, []);
  const dialog = useCallback((render: DialogRender) => setOverlay({ kind: 'dialog', render }), []);

  /** checks each order with the rules first: a refusal is explained, not submitted */
  const runActions = useCallback(
    (found: { displayId: string; action: OrderAction }[]) => {
      const allowed = found.filter((f) => f.action.enabled);
      const refused = found.filter((f) => !f.action.enabled);
      if (refused.length > 0 && allowed.length === 0) {
        const first = refused[0]!;
        notify('error', `${found.length > 1 ? `${refused.length} refused; ` : ''}${first.displayId}: ${first.action.reason ?? 'not allowed'}`);
        return;
      }
      const go = async () => {
        if (allowed.length === 1 && refused.length === 0) {
          const only = allowed[0]!;
          await perform(only.action.command, `${only.displayId}: ${only.action.label}`);
          return;
        }
        let done = 0;
        const problems: string[] = refused.map((f) => `${f.displayId}: ${f.action.reason ?? 'refused'}`);
        for (const f of allowed) {
          const outcome = await backend.submit(f.action.command).catch((err: Error) => ({ status: 'refused' as const, rejection: { code: 'conflict' as const, message: err.message } }));
          if (outcome.status === 'accepted') done++;
          else if (outcome.status === 'queued') {
            done++;
            tracked.current.set(outcome.mid, `${f.displayId}: ${f.action.label}`);
          } else problems.push(`${f.displayId}: ${outcome.status === 'refused' ? outcome.rejection.message : (outcome.result.message ?? 'rejected')}`);
        }
        const verb = allowed[0]?.action.label.split(' ')[0]?.toLowerCase() ?? 'done';
        if (problems.length) notify('error', `${verb}: ${done} of ${found.length} done; ${problems.join('; ')}`);
        else notify(backend.mode === 'replica' ? 'info' : 'ok', `${verb}: ${done} of ${found.length} done${backend.mode === 'replica' ? ' — queued until the relay answers' : ''}`);
      };
      const destructive = allowed.filter((f) => f.action.destructive);
      if (destructive.length > 0) {
        const what = allowed[0]!.action.label;
        confirm({
          title: allowed.length === 1 ? `${what}: ${allowed[0]!.displayId}?` : `${what}: ${allowed.length} orders?`,
          message: [...allowed.slice(0, 4).map((f) => `${f.displayId}: ${f.action.label}`), ...(allowed.length > 4 ? [`… and ${allowed.length - 4} more`] : []), 'This cannot be undone.'],
          confirmLabel: what,
          destructive: true,
          onConfirm: () => void go(),
        });
      } else void go();
    },
    [backend, confirm, notify, perform],
  );

  const orderCommand = useCallback(
    (id: TuiCommandId, args: readonly string[], orderIds: readonly string[]) => {
      void (async () => {
        if (id === 'order.new') return open({ kind: 'form', mode: 'create' });
        const input = { actor: backend.actor(), project: backend.project() };
        const aggs = (await Promise.all(orderIds.map((o) => backend.aggregate(o)))).filter((a) => a !== null);
        if (aggs.length === 0) return notify('warn', 'That order is gone or not visible to you');
        if (id === 'order.edit') {
          const agg = aggs[0]!;
          const edit = actionFor({ ...input, agg }, { kind: 'edit' });
          if (!edit.enabled) return notify('error', `${agg.order.displayId}: ${edit.reason ?? 'not allowed'}`);
          return open({ kind: 'form', mode: 'edit', orderId: agg.order.id });
        }
        if (id === 'order.assign') {
          const who = args[0];
          if (who && who !== 'me' && who !== backend.user.name) {
            const target = users.find((u) => u.name === who);
            if (!target) return notify('error', `Not found: user ${who}`);
            // assigning someone else is checked by the store's own rules on submit
            for (const agg of aggs) {
              const command: CommandInput = { type: 'stage.assign', orderId: agg.order.id, baseVersion: agg.order.version, userId: target.id };
              await perform(command, `${agg.order.displayId}: assign to ${who}`);
            }
            return;
          }
          return runActions(aggs.map((agg) => ({ displayId: agg.order.displayId, action: actionFor({ ...input, agg }, { kind: 'assign_me' }) })));
        }
        if (id === 'order.transition') {
          const to = args[0];
          if (to) return runActions(aggs.map((agg) => ({ displayId: agg.order.displayId, action: actionFor({ ...input, agg }, { kind: 'transition', to }) })));
          const agg = aggs[0]!;
          if (aggs.length > 1) return notify('info', 'Several orders marked: name the status, e.g. :transition review');
          const options = orderActions({ ...input, agg }).filter((a) => a.kind === 'transition');
          if (options.length === 0) return notify('info', `${agg.order.displayId} is ${agg.order.status}: nothing to move to`);
          return choose(
            `Move ${agg.order.displayId} (${agg.order.status}) to…`,
            options.map((a) => ({
              label: a.label,
              detail: `→ ${a.to ?? ''}${a.destructive ? ' (asks first)' : ''}`,
              enabled: a.enabled,
              reason: a.reason,
              onPick: () => runActions([{ displayId: agg.order.displayId, action: a }]),
            })),
          );
        }
        const kind = ORDER_REQUESTS[id];
        if (!kind) return notify('info', `${keymap.byId.get(id)?.label ?? id} is not available here`);
        return runActions(aggs.map((agg) => ({ displayId: agg.order.displayId, action: actionFor({ ...input, agg }, { kind } as ActionRequest) })));
      })().catch((err: Error) => notify('error', err.message));
    },
    [backend, users, open, notify, perform, runActions, choose],
  );

  const ui = useMemo<Ui>(
    () => ({ backend, version, notify, open, back, confirm, choose, prompt, dialog, orderCommand, perform, setFocus, userName }),
    [backend, version, notify, open, back, confirm, choose, prompt, dialog, orderCommand, perform, setFocus, userName],
  );

  const ctx: TuiCtx = {
    screen,
    replica: backend.mode === 'replica',
    orderIds: focus.orderIds,
    users: users.map((u) => u.name),
    transitions: focus.transitions,
    sortKeys: focus.sortKeys ?? [],
    presetNames: focus.presetNames ?? [],
  };

  const showOrders = (next: OrderQuery) => {
    setQuery(next);
    if (root !== 'orders' || stack.length > 1) setStack([{ kind: 'orders' }]);
  };

  const run = (id: TuiCommandId, args: readonly string[]) => {
    switch (id) {
      case 'app.quit':
        return exit();
      case 'app.help':
        return setOverlay({ kind: 'help' });
      case 'app.palette':
        return setOverlay({ kind: 'palette' });
      case 'app.refresh':
        void backend.refreshIdentity().then(() => {
          setVersion((v) => v + 1);
          void backend.users().then(setUsers, () => undefined);
          notify('info', 'Refreshed');
        });
        return;
      case 'go.queue':
      case 'go.orders':
      case 'go.sync':
        setSearching(false);
        return setStack([{ kind: id === 'go.queue' ? 'queue' : id === 'go.orders' ? 'orders' : 'sync' }]);
      case 'app.back':
        // a screen may close something of its own first (the variant detail pane)
        if (handler.current?.(id, args)) return;
        if (stack.length > 1) return back();
        return notify('info', `Nothing to go back to: ${keysFor(keymap, 'app.quit')} quits`);
      case 'list.search':
        if (args.length === 0) {
          setSearchText('');
          return setSearching(true);
        }
        break;
      case 'order.goto': {
        const ref = args[0] ?? '';
        void backend.findOrder(ref).then((order) => (order ? open({ kind: 'detail', orderId: order.id }) : notify('error', `Not found: order ${ref}`)));
        return;
      }
      case 'order.new':
        return open({ kind: 'form', mode: 'create' });
      case 'order.variants':
      case 'order.report': {
        if (!('orderId' in route)) break;
        const orderId = route.orderId;
        const kind = id === 'order.variants' ? 'variants' : 'report';
        void backend.aggregate(orderId).then((agg) => {
          if (!agg) return notify('warn', 'That order is gone or not visible to you');
          if (agg.order.workflow !== 'clinical') return notify('error', `Invalid input: ${agg.order.displayId} is a facility order: no variants or reports`);
          if (kind === 'variants') {
            const right = orderRight(backend.actor(), agg, 'browser_viewable', `viewing the variants of order ${agg.order.displayId}`);
            if (!right.success) return notify('error', refusalText(right.error, agg, 'viewing variants', userName));
          }
          // the screen is already open under this one: go back to it as it was
          const at = stack.findIndex((r) => r.kind === kind && 'orderId' in r && r.orderId === orderId);
          if (at >= 0) return setStack((s) => s.slice(0, at + 1));
          open({ kind, orderId });
        });
        return;
      }
      case 'orders.filter':
        if (root !== 'orders' || stack.length > 1) setStack([{ kind: 'orders' }]);
        return setOverlay({ kind: 'filter' });
      case 'orders.sort': {
        const [column, direction] = args;
        if (column) return showOrders({ ...query, sort: column as OrderQuery['sort'], descending: direction ? direction === 'desc' : query.descending });
        const i = SORT_COLUMNS.indexOf(query.sort);
        const next = SORT_COLUMNS[(i + 1) % SORT_COLUMNS.length] ?? 'created';
        notify('info', `Sorted by ${next} ${query.descending ? '↓' : '↑'} — :sort ${next} asc|desc flips it`);
        return showOrders({ ...query, sort: next });
      }
      case 'orders.clear':
        notify('info', 'Filters cleared');
        return showOrders({ sort: query.sort, descending: query.descending });
      case 'orders.status':
      case 'orders.priority':
      case 'orders.assignee':
      case 'orders.tag':
      case 'orders.text': {
        const field = id.slice('orders.'.length) as 'status' | 'priority' | 'assignee' | 'tag' | 'text';
        const value = args.join(' ');
        const next: OrderQuery = { ...query };
        if (value === '' || value === 'all') delete next[field];
        else next[field] = value;
        return showOrders(next);
      }
      default:
        break;
    }
    if (handler.current?.(id, args)) return;
    notify('info', `${keymap.byId.get(id)?.label ?? id} is not available here`);
  };

  useKeyInput(
    (input, key) => {
      const id = resolveKey(keymap, input, key, ctx);
      if (id) run(id, []);
    },
    { isActive: overlay === null && !searching && screen !== 'form' },
  );

  const closeOverlay = () => setOverlay(null);
  const crumbs: Partial<Record<Route['kind'], string>> = {
    detail: focus.orderIds[0] ?? '…',
    variants: `${focus.orderIds[0] ?? '…'} variants`,
    report: `${focus.orderIds[0] ?? '…'} report`,
    form: route.kind === 'form' && route.mode === 'create' ? 'new order' : `edit ${focus.orderIds[0] ?? ''}`,
  };
  const crumb = crumbs[route.kind] ?? null;
  const actor = backend.actor();
  const footer = (
    <>
      {overlay?.kind === 'prompt' ? (
        <TextField
          width={columns}
          prefix={`${overlay.request.label}: `}
          value={promptText}
          onChange={setPromptText}
          placeholder={overlay.request.placeholder ?? 'Enter saves, Esc cancels'}
          onSubmit={(text) => {
            const request = overlay.request;
            closeOverlay();
            request.onSubmit(text);
          }}
          onCancel={() => {
            closeOverlay();
            notify('info', 'Nothing changed');
          }}
        />
      ) : searching ? (
        <TextField
          width={columns}
          prefix="/"
          value={searchText}
          onChange={setSearchText}
          placeholder="search, Enter jumps, Esc cancels"
          onSubmit={(text) => {
            setSearching(false);
            if (text) run('list.search', [text]);
          }}
          onCancel={() => setSearching(false)}
        />
      ) : (
        <MessageLine message={message.message} width={columns} />
      )}
      <StatusBar
        width={columns}
        user={backend.user.name}
        project={backend.project().name}
        role={roleOf(actor)}
        connection={connectionOf(syncView)}
        queued={syncView?.queued ?? 0}
        rejected={syncView?.rejected ?? 0}
        hint={HINTS[screen] ?? '? help : cmds'}
      />
    </>
  );

  const overlaySlot =
    overlay === null || overlay.kind === 'prompt'
      ? undefined
      : (body: { width: number; height: number }) => {
          switch (overlay.kind) {
            case 'help':
              return <HelpOverlay table={keymap} ctx={ctx} width={body.width} height={body.height} title="Keys (unavailable ones are marked)" onClose={closeOverlay} />;
            case 'palette':
              return (
                <CommandPalette
                  table={keymap}
                  ctx={ctx}
                  width={body.width}
                  suggestions={Math.max(1, Math.min(8, body.height - paletteHeight(0)))}
                  onCancel={closeOverlay}
                  onRun={(id, args) => {
                    closeOverlay();
                    run(id, args);
                  }}
                />
              );
            case 'filter':
              return (
                <FilterDialog
                  query={query}
                  users={users.map((u) => u.name)}
                  width={body.width}
                  onCancel={closeOverlay}
                  onApply={(next) => {
                    closeOverlay();
                    showOrders(next);
                  }}
                />
              );
            case 'confirm': {
              const r = overlay.request;
              return (
                <ConfirmDialog
                  title={r.title}
                  message={r.message}
                  width={Math.min(body.width, 76)}
                  destructive={r.destructive ?? false}
                  {...(r.confirmLabel ? { confirmLabel: r.confirmLabel } : {})}
                  onCancel={() => {
                    closeOverlay();
                    notify('info', 'Nothing changed');
                  }}
                  onConfirm={() => {
                    closeOverlay();
                    r.onConfirm();
                  }}
                />
              );
            }
            case 'choose':
              return <ChoiceList title={overlay.title} options={overlay.options} width={body.width} height={body.height} onClose={closeOverlay} />;
            case 'dialog':
              return overlay.render(body, closeOverlay);
          }
        };

  return (
    <UiContext.Provider value={ui}>
      <HandlerContext.Provider value={handler}>
        <Screen header={<HeaderLine width={columns} root={root} crumb={crumb} />} headerLines={HEADER_LINES} footer={footer} footerLines={FOOTER_LINES}>
          {(body) => (
            <>
              {/* screens under the one in front, and under an overlay, stay mounted (hidden):
                  going back finds the cursor and the loaded rows where they were */}
              {stack.map((r, i) => {
                const top = i === stack.length - 1;
                const shown = top && !overlaySlot;
                return (
                  <Box key={routeKey(r, i)} display={shown ? 'flex' : 'none'} flexDirection="column" width={body.width} height={body.height}>
                    {screenFor(r, { width: body.width, height: body.height, front: top, active: top && overlay === null && !searching }, query)}
                  </Box>
                );
              })}
              {overlaySlot ? overlaySlot(body) : null}
            </>
          )}
        </Screen>
      </HandlerContext.Provider>
    </UiContext.Provider>
  );
}
