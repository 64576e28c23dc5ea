import {
  actorFrom,
  needs,
  slugify,
  withOrderUpdate,
  type Actor,
  type Command,
  type DecideState,
  type Event,
  type Labflow,
  type Order,
  type OrderAggregate,
  type OrderUpdatedEvent,
  type Project,
  type Sample,
  type StageUpdatedEvent,
  type TransitionRecord,
} from '../core/index.ts';
import { appendTransitions } from './chain.ts';
import { insertReport, orderReports, signReport, toAnalysis, toCuration, updateAnalysis, updateReport, upsertAnalysis, upsertCuration } from './reports.ts';
import { jsonRow, jsonRows, toLabflow, toMembership, toOrder, toOrderSample, toProject, toSample, toStage, toUser } from './rows.ts';
import type { Sql, SqlParam } from './sql.ts';

type Row = Record<string, unknown>;

export async function loadProject(sql: Sql, projectId: string) {
  const r = (await sql.query<Row>('SELECT * FROM projects WHERE id = $1', [projectId]))[0];
  return r ? toProject(r) : null;
}

/** the actor with roles as the database has them now (never from a token) */
export async function loadActor(sql: Sql, projectId: string, userId: string): Promise<Actor | null> {
  const u = (await sql.query<Row>('SELECT * FROM users WHERE id = $1', [userId]))[0];
  if (!u || u.revoked_at) return null;
  const m = (await sql.query<Row>('SELECT * FROM memberships WHERE project_id = $1 AND user_id = $2', [projectId, userId]))[0];
  return actorFrom(toUser(u), m ? toMembership(m) : null);
}

/**
 * the actors of (project, user) pairs, keyed `projectId/userId`, from rows holding
 * `project_id`, `u` (the user row) and `m` (the membership row or null); a pair without a
 * row, or with a revoked user, maps to null
 */
export function actorsFromRows(pairs: readonly { projectId: string; userId: string }[], rows: readonly Row[]): Map<string, Actor | null> {
  const out = new Map<string, Actor | null>(pairs.map((p) => [`${p.projectId}/${p.userId}`, null]));
  for (const r of rows) {
    const user = toUser(jsonRow(r.u));
    if (user.revokedAt) continue;
    out.set(`${String(r.project_id)}/${user.id}`, actorFrom(user, r.m ? toMembership(jsonRow(r.m)) : null));
  }
  return out;
}

/** labflows by id, in one query */
async function loadLabflows(sql: Sql, ids: readonly string[]): Promise<Map<string, Labflow>> {
  if (ids.length === 0) return new Map();
  const rows = await sql.query<Row>('SELECT * FROM labflows WHERE id = ANY($1::text[])', [[...ids]]);
  return new Map(rows.map((l) => [String(l.id), toLabflow(l)]));
}

/**
 * orders with what deciding on them needs, in one query whatever their number (plus one
 * for their labflows, unless `labflow` supplies them); `lock` locks the order rows, in id
 * order. Orders that do not exist in the project map to null.
 */
export async function loadAggregates(
  sql: Sql,
  projectId: string,
  orderIds: readonly string[],
  opts: { lock?: boolean; labflow?: (ids: readonly string[]) => Promise<ReadonlyMap<string, Labflow>> } = {},
): Promise<Map<string, OrderAggregate | null>> {
  const out = new Map<string, OrderAggregate | null>(orderIds.map((id) => [id, null]));
  if (orderIds.length === 0) return out;
  const rows = await sql.query<Row>(
    `SELECT row_to_json(o) AS o,
       (SELECT coalesce(json_agg(s ORDER BY s.position), '[]') FROM order_stages s WHERE s.order_id = o.id) AS stages,
       (SELECT coalesce(json_agg(l ORDER BY l.sample_id), '[]') FROM order_samples l WHERE l.order_id = o.id) AS samples,
       EXISTS (SELECT 1 FROM reports r WHERE r.order_id = o.id AND r.status = 'signed') AS signed,
       EXISTS (SELECT 1 FROM status_notes n WHERE n.order_id = o.id AND n.kind = 'SAMPLES_SENT') AS sent
     FROM orders o WHERE o.id = ANY($1::uuid[]) AND o.project_id = $2
     ORDER BY o.id${opts.lock ? ' FOR UPDATE OF o' : ''}`,
    [[...new Set(orderIds)], projectId],
  );
  const orders = rows.map((r) => ({ r, order: toOrder(jsonRow(r.o)) }));
  const labflowIds = [...new Set(orders.map(({ order }) => order.labflowId).filter((id): id is string => id !== null))];
  const labflows = await (opts.labflow ?? ((ids) => loadLabflows(sql, ids)))(labflowIds);
  for (const { r, order } of orders)
    out.set(order.id, {
      order,
      stages: jsonRows(r.stages).map(toStage),
      samples: jsonRows(r.samples).map(toOrderSample),
      labflow: order.labflowId ? (labflows.get(order.labflowId) ?? null) : null,
      hasSignedReport: Boolean(r.signed),
      samplesSentRecorded: Boolean(r.sent),
    });
  return out;
}

/** an order with what deciding on it needs (locking the order row with `lock`) */
export async function loadAggregate(sql: Sql, projectId: string, orderId: string, lock = false): Promise<OrderAggregate | null> {
  return (await loadAggregates(sql, projectId, [orderId], { lock })).get(orderId) ?? null;
}

/**
 * what one transaction has read already: projects and locked order aggregates, kept in
 * step with the events of the commands it accepts. Events it cannot follow exactly drop
 * what they touch (or everything), so the next command reads the rows again.
 */
export class DecideCache {
  readonly #projects = new Map<string, Project | null>();
  readonly #orders = new Map<string, OrderAggregate | null>();
  readonly #labflows = new Map<string, Labflow | null>();

  /** a project row the caller has read already in this transaction */
  primeProject(project: Project): void {
    this.#projects.set(project.id, project);
  }

  async project(sql: Sql, projectId: string): Promise<Project | null> {
    if (!this.#projects.has(projectId)) this.#projects.set(projectId, await loadProject(sql, projectId));
    return this.#projects.get(projectId) ?? null;
  }

  async order(sql: Sql, projectId: string, orderId: string): Promise<OrderAggregate | null> {
    const key = `${projectId}/${orderId}`;
    if (!this.#orders.has(key)) await this.preload(sql, projectId, [orderId]);
    return this.#orders.get(key) ?? null;
  }

  /** loads (and locks) the orders not cached yet in one query: a batch names its orders up front */
  async preload(sql: Sql, projectId: string, orderIds: readonly string[]): Promise<void> {
    const missing = orderIds.filter((id) => !this.#orders.has(`${projectId}/${id}`));
    if (missing.length === 0) return;
    const loaded = await loadAggregates(sql, projectId, missing, { lock: true, labflow: (ids) => this.#labflowsById(sql, ids) });
    for (const [id, a] of loaded) this.#orders.set(`${projectId}/${id}`, a);
  }

  async #labflowsById(sql: Sql, ids: readonly string[]): Promise<ReadonlyMap<string, Labflow>> {
    const missing = ids.filter((id) => !this.#labflows.has(id));
    if (missing.length) {
      const loaded = await loadLabflows(sql, missing);
      for (const id of missing) this.#labflows.set(id, loaded.get(id) ?? null);
    }
    const out = new Map<string, Labflow>();
    for (const id of ids) {
      const l = this.#labflows.get(id);
      if (l) out.set(id, l);
    }
    return out;
  }

  /** brings what is cached in line with an accepted command's events */
  apply(projectId: string, events: readonly Event[]): void {
    const key = (orderId: string) => `${projectId}/${orderId}`;
    for (const e of events) {
      switch (e.type) {
        case 'order.updated': {
          const a = this.#orders.get(key(e.orderId));
          // the slug is the database's to compute
          if (a && !('displayId' in e.patch)) a.order = withOrderUpdate(a.order, e);
          else this.#orders.delete(key(e.orderId));
          break;
        }
        case 'stage.updated': {
          const a = this.#orders.get(key(e.stage.orderId));
          if (a) a.stages = a.stages.map((s) => (s.stageCode === e.stage.stageCode ? { ...e.stage } : s));
          break;
        }
        case 'note.added': {
          const a = this.#orders.get(key(e.note.orderId));
          if (a && e.note.kind === 'SAMPLES_SENT') a.samplesSentRecorded = true;
          break;
        }
        case 'transition.recorded':
        case 'curation.saved':
        case 'report.created':
        case 'report.updated':
        case 'analysis.created':
        case 'analysis.updated':
          break; // nothing cached reads these
        case 'order.created':
        case 'order.deleted':
        case 'order.sampleRemoved':
          this.#orders.delete(key(e.type === 'order.created' ? e.order.id : e.orderId));
          break;
        case 'order.sampleAdded':
          this.#orders.delete(key(e.link.orderId));
          break;
        case 'report.signed':
          this.#orders.delete(key(e.report.orderId));
          break;
        default:
          // samples, settings, labflows: read everything again
          this.#projects.clear();
          this.#orders.clear();
          this.#labflows.clear();
      }
    }
  }
}

/** loads the slice of state `decide` needs for this command, locking the order row */
export async function loadDecideState(
  sql: Sql,
  projectId: string,
  actor: Actor,
  command: Command,
  now: string,
  cache: DecideCache = new DecideCache(),
): Promise<DecideState | null> {
  const project = await cache.project(sql, projectId);
  if (!project) return null;
  const n = needs(command);
  const state: DecideState = { now, project, actor };
  if (n.orderId) state.order = await cache.order(sql, projectId, n.orderId);
  if (n.sampleId) {
    const s = (await sql.query<Row>('SELECT * FROM samples WHERE id = $1 AND project_id = $2', [n.sampleId, projectId]))[0];
    state.sample = s ? toSample(s) : null;
    const statuses = await sql.query<{ status: string }>(
      `SELECT o.status FROM order_samples l JOIN orders o ON o.id = l.order_id WHERE l.sample_id = $1 AND o.workflow = 'facility'`,
      [n.sampleId],
    );
    state.sampleFacilityStatuses = statuses.map((r) => r.status);
  }
  if (n.displayId) {
    // orders are unique by slug too: files are written under it
    const taken =
      n.displayId.kind === 'order'
        ? await sql.query<Row>(`SELECT 1 FROM orders WHERE project_id = $1 AND (display_id = $2 OR slug = $3) AND id::text <> $4 LIMIT 1`, [
            projectId,
            n.displayId.value,
            slugify(n.displayId.value),
            n.displayId.exceptId ?? '',
          ])
        : await sql.query<Row>(`SELECT 1 FROM samples WHERE project_id = $1 AND display_id = $2 AND id::text <> $3 LIMIT 1`, [
            projectId,
            n.displayId.value,
            n.displayId.exceptId ?? '',
          ]);
    state.displayIdTaken = taken.length > 0;
  }
  if (n.labflows) state.labflows = (await sql.query<Row>('SELECT * FROM labflows ORDER BY id')).map(toLabflow);
  if (n.userId) {
    const u = (await sql.query<Row>('SELECT * FROM users WHERE id = $1', [n.userId]))[0];
    if (!u) state.target = null;
    else {
      const m = (await sql.query<Row>('SELECT * FROM memberships WHERE project_id = $1 AND user_id = $2', [projectId, n.userId]))[0];
      state.target = { user: toUser(u), membership: m ? toMembership(m) : null };
    }
  }
  // reports and curations are serialised by the order row's lock taken above
  if (n.reports && n.orderId) state.reports = await orderReports(sql, n.orderId);
  if (n.curation) {
    const c = (await sql.query<Row>('SELECT * FROM curations WHERE order_id = $1 AND variant_id = $2', [n.curation.orderId, n.curation.variantId]))[0];
    state.curation = c ? toCuration(c) : null;
  }
  if (n.analysisId) {
    const a = (await sql.query<Row>('SELECT * FROM analyses WHERE id = $1 AND project_id = $2 FOR UPDATE', [n.analysisId, projectId]))[0];
    state.analysis = a ? toAnalysis(a) : null;
  }
  if (n.analysisDisplayId !== undefined)
    state.analysisDisplayIdTaken =
      (await sql.query<Row>('SELECT 1 FROM analyses WHERE project_id = $1 AND display_id = $2 LIMIT 1', [projectId, n.analysisDisplayId])).length > 0;
  if (n.sampleIds)
    state.knownSampleIds = n.sampleIds.length
      ? (await sql.query<{ id: string }>('SELECT id FROM samples WHERE project_id = $1 AND id = ANY($2::uuid[])', [projectId, n.sampleIds])).map((r) => String(r.id))
      : [];
  if (n.actorDisplayName) {
    const u = (await sql.query<Row>('SELECT display_name FROM users WHERE id = $1', [actor.userId]))[0];
    state.actorDisplayName = u ? String(u.display_name) : actor.name;
  }
  return state;
}

const ORDER_COLUMNS: Record<string, string> = {
  displayId: 'display_id',
  status: 'status',
  mode: 'mode',
  priority: 'priority',
  accession: 'accession',
  externalId: 'external_id',
  description: 'description',
  clinicalIndication: 'clinical_indication',
  orderingProvider: 'ordering_provider',
  orderingFacility: 'ordering_facility',
  tags: 'tags',
  properties: 'properties',
  adminNotes: 'admin_notes',
  slugFrozen: 'slug_frozen',
};

const SAMPLE_COLUMNS: Record<string, string> = {
  displayId: 'display_id',
  subjectId: 'subject_id',
  sampleType: 'sample_type',
  specimenType: 'specimen_type',
  sex: 'sex',
  fastq1: 'fastq_1',
  fastq2: 'fastq_2',
  strandedness: 'strandedness',
  accession: 'accession',
  tags: 'tags',
  properties: 'properties',
  qcResult: 'qc_result',
  sampleNotes: 'sample_notes',
};

/** SQL types of the order columns a patch may set (for jsonb_to_recordset) */
const ORDER_COLUMN_TYPES: Record<string, string> = {
  display_id: 'text',
  status: 'text',
  mode: 'text',
  priority: 'text',
  accession: 'text',
  external_id: 'text',
  description: 'text',
  clinical_indication: 'text',
  ordering_provider: 'text',
  ordering_facility: 'text',
  tags: 'text[]',
  properties: 'jsonb',
  admin_notes: 'text',
  slug_frozen: 'boolean',
};

/**
 * many orders' field updates in one statement per set of patched fields (each order at
 * most once): what writeEvents does for each order.updated event, in bulk
 */
export async function writeOrderUpdates(tx: Sql, events: readonly OrderUpdatedEvent[]): Promise<void> {
  const groups = new Map<string, OrderUpdatedEvent[]>();
  for (const e of events) {
    const cols = Object.keys(e.patch)
      .filter((k) => ORDER_COLUMNS[k] && (e.patch as Record<string, unknown>)[k] !== undefined)
      .sort()
      .join(',');
    groups.set(cols, [...(groups.get(cols) ?? []), e]);
  }
  for (const [key, group] of groups) {
    const fields = key ? key.split(',') : [];
    const cols = fields.map((k) => ORDER_COLUMNS[k]!);
    const records = group.map((e) => {
      const r: Record<string, unknown> = { id: e.orderId, version: e.version, updated_at: e.updatedAt };
      for (const [i, k] of fields.entries()) {
        const v = (e.patch as Record<string, unknown>)[k];
        r[cols[i]!] = k === 'properties' ? (v ?? {}) : (v ?? null);
      }
      return r;
    });
    await tx.query(
      `UPDATE orders o SET version = v.version, updated_at = v.updated_at${cols.map((c) => `, ${c} = v.${c}`).join('')}
         FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, version int, updated_at timestamptz${cols.map((c) => `, ${c} ${ORDER_COLUMN_TYPES[c]}`).join('')})
        WHERE o.id = v.id`,
      [JSON.stringify(records)],
    );
  }
}

/** many stage updates in one statement (each stage at most once) */
export async function writeStageUpdates(tx: Sql, events: readonly StageUpdatedEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.query(
    `UPDATE order_stages s SET state = v.state, assignee_id = v.assignee_id, updated_at = v.updated_at
       FROM jsonb_to_recordset($1::jsonb) AS v(order_id uuid, stage_code text, state text, assignee_id uuid, updated_at timestamptz)
      WHERE s.order_id = v.order_id AND s.stage_code = v.stage_code`,
    [JSON.stringify(events.map((e) => ({ order_id: e.stage.orderId, stage_code: e.stage.stageCode, state: e.stage.state, assignee_id: e.stage.assigneeId, updated_at: e.stage.updatedAt })))],
  );
}

function sqlValue(key: string, v: unknown): SqlParam {
  return (key === 'properties' ? JSON.stringify(v ?? {}) : v) as SqlParam;
}

function setClause(patch: Record<string, unknown>, columns: Record<string, string>, first: number): { sets: string[]; values: SqlParam[] } {
  const sets: string[] = [];
  const values: SqlParam[] = [];
  for (const [k, v] of Object.entries(patch)) {
    const col = columns[k];
    if (!col || v === undefined) continue; // slug is generated by the database
    values.push(sqlValue(k, v));
    sets.push(`${col} = $${first + values.length - 1}${k === 'properties' ? '::jsonb' : ''}`);
  }
  return { sets, values };
}

async function insertOrder(tx: Sql, o: Order): Promise<void> {
  await tx.query(
    `INSERT INTO orders (id, project_id, display_id, workflow, status, mode, priority, accession, external_id, description,
       clinical_indication, ordering_provider, ordering_facility, tags, properties, admin_notes, labflow_id, created_by,
       department_id, slug_frozen, version, created_at, updated_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15::jsonb,$16,$17,$18,$19,$20,$21,$22,$23)`,
    [
      o.id, o.projectId, o.displayId, o.workflow, o.status, o.mode, o.priority, o.accession, o.externalId, o.description,
      o.clinicalIndication, o.orderingProvider, o.orderingFacility, o.tags, JSON.stringify(o.properties), o.adminNotes,
      o.labflowId, o.createdBy, o.departmentId, o.slugFrozen, o.version, o.createdAt, o.updatedAt,
    ],
  );
}

async function insertSample(tx: Sql, s: Sample): Promise<void> {
  await tx.query(
    `INSERT INTO samples (id, project_id, display_id, subject_id, sample_type, specimen_type, sex, fastq_1, fastq_2,
       strandedness, accession, tags, properties, qc_result, sample_notes, created_by, created_at, version)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13::jsonb,$14,$15,$16,$17,$18)`,
    [
      s.id, s.projectId, s.displayId, s.subjectId, s.sampleType, s.specimenType, s.sex, s.fastq1, s.fastq2,
      s.strandedness, s.accession, s.tags, JSON.stringify(s.properties), s.qcResult, s.sampleNotes, s.createdBy,
      s.createdAt, s.version,
    ],
  );
}

/** writes the rows an accepted decision describes; history goes onto its chain */
export async function writeEvents(
  tx: Sql,
  projectId: string,
  events: readonly Event[],
  opts: { history?: boolean; /** collect the transitions here instead of appending them */ collect?: TransitionRecord[] } = {},
): Promise<void> {
  const history = [];
  for (const e of events) {
    switch (e.type) {
      case 'order.created':
        await insertOrder(tx, e.order);
        for (const s of e.stages)
          await tx.query(
            'INSERT INTO order_stages (order_id, stage_code, position, state, assignee_id, updated_at) VALUES ($1,$2,$3,$4,$5,$6)',
            [s.orderId, s.stageCode, s.position, s.state, s.assigneeId, s.updatedAt],
          );
        break;
      case 'order.updated': {
        const { sets, values } = setClause(e.patch as Record<string, unknown>, ORDER_COLUMNS, 4);
        await tx.query(
          `UPDATE orders SET version = $2, updated_at = $3${sets.length ? ', ' + sets.join(', ') : ''} WHERE id = $1`,
          [e.orderId, e.version, e.updatedAt, ...values],
        );
        break;
      }
      case 'order.deleted':
        await tx.query('DELETE FROM orders WHERE id = $1', [e.orderId]);
        break;
      case 'stage.updated':
        await tx.query(
          'UPDATE order_stages SET state = $3, assignee_id = $4, updated_at = $5 WHERE order_id = $1 AND stage_code = $2',
          [e.stage.orderId, e.stage.stageCode, e.stage.state, e.stage.assigneeId, e.stage.updatedAt],
        );
        break;
      case 'transition.recorded':
        history.push(e.record);
        break;
      case 'order.sampleAdded':
        await tx.query('INSERT INTO order_samples (order_id, sample_id, role) VALUES ($1,$2,$3)', [e.link.orderId, e.link.sampleId, e.link.role]);
        break;
      case 'order.sampleRemoved':
        await tx.query('DELETE FROM order_samples WHERE order_id = $1 AND sample_id = $2', [e.orderId, e.sampleId]);
        break;
      case 'sample.created':
        await insertSample(tx, e.sample);
        break;
      case 'sample.updated': {
        const { sets, values } = setClause(e.patch as Record<string, unknown>, SAMPLE_COLUMNS, 3);
        await tx.query(`UPDATE samples SET version = $2${sets.length ? ', ' + sets.join(', ') : ''} WHERE id = $1`, [e.sampleId, e.version, ...values]);
        break;
      }
      case 'note.added':
        // overlay notes take negative ids so they never collide with the relay's
        await tx.query(
          `INSERT INTO status_notes (id, order_id, kind, from_status, to_status, text, author_id, created_at)
           VALUES (${opts.history === false ? '-(SELECT COALESCE(MAX(abs(id)), 0) + 1 FROM status_notes)' : "nextval('status_notes_id_seq')"},$1,$2,$3,$4,$5,$6,$7)`,
          [e.note.orderId, e.note.kind, e.note.fromStatus, e.note.toStatus, e.note.text, e.note.authorId, e.note.createdAt],
        );
        break;
      case 'settings.updated':
        await tx.query('UPDATE projects SET settings = $2::jsonb WHERE id = $1', [projectId, JSON.stringify(e.settings)]);
        break;
      case 'labflow.saved':
        await saveLabflow(tx, e.labflow);
        break;
      case 'curation.saved':
        await upsertCuration(tx, e.curation);
        break;
      case 'report.created':
        await insertReport(tx, e.report);
        break;
      case 'report.updated':
        await updateReport(tx, e.reportId, e.patch, e.rowVersion, e.updatedAt);
        break;
      case 'report.signed':
        await signReport(tx, e.report, e.order, e.signature, e.amendsVersion);
        break;
      case 'analysis.created':
        await upsertAnalysis(tx, e.analysis);
        break;
      case 'analysis.updated':
        await updateAnalysis(tx, e.analysisId, e.patch, e.version, e.updatedAt);
        break;
    }
  }
  // a replica's optimistic overlay has no history of its own: the relay's chain is the record
  if (opts.collect) opts.collect.push(...history);
  else if (opts.history !== false) await appendTransitions(tx, projectId, history);
}

export async function saveLabflow(tx: Sql, l: Labflow, now = new Date().toISOString()): Promise<void> {
  await tx.query(
    `INSERT INTO labflows (id, scope, scope_ref, code, name, version, published, immutable, parent_id, stages, transitions, created_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10::jsonb,$11::jsonb,$12)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, published = EXCLUDED.published, immutable = EXCLUDED.immutable,
       stages = EXCLUDED.stages, transitions = EXCLUDED.transitions`,
    [l.id, l.scope, l.scopeRef, l.code, l.name, l.version, l.published, l.immutable, l.parentId, JSON.stringify(l.stages), JSON.stringify(l.transitions), now],
  );
}
