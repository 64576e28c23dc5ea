import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  fail,
  ok,
  rejectionPrefix,
  type Actor,
  type CommandInput,
  type CommandResult,
  type Project,
  type Rejection,
  type Result,
  type User,
} from '../core/index.ts';
import type { Replica } from '../sync/index.ts';
import {
  authenticate,
  findProject,
  findUser,
  listProjects,
  loadActor,
  migrate,
  openPglite,
  processCommand,
  type SqlDatabase,
} from '../db/index.ts';
import { acquireLock, curioHome, readConfig, writeConfig, type HomeConfig } from './home.ts';
import type { Output } from './output.ts';

export const EXIT = { ok: 0, failure: 1, usage: 2, refused: 3, notFound: 4 } as const;

export function exitFor(code: Rejection['code']): number {
  switch (code) {
    case 'invalid_input':
      return EXIT.usage;
    case 'not_found':
      return EXIT.notFound;
    default:
      return EXIT.refused;
  }
}

/** prints a rejection the way users and scripts expect, returns the exit code */
export function report(out: Output, r: Rejection): number {
  const prefix = rejectionPrefix(r.code);
  const msg = r.message.startsWith(prefix) ? r.message : `${prefix}: ${r.message}`;
  if (out.json) out.data({ error: { code: r.code, message: msg, ...(r.path ? { path: r.path } : {}), ...(r.current ? { current: r.current } : {}) } });
  else out.err(msg);
  return exitFor(r.code);
}

export type SubmitOutcome =
  | { status: 'accepted'; result: CommandResult }
  | { status: 'rejected'; result: CommandResult }
  /** the replica's own check refused it: nothing was queued */
  | { status: 'refused'; rejection: Rejection }
  | { status: 'queued'; mid: string; reason: string };

/** where writes go: the local store (standalone) or the relay through the replica */
export interface Gateway {
  submit(command: CommandInput, opts?: { wait?: boolean }): Promise<SubmitOutcome>;
  close?(): Promise<void>;
}

export interface Session {
  home: string;
  config: HomeConfig;
  db: SqlDatabase;
  user: User;
  project: Project;
  actor: Actor;
  gateway: Gateway;
  /** present when CURIO_HOME is a replica of a relay */
  replica?: Replica;
}

export interface Store {
  home: string;
  db: SqlDatabase;
  config: HomeConfig | null;
  close(): Promise<void>;
}

export function storeDir(home: string): string {
  return join(home, 'store');
}

/** opens CURIO_HOME's database under its lock */
export async function openStore(env: NodeJS.ProcessEnv = process.env): Promise<Store> {
  const home = curioHome(env);
  const release = acquireLock(home);
  try {
    const db = await openPglite(storeDir(home));
    await migrate(db);
    return {
      home,
      db,
      config: readConfig(home),
      async close() {
        await db.close();
        release();
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

export function newClientId(): string {
  return `c${randomBytes(6).toString('hex')}`;
}

/** standalone: commands go straight to the local command processor */
export function standaloneGateway(db: SqlDatabase, projectId: string, userId: string, clientId: string): Gateway {
  return {
    async submit(command) {
      const last = (await db.query<{ last_seq: number }>('SELECT last_seq FROM client_cursors WHERE client_id = $1', [clientId]))[0];
      const seq = Number(last?.last_seq ?? 0) + 1;
      const envelope = { mid: `${clientId}:${seq}`, clientId, seq, clientTime: new Date().toISOString(), command };
      const outcome = await processCommand(db, { projectId, userId, envelope });
      if (outcome.kind !== 'result') throw new Error(`command processor: ${outcome.kind === 'held' ? 'sequence gap' : outcome.message}`);
      return { status: outcome.result.status, result: outcome.result };
    },
  };
}

/** replica: commands are checked locally, journaled, queued, and sent to the relay */
export function replicaGateway(replica: Replica): Gateway {
  return {
    async submit(command, opts = {}) {
      const q = await replica.queue(command);
      if (!q.success) return { status: 'refused', rejection: q.error };
      const mid = q.data.mid;
      if (opts.wait === false) return { status: 'queued', mid, reason: 'not waiting (--no-wait)' };
      replica.connect();
      const synced = await replica.whenSynced(WAIT_CONNECT_MS);
      if (!synced.ok) return { status: 'queued', mid, reason: synced.reason };
      const result = await replica.waitFor(mid, WAIT_RESULT_MS);
      if (!result) return { status: 'queued', mid, reason: 'the relay has not answered yet' };
      return { status: result.status, result };
    },
    close: () => replica.close(),
  };
}

const WAIT_CONNECT_MS = Number(process.env.CURIO_CONNECT_TIMEOUT_MS ?? 3000);
const WAIT_RESULT_MS = Number(process.env.CURIO_RESULT_TIMEOUT_MS ?? 15000);

/** the sync client loads only for replicas: standalone commands start faster without it */
export async function replicaOf(store: Store): Promise<Replica | null> {
  const c = store.config;
  if (c?.mode !== 'replica' || !c.server || !c.token || !c.projectId || !c.clientId || !c.userId) return null;
  const { Replica } = await import('../sync/index.ts');
  return new Replica(store.db, store.home, { server: c.server, token: c.token, projectId: c.projectId, epoch: c.epoch ?? 1, clientId: c.clientId, userId: c.userId });
}

async function openReplicaSession(store: Store, config: HomeConfig): Promise<Result<Session>> {
  const replica = await replicaOf(store);
  if (!replica) return fail('invalid_input', "this replica's login is incomplete: run 'curio login --server URL --token TOKEN' again");
  await replica.open();
  const user = await findUser(store.db, config.userId!);
  const project = await findProject(store.db, config.projectId!);
  const actor = project && user ? await loadActor(store.db, project.id, user.id) : null;
  if (!user || !project || !actor) {
    await replica.close();
    return fail('permission_denied', "Permission denied: this replica does not know you in its project (run 'curio sync')");
  }
  return ok({ home: store.home, config, db: store.db, user, project, actor, gateway: replicaGateway(replica), replica });
}

/** who is logged in, in which project, as read from the store now */
export async function openSession(store: Store): Promise<Result<Session>> {
  const config = store.config;
  if (config?.mode === 'replica') return openReplicaSession(store, config);
  if (!config?.token) return fail('permission_denied', "Permission denied: not logged in (run 'curio init --project NAME' or 'curio login --token TOKEN')");
  const user = await authenticate(store.db, config.token);
  if (!user) return fail('permission_denied', "Permission denied: the stored token is unknown or revoked (run 'curio login --token TOKEN')");
  let project: Project | null = config.projectId ? await findProject(store.db, config.projectId) : null;
  if (!project) {
    const all = await listProjects(store.db);
    if (all.length === 1) project = all[0]!;
    else if (all.length === 0) return fail('not_found', "Not found: this store has no project (run 'curio init --project NAME')");
    else return fail('invalid_input', `several projects in this store (${all.map((p) => p.name).join(', ')}): run 'curio config select-project NAME'`);
  }
  const actor = await loadActor(store.db, project.id, user.id);
  if (!actor) return fail('permission_denied', 'Permission denied: your account is revoked');
  let clientId = config.clientId;
  if (!clientId) {
    clientId = newClientId();
    writeConfig(store.home, { ...config, clientId });
  }
  return ok({
    home: store.home,
    config: { ...config, clientId },
    db: store.db,
    user,
    project,
    actor,
    gateway: standaloneGateway(store.db, project.id, user.id, clientId),
  });
}
