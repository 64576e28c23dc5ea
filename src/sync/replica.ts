import * as Y from 'yjs';
import {
  Command,
  decide,
  formatDocName,
  rejectionPrefix,
  seqKey,
  type CommandInput,
  type CommandResult,
  type Rejection,
  type Result,
} from '../core/index.ts';
import {
  applyEntry,
  ENTITY_MAPS,
  entryOf,
  readEntry,
  ENTITY_ORDER,
  getLocal,
  loadActor,
  loadDecideState,
  setLocal,
  writeEvents,
  type EntityKey,
  type Sql,
  type SqlDatabase,
} from '../db/index.ts';
import { Journal, type JournalEntry } from './journal.ts';
import { connectDoc, type DocConnection, type TransportStatus } from './transport.ts';

// the client side of sync: a PGlite replica of the project document, pending commands
// layered on top with the same decide(), an outbox document only this client writes

export interface ReplicaConfig {
  server: string;
  token: string;
  projectId: string;
  epoch: number;
  clientId: string;
  userId: string;
}

export type PendingStatus = 'queued' | 'sent' | 'accepted' | 'rejected' | 'discarded';

export interface PendingCommand {
  mid: string;
  seq: number;
  projectId: string;
  command: Command;
  status: PendingStatus;
  result: CommandResult | null;
  createdAt: string;
  updatedAt: string;
}

export interface ReplicaStatus {
  server: string;
  connection: 'online' | 'offline' | 'reconnecting';
  lastSync: string | null;
  queued: number;
  rejected: number;
  fatal: { code: number; reason: string } | null;
  /** the last failure applying the relay's state locally */
  error: string | null;
}

type Row = Record<string, unknown>;

const OUTBOX_ROTATE_AFTER = 1000;
const COMPACT_AFTER = 200;
/** origin of the stored document loaded at start: already in the replica's rows */
const LOCAL_LOAD = Symbol('curio.local-load');

/** the entries a command touches, for re-layering the overlay */
export function commandKeys(command: Command): EntityKey[] {
  const keys: EntityKey[] = [];
  if ('orderId' in command) keys.push({ kind: 'order', id: command.orderId });
  if ((command.type === 'sample.create' || command.type === 'sample.update') && 'sampleId' in command) keys.push({ kind: 'sample', id: command.sampleId });
  if ('labflowId' in command) keys.push({ kind: 'labflow', id: command.type === 'labflow.clone' ? command.newId : command.labflowId });
  if (command.type === 'settings.set') keys.push({ kind: 'project' });
  if ('analysisId' in command) keys.push({ kind: 'analysis', id: command.analysisId });
  return keys;
}

function keyId(k: EntityKey): string {
  return k.kind === 'project' ? 'project' : `${k.kind}:${k.id}`;
}

function toPending(r: Row): PendingCommand {
  return {
    mid: String(r.mid),
    seq: Number(r.seq),
    projectId: String(r.project_id),
    command: r.command as Command,
    status: r.status as PendingStatus,
    result: (r.result as CommandResult | null) ?? null,
    createdAt: r.created_at instanceof Date ? r.created_at.toISOString() : String(r.created_at),
    updatedAt: r.updated_at instanceof Date ? r.updated_at.toISOString() : String(r.updated_at),
  };
}

export class Replica {
  readonly db: SqlDatabase;
  readonly config: ReplicaConfig;
  readonly journal: Journal;
  readonly projectDoc = new Y.Doc();
  outboxDoc = new Y.Doc();
  #project: DocConnection | null = null;
  #outbox: DocConnection | null = null;
  #outboxEpoch = 1;
  #status: TransportStatus = 'disconnected';
  #everConnected = false;
  #lastSync: string | null = null;
  #work: Promise<void> = Promise.resolve();
  #waiters = new Map<string, Set<(r: CommandResult) => void>>();
  #listeners = new Set<() => void>();
  #storedUpdates = 0;
  #lastError: string | null = null;

  get #projectDocName(): string {
    return formatDocName({ kind: 'project', projectId: this.config.projectId, epoch: this.config.epoch });
  }

  constructor(db: SqlDatabase, home: string, config: ReplicaConfig) {
    this.db = db;
    this.config = config;
    this.journal = new Journal(home);
  }

  /** recovers queued commands the cache lost (PGlite does not fsync) from the journal */
  async open(): Promise<void> {
    this.#outboxEpoch = (await getLocal<number>(this.db, 'outbox_epoch')) ?? 1;
    // the project document as last stored, so a reconnect only fetches what changed
    const stored = await this.db.query<{ update: Uint8Array }>('SELECT update FROM yjs_updates WHERE doc = $1 ORDER BY seq', [this.#projectDocName]);
    if (stored.length) Y.applyUpdate(this.projectDoc, Y.mergeUpdates(stored.map((r) => new Uint8Array(r.update))), LOCAL_LOAD);
    this.#storedUpdates = stored.length;
    const known = new Set((await this.db.query<{ mid: string }>('SELECT mid FROM pending')).map((r) => r.mid));
    const lost = this.journal.read().filter((e) => e.command !== null && !known.has(e.mid));
    for (const e of lost) {
      const parsed = Command.safeParse(e.command);
      if (!parsed.success) continue;
      await this.db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO pending (mid, seq, project_id, command, status, created_at, updated_at) VALUES ($1,$2,$3,$4::jsonb,'queued',$5,$5) ON CONFLICT DO NOTHING`,
          [e.mid, e.seq, e.projectId, JSON.stringify(parsed.data), e.clientTime],
        );
      });
      await this.#relayer(commandKeys(parsed.data));
    }
  }

  onChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #emit(): void {
    for (const fn of this.#listeners) fn();
  }

  async #nextSeq(): Promise<number> {
    const journalMax = Math.max(0, ...this.journal.read().map((e) => e.seq));
    const r = (await this.db.query<{ m: number | null }>('SELECT max(seq) AS m FROM pending'))[0];
    const stored = (await getLocal<number>(this.db, 'last_seq')) ?? 0;
    return Math.max(journalMax, Number(r?.m ?? 0), stored) + 1;
  }

  /**
   * checks the command against the replica with the same decide() the relay runs; if it
   * passes, journals it (fsync), queues it and layers its effect on the replica
   */
  async queue(input: CommandInput): Promise<Result<PendingCommand>> {
    const parsed = Command.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return { success: false, error: { code: 'invalid_input', message: `Invalid input: ${issue.path.join('.')}: ${issue.message}` } };
    }
    const command = parsed.data;
    const run = async (): Promise<Result<PendingCommand>> => {
      const now = new Date().toISOString();
      const actor = await loadActor(this.db, this.config.projectId, this.config.userId);
      if (!actor) return { success: false, error: { code: 'permission_denied', message: 'Permission denied: your account is unknown to this replica or revoked' } };
      const state = await loadDecideState(this.db, this.config.projectId, actor, command, now);
      if (!state) return { success: false, error: { code: 'not_found', message: 'Not found: project (run curio sync first)' } };
      const decided = decide(state, command);
      if (!decided.success) return decided;
      const seq = await this.#nextSeq();
      const mid = `${this.config.clientId}:${seq}`;
      const entry: JournalEntry = { mid, seq, projectId: this.config.projectId, clientTime: now, command };
      this.journal.append(entry);
      await this.db.transaction(async (tx) => {
        await tx.query(`INSERT INTO pending (mid, seq, project_id, command, status, created_at, updated_at) VALUES ($1,$2,$3,$4::jsonb,'queued',$5,$5)`, [
          mid,
          seq,
          this.config.projectId,
          JSON.stringify(command),
          now,
        ]);
        await tx.query(`INSERT INTO local_meta (key, value) VALUES ('last_seq', $1::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [JSON.stringify(seq)]);
        await writeEvents(tx, this.config.projectId, decided.data.events, { history: false });
      });
      this.#putIntent(entry);
      this.#emit();
      return { success: true, data: { mid, seq, projectId: this.config.projectId, command, status: 'queued', result: null, createdAt: now, updatedAt: now } };
    };
    return this.#serial(run);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#work.then(fn);
    this.#work = next.then(
      () => undefined,
      (err: unknown) => {
        // keep the queue going, but never silently: status() and the UI show it
        this.#lastError = err instanceof Error ? err.message : String(err);
        this.#emit();
      },
    );
    return next;
  }

  /** the last failure applying the relay's state to this replica, if any */
  get lastError(): string | null {
    return this.#lastError;
  }

  #putIntent(e: JournalEntry): void {
    const intents = this.outboxDoc.getMap('intents');
    const key = seqKey(e.seq);
    if (!intents.has(key)) intents.set(key, { projectId: e.projectId, envelope: { mid: e.mid, clientId: this.config.clientId, seq: e.seq, clientTime: e.clientTime, command: e.command } });
  }

  async pending(filter?: PendingStatus[]): Promise<PendingCommand[]> {
    const rows = filter?.length
      ? await this.db.query<Row>('SELECT * FROM pending WHERE status = ANY($1::text[]) ORDER BY seq', [filter])
      : await this.db.query<Row>('SELECT * FROM pending ORDER BY seq');
    return rows.map(toPending);
  }

  async status(): Promise<ReplicaStatus> {
    const counts = await this.db.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM pending GROUP BY status');
    const n = (s: string) => Number(counts.find((c) => c.status === s)?.n ?? 0);
    const connection = this.#status === 'connected' ? 'online' : this.#project && this.#everConnected && !this.fatal ? 'reconnecting' : 'offline';
    return {
      server: this.config.server,
      connection,
      lastSync: this.#lastSync ?? (await getLocal<string>(this.db, 'last_sync')) ?? null,
      queued: n('queued') + n('sent'),
      rejected: n('rejected'),
      fatal: this.fatal,
      error: this.#lastError,
    };
  }

  get fatal(): { code: number; reason: string } | null {
    return this.#project?.fatal ?? this.#outbox?.fatal ?? null;
  }

  /** the relay still takes this client's outbox (and answers there), even if it refused the project */
  get outboxOpen(): boolean {
    return this.#outbox !== null && this.#outbox.fatal === null;
  }

  get connected(): boolean {
    return this.#status === 'connected';
  }

  /** opens both documents; keeps reconnecting (backoff + jitter) until close() */
  connect(): void {
    if (this.#project) return;
    const { server, token, projectId, epoch, clientId } = this.config;
    // one pass per transaction, so a result and the rows it changed are applied together;
    // 'update' follows 'afterTransaction' synchronously and carries the bytes to store
    const maps = new Map<unknown, string>([...Object.values(ENTITY_MAPS), 'meta', 'results'].map((m): [unknown, string] => [this.projectDoc.getMap(m), m]));
    let collected: { keys: EntityKey[]; mids: string[] } = { keys: [], mids: [] };
    this.projectDoc.on('afterTransaction', (tx: Y.Transaction) => {
      const seen = new Set<string>();
      for (const [type, changed] of tx.changed) {
        // a change inside an entry (its fields are maps of their own) names the entry
        const at = entryOf(type, maps);
        if (!at) continue;
        for (const id of at.id !== null ? [at.id] : changed) {
          if (id === null || seen.has(`${at.map}/${id}`)) continue;
          seen.add(`${at.map}/${id}`);
          if (at.map === 'results') collected.mids.push(id);
          else if (at.map === 'meta') {
            if (id === 'project') collected.keys.push({ kind: 'project' });
          } else {
            const kind = Object.entries(ENTITY_MAPS).find(([, m]) => m === at.map)?.[0] as Exclude<EntityKey['kind'], 'project'> | undefined;
            if (kind) collected.keys.push({ kind, id });
          }
        }
      }
    });
    this.projectDoc.on('update', (update: Uint8Array) => {
      const { keys, mids } = collected;
      collected = { keys: [], mids: [] };
      void this.#serial(() => this.#applyRemote(keys, mids, update));
    });
    this.#project = connectDoc({
      url: server,
      docName: formatDocName({ kind: 'project', projectId, epoch }),
      token,
      doc: this.projectDoc,
      onStatus: (s) => {
        this.#status = s;
        if (s === 'connected') this.#everConnected = true;
        this.#emit();
      },
      onClose: () => this.#emit(),
    });
    this.#project.awareness.on('change', () => this.#emit());
    this.#openOutbox(clientId);
    void this.#serial(async () => {
      for (const p of await this.pending(['queued', 'sent'])) this.#putIntent({ mid: p.mid, seq: p.seq, projectId: p.projectId, clientTime: p.createdAt, command: p.command });
    });
  }

  #openOutbox(clientId: string): void {
    this.#outbox?.destroy();
    // the relay answers here too when this user may no longer read the project document
    const results = this.outboxDoc.getMap<CommandResult>('results');
    results.observe((ev) => {
      const mids = [...ev.keysChanged].filter((m) => results.has(m));
      if (mids.length) void this.#serial(() => this.#applyRemote([], mids, null, results));
    });
    this.#outbox = connectDoc({
      url: this.config.server,
      docName: formatDocName({ kind: 'outbox', clientId, epoch: this.#outboxEpoch }),
      token: this.config.token,
      doc: this.outboxDoc,
      onClose: () => this.#emit(),
    });
  }

  /** tells others which order this user is looking at (null: none) */
  setPresence(viewing: string | null, userName: string): void {
    const aw = this.#project?.awareness;
    if (!aw) return;
    aw.setLocalState({ user: { name: userName }, viewing, at: new Date().toISOString() });
  }

  /** who else is looking at which order: orderId → user names */
  presence(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    const aw = this.#project?.awareness;
    if (!aw) return out;
    for (const [id, state] of aw.getStates()) {
      if (id === aw.clientID) continue;
      const viewing = typeof state.viewing === 'string' ? state.viewing : null;
      const name = typeof (state.user as { name?: unknown } | undefined)?.name === 'string' ? String((state.user as { name: string }).name) : null;
      if (!viewing || !name) continue;
      out.set(viewing, [...new Set([...(out.get(viewing) ?? []), name])]);
    }
    return out;
  }

  /** waits until both documents have the relay's state; false on timeout or refusal */
  async whenSynced(timeoutMs: number): Promise<{ ok: true } | { ok: false; reason: string }> {
    if (!this.#project || !this.#outbox) this.connect();
    const [a, b] = await Promise.all([this.#project!.whenSynced(timeoutMs), this.#outbox!.whenSynced(timeoutMs)]);
    for (const r of [a, b])
      if (!r.success) {
        const e = r.error;
        return { ok: false, reason: e.code === 'closed' ? `the relay refused the connection (${e.closeCode}${e.reason ? ` ${e.reason}` : ''})` : e.code === 'timeout' ? `no answer from ${this.config.server}` : e.code };
      }
    // everything the documents hold is in the replica once the serial queue drains
    await this.#serial(async () => undefined);
    this.#lastSync = new Date().toISOString();
    await setLocal(this.db, 'last_sync', this.#lastSync);
    return { ok: true };
  }

  /** waits for the relay's answer to one command */
  waitFor(mid: string, timeoutMs: number): Promise<CommandResult | null> {
    return new Promise((resolve) => {
      void this.pending().then((all) => {
        const p = all.find((x) => x.mid === mid);
        if (p?.result) resolve(p.result);
      });
      const set = this.#waiters.get(mid) ?? new Set();
      const done = (r: CommandResult | null) => {
        clearTimeout(timer);
        set.delete(done);
        resolve(r);
      };
      const timer = setTimeout(() => done(null), timeoutMs);
      set.add(done);
      this.#waiters.set(mid, set);
    });
  }

  /** waits until no command is waiting for the relay */
  async drained(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const open = await this.pending(['queued', 'sent']);
      if (open.length === 0) return true;
      if (Date.now() > deadline) return false;
      await Promise.race([this.waitFor(open[0]!.mid, Math.max(1, deadline - Date.now())), new Promise((r) => setTimeout(r, 200))]);
    }
  }

  /** the server rows for these entries, then the still-pending commands on top */
  async #relayer(keys: EntityKey[], outer?: Sql): Promise<void> {
    if (keys.length === 0) return;
    const run = async (tx: Sql) => {
      const wanted = new Set(keys.map(keyId));
      const open = (await tx.query<Row>(`SELECT * FROM pending WHERE status IN ('queued', 'sent') ORDER BY seq`))
        .map(toPending)
        .filter((p) => commandKeys(p.command).some((k) => wanted.has(keyId(k))));
      // a pending command may touch more entries than the ones that changed: rebuild them all
      for (const p of open)
        for (const k of commandKeys(p.command))
          if (!wanted.has(keyId(k))) {
            wanted.add(keyId(k));
            keys.push(k);
          }
      keys.sort((a, b) => ENTITY_ORDER[a.kind] - ENTITY_ORDER[b.kind]);
      for (const k of keys) await applyEntry(tx, this.config.projectId, k, this.#docValue(k));
      const actor = await loadActor(tx, this.config.projectId, this.config.userId);
      if (!actor) return;
      for (const p of open) {
        const state = await loadDecideState(tx, this.config.projectId, actor, p.command, p.createdAt);
        if (!state) continue;
        const d = decide(state, p.command);
        // a command that no longer applies locally stays pending: the relay has the last word
        if (d.success) await writeEvents(tx, this.config.projectId, d.data.events, { history: false });
      }
    };
    if (outer) await run(outer);
    else await this.db.transaction(run);
  }

  #docValue(k: EntityKey): unknown {
    if (k.kind === 'project') return readEntry(this.projectDoc.getMap('meta').get('project'));
    return readEntry(this.projectDoc.getMap(ENTITY_MAPS[k.kind]).get(k.id));
  }

  /** one remote transaction: its update is stored and its rows applied atomically */
  async #applyRemote(keys: EntityKey[], mids: string[], update: Uint8Array | null, results = this.projectDoc.getMap<CommandResult>('results')): Promise<void> {
    const mine = mids.map((m) => results.get(m)).filter((r): r is CommandResult => !!r && r.clientId === this.config.clientId);
    const now = new Date().toISOString();
    const answered: CommandResult[] = [];
    await this.db.transaction(async (tx) => {
      if (update) await tx.query('INSERT INTO yjs_updates (doc, update) VALUES ($1, $2)', [this.#projectDocName, update]);
      for (const r of mine) {
        const rows = await tx.query<Row>(`UPDATE pending SET status = $2, result = $3::jsonb, updated_at = $4 WHERE mid = $1 AND status IN ('queued', 'sent') RETURNING *`, [
          r.mid,
          r.status,
          JSON.stringify(r),
          now,
        ]);
        const p = rows[0];
        if (p) {
          answered.push(r);
          keys.push(...commandKeys(toPending(p).command));
        }
      }
      await this.#relayer(keys, tx);
    });
    if (update && ++this.#storedUpdates > COMPACT_AFTER) await this.#compactDoc();
    if (answered.length) {
      // acknowledged: prune the outbox and the journal
      this.outboxDoc.transact(() => {
        const intents = this.outboxDoc.getMap('intents');
        const inOutbox = this.outboxDoc.getMap('results');
        for (const r of answered) {
          intents.delete(seqKey(r.seq));
          if (inOutbox.has(r.mid)) inOutbox.delete(r.mid);
        }
      });
      const open = new Set((await this.pending(['queued', 'sent'])).map((p) => p.mid));
      this.journal.compact((e) => open.has(e.mid));
      await this.#maybeRotateOutbox(open.size);
    }
    for (const r of answered) for (const w of this.#waiters.get(r.mid) ?? []) w(r);
    if (keys.length || answered.length) this.#emit();
  }

  /** the stored project document as one update */
  async #compactDoc(): Promise<void> {
    const merged = Y.encodeStateAsUpdate(this.projectDoc);
    await this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM yjs_updates WHERE doc = $1', [this.#projectDocName]);
      await tx.query('INSERT INTO yjs_updates (doc, update) VALUES ($1, $2)', [this.#projectDocName, merged]);
    });
    this.#storedUpdates = 1;
  }

  /** a new outbox epoch sheds the tombstones of pruned intents */
  async #maybeRotateOutbox(openCount: number): Promise<void> {
    const deleted = (await getLocal<number>(this.db, 'outbox_pruned')) ?? 0;
    const pruned = deleted + 1;
    if (openCount > 0 || pruned < OUTBOX_ROTATE_AFTER) {
      await setLocal(this.db, 'outbox_pruned', pruned);
      return;
    }
    this.#outboxEpoch += 1;
    await setLocal(this.db, 'outbox_epoch', this.#outboxEpoch);
    await setLocal(this.db, 'outbox_pruned', 0);
    this.outboxDoc.destroy();
    this.outboxDoc = new Y.Doc();
    if (this.#outbox) this.#openOutbox(this.config.clientId);
  }

  /** a rejected command leaves the sync issues list */
  async discard(mid: string): Promise<Result<PendingCommand>> {
    const p = (await this.pending()).find((x) => x.mid === mid);
    if (!p) return { success: false, error: { code: 'not_found', message: `Not found: pending command ${mid}` } };
    if (p.status !== 'rejected') return { success: false, error: { code: 'conflict', message: `Conflict: ${mid} is ${p.status}; only rejected commands can be discarded` } };
    await this.db.query(`UPDATE pending SET status = 'discarded', updated_at = $2 WHERE mid = $1`, [mid, new Date().toISOString()]);
    this.#emit();
    return { success: true, data: { ...p, status: 'discarded' } };
  }

  /** sends a rejected command again against the current state (new id, current version) */
  async reissue(mid: string): Promise<Result<PendingCommand>> {
    const p = (await this.pending()).find((x) => x.mid === mid);
    if (!p) return { success: false, error: { code: 'not_found', message: `Not found: pending command ${mid}` } };
    if (p.status !== 'rejected') return { success: false, error: { code: 'conflict', message: `Conflict: ${mid} is ${p.status}; only rejected commands can be re-issued` } };
    const command = { ...p.command } as Command & { baseVersion?: number };
    if ('baseVersion' in command && 'orderId' in command) {
      const v = (await this.db.query<{ version: number }>('SELECT version FROM orders WHERE id = $1', [command.orderId]))[0];
      if (v) command.baseVersion = Number(v.version);
    }
    const queued = await this.queue(command as CommandInput);
    if (queued.success) await this.db.query(`UPDATE pending SET status = 'discarded', updated_at = $2 WHERE mid = $1`, [mid, new Date().toISOString()]);
    return queued;
  }

  async close(): Promise<void> {
    await this.#work;
    this.#project?.destroy();
    this.#outbox?.destroy();
    this.#project = null;
    this.#outbox = null;
    this.projectDoc.destroy();
    this.outboxDoc.destroy();
  }
}

export function describeRejection(r: CommandResult | Rejection): string {
  const code = r.code ?? 'conflict';
  const message = r.message ?? '';
  const prefix = rejectionPrefix(code);
  return message.startsWith(prefix) ? message : `${prefix}: ${message}`;
}
