import {
  UUID_RE,
  Command,
  CommandEnvelope,
  decide,
  type Actor,
  type Project,
  type AuditEntry,
  type CommandResult,
  type Event,
  type OrderUpdatedEvent,
  type StageUpdatedEvent,
  type RejectionCode,
  type TransitionRecord,
} from '../core/index.ts';
import { appendAudit, AUDIT_COLUMNS, auditRows, TRANSITION_COLUMNS, transitionRows, type AuditInput, type ChainHead, type ChainName } from './chain.ts';
import { jsonRows, toProject } from './rows.ts';
import { insertSql, type Sql, type SqlParam } from './sql.ts';
import { actorsFromRows, DecideCache, loadActor, loadDecideState, writeEvents, writeOrderUpdates, writeStageUpdates } from './state.ts';

export type ProcessOutcome =
  /** the command's result: new, or the stored one for a repeated command id */
  | { kind: 'result'; result: CommandResult; duplicate: boolean; events: Event[] }
  /** an earlier seq of this client has not arrived yet: hold until the gap fills */
  | { kind: 'held'; expectedSeq: number }
  /** not an envelope at all (no usable command id): nothing can be stored */
  | { kind: 'malformed'; message: string };

export interface ProcessOptions {
  now?: () => Date;
  /** test hook: runs inside the transaction after all writes, before commit */
  beforeCommit?: (tx: Sql) => Promise<void>;
  /** a batch failed and runs again command by command (for logs) */
  onBatchRetry?: (err: unknown) => void;
}

type Row = Record<string, unknown>;

function toResult(r: Row): CommandResult {
  return {
    mid: String(r.mid),
    clientId: String(r.client_id),
    seq: Number(r.seq),
    status: r.status as CommandResult['status'],
    code: (r.code as RejectionCode | null) ?? null,
    message: (r.message as string | null) ?? null,
    commandType: (r.command_type as string | null) ?? null,
    entityType: (r.entity_type as string | null) ?? null,
    entityId: (r.entity_id as string | null) ?? null,
    entityVersion: r.entity_version === null || r.entity_version === undefined ? null : Number(r.entity_version),
    serverSeq: Number(r.server_seq),
    serverTime: r.server_time instanceof Date ? r.server_time.toISOString() : String(r.server_time),
    current: r.current ?? null,
  };
}

/** results take the next server_seq and come back whole */
const RESULT_INSERT = { returning: '*', values: { server_seq: "nextval('server_seq')" } };

/** a command_results row (RESULT_COLUMNS) */
function resultRow(projectId: string, userId: string, r: Omit<CommandResult, 'serverSeq'>): SqlParam[] {
  return [
    r.mid, r.clientId, r.seq, projectId, userId, r.commandType, r.status, r.code, r.message, r.entityType, r.entityId,
    r.entityVersion, r.serverTime, r.current === null || r.current === undefined ? null : JSON.stringify(r.current),
  ];
}

async function storeResult(tx: Sql, projectId: string, userId: string, r: Omit<CommandResult, 'serverSeq'>): Promise<CommandResult> {
  // the result and the cursor in one statement: one round trip less per command
  const params: SqlParam[] = [r.clientId, r.seq];
  const insert = insertSql('command_results', RESULT_COLUMNS, [resultRow(projectId, userId, r)], params, RESULT_INSERT);
  const rows = await tx.query<Row>(`WITH bumped AS (UPDATE client_cursors SET last_seq = $2 WHERE client_id = $1) ${insert}`, params);
  return toResult(rows[0]!);
}

function entityOf(command: Command): { type: string; id: string } {
  if ('orderId' in command) return { type: 'order', id: command.orderId };
  if ('sampleId' in command) return { type: 'sample', id: command.sampleId };
  if ('labflowId' in command) return { type: 'labflow', id: command.labflowId };
  if ('analysisId' in command) return { type: 'analysis', id: command.analysisId };
  return { type: 'project', id: '' };
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === '23505';
}

type Entity = { type: string; id: string };

/** what deciding one command came to; nothing is stored yet */
type Verdict =
  | { ok: false; code: RejectionCode; message: string; commandType: string | null; entity: Entity | null; current: unknown }
  | { ok: true; command: Command; actorId: string; events: Event[]; audit: AuditEntry; entityVersion: number | null };

/** the actors a transaction has read (roles as the database has them at processing time) */
type ActorCache = Map<string, Actor | null>;

async function actorIn(tx: Sql, actors: ActorCache, projectId: string, userId: string): Promise<Actor | null> {
  const key = `${projectId}/${userId}`;
  if (!actors.has(key)) actors.set(key, await loadActor(tx, projectId, userId));
  return actors.get(key) ?? null;
}

/**
 * decides one command inside a transaction: the client's ownership of its outbox, the
 * command's shape, the actor's roles read now, then `decide` against the rows (locked)
 */
async function verdictFor(
  tx: Sql,
  req: { projectId: string; userId: string; envelope: unknown },
  owner: string,
  now: string,
  cache: DecideCache,
  actors: ActorCache,
): Promise<Verdict> {
  const env = req.envelope as Partial<CommandEnvelope> | null;
  const no = (code: RejectionCode, message: string, commandType: string | null, entity: Entity | null, current: unknown = null): Verdict => ({
    ok: false,
    code,
    message,
    commandType,
    entity,
    current,
  });
  if (owner !== req.userId) return no('permission_denied', `Permission denied: client ${env?.clientId ?? ''} belongs to another user`, null, null);
  const parsed = Command.safeParse(env?.command);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const type = typeof (env?.command as { type?: unknown } | undefined)?.type === 'string' ? String((env!.command as { type: string }).type) : null;
    return no('invalid_input', `Invalid input: ${issue.path.join('.') || 'command'}: ${issue.message}`, type, null);
  }
  const command = parsed.data;
  const entity = entityOf(command);
  const actor = await actorIn(tx, actors, req.projectId, req.userId);
  if (!actor) return no('permission_denied', 'Permission denied: your account is revoked or unknown', command.type, entity);
  // removed from the project (or never in it): say so, rather than "not found" for every order
  if (!actor.projectRole && !actor.facilityRole && !actor.orgRole && !actor.superadmin)
    return no('permission_denied', 'Permission denied: you have no role in this project', command.type, entity);
  const state = await loadDecideState(tx, req.projectId, actor, command, now, cache);
  if (!state) return no('not_found', `Not found: project ${req.projectId}`, command.type, entity);
  const decided = decide(state, command);
  if (!decided.success) return no(decided.error.code, decided.error.message, command.type, entity, decided.error.current ?? null);
  const { events, audit, entityVersion } = decided.data;
  return { ok: true, command, actorId: actor.userId, events, audit, entityVersion };
}

/** the stored result of a verdict (serverSeq is the database's) */
function resultOf(head: { mid: string; clientId: string; seq: number }, now: string, v: Verdict): Omit<CommandResult, 'serverSeq'> {
  const base = { mid: head.mid, clientId: head.clientId, seq: head.seq, serverTime: now };
  return v.ok
    ? { ...base, status: 'accepted', code: null, message: null, commandType: v.command.type, entityType: v.audit.entityType, entityId: v.audit.entityId, entityVersion: v.entityVersion, current: null }
    : { ...base, status: 'rejected', code: v.code, message: v.message, commandType: v.commandType, entityType: v.entity?.type ?? null, entityId: v.entity?.id ?? null, entityVersion: null, current: v.current };
}

type Head = { mid: string; clientId: string; seq: number };

const ENVELOPE_HEAD = CommandEnvelope.pick({ mid: true, clientId: true, seq: true });

/** the command id, client and seq of an envelope, checked against each other */
export function envelopeHead(envelope: unknown): { ok: true; head: Head } | { ok: false; message: string } {
  const head = ENVELOPE_HEAD.safeParse(envelope);
  if (!head.success) return { ok: false, message: head.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  const { mid, clientId, seq } = head.data;
  if (mid !== `${clientId}:${seq}`) return { ok: false, message: `mid ${mid} does not match ${clientId}:${seq}` };
  return { ok: true, head: head.data };
}

const conflictResult = (head: Head, now: string): Omit<CommandResult, 'serverSeq'> => ({
  ...head,
  serverTime: now,
  status: 'rejected',
  code: 'conflict',
  message: 'Conflict: a display id in this command is already used in this project',
  commandType: null,
  entityType: null,
  entityId: null,
  entityVersion: null,
  current: null,
});

/**
 * processes one command of one client, exactly once and in seq order, in ONE transaction:
 * decide against current rows (roles read now), write rows + history + audit + result,
 * bump the client's cursor. A rejection consumes the seq and is stored like a result.
 */
export async function processCommand(
  db: Sql,
  req: { projectId: string; userId: string; envelope: unknown },
  opts: ProcessOptions = {},
): Promise<ProcessOutcome> {
  const parsedHead = envelopeHead(req.envelope);
  if (!parsedHead.ok) return { kind: 'malformed', message: parsedHead.message };
  const head = parsedHead.head;
  const { mid, clientId, seq } = head;
  const now = (opts.now ?? (() => new Date()))().toISOString();

  try {
    return await db.transaction(async (tx) => {
      // the cursor row exists after a client's first command: lock it; create it only when missing
      const lockCursor = () => tx.query<{ last_seq: number; user_id: string }>('SELECT last_seq, user_id FROM client_cursors WHERE client_id = $1 FOR UPDATE', [clientId]);
      let cursor = (await lockCursor())[0];
      if (!cursor) {
        await tx.query('INSERT INTO client_cursors (client_id, user_id, last_seq) VALUES ($1, $2, 0) ON CONFLICT (client_id) DO NOTHING', [clientId, req.userId]);
        cursor = (await lockCursor())[0]!;
      }
      const last = Number(cursor.last_seq);
      if (seq <= last) {
        const stored = (await tx.query<Row>('SELECT * FROM command_results WHERE mid = $1', [mid]))[0];
        if (stored) return { kind: 'result' as const, result: toResult(stored), duplicate: true, events: [] };
        return { kind: 'malformed' as const, message: `seq ${seq} of ${clientId} was consumed but has no stored result` };
      }
      if (seq > last + 1) return { kind: 'held' as const, expectedSeq: last + 1 };

      const verdict = await verdictFor(tx, req, cursor.user_id, now, new DecideCache(), new Map());
      if (verdict.ok) {
        await writeEvents(tx, req.projectId, verdict.events);
        await appendAudit(tx, [{ ...verdict.audit, projectId: req.projectId, actorId: verdict.actorId, at: now, mid }]);
      }
      const result = await storeResult(tx, req.projectId, req.userId, resultOf(head, now, verdict));
      if (verdict.ok && opts.beforeCommit) await opts.beforeCommit(tx);
      return { kind: 'result' as const, result, duplicate: false, events: verdict.ok ? verdict.events : [] };
    });
  } catch (err) {
    // a unique index caught a race the loader could not see: store it as a conflict
    if (!isUniqueViolation(err)) throw err;
    return db.transaction(async (tx) => {
      const result = await storeResult(tx, req.projectId, req.userId, conflictResult(head, now));
      return { kind: 'result' as const, result, duplicate: false, events: [] };
    });
  }
}


/** commands whose loads read orders and stages only through the batch's DecideCache */
const DEFERRING_COMMANDS: ReadonlySet<string> = new Set(['order.update', 'stage.transition', 'stage.assign']);


/**
 * row updates of a batch that a later command of the same batch overwrites anyway: the
 * order's field updates (merged, newest version) and stage states (newest) are written
 * once, before anything that could read those rows from the table and at the end
 */
class DeferredRowWrites {
  readonly #orders = new Map<string, OrderUpdatedEvent>();
  readonly #stages = new Map<string, StageUpdatedEvent>();

  async write(tx: Sql, projectId: string, events: readonly Event[], records: TransitionRecord[]): Promise<void> {
    const now: Event[] = [];
    for (const e of events) {
      if (e.type === 'order.updated' && !('displayId' in e.patch)) {
        const before = this.#orders.get(e.orderId);
        this.#orders.set(e.orderId, before ? { ...e, patch: { ...before.patch, ...e.patch } } : e);
      } else if (e.type === 'stage.updated') {
        this.#stages.set(`${e.stage.orderId}/${e.stage.stageCode}`, e);
      } else {
        now.push(e);
      }
    }
    if (now.some((e) => e.type !== 'transition.recorded' && e.type !== 'note.added')) await this.flush(tx);
    await writeEvents(tx, projectId, now, { collect: records });
  }

  async flush(tx: Sql): Promise<void> {
    await writeOrderUpdates(tx, [...this.#orders.values()]);
    await writeStageUpdates(tx, [...this.#stages.values()]);
    this.#orders.clear();
    this.#stages.clear();
  }
}

export interface BatchItem {
  projectId: string;
  userId: string;
  envelope: unknown;
}

const RESULT_COLUMNS = [
  'mid', 'client_id', 'seq', 'project_id', 'user_id', 'command_type', 'status', 'code', 'message', 'entity_type',
  'entity_id', 'entity_version', 'server_time', 'current::jsonb',
];

/** commands per transaction at most: keeps one batch's statements well inside the parameter limit */
const MAX_BATCH_ITEMS = 250;

/**
 * processes many commands, of one client or several, in ONE transaction, with the same
 * rules and outcomes as processCommand on each in turn: per client in seq order, exactly
 * once, gap-holding, roles read from the database in the transaction. Rows are written
 * command by command (a later command sees an earlier one's rows), but for field and stage
 * updates a later command overwrites (DeferredRowWrites); history, audit, chain heads,
 * cursors and results go in as one statement at the end (finishBatch). When anything
 * fails the whole batch rolls back and runs again command by command, so one bad command
 * (a unique index catching a race) costs only its own result.
 */
export async function processBatch(db: Sql, items: readonly BatchItem[], opts: ProcessOptions = {}): Promise<ProcessOutcome[]> {
  if (items.length > MAX_BATCH_ITEMS) {
    const out: ProcessOutcome[] = [];
    for (let at = 0; at < items.length; at += MAX_BATCH_ITEMS) out.push(...(await processBatch(db, items.slice(at, at + MAX_BATCH_ITEMS), opts)));
    return out;
  }
  const heads = items.map((i) => envelopeHead(i.envelope));
  const oneByOne = async () => {
    const out: ProcessOutcome[] = [];
    for (const item of items) out.push(await processCommand(db, item, opts));
    return out;
  };
  if (items.length <= 1 || heads.some((h) => !h.ok)) return oneByOne();
  const now = (opts.now ?? (() => new Date()))().toISOString();
  try {
    return await db.transaction(async (tx) => {
      const clientIds = [...new Set(heads.map((h) => (h.ok ? h.head.clientId : '')))];
      const pairs = [...new Map(items.map((i) => [`${i.projectId}/${i.userId}`, { projectId: i.projectId, userId: i.userId }])).values()];
      let start = await beginBatch(tx, clientIds, pairs);
      if (start.cursors.length < clientIds.length) {
        const have = new Set(start.cursors.map((r) => r.client_id));
        const missing = items.filter((_, i) => heads[i]!.ok && !have.has((heads[i] as { head: Head }).head.clientId));
        for (const it of missing)
          await tx.query('INSERT INTO client_cursors (client_id, user_id, last_seq) VALUES ($1, $2, 0) ON CONFLICT (client_id) DO NOTHING', [
            (it.envelope as Head).clientId,
            it.userId,
          ]);
        start = await beginBatch(tx, clientIds, pairs);
      }
      const cursors = new Map(start.cursors.map((r) => [r.client_id, { last: Number(r.last_seq), owner: r.user_id, moved: false }]));
      const cache = new DecideCache();
      for (const project of start.projects) cache.primeProject(project);
      const deferred = new DeferredRowWrites();
      const actors: ActorCache = start.actors;
      // every order the batch names, loaded and locked in one query per project
      const named = new Map<string, Set<string>>();
      for (const item of items) {
        const orderId = (item.envelope as { command?: { orderId?: unknown } }).command?.orderId;
        if (typeof orderId !== 'string' || !UUID_RE.test(orderId)) continue;
        named.set(item.projectId, (named.get(item.projectId) ?? new Set()).add(orderId));
      }
      for (const [projectId, ids] of named) if (UUID_RE.test(projectId)) await cache.preload(tx, projectId, [...ids]);
      const outcomes: (ProcessOutcome | null)[] = items.map(() => null);
      const fresh: { index: number; item: BatchItem; result: Omit<CommandResult, 'serverSeq'>; events: Event[] }[] = [];
      const repeats: { index: number; mid: string }[] = [];
      const audits: AuditInput[] = [];
      const history: { projectId: string; records: TransitionRecord[] }[] = [];

      for (const [index, item] of items.entries()) {
        const head = (heads[index] as { head: Head }).head;
        const cursor = cursors.get(head.clientId)!;
        if (head.seq <= cursor.last) {
          repeats.push({ index, mid: head.mid });
          continue;
        }
        if (head.seq > cursor.last + 1) {
          outcomes[index] = { kind: 'held', expectedSeq: cursor.last + 1 };
          continue;
        }
        cursor.last = head.seq;
        cursor.moved = true;
        // a command that may read rows a deferred write has not reached yet: write them first
        if (!DEFERRING_COMMANDS.has(String((item.envelope as { command?: { type?: unknown } }).command?.type))) await deferred.flush(tx);
        const verdict = await verdictFor(tx, item, cursor.owner, now, cache, actors);
        if (verdict.ok) {
          const records: TransitionRecord[] = [];
          await deferred.write(tx, item.projectId, verdict.events, records);
          if (records.length) history.push({ projectId: item.projectId, records });
          audits.push({ ...verdict.audit, projectId: item.projectId, actorId: verdict.actorId, at: now, mid: head.mid });
          cache.apply(item.projectId, verdict.events);
        }
        fresh.push({ index, item, result: resultOf(head, now, verdict), events: verdict.ok ? verdict.events : [] });
      }

      await deferred.flush(tx);
      if (fresh.length) {
        const stored = await finishBatch(tx, start.chains, history, audits, fresh, [...cursors].filter(([, c]) => c.moved).map(([id, c]) => [id, c.last] as const));
        const byMid = new Map(stored.map((r) => [String(r.mid), toResult(r)]));
        for (const f of fresh) outcomes[f.index] = { kind: 'result', result: byMid.get(f.result.mid)!, duplicate: false, events: f.events };
      }
      if (repeats.length) {
        const found = await tx.query<Row>('SELECT * FROM command_results WHERE mid = ANY($1::text[])', [repeats.map((r) => r.mid)]);
        const byRepeat = new Map(found.map((r) => [String(r.mid), toResult(r)]));
        for (const r of repeats) {
          const result = byRepeat.get(r.mid);
          outcomes[r.index] = result
            ? { kind: 'result', result, duplicate: true, events: [] }
            : { kind: 'malformed', message: `${r.mid} was consumed but has no stored result` };
        }
      }
      if (opts.beforeCommit) await opts.beforeCommit(tx);
      return outcomes.map((o) => o!);
    });
  } catch (err) {
    opts.onBatchRetry?.(err);
    return oneByOne();
  }
}

interface BatchStart {
  cursors: { client_id: string; last_seq: number; user_id: string }[];
  chains: Record<ChainName, ChainHead>;
  actors: ActorCache;
  projects: Project[];
}

/**
 * what a batch reads first, in one statement: its clients' cursors and both chain heads
 * (locked, in a fixed order), the actors of its (project, user) pairs and its projects
 */
async function beginBatch(tx: Sql, clientIds: readonly string[], pairs: readonly { projectId: string; userId: string }[]): Promise<BatchStart> {
  const projectIds = [...new Set(pairs.map((p) => p.projectId))].filter((id) => UUID_RE.test(id));
  const known = pairs.filter((p) => UUID_RE.test(p.projectId) && UUID_RE.test(p.userId));
  const [r] = await tx.query<Row>(
    `WITH cur AS (SELECT client_id, last_seq, user_id FROM client_cursors WHERE client_id = ANY($1::text[]) ORDER BY client_id FOR UPDATE),
          heads AS (SELECT chain, seq, hash FROM chain_heads ORDER BY chain FOR UPDATE)
     SELECT (SELECT coalesce(json_agg(cur), '[]') FROM cur) AS cursors,
            (SELECT coalesce(json_agg(heads), '[]') FROM heads) AS heads,
            (SELECT coalesce(json_agg(json_build_object('project_id', p.project_id, 'u', row_to_json(u), 'm', row_to_json(m))), '[]')
               FROM unnest($2::uuid[], $3::uuid[]) AS p(project_id, user_id)
               JOIN users u ON u.id = p.user_id
               LEFT JOIN memberships m ON m.project_id = p.project_id AND m.user_id = p.user_id) AS actors,
            (SELECT coalesce(json_agg(pr), '[]') FROM projects pr WHERE pr.id = ANY($4::uuid[])) AS projects`,
    [clientIds, known.map((p) => p.projectId), known.map((p) => p.userId), projectIds],
  );
  const chains = Object.fromEntries(jsonRows(r!.heads).map((h) => [String(h.chain), { seq: Number(h.seq), hash: String(h.hash) }])) as Record<ChainName, ChainHead>;
  if (!chains.audit || !chains.transitions) throw new Error('chain heads are missing');
  return {
    cursors: jsonRows(r!.cursors).map((c) => ({ client_id: String(c.client_id), last_seq: Number(c.last_seq), user_id: String(c.user_id) })),
    chains,
    actors: actorsFromRows(pairs, jsonRows(r!.actors)),
    projects: jsonRows(r!.projects).map(toProject),
  };
}

/**
 * what a batch writes last, in one statement: transition records and audit entries onto
 * their chains, the chain heads, the clients' cursors, and the results (returned)
 */
async function finishBatch(
  tx: Sql,
  chains: Record<ChainName, ChainHead>,
  history: readonly { projectId: string; records: readonly TransitionRecord[] }[],
  audits: readonly AuditInput[],
  fresh: readonly { item: BatchItem; result: Omit<CommandResult, 'serverSeq'> }[],
  moved: readonly (readonly [string, number])[],
): Promise<Row[]> {
  const params: SqlParam[] = [];
  const ctes: string[] = [];
  const heads = { ...chains };
  const transitions: SqlParam[][] = [];
  for (const h of history) {
    const t = transitionRows(heads.transitions, h.projectId, h.records);
    transitions.push(...t.rows);
    heads.transitions = t.head;
  }
  if (transitions.length) ctes.push(`t AS (${insertSql('stage_transitions', TRANSITION_COLUMNS, transitions, params)})`);
  const a = auditRows(heads.audit, audits);
  heads.audit = a.head;
  if (a.rows.length) ctes.push(`a AS (${insertSql('audit_log', AUDIT_COLUMNS, a.rows, params)})`);
  const changed = (['audit', 'transitions'] as const).filter((c) => heads[c].seq !== chains[c].seq);
  if (changed.length) {
    params.push([...changed], changed.map((c) => heads[c].seq), changed.map((c) => heads[c].hash));
    const n = params.length;
    ctes.push(
      `h AS (UPDATE chain_heads SET seq = v.seq, hash = v.hash FROM unnest($${n - 2}::text[], $${n - 1}::bigint[], $${n}::text[]) AS v(chain, seq, hash) WHERE chain_heads.chain = v.chain)`,
    );
  }
  if (moved.length) {
    params.push(moved.map(([id]) => id), moved.map(([, last]) => last));
    const n = params.length;
    ctes.push(`c AS (UPDATE client_cursors SET last_seq = v.last_seq FROM unnest($${n - 1}::text[], $${n}::bigint[]) AS v(client_id, last_seq) WHERE client_cursors.client_id = v.client_id)`);
  }
  const results = insertSql('command_results', RESULT_COLUMNS, fresh.map(({ item, result }) => resultRow(item.projectId, item.userId, result)), params, RESULT_INSERT);
  return tx.query<Row>(`${ctes.length ? `WITH ${ctes.join(', ')} ` : ''}${results}`, params);
}
