// sync through the relay: accepted commands per second with 50 connected clients,
// propagation latency client → relay → other client, and how long a client with 1,000
// commands queued offline waits for all their results after reconnecting. Once on the
// embedded store (PGlite) and once on PostgreSQL (DATABASE_URL, or a local cluster that
// .ci/postgres.sh can start).
//
//   node bench/sync.mjs [--clients N] [--commands N] [--window N] [--samples N] [--backlog N] [--store pglite|postgres]
//
// The relay runs as its own process (`bin/curio relay`), as in production; the clients
// are light ones in this process: the transport (connectDoc) with an outbox document of
// intents, reading results and entries from the read-only project document, as the
// replica does, without a PGlite replica each (50 of those do not fit on a small machine).

import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import * as Y from 'yjs';
import { ms, percentile, printTable, writeResults } from './lib/report.mjs';

register();
// y-websocket adds a process 'exit' listener per provider; this bench opens a hundred
process.setMaxListeners(0);
const { addUser, initStore, migrate, openPglite, openPostgres, readEntry } = await import('../src/db/index.ts');
const { formatDocName, seqKey } = await import('../src/core/index.ts');
const { connectDoc } = await import('../src/sync/transport.ts');

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '..');
const BIN = join(ROOT, 'bin', 'curio');
const TARGETS = { acceptedPerSecond: 1000, propagationP99Ms: 100, backlogMs: 5000 };

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  return typeof fallback === 'number' ? Number(v) : v;
}

const CLIENTS = option('clients', 50);
const COMMANDS = option('commands', 100);
const WINDOW = option('window', 16);
const SAMPLES = option('samples', 200);
const BACKLOG = option('backlog', 1000);
const ONLY = option('store', '');
const USERS = 10;

const sleep = (t) => new Promise((r) => setTimeout(r, t));

// --- stores ---------------------------------------------------------------------------------

function postgresUrl() {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const bins = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').filter((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`)) : [];
  if (bins.length === 0) return null;
  try {
    const line = execFileSync('bash', [join(ROOT, '.ci', 'postgres.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return /DATABASE_URL=(\S+)/.exec(line)?.[1] ?? null;
  } catch {
    return null;
  }
}

async function pgAdmin(url, sql) {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** an initialised central store with USERS project admins; returns how the relay reaches it */
async function makeStore(kind, work, pgBase) {
  let db;
  let target;
  let drop = async () => undefined;
  if (kind === 'postgres') {
    const name = `curio_bench_${process.pid}`;
    await pgAdmin(pgBase, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await pgAdmin(pgBase, `CREATE DATABASE ${name}`);
    const u = new URL(pgBase);
    u.pathname = `/${name}`;
    target = { databaseUrl: u.toString() };
    db = await openPostgres(target.databaseUrl);
    drop = () => pgAdmin(pgBase, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } else {
    const dir = join(work, 'relay');
    mkdirSync(dir, { recursive: true });
    target = { dataDir: dir };
    db = await openPglite(join(dir, 'store'));
  }
  await migrate(db);
  const init = await initStore(db, { projectName: 'bench' });
  if (!init.success) throw new Error(init.error.message);
  const users = [{ id: init.data.userId, token: init.data.token }];
  for (let i = 1; i < USERS; i++) {
    const r = await addUser(db, { projectId: init.data.projectId, name: `bench${i}`, role: 'project_admin', actorId: init.data.userId });
    if (!r.success) throw new Error(r.error.message);
    users.push({ id: r.data.userId, token: r.data.token });
  }
  await db.close();
  return { target, projectId: init.data.projectId, users, drop };
}

function startRelay(target) {
  const args = ['relay', '--port', '0', ...(target.dataDir ? ['--data', target.dataDir] : [])];
  const env = { ...process.env };
  delete env.DATABASE_URL;
  if (target.databaseUrl) env.DATABASE_URL = target.databaseUrl;
  const child = spawn(process.execPath, [...(process.env.BENCH_RELAY_PROF ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_RELAY_PROF] : []), BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const m = /listening on (ws:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1], child, stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM')))) });
    });
    child.once('exit', (code) => reject(new Error(`relay exited ${code}\n${err}`)));
  });
}

// --- a light client -------------------------------------------------------------------------

let clientNo = 0;

/** one client: its outbox (write) and the project document (read), results keyed by mid */
function lightClient(url, projectId, user, opts = {}) {
  const clientId = `b${process.pid}n${++clientNo}`;
  const outbox = new Y.Doc();
  const project = new Y.Doc();
  const intents = outbox.getMap('intents');
  const results = project.getMap('results');
  const waiting = new Map();
  let seq = 0;
  results.observe((ev) => {
    const answered = [];
    for (const mid of ev.keysChanged) {
      const w = waiting.get(mid);
      const r = results.get(mid);
      if (!w || !r) continue;
      waiting.delete(mid);
      answered.push(r);
      w(r);
    }
    // acknowledged: prune, as the replica does
    if (answered.length) outbox.transact(() => answered.forEach((r) => intents.delete(seqKey(r.seq))));
  });
  const conns = [];
  const connect = () => {
    conns.push(connectDoc({ url, docName: formatDocName({ kind: 'project', projectId, epoch: 1 }), token: user.token, doc: project, initialBackoffMs: 50, maxBackoffMs: 500 }));
    conns.push(connectDoc({ url, docName: formatDocName({ kind: 'outbox', clientId, epoch: 1 }), token: user.token, doc: outbox, initialBackoffMs: 50, maxBackoffMs: 500 }));
  };
  if (opts.connect !== false) connect();
  return {
    clientId,
    project,
    connect,
    async synced() {
      for (const c of conns) {
        const r = await c.whenSynced(30_000);
        if (!r.success) throw new Error(`client ${clientId}: ${JSON.stringify(r.error)}`);
      }
    },
    /** queues one command; resolves with its result */
    send(command) {
      const s = ++seq;
      const mid = `${clientId}:${s}`;
      const done = new Promise((resolve) => waiting.set(mid, resolve));
      intents.set(seqKey(s), { projectId, envelope: { mid, clientId, seq: s, clientTime: new Date().toISOString(), command } });
      return done;
    },
    destroy() {
      for (const c of conns) c.destroy();
      outbox.destroy();
      project.destroy();
    },
  };
}

// --- measurements ---------------------------------------------------------------------------

async function throughput(clients) {
  const rejected = [];
  let accepted = 0;
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      const orderId = randomUUID();
      const first = await c.send({ type: 'order.create', orderId, fields: { displayId: `T-${c.clientId}` } });
      if (first.status !== 'accepted') rejected.push(first);
      else accepted++;
      let next = 1;
      const lane = async () => {
        while (next < COMMANDS) {
          const i = next++;
          const r = await c.send({ type: 'order.update', orderId, patch: { description: `update ${i}` } });
          if (r.status === 'accepted') accepted++;
          else rejected.push(r);
        }
      };
      await Promise.all(Array.from({ length: WINDOW }, lane));
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { commands: clients.length * COMMANDS, accepted, rejected: rejected.length, firstRejection: rejected[0]?.message ?? null, seconds: ms(seconds * 1000) / 1000, acceptedPerSecond: Math.round(accepted / seconds) };
}

async function propagation(writer, observers) {
  const orderId = randomUUID();
  await writer.send({ type: 'order.create', orderId, fields: { displayId: `P-${writer.clientId}` } });
  const sentAt = new Map();
  const latencies = [];
  const seen = observers.map(() => new Set());
  const unobserve = observers.map((o, k) => {
    const orders = o.project.getMap('orders');
    // entries are maps of their fields: a field update changes a map inside the entry
    const fn = () => {
      const d = /^lat (\d+)$/.exec(readEntry(orders.get(orderId))?.order?.description ?? '');
      if (!d || seen[k].has(d[1])) return;
      seen[k].add(d[1]);
      const t = sentAt.get(d[1]);
      if (t !== undefined) latencies.push(performance.now() - t);
    };
    orders.observeDeep(fn);
    return () => orders.unobserveDeep(fn);
  });
  // one change every 50 ms: latency under a steady trickle of interactive edits, not a queue
  const pending = [];
  for (let i = 0; i < SAMPLES; i++) {
    sentAt.set(String(i), performance.now());
    pending.push(writer.send({ type: 'order.update', orderId, patch: { description: `lat ${i}` } }));
    await sleep(50);
  }
  await Promise.all(pending);
  await sleep(300);
  unobserve.forEach((f) => f());
  latencies.sort((a, b) => a - b);
  return { samples: latencies.length, p50Ms: ms(percentile(latencies, 50)), p99Ms: ms(percentile(latencies, 99)), maxMs: ms(latencies[latencies.length - 1] ?? NaN) };
}

async function backlog(url, projectId, user) {
  const c = lightClient(url, projectId, user, { connect: false });
  const orderId = randomUUID();
  const all = [c.send({ type: 'order.create', orderId, fields: { displayId: `B-${c.clientId}` } })];
  for (let i = 1; i < BACKLOG; i++) all.push(c.send({ type: 'order.update', orderId, patch: { description: `offline ${i}` } }));
  const t0 = performance.now();
  c.connect();
  const results = await Promise.all(all);
  const elapsed = performance.now() - t0;
  c.destroy();
  return { commands: BACKLOG, accepted: results.filter((r) => r.status === 'accepted').length, allResultsMs: ms(elapsed) };
}

/** user + system CPU time of a process so far (Linux /proc), or NaN elsewhere */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux)
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

async function run(kind, pgBase) {
  const work = mkdtempSync(join(tmpdir(), `curio-bench-sync-${kind}-`));
  const store = await makeStore(kind, work, pgBase);
  const relay = await startRelay(store.target);
  const clients = [];
  try {
    for (let i = 0; i < CLIENTS; i++) clients.push(lightClient(relay.url, store.projectId, store.users[i % USERS]));
    await Promise.all(clients.map((c) => c.synced()));
    // warm up the relay's paths (first queries, JIT) before measuring
    await Promise.all(clients.slice(0, 5).map((c) => c.send({ type: 'order.create', orderId: randomUUID(), fields: { displayId: `W-${c.clientId}` } })));
    const lat = await propagation(clients[0], clients.slice(1));
    const cpu0 = cpuMs(relay.child.pid);
    const tp = await throughput(clients);
    // relay CPU per accepted command: the figure a busy machine disturbs least
    const cpu = cpuMs(relay.child.pid) - cpu0;
    if (cpu >= 0) tp.relayCpuMsPerCommand = Math.round((cpu / Math.max(1, tp.accepted)) * 100) / 100;
    for (const c of clients) c.destroy();
    clients.length = 0;
    const bl = await backlog(relay.url, store.projectId, store.users[0]);
    return { store: kind, clients: CLIENTS, throughput: tp, propagation: lat, backlog: bl };
  } finally {
    for (const c of clients) c.destroy();
    await relay.stop();
    await store.drop();
    rmSync(work, { recursive: true, force: true });
  }
}

const stores = [];
if (!ONLY || ONLY === 'pglite') stores.push(['pglite', null]);
if (!ONLY || ONLY === 'postgres') {
  const url = postgresUrl();
  if (url) stores.push(['postgres', url]);
  else console.error('PostgreSQL: skipped (no DATABASE_URL and no local cluster could be started)');
}

const runs = [];
for (const [kind, url] of stores) {
  console.error(`${kind}: ${CLIENTS} clients × ${COMMANDS} commands, ${SAMPLES} latency samples, backlog ${BACKLOG} …`);
  runs.push(await run(kind, url));
}

const ok = (v, good) => (good ? `${v}` : `${v} (miss)`);
printTable(
  ['store', 'accepted/s', 'relay CPU ms/cmd', 'rejected', 'propagation p50 ms', 'p99 ms', `backlog ${BACKLOG} ms`],
  runs.map((r) => [
    r.store,
    ok(r.throughput.acceptedPerSecond, r.throughput.acceptedPerSecond >= TARGETS.acceptedPerSecond),
    r.throughput.relayCpuMsPerCommand ?? '–',
    r.throughput.rejected,
    r.propagation.p50Ms,
    ok(r.propagation.p99Ms, r.propagation.p99Ms < TARGETS.propagationP99Ms),
    ok(r.backlog.allResultsMs, r.backlog.allResultsMs < TARGETS.backlogMs),
  ]),
);
const file = writeResults('sync', { targets: TARGETS, machine: { cpus: cpus().length, loadavg: loadavg().map((x) => Math.round(x * 100) / 100), node: process.version }, at: new Date().toISOString(), runs });
console.error(`wrote ${file}`);
process.exit(0);
