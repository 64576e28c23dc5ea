import {
  UUID_RE,
  can,
  isFacilityAdmin,
  LEGACY_STATUS_ALIASES,
  normalizeStatus,
  type Actor,
  type Labflow,
  type Order,
  type OrderStage,
  type ProjectSettings,
  type Sample,
  type SampleRole,
  type StatusNote,
  type TransitionRecord,
} from '../core/index.ts';
import { toLabflow, toNote, toOrder, toSample, toStage, toTransition, toUser } from './rows.ts';
import type { Sql, SqlParam } from './sql.ts';

type Row = Record<string, unknown>;

/** the WHERE fragment that limits orders to what the actor may see */
function visibility(actor: Actor, settings: ProjectSettings, params: SqlParam[]): string {
  const parts: string[] = [];
  if (can(actor, 'orders:read')) parts.push(`o.workflow = 'clinical'`);
  if (isFacilityAdmin(actor)) parts.push(`o.workflow = 'facility'`);
  else {
    params.push(actor.userId);
    const me = `$${params.length}`;
    parts.push(`(o.workflow = 'facility' AND o.created_by = ${me})`);
    if (actor.facilityRole === 'researcher' && settings.departmentSharing && actor.departmentId) {
      params.push(actor.departmentId);
      parts.push(`(o.workflow = 'facility' AND o.status <> 'draft' AND o.department_id = $${params.length})`);
    }
  }
  return `(${parts.join(' OR ')})`;
}

/** a status filter matches the status and the legacy aliases that read as it */
export function statusesMatching(status: string): string[] {
  const canonical = normalizeStatus(status);
  return [canonical, ...Object.entries(LEGACY_STATUS_ALIASES).filter(([, v]) => v === canonical).map(([k]) => k)];
}

export const ORDER_SORTS = ['created', 'updated', 'priority', 'status', 'display_id'] as const;
export type OrderSort = (typeof ORDER_SORTS)[number];

export interface OrderFilter {
  statuses?: string[];
  priorities?: string[];
  /** user id; current stage's assignee */
  assigneeId?: string;
  tag?: string;
  text?: string;
  workflow?: 'clinical' | 'facility';
  sort?: OrderSort;
  descending?: boolean;
  limit?: number;
  offset?: number;
}

export interface OrderListItem {
  order: Order;
  stageState: string | null;
  assigneeId: string | null;
  assigneeName: string | null;
}

const SORT_SQL: Record<OrderSort, string> = {
  created: 'o.created_at',
  updated: 'o.updated_at',
  priority: `CASE o.priority WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END`,
  status: 'o.status',
  display_id: 'o.display_id',
};

function orderWhere(projectId: string, actor: Actor, settings: ProjectSettings, f: OrderFilter, params: SqlParam[]): string {
  params.push(projectId);
  const where = [`o.project_id = $${params.length}`, visibility(actor, settings, params)];
  if (f.statuses?.length) {
    params.push(f.statuses.flatMap(statusesMatching));
    where.push(`o.status = ANY($${params.length}::text[])`);
  }
  if (f.priorities?.length) {
    params.push(f.priorities);
    where.push(`o.priority = ANY($${params.length}::text[])`);
  }
  if (f.assigneeId) {
    params.push(f.assigneeId);
    where.push(`s.assignee_id = $${params.length}`);
  }
  if (f.tag) {
    params.push(f.tag);
    where.push(`$${params.length} = ANY(o.tags)`);
  }
  if (f.workflow) {
    params.push(f.workflow);
    where.push(`o.workflow = $${params.length}`);
  }
  if (f.text) {
    params.push(`%${f.text.replace(/[\\%_]/g, (c) => '\\' + c)}%`);
    const p = `$${params.length}`;
    where.push(
      `(o.display_id ILIKE ${p} OR o.accession ILIKE ${p} OR o.external_id ILIKE ${p} OR o.description ILIKE ${p} OR o.clinical_indication ILIKE ${p} OR o.ordering_provider ILIKE ${p})`,
    );
  }
  return where.join(' AND ');
}

function toListItem(r: Row): OrderListItem {
  return {
    order: toOrder(r),
    stageState: (r.stage_state as string | null) ?? null,
    assigneeId: (r.stage_assignee as string | null) ?? null,
    assigneeName: (r.assignee_name as string | null) ?? null,
  };
}

const ORDER_FROM = `orders o
  LEFT JOIN order_stages s ON s.order_id = o.id AND s.stage_code = o.status
  LEFT JOIN users u ON u.id = s.assignee_id`;

export async function listOrders(db: Sql, projectId: string, actor: Actor, settings: ProjectSettings, f: OrderFilter = {}): Promise<OrderListItem[]> {
  const params: SqlParam[] = [];
  const where = orderWhere(projectId, actor, settings, f, params);
  const dir = f.descending === false ? 'ASC' : 'DESC';
  const sort = SORT_SQL[f.sort ?? 'created'];
  const limit = f.limit && f.limit > 0 ? ` LIMIT ${Math.floor(f.limit)}` : '';
  const offset = f.offset && f.offset > 0 ? ` OFFSET ${Math.floor(f.offset)}` : '';
  const rows = await db.query<Row>(
    `SELECT o.*, s.state AS stage_state, s.assignee_id AS stage_assignee, u.name AS assignee_name
     FROM ${ORDER_FROM} WHERE ${where} ORDER BY ${sort} ${dir}, o.created_at DESC, o.id${limit}${offset}`,
    params,
  );
  return rows.map(toListItem);
}

export async function countOrders(db: Sql, projectId: string, actor: Actor, settings: ProjectSettings, f: OrderFilter = {}): Promise<Record<string, number>> {
  const params: SqlParam[] = [];
  const where = orderWhere(projectId, actor, settings, { ...f, statuses: f.statuses ?? [] }, params);
  const rows = await db.query<{ status: string; n: number }>(
    `SELECT o.status, count(*)::int AS n FROM ${ORDER_FROM} WHERE ${where} GROUP BY o.status`,
    params,
  );
  const out: Record<string, number> = {};
  for (const r of rows) {
    const k = normalizeStatus(r.status);
    out[k] = (out[k] ?? 0) + Number(r.n);
  }
  return out;
}


/** an order by display id, uuid or slug */
export async function findOrder(db: Sql, projectId: string, ref: string): Promise<Order | null> {
  const rows = UUID_RE.test(ref)
    ? await db.query<Row>('SELECT * FROM orders WHERE project_id = $1 AND id = $2', [projectId, ref])
    : await db.query<Row>('SELECT * FROM orders WHERE project_id = $1 AND (display_id = $2 OR slug = $2) ORDER BY (display_id = $2) DESC LIMIT 1', [
        projectId,
        ref,
      ]);
  return rows[0] ? toOrder(rows[0]) : null;
}

export async function findSample(db: Sql, projectId: string, ref: string): Promise<Sample | null> {
  const rows = UUID_RE.test(ref)
    ? await db.query<Row>('SELECT * FROM samples WHERE project_id = $1 AND id = $2', [projectId, ref])
    : await db.query<Row>('SELECT * FROM samples WHERE project_id = $1 AND display_id = $2', [projectId, ref]);
  return rows[0] ? toSample(rows[0]) : null;
}

export async function listSamples(db: Sql, projectId: string, limit = 0): Promise<Sample[]> {
  const rows = await db.query<Row>(`SELECT * FROM samples WHERE project_id = $1 ORDER BY display_id${limit > 0 ? ` LIMIT ${limit}` : ''}`, [projectId]);
  return rows.map(toSample);
}

export async function orderSamples(db: Sql, orderId: string): Promise<{ sample: Sample; role: SampleRole }[]> {
  const rows = await db.query<Row>(
    'SELECT s.*, l.role AS link_role FROM order_samples l JOIN samples s ON s.id = l.sample_id WHERE l.order_id = $1 ORDER BY s.display_id',
    [orderId],
  );
  return rows.map((r) => ({ sample: toSample(r), role: r.link_role as SampleRole }));
}

export interface StageView extends OrderStage {
  assigneeName: string | null;
}

export async function orderStages(db: Sql, orderId: string): Promise<StageView[]> {
  const rows = await db.query<Row>(
    'SELECT s.*, u.name AS assignee_name FROM order_stages s LEFT JOIN users u ON u.id = s.assignee_id WHERE s.order_id = $1 ORDER BY s.position',
    [orderId],
  );
  return rows.map((r) => ({ ...toStage(r), assigneeName: (r.assignee_name as string | null) ?? null }));
}

export async function getLabflow(db: Sql, id: string): Promise<Labflow | null> {
  const r = (await db.query<Row>('SELECT * FROM labflows WHERE id = $1', [id]))[0];
  return r ? toLabflow(r) : null;
}

export async function listLabflows(db: Sql, scope?: string): Promise<Labflow[]> {
  const rows = scope
    ? await db.query<Row>('SELECT * FROM labflows WHERE scope = $1 ORDER BY code, version', [scope])
    : await db.query<Row>('SELECT * FROM labflows ORDER BY code, version');
  return rows.map(toLabflow);
}

export async function statusNotes(db: Sql, orderId: string): Promise<(StatusNote & { authorName: string | null })[]> {
  const rows = await db.query<Row>(
    'SELECT n.*, u.name AS author_name FROM status_notes n LEFT JOIN users u ON u.id = n.author_id WHERE n.order_id = $1 ORDER BY n.created_at DESC, n.id DESC',
    [orderId],
  );
  return rows.map((r) => ({ ...toNote(r), authorName: (r.author_name as string | null) ?? null }));
}

export type HistoryEntry =
  | { kind: 'transition'; seq: number; at: string; by: string | null; record: TransitionRecord }
  | { kind: 'audit'; seq: number; at: string; by: string | null; action: string; before: unknown; after: unknown; reason: string | null };

/** transitions and audit entries of one order, oldest first */
export async function orderHistory(db: Sql, orderId: string): Promise<HistoryEntry[]> {
  const [tr, au] = await Promise.all([
    db.query<Row>(
      'SELECT t.*, u.name AS by_name FROM stage_transitions t LEFT JOIN users u ON u.id = t.transitioned_by WHERE t.order_id = $1 ORDER BY t.seq',
      [orderId],
    ),
    db.query<Row>(
      'SELECT a.*, u.name AS by_name FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id WHERE a.entity_id = $1 ORDER BY a.seq',
      [orderId],
    ),
  ]);
  const out: HistoryEntry[] = [
    ...tr.map((r) => {
      const record = toTransition(r);
      return { kind: 'transition' as const, seq: record.seq, at: record.transitionedAt, by: (r.by_name as string | null) ?? null, record };
    }),
    ...au.map((r) => ({
      kind: 'audit' as const,
      seq: Number(r.seq),
      at: r.at instanceof Date ? r.at.toISOString() : String(r.at),
      by: (r.by_name as string | null) ?? null,
      action: String(r.action),
      before: r.before,
      after: r.after,
      reason: (r.reason as string | null) ?? null,
    })),
  ];
  return out.sort((a, b) => a.at.localeCompare(b.at) || (a.kind === b.kind ? a.seq - b.seq : a.kind === 'audit' ? -1 : 1));
}

export async function userNames(db: Sql): Promise<Map<string, string>> {
  const rows = await db.query<Row>('SELECT * FROM users');
  return new Map(rows.map((r) => [String(r.id), toUser(r).name]));
}

export interface QueueItem extends OrderListItem {
  mine: boolean;
}

/** stages assigned to me, then unassigned stages I may pick up; newest first within priority */
export async function reviewQueue(db: Sql, projectId: string, actor: Actor, settings: ProjectSettings, limit = 200): Promise<QueueItem[]> {
  const params: SqlParam[] = [];
  const where = orderWhere(projectId, actor, settings, { workflow: 'clinical' }, params);
  params.push(actor.userId);
  const me = `$${params.length}`;
  const pickable = can(actor, 'orders:write') ? `OR (s.assignee_id IS NULL AND s.state = 'unassigned')` : '';
  const rows = await db.query<Row>(
    `SELECT o.*, s.state AS stage_state, s.assignee_id AS stage_assignee, u.name AS assignee_name, (s.assignee_id = ${me}) AS mine
     FROM ${ORDER_FROM}
     WHERE ${where} AND o.status NOT IN ('completed', 'cancelled') AND s.state NOT IN ('completed', 'skipped')
       AND (s.assignee_id = ${me} ${pickable})
     ORDER BY (s.assignee_id = ${me}) DESC NULLS LAST, ${SORT_SQL.priority} DESC, o.created_at DESC, o.id
     LIMIT ${Math.floor(limit)}`,
    params,
  );
  return rows.map((r) => ({ ...toListItem(r), mine: Boolean(r.mine) }));
}
