import { CLINICAL_STATUSES, FACILITY_STATUSES, LEGACY_STATUS_ALIASES, PRIORITIES } from '../core/index.ts';
import { defineCommands, listNavigationCommands, type CommandSpec, type ListCommandId } from './kit/index.ts';

// the one key table: key dispatch, the ? help and the : palette all come from here

export type ScreenKind = 'queue' | 'orders' | 'detail' | 'sync' | 'form';

export interface TuiCtx {
  screen: ScreenKind;
  replica: boolean;
  /** display ids the palette can complete (those loaded now) */
  orderIds: readonly string[];
  users: readonly string[];
  /** statuses the order in focus can move to */
  transitions: readonly string[];
}

export const SORT_COLUMNS = ['created', 'updated', 'priority', 'status', 'display_id'] as const;

export const STATUS_FILTERS: readonly string[] = [
  ...new Set([...CLINICAL_STATUSES, ...FACILITY_STATUSES, ...Object.keys(LEGACY_STATUS_ALIASES)]),
];

const onList = (c: TuiCtx) => c.screen !== 'form';
const onOrders = (c: TuiCtx) => c.screen === 'orders';
const onOrderScreens = (c: TuiCtx) => c.screen === 'queue' || c.screen === 'orders' || c.screen === 'detail';
const onSync = (c: TuiCtx) => c.screen === 'sync';

const list = listNavigationCommands().map((spec): CommandSpec<TuiCtx, (typeof spec)['id']> => ({ ...spec, when: onList }));

const all = (values: readonly string[]) => ['all', ...values];

export type TuiCommandId =
  | ListCommandId
  | 'order.open'
  | 'detail.run'
  | 'app.back'
  | 'app.pane'
  | 'app.pane_prev'
  | 'go.queue'
  | 'go.orders'
  | 'go.sync'
  | 'order.goto'
  | 'orders.filter'
  | 'orders.sort'
  | 'orders.clear'
  | 'orders.status'
  | 'orders.priority'
  | 'orders.assignee'
  | 'orders.tag'
  | 'orders.text'
  | 'order.assign'
  | 'order.advance'
  | 'stage.start'
  | 'stage.complete'
  | 'stage.hold'
  | 'stage.resume'
  | 'stage.skip'
  | 'order.transition'
  | 'order.new'
  | 'order.edit'
  | 'order.delete'
  | 'order.samples_sent'
  | 'sync.reissue'
  | 'sync.discard'
  | 'app.refresh'
  | 'app.help'
  | 'app.palette'
  | 'app.quit';

export const keymap = defineCommands<TuiCtx, TuiCommandId>([
  ...list,
  { id: 'order.open', keys: ['enter'], label: 'Open', help: 'Open the order under the cursor', group: 'Screens', when: (c) => c.screen === 'queue' || c.screen === 'orders' },
  { id: 'detail.run', keys: ['enter'], label: 'Run action', help: 'Run the action under the cursor (labflow pane)', group: 'Screens', when: (c) => c.screen === 'detail' },
  { id: 'app.back', keys: ['esc'], label: 'Back', help: 'Back to the previous screen', group: 'Screens', when: onList, palette: { name: 'back' } },
  { id: 'app.pane', keys: ['tab'], label: 'Next pane', help: 'Focus the next pane', group: 'Screens', when: onList },
  { id: 'app.pane_prev', keys: ['shift-tab'], label: 'Previous pane', help: 'Focus the previous pane', group: 'Screens', when: onList },
  { id: 'go.queue', keys: ['1'], label: 'Queue', help: 'My stages, then stages I may pick up', group: 'Screens', when: onList, palette: { name: 'queue' } },
  { id: 'go.orders', keys: ['2'], label: 'Orders', help: 'Every order I may see', group: 'Screens', when: onList, palette: { name: 'orders' } },
  { id: 'go.sync', keys: ['3'], label: 'Sync', help: 'Connection, queued and rejected changes', group: 'Screens', when: onList, palette: { name: 'sync' } },
  {
    id: 'order.goto',
    keys: [],
    label: 'Go to order',
    help: 'Open an order by display id',
    group: 'Screens',
    when: onList,
    palette: { name: 'order', aliases: ['open'], args: [{ name: 'display-id', free: true, complete: (c: TuiCtx) => c.orderIds }] },
  },

  { id: 'orders.filter', keys: ['f'], label: 'Filter', help: 'Filter by status, priority, assignee, tag, text', group: 'Orders', when: onOrders, palette: { name: 'filter' } },
  { id: 'orders.sort', keys: ['s'], label: 'Sort', help: 'Next sort column (s again cycles; :sort COL asc|desc)', group: 'Orders', when: onOrders, palette: { name: 'sort', args: [{ name: 'column', complete: SORT_COLUMNS }, { name: 'direction', optional: true, complete: ['asc', 'desc'] }] } },
  { id: 'orders.clear', keys: ['F'], label: 'Clear filters', help: 'Show every order again', group: 'Orders', when: onOrderScreens, palette: { name: 'clear' } },
  { id: 'orders.status', keys: [], label: 'Status filter', help: 'Only orders in a status (legacy names too)', group: 'Orders', when: onOrderScreens, palette: { name: 'status', args: [{ name: 'status', complete: all(STATUS_FILTERS) }] } },
  { id: 'orders.priority', keys: [], label: 'Priority filter', help: 'Only orders of a priority', group: 'Orders', when: onOrderScreens, palette: { name: 'priority', args: [{ name: 'priority', complete: all(PRIORITIES) }] } },
  { id: 'orders.assignee', keys: [], label: 'Assignee filter', help: "Only orders whose current stage is someone's", group: 'Orders', when: onOrderScreens, palette: { name: 'assignee', args: [{ name: 'user', complete: (c: TuiCtx) => ['all', 'me', ...c.users] }] } },
  { id: 'orders.tag', keys: [], label: 'Tag filter', help: 'Only orders with a tag', group: 'Orders', when: onOrderScreens, palette: { name: 'tag', args: [{ name: 'tag', free: true, complete: ['all'] }] } },
  { id: 'orders.text', keys: [], label: 'Text filter', help: 'Only orders mentioning a text', group: 'Orders', when: onOrderScreens, palette: { name: 'text', args: [{ name: 'text', rest: true, free: true }] } },

  {
    id: 'order.assign',
    keys: ['a'],
    label: 'Assign to me',
    help: 'Take the current stage (marked rows: all of them); :assign NAME needs orders:write_any',
    group: 'Order',
    when: onOrderScreens,
    palette: { name: 'assign', args: [{ name: 'user', optional: true, complete: (c: TuiCtx) => ['me', ...c.users] }] },
  },
  { id: 'order.advance', keys: ['w'], label: 'Start / complete', help: 'Start the current stage, or complete it when started', group: 'Order', when: onOrderScreens },
  { id: 'stage.start', keys: [], label: 'Start stage', help: 'Start the current stage', group: 'Order', when: onOrderScreens, palette: { name: 'start' } },
  { id: 'stage.complete', keys: [], label: 'Complete stage', help: 'Complete the current stage; the order moves on', group: 'Order', when: onOrderScreens, palette: { name: 'complete' } },
  { id: 'stage.hold', keys: ['h'], label: 'Hold stage', help: 'Put the current stage on hold', group: 'Order', when: onOrderScreens, palette: { name: 'hold' } },
  { id: 'stage.resume', keys: [], label: 'Resume stage', help: 'Resume a held stage', group: 'Order', when: onOrderScreens, palette: { name: 'resume' } },
  { id: 'stage.skip', keys: ['K'], label: 'Skip stage', help: 'Skip the current stage (project_admin; asks first)', group: 'Order', when: onOrderScreens, palette: { name: 'skip' } },
  {
    id: 'order.transition',
    keys: ['t'],
    label: 'Transition',
    help: 'Move the order to another status (cancel asks first)',
    group: 'Order',
    when: onOrderScreens,
    palette: { name: 'transition', aliases: ['move'], args: [{ name: 'status', optional: true, complete: (c: TuiCtx) => c.transitions }] },
  },
  { id: 'order.new', keys: ['c'], label: 'New order', help: 'Create an order', group: 'Order', when: onOrderScreens, palette: { name: 'new', aliases: ['create'] } },
  { id: 'order.edit', keys: ['e'], label: 'Edit order', help: "Edit the order's fields", group: 'Order', when: onOrderScreens, palette: { name: 'edit' } },
  { id: 'order.delete', keys: ['D'], label: 'Delete order', help: 'Delete the order (asks first)', group: 'Order', when: onOrderScreens, palette: { name: 'delete' } },
  { id: 'order.samples_sent', keys: ['m'], label: 'Samples sent', help: 'Record that the samples were sent (facility orders)', group: 'Order', when: onOrderScreens, palette: { name: 'samples-sent' } },

  { id: 'sync.reissue', keys: ['i'], label: 'Re-issue', help: 'Send a rejected change again against the current state', group: 'Sync', when: onSync, palette: { name: 'reissue' } },
  { id: 'sync.discard', keys: ['d'], label: 'Discard', help: 'Drop a rejected change (asks first)', group: 'Sync', when: onSync, palette: { name: 'discard' } },

  { id: 'app.refresh', keys: ['r'], label: 'Refresh', help: 'Read everything again', group: 'General', when: onList, palette: { name: 'refresh' } },
  { id: 'app.help', keys: ['?'], label: 'Help', help: 'Show every key', group: 'General', when: onList, palette: { name: 'help' } },
  { id: 'app.palette', keys: [':'], label: 'Commands', help: 'Command palette with completion', group: 'General', when: onList },
  { id: 'app.quit', keys: ['q', 'ctrl-c'], label: 'Quit', help: 'Leave Curio (Ctrl-c works everywhere)', group: 'General', palette: { name: 'quit', aliases: ['q'] } },
]);
