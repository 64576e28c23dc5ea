import { closeReason, type CloseCode } from '../core/index.ts';
import { migrate } from '../db/index.ts';
import { fetchSession, type PendingCommand } from '../sync/index.ts';
import { startRelay } from '../sync-server/index.ts';
import { parseArgs, type Parsed, stringFlag } from './args.ts';
import { EXIT, newClientId, replicaOf, report, type Session, type Store } from './context.ts';
import { acquireLock, writeConfig } from './home.ts';
import { fields, table, toWire, type Output } from './output.ts';

export const RELAY_USAGE = 'curio relay [--host 127.0.0.1] [--port N] [--data DIR]   (DATABASE_URL=postgres://… selects PostgreSQL)';

/** runs the relay until SIGTERM/SIGINT */
export async function runRelay(argv: string[], env: NodeJS.ProcessEnv, out: Output, signals: NodeJS.Process = process): Promise<number> {
  const a = parseArgs(argv, { usage: RELAY_USAGE, flags: { host: { type: 'string' }, port: { type: 'number' }, data: { type: 'string' } }, positionals: [] });
  if (!a.success) return report(out, a.error);
  const port = a.data.flags.port === undefined ? 4444 : Number(a.data.flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return report(out, { code: 'invalid_input', message: `--port: expected 0-65535, got ${port}` });
  const dataDir = stringFlag(a.data.flags.data) ?? (env.DATABASE_URL ? undefined : `${env.CURIO_HOME ?? '.'}/relay`);
  const release = dataDir ? acquireLock(dataDir) : () => undefined;
  try {
    const relay = await startRelay({
      host: stringFlag(a.data.flags.host) ?? '127.0.0.1',
      port,
      ...(env.DATABASE_URL && !a.data.flags.data ? { databaseUrl: env.DATABASE_URL } : { dataDir: dataDir! }),
      log: (level, event, f) => {
        if (level === 'error' || level === 'warn') out.err(`[relay] ${level} ${event} ${f ? JSON.stringify(f) : ''}`);
      },
    });
    out.out(`listening on ${relay.url}`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      signals.once('SIGTERM', stop);
      signals.once('SIGINT', stop);
    });
    out.err('shutting down: finishing commands in flight, storing documents');
    await relay.close();
    return EXIT.ok;
  } finally {
    release();
  }
}

/** turns CURIO_HOME into a replica of a relay's project */
export async function runReplicaLogin(store: Store, out: Output, a: Parsed): Promise<number> {
  const server = stringFlag(a.flags.server)!;
  const token = stringFlag(a.flags.token);
  if (!token) return report(out, { code: 'invalid_input', message: '--token TOKEN is required' });
  const info = await fetchSession(server, token);
  if (!info.success) return report(out, info.error);
  const want = stringFlag(a.flags.project);
  const projects = info.data.projects;
  const project = want ? projects.find((p) => p.name === want || p.id === want) : projects.length === 1 ? projects[0] : undefined;
  if (!project)
    return report(out, {
      code: want ? 'not_found' : 'invalid_input',
      message: want ? `Not found: project ${want} on ${server}` : `choose a project with --project (${projects.map((p) => p.name).join(', ') || 'you are in none'})`,
    });
  const previous = store.config;
  if (previous?.mode === 'standalone' && previous.token && !a.flags.force)
    return report(out, { code: 'conflict', message: `Conflict: ${store.home} holds a standalone store; use another CURIO_HOME for a replica (or --force)` });
  const sameReplica = previous?.mode === 'replica' && previous.server === server && previous.userId === info.data.user.id && previous.projectId === project.id;
  const config = {
    mode: 'replica' as const,
    server,
    token,
    projectId: project.id,
    epoch: project.epoch,
    userName: info.data.user.name,
    userId: info.data.user.id,
    clientId: sameReplica && previous.clientId ? previous.clientId : newClientId(),
  };
  writeConfig(store.home, config);
  await migrate(store.db);
  const replica = (await replicaOf({ ...store, config }))!;
  try {
    await replica.open();
    replica.connect();
    const synced = await replica.whenSynced(10_000);
    if (!synced.ok) return report(out, { code: 'conflict', message: `logged in, but the first sync failed: ${synced.reason} (run 'curio sync')` });
    const n = (await store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM orders WHERE project_id = $1', [project.id]))[0]?.n ?? 0;
    if (out.json) out.data({ user: info.data.user.name, project: project.name, server, orders: n, home: store.home });
    else out.out(`logged in as ${info.data.user.name} on ${server}, project ${project.name}; replica has ${n} orders`);
    return EXIT.ok;
  } finally {
    await replica.close();
  }
}

export async function runSync(s: Session, out: Output, argv: string[]): Promise<number> {
  const a = parseArgs(argv, { usage: 'curio sync [--timeout S]', flags: { timeout: { type: 'number' } }, positionals: [] });
  if (!a.success) return report(out, a.error);
  if (!s.replica) return report(out, { code: 'invalid_input', message: "this CURIO_HOME is a standalone store, not a replica: there is nothing to sync (see 'curio login --server')" });
  const timeoutMs = Math.max(1, Number(a.data.flags.timeout ?? 30)) * 1000;
  const started = Date.now();
  s.replica.connect();
  const synced = await s.replica.whenSynced(timeoutMs);
  if (!synced.ok) {
    const fatal = s.replica.fatal;
    // access to the project taken away: the relay still answers queued commands through the outbox
    if (fatal && s.replica.outboxOpen) await s.replica.drained(Math.max(1, Math.min(10_000, timeoutMs - (Date.now() - started))));
    const { rejected } = await s.replica.status();
    const why = fatal ? `${fatal.code} ${closeReason[fatal.code as CloseCode] ?? fatal.reason}` : synced.reason;
    return report(out, {
      code: fatal ? 'permission_denied' : 'not_found',
      message: `cannot sync with ${s.config.server}: ${why}${rejected ? `; ${rejected} commands rejected (see 'curio pending')` : ''}`,
    });
  }
  const drained = await s.replica.drained(Math.max(1, timeoutMs - (Date.now() - started)));
  const st = await s.replica.status();
  if (out.json) out.data({ in_step: drained, queued: st.queued, rejected: st.rejected, last_sync: st.lastSync });
  else out.out(drained ? `in step with ${s.config.server}${st.rejected ? `; ${st.rejected} rejected (see 'curio pending')` : ''}` : `connected, but ${st.queued} commands are still waiting for the relay`);
  return drained ? EXIT.ok : EXIT.failure;
}

export async function runStatus(s: Session, out: Output): Promise<number> {
  if (!s.replica) {
    const info = { mode: 'standalone', home: s.home, project: s.project.name, user: s.user.name };
    if (out.json) out.data(info);
    else out.out(fields(Object.entries(info)));
    return EXIT.ok;
  }
  s.replica.connect();
  await s.replica.whenSynced(Number(process.env.CURIO_CONNECT_TIMEOUT_MS ?? 2000));
  const st = await s.replica.status();
  const rejected = await s.replica.pending(['rejected']);
  const info = {
    mode: 'replica',
    server: st.server,
    connection: st.connection,
    last_sync: st.lastSync,
    queued: st.queued,
    rejected: st.rejected,
    user: s.user.name,
    project: s.project.name,
    ...(st.fatal ? { refused: `${st.fatal.code} ${st.fatal.reason}` } : {}),
    ...(st.error ? { sync_error: st.error } : {}),
  };
  if (out.json) out.data({ ...info, rejected_commands: rejected.map(pendingWire) });
  else {
    out.out(fields(Object.entries(info)));
    if (rejected.length) {
      out.out('\nrejected by the relay:');
      out.out(pendingTable(rejected));
    }
  }
  return EXIT.ok;
}

function pendingWire(p: PendingCommand) {
  return toWire({
    mid: p.mid,
    seq: p.seq,
    status: p.status,
    type: p.command.type,
    command: p.command,
    code: p.result?.code ?? null,
    message: p.result?.message ?? null,
    current: p.result?.current ?? null,
    createdAt: p.createdAt,
  });
}

function pendingTable(rows: PendingCommand[]): string {
  return table(
    ['MID', 'STATUS', 'COMMAND', 'REASON', 'SERVER STATE'],
    rows.map((p) => {
      const cur = p.result?.current as { status?: string; version?: number } | null | undefined;
      return [p.mid, p.status, p.command.type, p.result?.message ?? null, cur?.status ? `${cur.status} v${cur.version}` : null];
    }),
  );
}

export async function runPending(s: Session, out: Output, argv: string[]): Promise<number> {
  if (!s.replica) return report(out, { code: 'invalid_input', message: 'this CURIO_HOME is a standalone store: commands apply at once, nothing is pending' });
  const [verb, mid, ...rest] = argv.filter((x) => x !== '--json');
  if (verb === undefined) {
    const rows = await s.replica.pending(['queued', 'sent', 'rejected']);
    if (out.json) out.data(rows.map(pendingWire));
    else out.out(rows.length ? pendingTable(rows) : 'nothing pending');
    return EXIT.ok;
  }
  if ((verb !== 'discard' && verb !== 'reissue') || !mid || rest.length)
    return report(out, { code: 'invalid_input', message: 'usage: curio pending [--json] | curio pending discard MID | curio pending reissue MID' });
  const r = verb === 'discard' ? await s.replica.discard(mid) : await s.replica.reissue(mid);
  if (!r.success) return report(out, r.error);
  if (verb === 'discard') {
    if (out.json) out.data({ discarded: mid });
    else out.out(`discarded ${mid}`);
    return EXIT.ok;
  }
  s.replica.connect();
  const synced = await s.replica.whenSynced(3000);
  const result = synced.ok ? await s.replica.waitFor(r.data.mid, 15_000) : null;
  if (!result) {
    if (out.json) out.data({ reissued: mid, mid: r.data.mid, queued: true });
    else out.out(`re-issued ${mid} as ${r.data.mid}; queued until the relay answers`);
    return EXIT.ok;
  }
  if (result.status === 'rejected') return report(out, { code: result.code ?? 'conflict', message: result.message ?? 'rejected' });
  if (out.json) out.data({ reissued: mid, mid: r.data.mid, status: 'accepted' });
  else out.out(`re-issued ${mid} as ${r.data.mid}: accepted`);
  return EXIT.ok;
}
