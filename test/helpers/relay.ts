// a real relay for sync tests: central stores (PGlite data directories copied from one
// initialised template, or one PostgreSQL database per store made from a template
// database), the relay in this process or as a `bin/curio relay` child, replica homes
// for the CLI and in-process Replica objects. PGlite's first initdb costs ~2 s, so each
// test file initialises once and copies.

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { MIGRATIONS, addUser, initStore, migrate, openPglite, openPostgres, type Sql, type SqlDatabase } from '../../src/db/index.ts';
import { Replica, type ReplicaConfig } from '../../src/sync/index.ts';
import { startRelay, type Relay } from '../../src/sync-server/index.ts';
import { BIN, REPO_ROOT, homeAccess, runCli, type CliRun } from './cli.ts';

export type StoreKind = 'pglite' | 'postgres';

/** the PostgreSQL server tests may create databases on, when there is one */
export const POSTGRES_URL = process.env.DATABASE_URL ?? null;

/** the stores a suite runs against; PostgreSQL only when DATABASE_URL is set */
export const STORE_KINDS: { kind: StoreKind; skip: string | null }[] = [
  { kind: 'pglite', skip: null },
  { kind: 'postgres', skip: POSTGRES_URL ? null : 'DATABASE_URL is not set (see .ci/postgres.sh)' },
];

/** a describe title that says why a store is skipped */
export function storeTitle(s: { kind: StoreKind; skip: string | null }): string {
  return s.skip ? `${s.kind} (skipped: ${s.skip})` : s.kind;
}

export const USERS = {
  admin: 'project_admin',
  editor: 'project_editor',
  editor2: 'project_editor',
  viewer: 'project_viewer',
} as const;
export type SyncUser = keyof typeof USERS;

export interface CentralStore {
  kind: StoreKind;
  /** the relay's data directory (PGlite store, lock file); exists for both kinds */
  dir: string;
  /** set for PostgreSQL */
  databaseUrl: string | null;
  /** opens the store directly: no relay may be running on a PGlite store */
  open(): Promise<SqlDatabase>;
  /** runs `curio admin …` on this store in this process (the relay must be stopped for PGlite) */
  admin(...args: string[]): Promise<CliRun>;
  /** the same as a separate `bin/curio` process */
  adminBin(...args: string[]): Promise<CliRun>;
}

export interface SyncFixture {
  kind: StoreKind;
  root: string;
  projectId: string;
  users: Record<SyncUser, { id: string; token: string }>;
  /** a fresh copy of the initialised central store */
  central(): Promise<CentralStore>;
  /** an empty replica home (migrated store, no login yet) */
  emptyHome(): string;
  cleanup(): Promise<void>;
}

function unique(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function onServer<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: POSTGRES_URL! });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** the environment of a `bin/curio` child: nothing inherited may redirect its store */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env };
  delete out.DATABASE_URL;
  delete out.CURIO_DEBUG;
  delete out.NODE_OPTIONS;
  delete out.CURIO_HOME;
  return { ...out, ...env };
}

/** a `bin/curio` child process; resolves when it exits */
export function runBinEnv(args: readonly string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CliRun> {
  return new Promise((done, failed) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      failed(new Error(`curio ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      failed(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/**
 * a migrated, empty PGlite store, made once per schema and PGlite version and kept in the
 * temp directory (built aside, then renamed into place, so parallel test files never see
 * half of one)
 */
export async function blankStore(): Promise<string> {
  const key = createHash('sha256')
    .update(JSON.stringify(MIGRATIONS))
    .update(readFileSync(join(REPO_ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json')))
    .digest('hex')
    .slice(0, 16);
  const dir = join(tmpdir(), `curio-blank-store-${key}`);
  if (existsSync(join(dir, 'PG_VERSION'))) return dir;
  const building = mkdtempSync(join(tmpdir(), 'curio-blank-build-'));
  const db = await openPglite(join(building, 'store'));
  await migrate(db);
  await db.close();
  try {
    renameSync(join(building, 'store'), dir);
  } catch {
    // another test file got there first
  }
  rmSync(building, { recursive: true, force: true });
  return dir;
}

/** one initialised central store and one empty replica store per test file, copied for each use */
export async function createSyncFixture(kind: StoreKind, name: string): Promise<SyncFixture> {
  if (kind === 'postgres' && !POSTGRES_URL) throw new Error('PostgreSQL fixture without DATABASE_URL');
  const root = mkdtempSync(join(tmpdir(), `curio-sync-${name}-`));
  const databases: string[] = [];
  // one initdb per machine and schema: a migrated empty store, copied for everything else
  const blank = await blankStore();
  mkdirSync(join(root, 'central-template'), { recursive: true });
  cpSync(blank, join(root, 'replica-template', 'store'), { recursive: true });
  let template: SqlDatabase;
  let templateDb = '';
  if (kind === 'postgres') {
    templateDb = unique(`curio_${name}_tpl`);
    await onServer((c) => c.query(`CREATE DATABASE ${templateDb}`));
    databases.push(templateDb);
    template = await openPostgres(withDatabase(POSTGRES_URL!, templateDb));
  } else {
    cpSync(blank, join(root, 'central-template', 'store'), { recursive: true });
    template = await openPglite(join(root, 'central-template', 'store'));
  }
  const users = {} as Record<SyncUser, { id: string; token: string }>;
  let projectId: string;
  try {
    const init = await initStore(template, { projectName: 'oncology' });
    if (!init.success) throw new Error(init.error.message);
    projectId = init.data.projectId;
    users.admin = { id: init.data.userId, token: init.data.token };
    for (const [user, role] of Object.entries(USERS)) {
      if (user === 'admin') continue;
      const r = await addUser(template, { projectId, name: user, role, actorId: init.data.userId });
      if (!r.success) throw new Error(r.error.message);
      users[user as SyncUser] = { id: r.data.userId, token: r.data.token };
    }
  } finally {
    await template.close();
  }

  let copies = 0;
  const fixture: SyncFixture = {
    kind,
    root,
    projectId,
    users,
    async central() {
      const dir = join(root, `central-${++copies}`);
      let databaseUrl: string | null = null;
      if (kind === 'postgres') {
        const db = unique(`curio_${name}`);
        await onServer((c) => c.query(`CREATE DATABASE ${db} TEMPLATE ${templateDb}`));
        databases.push(db);
        databaseUrl = withDatabase(POSTGRES_URL!, db);
        mkdirSync(dir, { recursive: true });
      } else {
        cpSync(join(root, 'central-template'), dir, { recursive: true });
      }
      const adminEnv = (): Record<string, string> => (databaseUrl ? { DATABASE_URL: databaseUrl } : {});
      const adminArgs = (args: string[]) => (databaseUrl ? ['admin', ...args] : ['admin', '--data', dir, ...args]);
      return {
        kind,
        dir,
        databaseUrl,
        open: () => (databaseUrl ? openPostgres(databaseUrl) : openPglite(join(dir, 'store'))),
        admin: (...args) => runCli(join(root, 'admin-home'), adminArgs(args), { env: adminEnv() }),
        adminBin: (...args) => runBinEnv(adminArgs(args), adminEnv()),
      };
    },
    emptyHome() {
      const dir = join(root, `home-${++copies}`);
      cpSync(join(root, 'replica-template'), dir, { recursive: true });
      return dir;
    },
    async cleanup() {
      if (kind === 'postgres')
        await onServer(async (c) => {
          for (const db of databases.reverse()) {
            // let closing pools finish, rather than cut their connections mid-goodbye
            for (let i = 0; i < 50; i++) {
              const r = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [db]);
              if (Number(r.rows[0]?.n ?? 0) === 0) break;
              await sleep(100);
            }
            await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
          }
        }).catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
  };
  return fixture;
}

// --- relays ---------------------------------------------------------------------------------

export interface RelayHandle {
  url: string;
  port: number;
  /** graceful stop (SIGTERM for a child): finishes commands in flight */
  stop(): Promise<void>;
}

export interface InProcessRelay extends RelayHandle {
  relay: Relay;
  db: SqlDatabase;
}

export async function startRelayInProcess(store: CentralStore, opts: { port?: number } = {}): Promise<InProcessRelay> {
  for (let attempt = 0; ; attempt++) {
    try {
      const relay = await startRelay({
        port: opts.port ?? 0,
        ...(store.databaseUrl ? { databaseUrl: store.databaseUrl } : { dataDir: store.dir }),
        log: (level, event, fields) => {
          if (level === 'error') console.error(`[relay] ${event}`, fields ?? {});
        },
      });
      let stopped: Promise<void> | undefined;
      return { relay, db: relay.db, url: relay.url, port: relay.port, stop: () => (stopped ??= relay.close()) };
    } catch (err) {
      // the previous relay's port may linger for a moment
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt > 40) throw err;
      await sleep(100);
    }
  }
}

export interface ChildRelay extends RelayHandle {
  child: ChildProcess;
  /** everything the relay wrote to stderr */
  stderr(): string;
  /** SIGKILL: no shutdown, no flush */
  kill(): Promise<void>;
  exited: Promise<number | null>;
}

/** `bin/curio relay --port N` as its own process; resolves once it is listening */
export async function startRelayChild(store: CentralStore, opts: { port?: number } = {}): Promise<ChildRelay> {
  for (let attempt = 0; ; attempt++) {
    const args = ['relay', '--port', String(opts.port ?? 0), ...(store.databaseUrl ? [] : ['--data', store.dir])];
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      env: childEnv(store.databaseUrl ? { DATABASE_URL: store.databaseUrl } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = await new Promise<string | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`relay did not start in 30 s\n${err}`)), 30_000);
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = /listening on (ws:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        resolve(null);
      });
    });
    if (url === null) {
      // the previous relay's port or lock may linger for a moment
      if (attempt < 20 && /EADDRINUSE|in use by another Curio process/.test(err)) {
        await sleep(150);
        continue;
      }
      throw new Error(`relay exited before listening\n${err}`);
    }
    const port = Number(new URL(url).port);
    const wait = async () => {
      await exited;
    };
    return {
      url,
      port,
      child,
      exited,
      stderr: () => err,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await wait();
      },
      async kill() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await wait();
      },
    };
  }
}

// --- replicas -------------------------------------------------------------------------------

export interface TestReplica {
  user: SyncUser;
  home: string;
  db: SqlDatabase;
  config: ReplicaConfig;
  /** the live Replica: a new object after each goOffline (as after a restart of the client) */
  replica: Replica;
  /** drops the connections (the Replica is closed and a new one opened, not connected): commands still queue */
  goOffline(): Promise<void>;
  /** connects the current Replica */
  goOnline(): void;
  readonly online: boolean;
  /** connects, then waits until the relay has answered every queued command */
  sync(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

let clientCounter = 0;

/** an in-process replica of the fixture project for one user; connected and synced unless told otherwise */
export async function openReplica(fx: SyncFixture, user: SyncUser, server: string, opts: { connect?: boolean } = {}): Promise<TestReplica> {
  const home = fx.emptyHome();
  const db = await openPglite(join(home, 'store'));
  await migrate(db);
  const config: ReplicaConfig = {
    server,
    token: fx.users[user].token,
    projectId: fx.projectId,
    epoch: 1,
    clientId: `t${process.pid}x${++clientCounter}${randomBytes(3).toString('hex')}`,
    userId: fx.users[user].id,
  };
  let replica = new Replica(db, home, config);
  await replica.open();
  let online = false;
  const t: TestReplica = {
    user,
    home,
    db,
    config,
    get replica() {
      return replica;
    },
    get online() {
      return online;
    },
    async goOffline() {
      online = false;
      await replica.close();
      replica = new Replica(db, home, config);
      await replica.open();
    },
    goOnline() {
      if (online) return;
      replica.connect();
      online = true;
    },
    async sync(timeoutMs = 20_000) {
      t.goOnline();
      const synced = await replica.whenSynced(timeoutMs);
      if (!synced.ok) throw new Error(`${user}: ${synced.reason}`);
      if (!(await replica.drained(timeoutMs))) throw new Error(`${user}: commands still waiting after ${timeoutMs} ms: ${JSON.stringify(await replica.pending(['queued', 'sent']))}`);
    },
    async close() {
      await replica.close();
      online = false;
      await db.close();
    },
  };
  if (opts.connect !== false) await t.sync();
  return t;
}

export interface CliReplica {
  home: string;
  user: SyncUser;
  /** curio in this process (fast) */
  run(...args: string[]): Promise<CliRun>;
  /** curio as its own process */
  bin(args: string[], env?: Record<string, string>): Promise<CliRun>;
  /** --json, exit 0 expected */
  json<T = Record<string, unknown>>(...args: string[]): Promise<T>;
  /** opens the replica's store directly (no curio may be running on it) */
  withStore<T>(fn: (db: SqlDatabase) => Promise<T>): Promise<T>;
}

/** a CURIO_HOME logged in to the relay as a replica (`curio login --server`) */
export async function loginReplica(fx: SyncFixture, user: SyncUser, server: string): Promise<CliReplica> {
  const home = fx.emptyHome();
  const r = await runCli(home, ['login', '--server', server, '--token', fx.users[user].token]);
  if (r.code !== 0) throw new Error(`curio login failed (${r.code}): ${r.stderr}${r.stdout}`);
  const h: CliReplica = {
    home,
    user,
    run: (...args) => runCli(home, args),
    bin: (args, env = {}) => runBinEnv(args, { CURIO_HOME: home, ...env }),
    ...homeAccess(home),
  };
  return h;
}

// --- comparing stores -----------------------------------------------------------------------

type Row = Record<string, unknown>;

function norm(rows: Row[]): Row[] {
  return rows.map((r) => {
    const o: Row = {};
    for (const [k, v] of Object.entries(r)) o[k] = v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? Number(v) : v;
    return o;
  });
}

export interface Snapshot {
  orders: Row[];
  stages: Row[];
  samples: Row[];
  history: Row[];
}

/** what a user sees of a project: orders, their stages and samples, the transition history */
export async function snapshot(db: Sql, projectId: string): Promise<Snapshot> {
  const [orders, stages, samples, history] = await Promise.all([
    db.query<Row>(
      `SELECT id, display_id, slug, workflow, status, mode, priority, accession, description, tags, properties, labflow_id,
         created_by, version, updated_at FROM orders WHERE project_id = $1 ORDER BY id`,
      [projectId],
    ),
    db.query<Row>(
      `SELECT s.order_id, s.stage_code, s.position, s.state, s.assignee_id, s.updated_at FROM order_stages s
         JOIN orders o ON o.id = s.order_id WHERE o.project_id = $1 ORDER BY s.order_id, s.stage_code`,
      [projectId],
    ),
    db.query<Row>(`SELECT id, display_id, sample_type, version FROM samples WHERE project_id = $1 ORDER BY id`, [projectId]),
    db.query<Row>(`SELECT seq, order_id, from_stage, to_stage, from_state, to_state, transitioned_by, hash FROM stage_transitions WHERE project_id = $1 ORDER BY seq`, [projectId]),
  ]);
  return { orders: norm(orders), stages: norm(stages), samples: norm(samples), history: norm(history) };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** a small deterministic generator (mulberry32) for seeded scenarios */
export function rng(seed: number): { next(): number; int(n: number): number; pick<T>(xs: readonly T[]): T; chance(p: number): boolean } {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (xs) => xs[Math.floor(next() * xs.length)]!,
    chance: (p) => next() < p,
  };
}

/**
 * CURIO_SEED overrides; `npm test` uses a fixed seed so CI is repeatable, the long run
 * (CURIO_LONG=1) a fresh one; the caller prints it on failure
 */
export function seedFromEnv(): number {
  const s = process.env.CURIO_SEED;
  if (s !== undefined && s !== '') return Number(s);
  return process.env.CURIO_LONG === '1' ? Math.floor(Math.random() * 2 ** 31) : 20261122;
}

export const LONG = process.env.CURIO_LONG === '1';

/** waits until the replica's rows equal the central store's (the relay idle first, when in this process) */
export async function caughtUp(replica: { db: Sql }, central: Sql, projectId: string, timeoutMs = 15_000): Promise<Snapshot> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [a, b] = await Promise.all([snapshot(central, projectId), snapshot(replica.db, projectId)]);
    if (JSON.stringify(a) === JSON.stringify(b)) return a;
    if (Date.now() > until) {
      // the assertion names the difference
      return b;
    }
    await sleep(50);
  }
}
