import type * as Y from 'yjs';
import { formatDocName, parseDocName, seqKey, type CommandResult, type DocName, type Event } from '../core/index.ts';
import {
  allEntityKeys,
  authenticate,
  ENTITY_MAPS,
  listProjects,
  migrate,
  openPglite,
  openPostgres,
  envelopeHead,
  foldOrderPatches,
  mergeOrderPatches,
  orderPatchesOf,
  processBatch,
  processCommand,
  readAllOrderEntries,
  readEntities,
  readEntry,
  writeEntry,
  readEntity,
  touchedBy,
  type BatchItem,
  type OrderEntry,
  type OrderPatches,
  type EntityKey,
  type ProcessOutcome,
  type SqlDatabase,
} from '../db/index.ts';
import { RELAY_ORIGIN, SqlDocStore, startRelayServer, type Principal, type RelayServer, type RelayLog } from './transport/index.ts';

// the relay: authenticates, gives each document its permission, runs every client's
// intents through the command processor in seq order, and projects the results into the
// read-only project document

export interface RelayOptions {
  host?: string;
  port?: number;
  /** PGlite central store in DIR/store (default when no databaseUrl) */
  dataDir?: string;
  /** PostgreSQL central store */
  databaseUrl?: string;
  log?: RelayLog;
}

export interface Relay {
  readonly url: string;
  readonly port: number;
  readonly db: SqlDatabase;
  readonly server: RelayServer;
  /** resolves when every intent received so far has been processed and projected */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface OutboxIntent {
  projectId: string;
  envelope: unknown;
}

type Row = Record<string, unknown>;

/** commands per transaction, and per client in one of them: bounds the wait behind a batch */
const MAX_BATCH = 200;
const MAX_CLIENT_BATCH = 100;

/** stands in for a project id that names no project: the processor rejects it as not_found */
const NO_PROJECT = '00000000-0000-0000-0000-000000000000';

/**
 * the envelope of the intent at this seq of this client's outbox, or null when it claims
 * another command id: an outbox may only spend its own client's seqs
 */
function ownEnvelope(clientId: string, seq: number, envelope: unknown): unknown {
  if (typeof envelope !== 'object' || envelope === null) return null;
  const e = envelope as { mid?: unknown; clientId?: unknown; seq?: unknown };
  return e.clientId === clientId && e.seq === seq && e.mid === `${clientId}:${seq}` ? envelope : null;
}

async function openCentral(opts: RelayOptions): Promise<SqlDatabase> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl);
  if (!opts.dataDir) throw new Error('the relay needs a data directory or a database URL');
  return openPglite(`${opts.dataDir}/store`);
}

export async function currentEpoch(db: SqlDatabase, projectId: string): Promise<number> {
  await db.query('INSERT INTO project_epochs (project_id, epoch) VALUES ($1, 1) ON CONFLICT (project_id) DO NOTHING', [projectId]);
  const r = (await db.query<{ epoch: number }>('SELECT epoch FROM project_epochs WHERE project_id = $1', [projectId]))[0];
  return Number(r?.epoch ?? 1);
}

function entryKey(key: EntityKey): { map: string; id: string } {
  return key.kind === 'project' ? { map: 'meta', id: 'project' } : { map: ENTITY_MAPS[key.kind], id: key.id };
}

/** brings a project document in line with the central rows: the store is the authority */
async function reconcile(db: SqlDatabase, doc: Y.Doc, projectId: string, epoch: number): Promise<number> {
  const keys = await allEntityKeys(db, projectId);
  const orders = await readAllOrderEntries(db, projectId);
  const values = new Map<string, { key: EntityKey; value: unknown }>();
  for (const key of keys) {
    const value = key.kind === 'order' ? orders.get(key.id) : await readEntity(db, projectId, key);
    const { map, id } = entryKey(key);
    values.set(`${map}/${id}`, { key, value });
  }
  let changed = 0;
  doc.transact(() => {
    for (const [path, { value }] of values) {
      const [map, id] = path.split('/') as [string, string];
      if (writeEntry(doc.getMap(map), id, value)) changed++;
    }
    for (const map of Object.values(ENTITY_MAPS)) {
      const m = doc.getMap(map);
      for (const id of [...m.keys()])
        if (!values.has(`${map}/${id}`)) {
          m.delete(id);
          changed++;
        }
    }
    const meta = doc.getMap('meta');
    if (meta.get('epoch') !== epoch) meta.set('epoch', epoch);
    if (meta.get('schemaVersion') !== 1) meta.set('schemaVersion', 1);
  }, RELAY_ORIGIN);
  return changed;
}

export async function startRelay(opts: RelayOptions): Promise<Relay> {
  const db = await openCentral(opts);
  await migrate(db);
  const store = new SqlDocStore(db);
  const epochs = new Map<string, number>();
  for (const p of await listProjects(db)) epochs.set(p.id, await currentEpoch(db, p.id));

  /** per-client processing queue: intents run strictly one after another */
  const queues = new Map<string, Promise<void>>();
  const lastSeq = new Map<string, number>();
  const published = new Map<string, Set<string>>();
  let closing = false;
  // no command runs before the project documents are reconciled with the store: a reconcile
  // that read the rows before a command committed would delete the entry it projected
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  // eslint-disable-next-line prefer-const -- assigned once below; the callbacks above run after
  let server: RelayServer;

  async function projectDoc(projectId: string): Promise<Y.Doc> {
    const epoch = epochs.get(projectId) ?? (await currentEpoch(db, projectId));
    epochs.set(projectId, epoch);
    return server.getDoc({ kind: 'project', projectId, epoch });
  }

  /**
   * what waits to be projected into a project document. Commands commit on their own; their
   * results and touched entries are projected in batches, one projection at a time per
   * project: entries are read after every commit the batch holds, so a document never takes
   * an older read over a newer one, and a busy relay writes one Yjs update for many commands
   */
  interface Projection {
    keys: Map<string, EntityKey>;
    results: Map<string, CommandResult>;
    drop: Set<string>;
    /** orders whose entries follow from their field updates (null: read the rows) */
    patches: Map<string, OrderPatches>;
  }
  const projections = new Map<string, Projection>();
  const projecting = new Set<string>();
  const projectionRuns = new Set<Promise<void>>();

  function project(projectId: string, events: readonly Event[], result: CommandResult | null, drop?: string): void {
    let p = projections.get(projectId);
    if (!p) {
      p = { keys: new Map(), results: new Map(), drop: new Set(), patches: new Map() };
      projections.set(projectId, p);
    }
    for (const k of touchedBy(events)) p.keys.set(k.kind === 'project' ? 'project' : `${k.kind}:${k.id}`, k);
    mergeOrderPatches(p.patches, orderPatchesOf(events));
    if (result) {
      p.results.set(result.mid, result);
      p.drop.delete(result.mid);
      const set = published.get(result.clientId) ?? new Set<string>();
      set.add(`${projectId} ${result.mid}`);
      published.set(result.clientId, set);
    }
    if (drop !== undefined) {
      p.results.delete(drop);
      p.drop.add(drop);
    }
    if (projecting.has(projectId)) return;
    projecting.add(projectId);
    const run = runProjections(projectId);
    projectionRuns.add(run);
    void run.finally(() => projectionRuns.delete(run));
  }

  async function runProjections(projectId: string): Promise<void> {
    try {
      for (;;) {
        const p = projections.get(projectId);
        // returning runs `finally` at once: nothing can be added unseen in between
        if (!p) return;
        projections.delete(projectId);
        try {
          await writeProjection(projectId, p);
        } catch (err) {
          // shutting down: the next start answers again what was committed (lost-ack path) and reconciles the entries
          if (closing) return;
          opts.log?.('error', 'projection failed', { projectId, error: String(err) });
          // the commands are committed: keep what they touched for the next attempt
          const later = projections.get(projectId);
          if (later) {
            for (const [id, k] of p.keys) if (!later.keys.has(id)) later.keys.set(id, k);
            const patches = new Map(p.patches);
            mergeOrderPatches(patches, later.patches);
            later.patches = patches;
            for (const [mid, r] of p.results) if (!later.results.has(mid) && !later.drop.has(mid)) later.results.set(mid, r);
            for (const mid of p.drop) if (!later.results.has(mid)) later.drop.add(mid);
          } else projections.set(projectId, p);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    } finally {
      projecting.delete(projectId);
    }
  }

  async function writeProjection(projectId: string, p: Projection): Promise<void> {
    const doc = await projectDoc(projectId);
    // an order whose commands only updated fields follows from its current entry; the rest is read
    const orders = doc.getMap('orders');
    const folded: { key: EntityKey; value: unknown }[] = [];
    const read: EntityKey[] = [];
    for (const key of p.keys.values()) {
      const patches = key.kind === 'order' ? p.patches.get(key.id) : null;
      const entry = key.kind === 'order' ? (readEntry(orders.get(key.id)) as OrderEntry | null) : null;
      if (patches && entry) folded.push({ key, value: foldOrderPatches(entry, patches) });
      else read.push(key);
    }
    const values = [...folded, ...(await readEntities(db, projectId, read))];
    doc.transact(() => {
      for (const { key: k, value: v } of values) {
        const { map, id } = entryKey(k);
        writeEntry(doc.getMap(map), id, v);
      }
      const results = doc.getMap('results');
      for (const r of p.results.values()) results.set(r.mid, r);
      for (const mid of p.drop) if (results.has(mid)) results.delete(mid);
    }, RELAY_ORIGIN);
  }

  /** resolves once every command processed so far is projected */
  async function projected(): Promise<void> {
    while (projectionRuns.size) await Promise.all([...projectionRuns]);
  }

  /**
   * one processor for every client: what arrives while a batch is in its transaction goes
   * into the next one, so a busy relay commits many commands per transaction and an idle
   * one commits each at once
   */
  const processor = (() => {
    const waiting: { items: BatchItem[]; resolve: (o: ProcessOutcome[]) => void; reject: (e: unknown) => void }[] = [];
    let running = false;
    const run = async () => {
      try {
        while (waiting.length) {
          const group = [waiting.shift()!];
          let size = group[0]!.items.length;
          while (waiting.length && size + waiting[0]!.items.length <= MAX_BATCH) {
            size += waiting[0]!.items.length;
            group.push(waiting.shift()!);
          }
          try {
            const outcomes = await processBatch(
              db,
              group.flatMap((g) => g.items),
              { onBatchRetry: (err) => opts.log?.('warn', 'batch retried command by command', { commands: size, error: String(err) }) },
            );
            let at = 0;
            for (const g of group) {
              g.resolve(outcomes.slice(at, at + g.items.length));
              at += g.items.length;
            }
          } catch (err) {
            for (const g of group) g.reject(err);
          }
        }
      } finally {
        running = false;
      }
    };
    return {
      submit(items: BatchItem[]): Promise<ProcessOutcome[]> {
        return new Promise((resolve, reject) => {
          waiting.push({ items, resolve, reject });
          if (running) return;
          running = true;
          // after this turn's I/O callbacks: intents read from the sockets in it join the batch
          setImmediate(() => void run());
        });
      },
    };
  })();

  async function drain(clientId: string, userId: string, doc: Y.Doc): Promise<void> {
    const intents = doc.getMap<OutboxIntent>('intents');
    // a client whose access to the project was taken away cannot read the project document:
    // it learns why its commands failed through its own outbox
    const answerDenied = (result: CommandResult): void => {
      if (result.status !== 'rejected' || result.code !== 'permission_denied') return;
      const results = doc.getMap<CommandResult>('results');
      if (!results.has(result.mid)) doc.transact(() => results.set(result.mid, result), RELAY_ORIGIN);
    };
    if (!lastSeq.has(clientId)) {
      const r = (await db.query<Row>('SELECT last_seq FROM client_cursors WHERE client_id = $1', [clientId]))[0];
      lastSeq.set(clientId, Number(r?.last_seq ?? 0));
    }
    // results of intents the client has pruned leave the project document too
    const mine = published.get(clientId);
    if (mine)
      for (const entry of [...mine]) {
        const [projectId, mid] = entry.split(' ') as [string, string];
        const seq = Number(mid.slice(mid.lastIndexOf(':') + 1));
        if (!intents.has(seqKey(seq))) {
          mine.delete(entry);
          project(projectId, [], null, mid);
        }
      }
    // earlier seqs that are still in the outbox get their stored result again (lost acks)
    const present = [...intents.keys()].map(Number).filter(Number.isInteger).sort((a, b) => a - b);
    for (const seq of present) {
      const intent = intents.get(seqKey(seq));
      const projectId = typeof intent?.projectId === 'string' ? intent.projectId : null;
      if (!projectId || !epochs.has(projectId)) continue;
      const mid = `${clientId}:${seq}`;
      const envelope = ownEnvelope(clientId, seq, intent?.envelope);
      if (envelope !== null && seq <= lastSeq.get(clientId)! && !(mine?.has(`${projectId} ${mid}`) ?? false)) {
        const outcome = await processCommand(db, { projectId, userId, envelope });
        if (outcome.kind === 'result') {
          answerDenied(outcome.result);
          project(projectId, [], outcome.result);
        }
      }
    }
    for (;;) {
      // every intent ready in seq order goes to the processor at once
      const items: BatchItem[] = [];
      const named: string[] = [];
      for (let next = lastSeq.get(clientId)! + 1; items.length < MAX_CLIENT_BATCH; next++) {
        const intent = intents.get(seqKey(next));
        if (!intent) break; // hold until the gap fills
        const name = typeof intent.projectId === 'string' ? intent.projectId : '';
        // an intent for an unknown project (or no envelope at all) still consumes its seq, as a rejection
        const projectId = epochs.has(name) ? name : NO_PROJECT;
        let envelope = ownEnvelope(clientId, next, intent.envelope);
        const head = envelope === null ? null : envelopeHead(envelope);
        if (!head?.ok) {
          opts.log?.('warn', 'malformed intent', { clientId, seq: next, message: head?.message ?? `the envelope does not name ${clientId}:${next}` });
          envelope = { mid: `${clientId}:${next}`, clientId, seq: next, clientTime: '', command: null };
        }
        items.push({ projectId, userId, envelope });
        named.push(projectId);
      }
      if (items.length === 0) return;
      const outcomes = await processor.submit(items);
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.kind !== 'result') return;
        lastSeq.set(clientId, outcome.result.seq);
        answerDenied(outcome.result);
        if (named[i] !== NO_PROJECT) project(named[i]!, outcome.events, outcome.result);
      }
    }
  }

  function schedule(clientId: string, userId: string, doc: Y.Doc): Promise<void> {
    // shutting down: intents left in the outbox are processed after the next start
    if (closing) return Promise.resolve();
    const prev = queues.get(clientId) ?? ready;
    const next = prev
      .then(() => drain(clientId, userId, doc))
      .catch((err: unknown) => opts.log?.('error', 'processing failed', { clientId, error: String(err) }));
    queues.set(clientId, next);
    return next;
  }

  async function authorize(principal: Principal, doc: DocName): Promise<'write' | 'read' | 'deny'> {
    if (doc.kind === 'project') {
      const epoch = epochs.get(doc.projectId);
      if (epoch === undefined || epoch !== doc.epoch) return 'deny';
      const m = await db.query<Row>('SELECT 1 FROM memberships WHERE project_id = $1 AND user_id = $2 AND (role IS NOT NULL OR facility_role IS NOT NULL)', [doc.projectId, principal.userId]);
      return m.length ? 'read' : 'deny';
    }
    // an outbox belongs to the first user who opens it
    await db.query('INSERT INTO client_cursors (client_id, user_id, last_seq) VALUES ($1, $2, 0) ON CONFLICT (client_id) DO NOTHING', [doc.clientId, principal.userId]);
    const owner = (await db.query<{ user_id: string }>('SELECT user_id FROM client_cursors WHERE client_id = $1', [doc.clientId]))[0];
    if (owner?.user_id !== principal.userId) return 'deny';
    // intents stored before a crash (or answered, but not projected) are picked up when the
    // client comes back: its sync may bring nothing new, so no update would start a drain
    void server
      .getDoc(doc)
      .then((d) => schedule(doc.clientId, principal.userId, d))
      .catch((err: unknown) => opts.log?.('warn', 'outbox not drained on connect', { clientId: doc.clientId, error: String(err) }));
    return 'write';
  }

  server = await startRelayServer({
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    store,
    ...(opts.log ? { log: opts.log } : {}),
    async authenticate(token) {
      const user = await authenticate(db, token);
      return user ? { userId: user.id, name: user.name } : null;
    },
    authorize,
    async onRequest(req, res) {
      if (req.method !== 'GET' || req.url !== '/v1/session') return false;
      const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(req.headers.authorization ?? '');
      const user = m ? await authenticate(db, m[1]!) : null;
      if (!user) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'unauthorized' }));
        return true;
      }
      const rows = await db.query<Row>(
        `SELECT p.id, p.name, m.role, m.facility_role FROM memberships m JOIN projects p ON p.id = m.project_id
         WHERE m.user_id = $1 AND (m.role IS NOT NULL OR m.facility_role IS NOT NULL) ORDER BY p.name`,
        [user.id],
      );
      const projects = await Promise.all(
        rows.map(async (r) => ({ id: String(r.id), name: String(r.name), epoch: epochs.get(String(r.id)) ?? (await currentEpoch(db, String(r.id))), role: (r.role as string | null) ?? null, facilityRole: (r.facility_role as string | null) ?? null })),
      );
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ user: { id: user.id, name: user.name }, projects, serverTime: new Date().toISOString() }));
      return true;
    },
    checkAwareness(_principal, doc, state) {
      // presence only: who is looking at which order
      if (doc.kind !== 'project') return false;
      const keys = Object.keys(state);
      return keys.every((k) => k === 'user' || k === 'viewing' || k === 'at');
    },
    onUpdate(name, doc, _update, origin) {
      const parsed = parseDocName(name);
      if (parsed?.kind === 'outbox') void schedule(parsed.clientId, origin.principal.userId, doc);
    },
  });

  // the project documents start in line with the store (a crash may have cut a projection short)
  for (const [projectId, epoch] of epochs) {
    const doc = await server.getDoc(formatDocName({ kind: 'project', projectId, epoch }));
    await reconcile(db, doc, projectId, epoch);
    for (const mid of doc.getMap('results').keys()) {
      const clientId = mid.slice(0, mid.lastIndexOf(':'));
      const set = published.get(clientId) ?? new Set<string>();
      set.add(`${projectId} ${mid}`);
      published.set(clientId, set);
    }
  }
  markReady();
  await server.flush();

  return {
    url: server.url,
    port: server.port,
    db,
    server,
    async idle() {
      for (;;) {
        const pending = [...queues.values()];
        await Promise.all(pending);
        await projected();
        if (pending.length === queues.size && pending.every((p, i) => p === [...queues.values()][i]) && projectionRuns.size === 0) break;
      }
      await server.flush();
    },
    async close() {
      closing = true;
      await Promise.all([...queues.values()]);
      await projected();
      await server.close();
      await db.close();
    },
  };
}
