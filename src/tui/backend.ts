import {
  canSeeOrder,
  fail,
  ok,
  type Actor,
  type CommandInput,
  type CommandResult,
  type Curation,
  type Order,
  type OrderAggregate,
  type Project,
  type Rejection,
  type Report,
  type Result,
  type SampleRole,
  type Sample,
  type StatusNote,
  type User,
} from '../core/index.ts';
import {
  countOrders,
  curationsOf,
  findOrder,
  getCuration,
  getLocal,
  listOrders,
  loadActor,
  loadAggregate,
  loadProject,
  orderHistory,
  orderSamples,
  orderReports,
  orderStages,
  prepareReportDraft,
  reviewQueue,
  setLocal,
  statusNotes,
  type HistoryEntry,
  type OrderFilter,
  type OrderListItem,
  type QueueItem,
  type ReportDraft,
  type SqlDatabase,
  type StageView,
} from '../db/index.ts';
import type { PendingCommand, PendingStatus, ReplicaStatus } from '../sync/index.ts';
import type { OnIndexBuild, OrderVcfFile, VariantDetail, VariantFilter, VariantFilterPreset, VariantPage, VariantSort } from '../vcf/index.ts';
import { presetKey, readPresets, storedPresets, type PresetList } from './presets.ts';
import { vcfArea } from './vcf-area.ts';

// everything the screens read and do, over one logged-in session: a standalone
// store or a replica of a relay. Screens never see SQL or the sync client.

/** what a gateway answers; the same shape the CLI's gateway returns */
export type SubmitOutcome =
  | { status: 'accepted'; result: CommandResult }
  | { status: 'rejected'; result: CommandResult }
  | { status: 'refused'; rejection: Rejection }
  | { status: 'queued'; mid: string; reason: string };

/** the part of the sync client the UI uses (Replica satisfies it) */
export interface SyncSource {
  readonly config: { server: string; clientId: string };
  status(): Promise<ReplicaStatus>;
  pending(filter?: PendingStatus[]): Promise<PendingCommand[]>;
  discard(mid: string): Promise<{ success: true; data: PendingCommand } | { success: false; error: Rejection }>;
  reissue(mid: string): Promise<{ success: true; data: PendingCommand } | { success: false; error: Rejection }>;
  onChange(fn: () => void): () => void;
  setPresence(viewing: string | null, userName: string): void;
  presence(): Map<string, string[]>;
  connect(): void;
}

/** a logged-in session as the CLI opens it (structurally its Session) */
export interface TuiSession {
  db: SqlDatabase;
  user: User;
  project: Project;
  actor: Actor;
  gateway: { submit(command: CommandInput, opts?: { wait?: boolean }): Promise<SubmitOutcome> };
  replica?: SyncSource;
}

export type OrderSortColumn = NonNullable<OrderFilter['sort']>;

/** the Orders screen's query: filters and sort, never paging */
export interface OrderQuery {
  status?: string;
  priority?: string;
  /** a user name, or 'me' */
  assignee?: string;
  tag?: string;
  text?: string;
  sort: OrderSortColumn;
  descending: boolean;
}

export interface OrderDetail {
  agg: OrderAggregate;
  stages: StageView[];
  samples: { sample: Sample; role: SampleRole }[];
  /** newest first */
  history: HistoryEntry[];
  /** newest first; facility orders only */
  notes: (StatusNote & { authorName: string | null })[];
  /** commands for this order still waiting for the relay, or refused by it */
  pending: PendingCommand[];
}

export interface UserChoice {
  id: string;
  name: string;
  displayName: string;
  role: string | null;
}

export type ConnectionView = ReplicaStatus['connection'] | 'standalone';

export interface SyncView {
  mode: 'standalone' | 'replica';
  server: string | null;
  connection: ConnectionView;
  lastSync: string | null;
  queued: number;
  rejected: number;
  fatal: string | null;
}

export interface PendingView extends PendingCommand {
  /** the order it touches, by display id, when known */
  orderLabel: string | null;
  /** who last changed that order on the server, and when */
  lastChange: { by: string | null; at: string } | null;
}

export type PendingMark = 'queued' | 'rejected';

/** the variant file the browser shows for an order */
export interface VariantSource {
  /** the ready file; while none is ready, the one being ingested; null: nothing ingested */
  file: OrderVcfFile | null;
  /** the file shown is still being ingested: its rows so far are shown */
  loading: boolean;
  /** a newer file of the order is being ingested while the ready one is shown */
  newerLoading: boolean;
  /** rows of the file being ingested so far (shown or newer); null when none is */
  loadedRows: number | null;
  /** no file, but one an older cache layout held: what to do about it */
  stale: { path: string; message: string } | null;
}

export interface VariantPageRequest {
  filter: VariantFilter;
  sort: VariantSort;
  /** the `next` cursor of the page before, in the same direction */
  after: string | null;
  /** pages from the end: the sort reversed */
  reverse: boolean;
  limit: number;
  /** read the file being ingested (the source says so) */
  loading: boolean;
  /** awaited before the page builds an index on its first use (listVariants' onIndexBuild) */
  onIndexBuild?: OnIndexBuild;
}

export interface TuiBackend {
  readonly mode: 'standalone' | 'replica';
  readonly user: User;
  /** the actor and project as last read (roles can change under a session) */
  actor(): Actor;
  project(): Project;
  refreshIdentity(): Promise<void>;
  queue(): Promise<QueueItem[]>;
  orders(query: OrderQuery, offset: number, limit: number): Promise<OrderListItem[]>;
  orderCounts(query: OrderQuery): Promise<Record<string, number>>;
  /** by display id, slug or uuid; orders the user may not see are not found */
  findOrder(ref: string): Promise<Order | null>;
  aggregate(orderId: string): Promise<OrderAggregate | null>;
  detail(orderId: string): Promise<OrderDetail | null>;
  users(): Promise<UserChoice[]>;
  submit(command: CommandInput): Promise<SubmitOutcome>;
  /** per order id: a command still waiting for the relay, or one it refused */
  pendingMarks(): Promise<Map<string, PendingMark>>;
  syncView(): Promise<SyncView>;
  pendingList(): Promise<PendingView[]>;
  /** the relay's answers to these commands, once given */
  results(mids: readonly string[]): Promise<PendingCommand[]>;
  discard(mid: string): Promise<Rejection | null>;
  reissue(mid: string): Promise<Rejection | null>;
  setPresence(orderId: string | null): void;
  /** order id → names of the other people looking at it */
  presence(): Map<string, string[]>;
  /** called after every change worth a reload */
  onChange(fn: () => void): () => void;

  // the variant cache and the reports of a clinical order; callers check the stage's rights
  variantSource(orderId: string): Promise<VariantSource>;
  /** one keyset page: never an offset, so a page deep down costs what the first costs */
  variantPage(orderId: string, request: VariantPageRequest): Promise<VariantPage>;
  variantCount(orderId: string, filter: VariantFilter, loading: boolean): Promise<number>;
  /** one variant with its full INFO and FORMAT, if it belongs to the order */
  /** one variant with its detail; the ordinal of its row, when known, finds it without the id index */
  variant(orderId: string, variantId: string, loading: boolean, ordinal?: number): Promise<VariantDetail | null>;
  curations(orderId: string, variantIds: readonly string[]): Promise<Map<string, Curation>>;
  curation(orderId: string, variantId: string): Promise<Curation | null>;
  /** every report version of the order, oldest first */
  reports(orderId: string): Promise<Report[]>;
  /** the command that drafts the report or refreshes the open draft (as curio report draft) */
  draftReport(order: Order, reports: readonly Report[], summary?: string): Promise<Result<ReportDraft>>;
  /** this user's saved variant filter presets */
  variantPresets(): Promise<PresetList>;
  /** saves (or replaces by name) one of this user's presets */
  saveVariantPreset(preset: VariantFilterPreset): Promise<Result<PresetList & { replaced: boolean }>>;
}

function filterOf(b: { actor(): Actor; user: User }, q: OrderQuery, userIds: Map<string, string>): OrderFilter | null {
  const f: OrderFilter = { sort: q.sort, descending: q.descending };
  if (q.status) f.statuses = [q.status];
  if (q.priority) f.priorities = [q.priority];
  if (q.tag) f.tag = q.tag;
  if (q.text) f.text = q.text;
  if (q.assignee) {
    const id = q.assignee === 'me' ? b.user.id : userIds.get(q.assignee);
    // an unknown name matches nobody rather than everybody
    if (!id) return null;
    f.assigneeId = id;
  }
  return f;
}

export function sessionBackend(session: TuiSession): TuiBackend {
  const { db, user } = session;
  const sync = session.replica ?? null;
  let actor = session.actor;
  let project = session.project;
  let userIds = new Map<string, string>();
  const listeners = new Set<() => void>();
  const emit = () => {
    for (const fn of listeners) fn();
  };
  sync?.onChange(emit);

  const loadUsers = async (): Promise<UserChoice[]> => {
    const rows = await db.query<{ id: string; name: string; display_name: string; role: string | null }>(
      `SELECT u.id, u.name, u.display_name, m.role FROM users u
       LEFT JOIN memberships m ON m.user_id = u.id AND m.project_id = $1
       WHERE u.revoked_at IS NULL ORDER BY u.name`,
      [project.id],
    );
    const users = rows.map((r) => ({ id: String(r.id), name: r.name, displayName: r.display_name, role: r.role }));
    userIds = new Map(users.map((u) => [u.name, u.id]));
    return users;
  };

  const visible = (order: Order | null) => (order && canSeeOrder(actor, order, project.settings) ? order : null);

  const backend: TuiBackend = {
    mode: sync ? 'replica' : 'standalone',
    user,
    actor: () => actor,
    project: () => project,
    async refreshIdentity() {
      const [a, p] = await Promise.all([loadActor(db, project.id, user.id), loadProject(db, project.id)]);
      if (a) actor = a;
      if (p) project = p;
    },
    async queue() {
      const rows = await reviewQueue(db, project.id, actor, project.settings, 200);
      // mine first: SQL sorts (assignee = me) DESC with the unassigned NULLs on top; the
      // sort is stable, so priority and age order within each part stays
      return rows.sort((a, b) => Number(b.mine) - Number(a.mine));
    },
    async orders(query, offset, limit) {
      if (query.assignee && query.assignee !== 'me' && !userIds.has(query.assignee)) await loadUsers();
      const f = filterOf(backend, query, userIds);
      if (!f) return [];
      return listOrders(db, project.id, actor, project.settings, { ...f, limit, offset });
    },
    async orderCounts(query) {
      if (query.assignee && query.assignee !== 'me' && !userIds.has(query.assignee)) await loadUsers();
      const f = filterOf(backend, { ...query, status: '' }, userIds);
      if (!f) return {};
      return countOrders(db, project.id, actor, project.settings, f);
    },
    async findOrder(ref) {
      return visible(await findOrder(db, project.id, ref));
    },
    async aggregate(orderId) {
      const agg = await loadAggregate(db, project.id, orderId);
      return agg && visible(agg.order) ? agg : null;
    },
    async detail(orderId) {
      const agg = await backend.aggregate(orderId);
      if (!agg) return null;
      const [stages, samples, history, notes, pending] = await Promise.all([
        orderStages(db, orderId),
        orderSamples(db, orderId),
        orderHistory(db, orderId),
        agg.order.workflow === 'facility' ? statusNotes(db, orderId) : Promise.resolve([]),
        sync ? sync.pending(['queued', 'sent', 'rejected']) : Promise.resolve([]),
      ]);
      return {
        agg,
        stages,
        samples,
        history: history.reverse(),
        notes,
        pending: pending.filter((p) => 'orderId' in p.command && p.command.orderId === orderId),
      };
    },
    users: loadUsers,
    async submit(command) {
      // the UI never blocks on the relay: replica commands are queued and answered later
      const outcome = await session.gateway.submit(command, sync ? { wait: false } : {});
      if (!sync) emit();
      return outcome;
    },
    async pendingMarks() {
      const out = new Map<string, PendingMark>();
      if (!sync) return out;
      for (const p of await sync.pending(['queued', 'sent', 'rejected'])) {
        if (!('orderId' in p.command)) continue;
        const id = p.command.orderId;
        // a rejection outweighs a queued change: it needs the user
        if (p.status === 'rejected') out.set(id, 'rejected');
        else if (!out.has(id)) out.set(id, 'queued');
      }
      return out;
    },
    async syncView() {
      if (!sync) return { mode: 'standalone', server: null, connection: 'standalone', lastSync: null, queued: 0, rejected: 0, fatal: null };
      const st = await sync.status();
      return {
        mode: 'replica',
        server: st.server,
        connection: st.connection,
        lastSync: st.lastSync,
        queued: st.queued,
        rejected: st.rejected,
        fatal: st.fatal ? `${st.fatal.code} ${st.fatal.reason}` : null,
      };
    },
    async pendingList() {
      if (!sync) return [];
      const rows = await sync.pending(['queued', 'sent', 'rejected']);
      const labels = new Map<string, { label: string | null; last: PendingView['lastChange'] }>();
      const refused = new Set(rows.filter((p) => p.status === 'rejected' && 'orderId' in p.command).map((p) => ('orderId' in p.command ? p.command.orderId : '')));
      for (const p of rows) {
        if (!('orderId' in p.command) || labels.has(p.command.orderId)) continue;
        const id = p.command.orderId;
        const order = await findOrder(db, project.id, id);
        // who changed the order last explains a refusal; queued rows do not need it
        const history = refused.has(id) ? await orderHistory(db, id) : [];
        const last = history[history.length - 1];
        labels.set(id, { label: order?.displayId ?? null, last: last ? { by: last.by, at: last.at } : null });
      }
      return rows.map((p) => {
        const info = 'orderId' in p.command ? labels.get(p.command.orderId) : undefined;
        return { ...p, orderLabel: info?.label ?? null, lastChange: info?.last ?? null };
      });
    },
    async results(mids) {
      if (!sync || mids.length === 0) return [];
      const wanted = new Set(mids);
      return (await sync.pending(['accepted', 'rejected'])).filter((p) => wanted.has(p.mid));
    },
    async discard(mid) {
      if (!sync) return { code: 'invalid_input', message: 'Invalid input: a standalone store has nothing pending' };
      const r = await sync.discard(mid);
      return r.success ? null : r.error;
    },
    async reissue(mid) {
      if (!sync) return { code: 'invalid_input', message: 'Invalid input: a standalone store has nothing pending' };
      const r = await sync.reissue(mid);
      return r.success ? null : r.error;
    },
    setPresence(orderId) {
      sync?.setPresence(orderId, user.name);
    },
    presence() {
      return sync ? sync.presence() : new Map();
    },
    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },

    async variantSource(orderId) {
      const { currentVcfFile, staleVcfFile } = await vcfArea();
      const ready = await currentVcfFile(db, orderId, false);
      const newest = await currentVcfFile(db, orderId, true);
      const ingesting = newest?.status === 'loading' ? newest : null;
      // "N rows so far": the ingest keeps record_count up with each batch it loads, so the
      // progress costs one row read, not a count of a table that is growing by the second
      const loadedRows = ingesting ? ingesting.recordCount : null;
      const stale = ready || ingesting ? null : await staleVcfFile(db, orderId);
      return {
        file: ready ?? ingesting,
        loading: !ready && ingesting !== null,
        newerLoading: ready !== null && ingesting !== null,
        loadedRows,
        stale: stale ? { path: stale.path, message: stale.message } : null,
      };
    },
    async variantPage(orderId, r) {
      const { listVariants } = await vcfArea();
      // read from the end: the opposite direction with the unknown values first is exactly
      // the list backwards
      const sort = r.reverse
        ? { key: r.sort.key, dir: r.sort.dir === 'asc' ? ('desc' as const) : ('asc' as const), nulls: r.sort.nulls === 'first' ? ('last' as const) : ('first' as const) }
        : r.sort;
      return listVariants(db, orderId, {
        ...r.filter,
        sort,
        after: r.after,
        limit: r.limit,
        includeLoading: r.loading,
        ...(r.onIndexBuild ? { onIndexBuild: r.onIndexBuild } : {}),
      });
    },
    async variantCount(orderId, filter, loading) {
      const { countVariants } = await vcfArea();
      return countVariants(db, orderId, { ...filter, includeLoading: loading });
    },
    async variant(orderId, variantId, loading, ordinal) {
      const { getVariant } = await vcfArea();
      // the order's current file only: one lookup, not one per file in the store
      const v = await getVariant(db, variantId, { orderId, includeLoading: loading, ...(ordinal !== undefined ? { ordinal } : {}) });
      return v && v.orderId === orderId ? v : null;
    },
    curations: (orderId, variantIds) => curationsOf(db, orderId, variantIds),
    curation: (orderId, variantId) => getCuration(db, orderId, variantId),
    reports: (orderId) => orderReports(db, orderId),
    draftReport: (order, reports, summary) => prepareReportDraft(db, order, reports, summary === undefined ? {} : { summary }),
    async variantPresets() {
      const { variantFilterPresetSchema } = await vcfArea();
      return readPresets(await getLocal<unknown>(db, presetKey(user.id)), variantFilterPresetSchema);
    },
    async saveVariantPreset(preset) {
      const { variantFilterPresetSchema, DEFAULT_FILTER_PRESETS } = await vcfArea();
      const checked = variantFilterPresetSchema.safeParse(preset);
      if (!checked.success) return fail('invalid_input', `Invalid input: preset ${checked.error.issues[0]?.message ?? 'not valid'}`);
      const name = checked.data.name.trim();
      if (DEFAULT_FILTER_PRESETS.some((p) => p.name.toLowerCase() === name.toLowerCase()))
        return fail('conflict', `Conflict: "${name}" is a built-in preset; choose another name`);
      const current = readPresets(await getLocal<unknown>(db, presetKey(user.id)), variantFilterPresetSchema);
      const replaced = current.presets.some((p) => p.name.toLowerCase() === name.toLowerCase());
      const presets = [...current.presets.filter((p) => p.name.toLowerCase() !== name.toLowerCase()), { ...checked.data, name }];
      await setLocal(db, presetKey(user.id), storedPresets(presets));
      return ok({ presets, problem: null, replaced });
    },
  };
  return backend;
}
