import { AMP_TIERS, CLINICAL_STATUSES, FACILITY_STATUSES, LEGACY_STATUS_ALIASES, PRIORITIES } from '../core/index.ts';
import { defineCommands, listNavigationCommands, type CommandSpec, type ListCommandId } from './kit/index.ts';

// the one key table: key dispatch, the ? help and the : palette all come from here

export type ScreenKind = 'queue' | 'orders' | 'detail' | 'sync' | 'form' | 'variants' | 'report';

export interface TuiCtx {
  screen: ScreenKind;
  replica: boolean;
  /** display ids the palette can complete (those loaded now) */
  orderIds: readonly string[];
  users: readonly string[];
  /** statuses the order in focus can move to */
  transitions: readonly string[];
  /** what the variant browser can sort by (the query layer's list) */
  sortKeys?: readonly string[];
  /** filter presets the variant browser offers: the defaults and the user's own */
  presetNames?: readonly string[];
}

export const SORT_COLUMNS = ['created', 'updated', 'priority', 'status', 'display_id'] as const;

export const STATUS_FILTERS: readonly string[] = [
  ...new Set([...CLINICAL_STATUSES, ...FACILITY_STATUSES, ...Object.keys(LEGACY_STATUS_ALIASES)]),
];

const onList = (c: TuiCtx) => c.screen !== 'form';
const onOrders = (c: TuiCtx) => c.screen === 'orders';
const onOrderScreens = (c: TuiCtx) => c.screen === 'queue' || c.screen === 'orders' || c.screen === 'detail';
const onSync = (c: TuiCtx) => c.screen === 'sync';
const onVariants = (c: TuiCtx) => c.screen === 'variants';
const onReport = (c: TuiCtx) => c.screen === 'report';

// Space curates (variants) and removes or restores (report) there instead of marking
const marksOn = (c: TuiCtx) => onList(c) && !onVariants(c) && !onReport(c);
const list = listNavigationCommands().map(
  (spec): CommandSpec<TuiCtx, (typeof spec)['id']> => ({ ...spec, when: spec.id === 'list.mark' || spec.id === 'list.clear_marks' ? marksOn : onList }),
);

export const ACMG_CLASSES = ['P', 'LP', 'VUS', 'LB', 'B'] as const;

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
  | 'order.variants'
  | 'order.report'
  | 'variants.detail'
  | 'variants.filter'
  | 'variants.clear'
  | 'variants.sort'
  | 'variants.reverse'
  | 'variants.tier_iv'
  | 'variants.gene'
  | 'variants.tiers'
  | 'variants.min_vaf'
  | 'variants.category'
  | 'variants.pass'
  | 'variants.text'
  | 'variants.presets'
  | 'variants.save_preset'
  | 'variants.wide'
  | 'variants.left'
  | 'variants.right'
  | 'variants.set_tier'
  | 'variants.acmg'
  | 'variants.reportable'
  | 'variants.note'
  | 'report.draft'
  | 'report.toggle'
  | 'report.remove'
  | 'report.restore'
  | 'report.summary'
  | 'report.submit'
  | 'report.sign'
  | 'report.amend'
  | 'report.older'
  | 'report.newer'
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

  {
    id: 'order.variants',
    keys: ['v'],
    label: 'Variants',
    help: "Browse the order's variants (the current stage must be browser_viewable)",
    group: 'Order',
    when: (c) => c.screen === 'detail' || c.screen === 'report',
    palette: { name: 'variants' },
  },
  {
    id: 'order.report',
    keys: ['R'],
    label: 'Report',
    help: "The order's report: draft, variants, summary, signature, versions",
    group: 'Order',
    when: (c) => c.screen === 'detail' || c.screen === 'variants',
    palette: { name: 'report' },
  },

  { id: 'variants.detail', keys: ['enter'], label: 'Variant details', help: 'Show or hide every INFO and FORMAT field of the variant (Tab moves into it)', group: 'Variants', when: onVariants, palette: { name: 'details' } },
  { id: 'variants.filter', keys: ['f'], label: 'Filter', help: 'Filter by tier, VAF, genes, category, PASS, text', group: 'Variants', when: onVariants, palette: { name: 'filter' } },
  { id: 'variants.clear', keys: ['F'], label: 'Clear filters', help: 'Back to every variant but tier IV', group: 'Variants', when: onVariants, palette: { name: 'clear' } },
  {
    id: 'variants.sort',
    keys: ['s'],
    label: 'Sort',
    help: 'Next sort column (:sort COL asc|desc names one)',
    group: 'Variants',
    when: onVariants,
    palette: { name: 'sort', args: [{ name: 'column', complete: (c: TuiCtx) => c.sortKeys ?? [] }, { name: 'direction', optional: true, complete: ['asc', 'desc'] }] },
  },
  { id: 'variants.reverse', keys: ['S'], label: 'Reverse sort', help: 'Flip the sort direction', group: 'Variants', when: onVariants, palette: { name: 'reverse' } },
  { id: 'variants.tier_iv', keys: ['4'], label: 'Tier IV', help: 'Show or hide tier IV (benign) variants; hidden at first', group: 'Variants', when: onVariants, palette: { name: 'tier-iv' } },
  { id: 'variants.gene', keys: [], label: 'Gene filter', help: 'Only these genes: :gene KRAS,NRAS (all clears)', group: 'Variants', when: onVariants, palette: { name: 'gene', aliases: ['genes'], args: [{ name: 'genes', rest: true, free: true }] } },
  { id: 'variants.tiers', keys: [], label: 'Tier filter', help: 'Only these tiers: :tiers IA,IB (all clears)', group: 'Variants', when: onVariants, palette: { name: 'tiers', args: [{ name: 'tiers', free: true, complete: ['all', 'IA,IB,IIC,IID', ...AMP_TIERS] }] } },
  { id: 'variants.min_vaf', keys: [], label: 'Minimum VAF', help: 'Only VAF at least this: :min-vaf 0.05 or 5% (0 clears)', group: 'Variants', when: onVariants, palette: { name: 'min-vaf', args: [{ name: 'vaf', free: true, complete: ['0', '0.01', '0.05', '0.1'] }] } },
  { id: 'variants.category', keys: [], label: 'Category filter', help: 'Only one category: SNV, Indel, Fusion, CNV (all clears)', group: 'Variants', when: onVariants, palette: { name: 'category', args: [{ name: 'category', free: true, complete: ['all', 'SNV', 'Indel', 'Fusion', 'CNV'] }] } },
  { id: 'variants.pass', keys: [], label: 'PASS only', help: 'Only records whose FILTER is PASS (on|off; no argument toggles)', group: 'Variants', when: onVariants, palette: { name: 'pass-only', args: [{ name: 'on|off', optional: true, complete: ['on', 'off'] }] } },
  { id: 'variants.text', keys: [], label: 'Text filter', help: 'Gene, HGVS, consequence, alias, ID or a locus such as chr7:140753336 (/ too)', group: 'Variants', when: onVariants, palette: { name: 'text', args: [{ name: 'text', rest: true, free: true }] } },
  {
    id: 'variants.presets',
    keys: ['p'],
    label: 'Presets',
    help: 'Pick a saved filter and sort: the defaults and your own',
    group: 'Variants',
    when: onVariants,
    palette: { name: 'preset', args: [{ name: 'name', optional: true, rest: true, free: true, complete: (c: TuiCtx) => c.presetNames ?? [] }] },
  },
  { id: 'variants.save_preset', keys: ['P'], label: 'Save preset', help: 'Save the filter and sort under a name (yours, on this machine)', group: 'Variants', when: onVariants, palette: { name: 'save-preset', args: [{ name: 'name', optional: true, rest: true, free: true }] } },
  { id: 'variants.wide', keys: ['w'], label: 'Wide', help: 'Every column; ←/→ scroll them when they do not fit', group: 'Variants', when: onVariants, palette: { name: 'wide' } },
  { id: 'variants.left', keys: ['left', 'h'], label: 'Columns left', help: 'Scroll the columns left (wide mode)', group: 'Variants', when: onVariants },
  { id: 'variants.right', keys: ['right', 'l'], label: 'Columns right', help: 'Scroll the columns right (wide mode)', group: 'Variants', when: onVariants },

  { id: 'variants.set_tier', keys: ['t'], label: 'Tier override', help: 'Curate the tier (none: back to the file\'s)', group: 'Curation', when: onVariants, palette: { name: 'set-tier', args: [{ name: 'tier', optional: true, complete: [...AMP_TIERS, 'none'] }] } },
  { id: 'variants.acmg', keys: ['a'], label: 'ACMG class', help: 'Classify: P, LP, VUS, LB, B (none clears)', group: 'Curation', when: onVariants, palette: { name: 'acmg', args: [{ name: 'class', optional: true, complete: [...ACMG_CLASSES, 'none'] }] } },
  { id: 'variants.reportable', keys: ['space'], label: 'Reportable', help: 'Mark reportable or not (:reportable yes|no|auto)', group: 'Curation', when: onVariants, palette: { name: 'reportable', args: [{ name: 'yes|no|auto', optional: true, complete: ['yes', 'no', 'auto'] }] } },
  { id: 'variants.note', keys: ['e'], label: 'Note', help: "Edit the curation note (empty clears)", group: 'Curation', when: onVariants, palette: { name: 'note', args: [{ name: 'text', optional: true, rest: true, free: true }] } },

  { id: 'report.draft', keys: ['d'], label: 'Draft / refresh', help: 'Draft the report from the variant cache, or refresh the open draft (removed variants stay removed)', group: 'Report', when: onReport, palette: { name: 'draft' } },
  { id: 'report.toggle', keys: ['space'], label: 'Remove / restore', help: 'Remove the variant under the cursor from the report, or restore it', group: 'Report', when: onReport },
  { id: 'report.remove', keys: [], label: 'Remove variant', help: 'Remove the variant under the cursor, with a reason', group: 'Report', when: onReport, palette: { name: 'remove', args: [{ name: 'reason', optional: true, rest: true, free: true }] } },
  { id: 'report.restore', keys: [], label: 'Restore variant', help: 'Put a removed variant back into the report', group: 'Report', when: onReport, palette: { name: 'restore' } },
  { id: 'report.summary', keys: ['e'], label: 'Summary', help: "Edit the report's summary", group: 'Report', when: onReport, palette: { name: 'summary', args: [{ name: 'text', optional: true, rest: true, free: true }] } },
  { id: 'report.submit', keys: ['s'], label: 'Submit for review', help: 'Draft → pending review; only a report under review is signed', group: 'Report', when: onReport, palette: { name: 'submit' } },
  { id: 'report.sign', keys: ['A'], label: 'Approve and sign', help: 'Sign the report (project_admin, meaning approval; asks first); the order completes', group: 'Report', when: onReport, palette: { name: 'sign' } },
  { id: 'report.amend', keys: ['M'], label: 'Amend', help: 'Correct a signed report: a new version, with a reason', group: 'Report', when: onReport, palette: { name: 'amend', args: [{ name: 'reason', optional: true, rest: true, free: true }] } },
  { id: 'report.older', keys: ['left', 'h'], label: 'Older version', help: 'Show the previous version of the report', group: 'Report', when: onReport },
  { id: 'report.newer', keys: ['right', 'l'], label: 'Newer version', help: 'Show the next version of the report', group: 'Report', when: onReport },

  { id: 'sync.reissue', keys: ['i'], label: 'Re-issue', help: 'Send a rejected change again against the current state', group: 'Sync', when: onSync, palette: { name: 'reissue' } },
  { id: 'sync.discard', keys: ['d'], label: 'Discard', help: 'Drop a rejected change (asks first)', group: 'Sync', when: onSync, palette: { name: 'discard' } },

  { id: 'app.refresh', keys: ['r'], label: 'Refresh', help: 'Read everything again', group: 'General', when: onList, palette: { name: 'refresh' } },
  { id: 'app.help', keys: ['?'], label: 'Help', help: 'Show every key', group: 'General', when: onList, palette: { name: 'help' } },
  { id: 'app.palette', keys: [':'], label: 'Commands', help: 'Command palette with completion', group: 'General', when: onList },
  { id: 'app.quit', keys: ['q', 'ctrl-c'], label: 'Quit', help: 'Leave Curio (Ctrl-c works everywhere)', group: 'General', palette: { name: 'quit', aliases: ['q'] } },
]);
