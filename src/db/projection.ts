import {
  withOrderUpdate,
  type Analysis,
  type Curation,
  type Event,
  type Labflow,
  type Membership,
  type Order,
  type OrderSample,
  type OrderStage,
  type OrderUpdatedEvent,
  type Project,
  type Report,
  type Sample,
  type StatusNote,
  type TransitionRecord,
  type User,
} from '../core/index.ts';
import { insertReport, readAnalysis, toCuration, toReport, upsertAnalysis, upsertCuration } from './reports.ts';
import { jsonRow, jsonRows, jsonValue, toLabflow, toMembership, toNote, toOrder, toOrderSample, toProject, toSample, toStage, toTransition, toUser } from './rows.ts';
import type { Sql, SqlParam } from './sql.ts';
import { saveLabflow } from './state.ts';

// the project document's entries as JSON, read from rows (relay) and written back as rows
// (replica). One entry per order holds everything about it, so it travels atomically.

export interface HistoryRow extends TransitionRecord {
  seq: number;
  prevHash: string;
  hash: string;
}

export interface OrderEntry {
  order: Order;
  stages: OrderStage[];
  samples: OrderSample[];
  notes: StatusNote[];
  history: HistoryRow[];
  /** every version, oldest first; signed ones with their rendered text and hash */
  reports: Report[];
  curations: Curation[];
  /** analyses linked to the order (each travels as its own entry) */
  analysisIds: string[];
}

export interface UserEntry {
  user: User;
  membership: Membership | null;
}

export type EntityKey =
  | { kind: 'order'; id: string }
  | { kind: 'sample'; id: string }
  | { kind: 'labflow'; id: string }
  | { kind: 'user'; id: string }
  | { kind: 'analysis'; id: string }
  | { kind: 'project' };

/** the order rows must be written in: what a row references comes before it */
export const ENTITY_ORDER: Readonly<Record<EntityKey['kind'], number>> = { project: 0, user: 1, labflow: 2, sample: 3, order: 4, analysis: 5 };

export const ENTITY_MAPS = { order: 'orders', sample: 'samples', labflow: 'labflows', user: 'users', analysis: 'analyses' } as const;

type Row = Record<string, unknown>;

/** one order's entry, whatever its project */
export async function readOrderEntry(db: Sql, orderId: string): Promise<OrderEntry | null> {
  return (await readOrderEntries(db, null, [orderId])).get(orderId) ?? null;
}

export async function readSample(db: Sql, id: string): Promise<Sample | null> {
  const r = (await db.query<Row>('SELECT * FROM samples WHERE id = $1', [id]))[0];
  return r ? toSample(r) : null;
}

export async function readLabflow(db: Sql, id: string): Promise<Labflow | null> {
  const r = (await db.query<Row>('SELECT * FROM labflows WHERE id = $1', [id]))[0];
  return r ? toLabflow(r) : null;
}

export async function readUserEntry(db: Sql, projectId: string, id: string): Promise<UserEntry | null> {
  const u = (await db.query<Row>('SELECT * FROM users WHERE id = $1', [id]))[0];
  if (!u) return null;
  const m = (await db.query<Row>('SELECT * FROM memberships WHERE project_id = $1 AND user_id = $2', [projectId, id]))[0];
  return { user: toUser(u), membership: m ? toMembership(m) : null };
}

export async function readProjectRow(db: Sql, projectId: string): Promise<Project | null> {
  const r = (await db.query<Row>('SELECT * FROM projects WHERE id = $1', [projectId]))[0];
  return r ? toProject(r) : null;
}

export async function readEntity(db: Sql, projectId: string, key: EntityKey): Promise<unknown> {
  switch (key.kind) {
    case 'order':
      return readOrderEntry(db, key.id);
    case 'sample':
      return readSample(db, key.id);
    case 'labflow':
      return readLabflow(db, key.id);
    case 'user':
      return readUserEntry(db, projectId, key.id);
    case 'analysis':
      return readAnalysis(db, key.id);
    case 'project':
      return readProjectRow(db, projectId);
  }
}

/** every entity key of a project, for a full reconcile */
export async function allEntityKeys(db: Sql, projectId: string): Promise<EntityKey[]> {
  const [orders, samples, labflows, users, analyses] = await Promise.all([
    db.query<{ id: string }>('SELECT id FROM orders WHERE project_id = $1', [projectId]),
    db.query<{ id: string }>('SELECT id FROM samples WHERE project_id = $1', [projectId]),
    db.query<{ id: string }>('SELECT id FROM labflows'),
    db.query<{ id: string }>('SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id AND m.project_id = $1', [projectId]),
    db.query<{ id: string }>('SELECT id FROM analyses WHERE project_id = $1', [projectId]),
  ]);
  return [
    // referenced rows first: a replica applies them in this order (foreign keys)
    { kind: 'project' },
    ...users.map((r) => ({ kind: 'user' as const, id: String(r.id) })),
    ...labflows.map((r) => ({ kind: 'labflow' as const, id: String(r.id) })),
    ...samples.map((r) => ({ kind: 'sample' as const, id: String(r.id) })),
    ...orders.map((r) => ({ kind: 'order' as const, id: String(r.id) })),
    ...analyses.map((r) => ({ kind: 'analysis' as const, id: String(r.id) })),
  ];
}

/** which entries an accepted command's events changed */
export function touchedBy(events: readonly Event[]): EntityKey[] {
  const keys = new Map<string, EntityKey>();
  const add = (k: EntityKey) => keys.set(k.kind === 'project' ? 'project' : `${k.kind}:${k.id}`, k);
  for (const e of events) {
    switch (e.type) {
      case 'order.created':
        add({ kind: 'order', id: e.order.id });
        break;
      case 'order.updated':
      case 'order.deleted':
      case 'order.sampleRemoved':
        add({ kind: 'order', id: e.orderId });
        break;
      case 'stage.updated':
        add({ kind: 'order', id: e.stage.orderId });
        break;
      case 'transition.recorded':
        add({ kind: 'order', id: e.record.orderId });
        break;
      case 'order.sampleAdded':
        add({ kind: 'order', id: e.link.orderId });
        break;
      case 'note.added':
        add({ kind: 'order', id: e.note.orderId });
        break;
      case 'sample.created':
        add({ kind: 'sample', id: e.sample.id });
        break;
      case 'sample.updated':
        add({ kind: 'sample', id: e.sampleId });
        break;
      case 'settings.updated':
        add({ kind: 'project' });
        break;
      case 'labflow.saved':
        add({ kind: 'labflow', id: e.labflow.id });
        break;
      case 'curation.saved':
        add({ kind: 'order', id: e.curation.orderId });
        break;
      case 'report.created':
      case 'report.signed':
        add({ kind: 'order', id: e.report.orderId });
        break;
      case 'report.updated':
        add({ kind: 'order', id: e.orderId });
        break;
      case 'analysis.created':
        add({ kind: 'analysis', id: e.analysis.id });
        if (e.analysis.orderId) add({ kind: 'order', id: e.analysis.orderId });
        break;
      case 'analysis.updated':
        add({ kind: 'analysis', id: e.analysisId });
        if (e.patch.orderId) add({ kind: 'order', id: e.patch.orderId });
        break;
    }
  }
  return [...keys.values()];
}

// --- replica side: entries back into rows ----------------------------------------------

async function upsertOrderRow(tx: Sql, o: Order): Promise<void> {
  await tx.query(
    `INSERT INTO orders (id, project_id, display_id, workflow, status, mode, priority, accession, external_id, description,
       clinical_indication, ordering_provider, ordering_facility, tags, properties, admin_notes, labflow_id, created_by,
       department_id, slug_frozen, version, created_at, updated_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15::jsonb,$16,$17,$18,$19,$20,$21,$22,$23)
     ON CONFLICT (id) DO UPDATE SET display_id = EXCLUDED.display_id, status = EXCLUDED.status, mode = EXCLUDED.mode,
       priority = EXCLUDED.priority, accession = EXCLUDED.accession, external_id = EXCLUDED.external_id,
       description = EXCLUDED.description, clinical_indication = EXCLUDED.clinical_indication,
       ordering_provider = EXCLUDED.ordering_provider, ordering_facility = EXCLUDED.ordering_facility, tags = EXCLUDED.tags,
       properties = EXCLUDED.properties, admin_notes = EXCLUDED.admin_notes, labflow_id = EXCLUDED.labflow_id,
       slug_frozen = EXCLUDED.slug_frozen, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at`,
    [
      o.id, o.projectId, o.displayId, o.workflow, o.status, o.mode, o.priority, o.accession, o.externalId, o.description,
      o.clinicalIndication, o.orderingProvider, o.orderingFacility, o.tags, JSON.stringify(o.properties), o.adminNotes,
      o.labflowId, o.createdBy, o.departmentId, o.slugFrozen, o.version, o.createdAt, o.updatedAt,
    ],
  );
}

export async function replaceOrderRows(tx: Sql, orderId: string, entry: OrderEntry | null, opts: { history: boolean }): Promise<void> {
  if (!entry) {
    await tx.query('DELETE FROM orders WHERE id = $1', [orderId]);
    return;
  }
  await upsertOrderRow(tx, entry.order);
  await tx.query('DELETE FROM order_stages WHERE order_id = $1', [orderId]);
  for (const s of entry.stages)
    await tx.query('INSERT INTO order_stages (order_id, stage_code, position, state, assignee_id, updated_at) VALUES ($1,$2,$3,$4,$5,$6)', [
      s.orderId, s.stageCode, s.position, s.state, s.assigneeId, s.updatedAt,
    ]);
  await tx.query('DELETE FROM order_samples WHERE order_id = $1', [orderId]);
  for (const l of entry.samples)
    await tx.query('INSERT INTO order_samples (order_id, sample_id, role) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING', [l.orderId, l.sampleId, l.role]);
  await tx.query('DELETE FROM status_notes WHERE order_id = $1', [orderId]);
  for (const n of entry.notes)
    await tx.query('INSERT INTO status_notes (id, order_id, kind, from_status, to_status, text, author_id, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)', [
      Number(n.id), n.orderId, n.kind, n.fromStatus, n.toStatus, n.text, n.authorId, n.createdAt,
    ]);
  // replica rows: the entry is the truth (entries stored before reports joined them have none)
  await tx.query('DELETE FROM curations WHERE order_id = $1', [orderId]);
  for (const c of entry.curations ?? []) await upsertCuration(tx, c);
  await tx.query('DELETE FROM reports WHERE order_id = $1', [orderId]);
  for (const r of [...(entry.reports ?? [])].sort((a, b) => a.version - b.version)) await insertReport(tx, r);
  // an analysis entry may have arrived before its order: link it now
  if (entry.analysisIds?.length)
    await tx.query('UPDATE analyses SET order_id = $1 WHERE id = ANY($2::uuid[]) AND order_id IS NULL', [orderId, entry.analysisIds]);
  if (opts.history)
    for (const h of entry.history)
      await tx.query(
        `INSERT INTO stage_transitions (seq, project_id, order_id, from_stage, to_stage, from_state, to_state, transition_id,
           transitioned_by, transitioned_at, notes, tags, properties, prev_hash, hash)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13::jsonb,$14,$15) ON CONFLICT (seq) DO NOTHING`,
        [h.seq, entry.order.projectId, h.orderId, h.fromStage, h.toStage, h.fromState, h.toState, h.transitionId, h.transitionedBy, h.transitionedAt, h.notes, h.tags, JSON.stringify(h.properties), h.prevHash, h.hash],
      );
}

export async function replaceSampleRow(tx: Sql, id: string, s: Sample | null): Promise<void> {
  if (!s) {
    await tx.query('DELETE FROM samples WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM order_samples WHERE sample_id = $1)', [id]);
    return;
  }
  await tx.query(
    `INSERT INTO samples (id, project_id, display_id, subject_id, sample_type, specimen_type, sex, fastq_1, fastq_2,
       strandedness, accession, tags, properties, qc_result, sample_notes, created_by, created_at, version)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13::jsonb,$14,$15,$16,$17,$18)
     ON CONFLICT (id) DO UPDATE SET display_id = EXCLUDED.display_id, subject_id = EXCLUDED.subject_id,
       sample_type = EXCLUDED.sample_type, specimen_type = EXCLUDED.specimen_type, sex = EXCLUDED.sex,
       fastq_1 = EXCLUDED.fastq_1, fastq_2 = EXCLUDED.fastq_2, strandedness = EXCLUDED.strandedness,
       accession = EXCLUDED.accession, tags = EXCLUDED.tags, properties = EXCLUDED.properties,
       qc_result = EXCLUDED.qc_result, sample_notes = EXCLUDED.sample_notes, version = EXCLUDED.version`,
    [s.id, s.projectId, s.displayId, s.subjectId, s.sampleType, s.specimenType, s.sex, s.fastq1, s.fastq2, s.strandedness, s.accession, s.tags, JSON.stringify(s.properties), s.qcResult, s.sampleNotes, s.createdBy, s.createdAt, s.version],
  );
}

export async function replaceUserRows(tx: Sql, projectId: string, id: string, e: UserEntry | null): Promise<void> {
  if (!e) {
    await tx.query('DELETE FROM memberships WHERE project_id = $1 AND user_id = $2', [projectId, id]);
    return;
  }
  const u = e.user;
  await tx.query(
    `INSERT INTO users (id, name, display_name, superadmin, org_role, department_id, created_at, revoked_at)
     VALUES ($1,$2,$3,$4,$5,$6,now(),$7)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, display_name = EXCLUDED.display_name, superadmin = EXCLUDED.superadmin,
       org_role = EXCLUDED.org_role, department_id = EXCLUDED.department_id, revoked_at = EXCLUDED.revoked_at`,
    [u.id, u.name, u.displayName, u.superadmin, u.orgRole, u.departmentId, u.revokedAt],
  );
  await tx.query('DELETE FROM memberships WHERE project_id = $1 AND user_id = $2', [projectId, id]);
  if (e.membership)
    await tx.query('INSERT INTO memberships (project_id, user_id, role, facility_role) VALUES ($1,$2,$3,$4)', [projectId, id, e.membership.role, e.membership.facilityRole]);
}

export async function replaceProjectRow(tx: Sql, p: Project | null): Promise<void> {
  if (!p) return;
  await tx.query(
    `INSERT INTO projects (id, name, org_id, settings, created_at) VALUES ($1,$2,$3,$4::jsonb,now())
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, org_id = EXCLUDED.org_id, settings = EXCLUDED.settings`,
    [p.id, p.name, p.orgId, JSON.stringify(p.settings)],
  );
}

export async function replaceLabflowRow(tx: Sql, _id: string, l: Labflow | null): Promise<void> {
  if (!l) return; // labflows are never deleted; orders keep their version
  await saveLabflow(tx, l);
}

export async function replaceAnalysisRow(tx: Sql, id: string, a: Analysis | null): Promise<void> {
  if (!a) {
    await tx.query('DELETE FROM analyses WHERE id = $1', [id]);
    return;
  }
  await upsertAnalysis(tx, a);
}

/** writes one entry of the project document into replica rows */
export async function applyEntry(tx: Sql, projectId: string, key: EntityKey, value: unknown): Promise<void> {
  switch (key.kind) {
    case 'order':
      return replaceOrderRows(tx, key.id, (value as OrderEntry | null) ?? null, { history: true });
    case 'sample':
      return replaceSampleRow(tx, key.id, (value as Sample | null) ?? null);
    case 'labflow':
      return replaceLabflowRow(tx, key.id, (value as Labflow | null) ?? null);
    case 'user':
      return replaceUserRows(tx, projectId, key.id, (value as UserEntry | null) ?? null);
    case 'analysis':
      return replaceAnalysisRow(tx, key.id, (value as Analysis | null) ?? null);
    case 'project':
      return replaceProjectRow(tx, (value as Project | null) ?? null);
  }
}

/**
 * order entries of a project in one query whatever their number: every order, or only
 * those in `ids` (a reconcile reads thousands, a projection the few a batch touched).
 * Child rows come back as JSON arrays, mapped by the same row mappers.
 */
export async function readOrderEntries(db: Sql, projectId: string | null, ids?: readonly string[]): Promise<Map<string, OrderEntry>> {
  if (ids && ids.length === 0) return new Map();
  const params: SqlParam[] = [];
  const where: string[] = [];
  if (projectId !== null) where.push(`o.project_id = $${params.push(projectId)}`);
  if (ids) where.push(`o.id = ANY($${params.push([...ids])}::uuid[])`);
  const rows = await db.query<Row>(
    `SELECT row_to_json(o) AS o,
       (SELECT coalesce(json_agg(s ORDER BY s.position), '[]') FROM order_stages s WHERE s.order_id = o.id) AS stages,
       (SELECT coalesce(json_agg(l ORDER BY l.sample_id), '[]') FROM order_samples l WHERE l.order_id = o.id) AS samples,
       (SELECT coalesce(json_agg(n ORDER BY n.id), '[]') FROM status_notes n WHERE n.order_id = o.id) AS notes,
       (SELECT coalesce(json_agg(h ORDER BY h.seq), '[]') FROM stage_transitions h WHERE h.order_id = o.id) AS history,
       (SELECT coalesce(json_agg(r ORDER BY r.version), '[]') FROM reports r WHERE r.order_id = o.id) AS reports,
       (SELECT coalesce(json_agg(c ORDER BY c.variant_id), '[]') FROM curations c WHERE c.order_id = o.id) AS curations,
       (SELECT coalesce(json_agg(a.id ORDER BY a.id), '[]') FROM analyses a WHERE a.order_id = o.id) AS analyses
     FROM orders o${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`,
    params,
  );
  const out = new Map<string, OrderEntry>();
  for (const r of rows) {
    const order = toOrder(jsonRow(r.o));
    out.set(order.id, {
      order,
      stages: jsonRows(r.stages).map(toStage),
      samples: jsonRows(r.samples).map(toOrderSample),
      notes: jsonRows(r.notes).map(toNote),
      history: jsonRows(r.history).map((h) => ({ ...toTransition(h), prevHash: String(h.prev_hash), hash: String(h.hash) })),
      reports: jsonRows(r.reports).map(toReport),
      curations: jsonRows(r.curations).map(toCuration),
      analysisIds: (jsonValue(r.analyses) as unknown[]).map(String),
    });
  }
  return out;
}

/** every order entry of a project */
export function readAllOrderEntries(db: Sql, projectId: string): Promise<Map<string, OrderEntry>> {
  return readOrderEntries(db, projectId);
}

/** the current values of some entries: orders read together, the rest one by one */
export async function readEntities(db: Sql, projectId: string, keys: readonly EntityKey[]): Promise<{ key: EntityKey; value: unknown }[]> {
  const orderIds = keys.filter((k) => k.kind === 'order').map((k) => (k as { id: string }).id);
  const [orders, others] = await Promise.all([
    readOrderEntries(db, projectId, orderIds),
    Promise.all(keys.filter((k) => k.kind !== 'order').map(async (key) => ({ key, value: await readEntity(db, projectId, key) }))),
  ]);
  return [...keys.filter((k) => k.kind === 'order').map((key) => ({ key, value: orders.get((key as { id: string }).id) ?? null })), ...others];
}

/** an order's field updates in commit order, or null when its entry must be read again */
export type OrderPatches = OrderUpdatedEvent[] | null;

/**
 * what commands did to each order they touched, where the order's entry can follow from
 * the events alone: field updates whose values read back exactly as written (not the
 * display id, whose slug the database computes, nor jsonb properties, whose keys it
 * reorders). null: something else touched the order, so its entry must be read again.
 */
export function orderPatchesOf(events: readonly Event[]): Map<string, OrderPatches> {
  const out = new Map<string, OrderPatches>();
  for (const e of events)
    for (const key of touchedBy([e])) {
      if (key.kind !== 'order') continue;
      const simple = e.type === 'order.updated' && !('displayId' in e.patch) && !('properties' in e.patch);
      const list = out.has(key.id) ? out.get(key.id)! : [];
      out.set(key.id, simple && list ? [...list, e] : null);
    }
  return out;
}

/** appends later patches to earlier ones, order by order (null wins) */
export function mergeOrderPatches(into: Map<string, OrderPatches>, later: ReadonlyMap<string, OrderPatches>): void {
  for (const [id, list] of later) {
    const before = into.has(id) ? into.get(id)! : [];
    into.set(id, before && list ? [...before, ...list] : null);
  }
}

/** an order entry after field updates, in order */
export function foldOrderPatches(entry: OrderEntry, patches: readonly OrderUpdatedEvent[]): OrderEntry {
  return { ...entry, order: patches.reduce(withOrderUpdate, entry.order) };
}
