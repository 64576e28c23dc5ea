import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReactNode } from 'react';
import { ingestDemoVariants, seedDemo } from '../../src/cli/demo.ts';
import { standaloneGateway } from '../../src/cli/context.ts';
import type { CommandInput, CommandResult } from '../../src/core/index.ts';
import { findProject, findUser, listProjects, loadActor, migrate, openPglite, type SqlDatabase } from '../../src/db/index.ts';
import type { PendingCommand, PendingStatus, ReplicaStatus } from '../../src/sync/index.ts';
import { sessionBackend, type SubmitOutcome, type SyncSource, type TuiBackend, type TuiSession } from '../../src/tui/backend.ts';
import type { Route } from '../../src/tui/ui.ts';
import { Workspace } from '../../src/tui/Workspace.tsx';
import { KEYS as KEY_BYTES, lines, plain, renderAt, tick, type Rendered, type RenderOptions } from '../tui-kit/render.tsx';
import { VirtualTerminal } from './vt.ts';

export { KEYS, lines, plain, tick } from '../tui-kit/render.tsx';

const ROOT = join(import.meta.dirname, '..', '..');

// seeding the demo project through the command processor takes seconds; the
// result is kept as a PGlite dump keyed by the sources that shape it
function seedKey(): string {
  const h = createHash('sha256');
  for (const f of ['src/db/schema.ts', 'src/cli/demo.ts', 'src/core/decide.ts', 'src/core/labflow.ts', 'src/db/state.ts', 'src/db/processor.ts', 'src/db/report-draft.ts', 'src/vcf/schema.ts', 'src/vcf/ingest.ts', 'src/vcf/extract.ts']) {
    h.update(existsSync(join(ROOT, f)) ? readFileSync(join(ROOT, f)) : f);
  }
  return h.digest('hex').slice(0, 16);
}

/** an in-memory store holding the demo project (ada, cora, eli, vik, rhea, fran) */
export async function demoDb(): Promise<SqlDatabase & { pglite: { dumpDataDir(c?: 'gzip'): Promise<Blob> } }> {
  const cache = join(tmpdir(), `curio-tui-demo-${seedKey()}.tar.gz`);
  if (existsSync(cache)) {
    try {
      const db = await openPglite(undefined, { loadDataDir: new Blob([readFileSync(cache)]) });
      // a dump is a store that was never shut down: its unlogged variant cache comes back empty
      const [project] = await listProjects(db);
      if (project) await ingestDemoVariants(db, project.id);
      return db;
    } catch {
      // a damaged cache is rebuilt below
    }
  }
  const db = await openPglite();
  await migrate(db);
  await seedDemo(db);
  const dump = await db.pglite.dumpDataDir('gzip');
  const tmp = `${cache}.${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  renameSync(tmp, cache);
  return db;
}

/** a standalone session of one demo user on the store */
export async function sessionAs(db: SqlDatabase, name: string, clientId = `tui-test-${name}`): Promise<TuiSession> {
  const user = await findUser(db, name);
  const projectRef = (await listProjects(db))[0];
  if (!user || !projectRef) throw new Error(`no user ${name} in the demo store`);
  const project = (await findProject(db, projectRef.id))!;
  const actor = (await loadActor(db, project.id, user.id))!;
  return { db, user, project, actor, gateway: standaloneGateway(db, project.id, user.id, clientId) };
}

/** a stand-in for the sync client: pending commands, a connection state and presence set by the test */
export class FakeSync implements SyncSource {
  readonly config = { server: 'ws://relay.test:4444', clientId: 'cfake' };
  connection: ReplicaStatus['connection'] = 'online';
  rows: PendingCommand[] = [];
  others = new Map<string, string[]>();
  viewing: string | null = null;
  #listeners = new Set<() => void>();
  #seq = 0;

  queue(command: CommandInput, status: PendingStatus = 'queued', result: Partial<CommandResult> | null = null): PendingCommand {
    const seq = ++this.#seq;
    const now = new Date().toISOString();
    const row: PendingCommand = {
      mid: `cfake:${seq}`,
      seq,
      projectId: '00000000-0000-0000-0000-000000000000',
      command: command as PendingCommand['command'],
      status,
      result: result
        ? ({ mid: `cfake:${seq}`, clientId: 'cfake', seq, status: 'rejected', code: 'conflict', message: 'rejected', commandType: command.type, entityType: 'order', entityId: null, entityVersion: null, serverSeq: 1, serverTime: now, current: null, ...result } as CommandResult)
        : null,
      createdAt: now,
      updatedAt: now,
    };
    this.rows.push(row);
    this.emit();
    return row;
  }
  /** the relay answers a queued command */
  answer(mid: string, status: 'accepted' | 'rejected', result: Partial<CommandResult> = {}): void {
    const row = this.rows.find((r) => r.mid === mid);
    if (!row) throw new Error(`no pending ${mid}`);
    row.status = status;
    row.result = { mid, clientId: 'cfake', seq: row.seq, status, code: status === 'rejected' ? 'conflict' : null, message: null, commandType: row.command.type, entityType: 'order', entityId: null, entityVersion: null, serverSeq: 2, serverTime: new Date().toISOString(), current: null, ...result };
    this.emit();
  }
  emit(): void {
    for (const fn of this.#listeners) fn();
  }
  async status(): Promise<ReplicaStatus> {
    const n = (s: PendingStatus) => this.rows.filter((r) => r.status === s).length;
    return { server: this.config.server, connection: this.connection, lastSync: '2026-05-01T10:00:00.000Z', queued: n('queued') + n('sent'), rejected: n('rejected'), fatal: null, error: null };
  }
  async pending(filter?: PendingStatus[]): Promise<PendingCommand[]> {
    return this.rows.filter((r) => !filter || filter.includes(r.status)).map((r) => ({ ...r }));
  }
  async discard(mid: string) {
    const row = this.rows.find((r) => r.mid === mid);
    if (!row || row.status !== 'rejected') return { success: false as const, error: { code: 'conflict' as const, message: `Conflict: ${mid} is not rejected` } };
    row.status = 'discarded';
    this.emit();
    return { success: true as const, data: row };
  }
  async reissue(mid: string) {
    const row = this.rows.find((r) => r.mid === mid);
    if (!row || row.status !== 'rejected') return { success: false as const, error: { code: 'conflict' as const, message: `Conflict: ${mid} is not rejected` } };
    row.status = 'discarded';
    return { success: true as const, data: this.queue(row.command) };
  }
  onChange(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }
  setPresence(viewing: string | null): void {
    this.viewing = viewing;
  }
  presence(): Map<string, string[]> {
    return new Map(this.others);
  }
  connect(): void {}
}

/** a replica-mode session over the store: commands are checked by the store's rules, then queued */
export function replicaSession(session: TuiSession, sync: FakeSync, answer?: (command: CommandInput) => 'queue' | SubmitOutcome): TuiSession {
  return {
    ...session,
    replica: sync,
    gateway: {
      async submit(command) {
        const decided = answer?.(command) ?? 'queue';
        if (decided !== 'queue') return decided;
        const row = sync.queue(command);
        return { status: 'queued', mid: row.mid, reason: 'not waiting' };
      },
    },
  };
}

export interface App extends Rendered {
  backend: TuiBackend;
  text(): string;
  /** polls the frame until it shows `match` (data arrives from PGlite asynchronously) */
  waitFor(match: string | RegExp, timeoutMs?: number): Promise<string>;
  /** presses keys, then waits for `match` */
  keys(keys: readonly string[], match?: string | RegExp): Promise<string>;
}

export async function renderApp(session: TuiSession, options: RenderOptions & { initial?: Route } = {}): Promise<App> {
  const backend = sessionBackend(session);
  return renderBackend(backend, options);
}

export async function renderBackend(backend: TuiBackend, options: RenderOptions & { initial?: Route } = {}, node?: ReactNode): Promise<App> {
  const r = await renderAt(node ?? <Workspace backend={backend} {...(options.initial ? { initial: options.initial } : {})} />, options);
  const text = () => plain(r.lastFrame());
  // generous: a frame that never comes still fails, and a busy 2-core machine is slow to draw
  const waitFor = async (match: string | RegExp, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = text();
      if (typeof match === 'string' ? frame.includes(match) : match.test(frame)) return frame;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(match)}; last frame:\n${frame}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return {
    ...r,
    backend,
    text,
    waitFor,
    async keys(keys, match) {
      await r.press(...keys);
      await tick();
      return match === undefined ? text() : waitFor(match);
    },
  };
}

/** the cursor row of a frame (the line with '›' in the gutter) */
export function cursorLine(frame: string): string {
  // the age column ticks with the clock: a row is the same row a minute later
  return (lines(frame).find((l) => /^›/.test(l)) ?? '').replace(/ \d+[smhd] /, ' ~ ');
}

/** n more clinical orders straight into SQL, with their stage rows, as the labflow leaves them */
export async function bulkOrders(db: SqlDatabase, n: number, prefix = 'BULK'): Promise<void> {
  const project = (await listProjects(db))[0]!;
  const users = (await db.query<{ id: string }>(`SELECT id FROM users WHERE name IN ('cora', 'eli') ORDER BY name`)).map((r) => r.id);
  await db.query(
    `INSERT INTO orders (id, project_id, display_id, workflow, status, mode, priority, accession, clinical_indication,
                         ordering_provider, tags, labflow_id, created_by, version, created_at, updated_at)
     SELECT gen_random_uuid(), $1, format('%s-%s', $2::text, lpad(g::text, 5, '0')), 'clinical',
            (ARRAY['created','analyzing','review','sign_off','completed','cancelled','reviewed'])[1 + g % 7],
            'hereditary', (ARRAY['low','medium','high'])[1 + g % 3], format('ACC%s', g),
            (ARRAY['epilepsy','cardiomyopathy','AML','hearing loss'])[1 + g % 4], 'Dr Bulk',
            CASE WHEN g % 10 = 0 THEN ARRAY['bulk','urgent'] ELSE ARRAY['bulk'] END,
            'system-clinical-v1', ($3::uuid[])[1 + g % 2], 1,
            now() - make_interval(mins => g), now() - make_interval(mins => g)
     FROM generate_series(1, $4::int) g`,
    [project.id, prefix, users, n],
  );
  await db.query(
    `INSERT INTO order_stages (order_id, stage_code, position, state, assignee_id, updated_at)
     SELECT o.id, st->>'code', (st->>'position')::int,
            CASE WHEN st->>'code' = (CASE o.status WHEN 'reviewed' THEN 'review' ELSE o.status END) THEN 'pending' ELSE 'unassigned' END,
            CASE WHEN st->>'code' = (CASE o.status WHEN 'reviewed' THEN 'review' ELSE o.status END) THEN o.created_by END, o.updated_at
     FROM orders o, labflows l, jsonb_array_elements(l.stages) st
     WHERE l.id = 'system-clinical-v1' AND o.display_id LIKE $1`,
    [`${prefix}-%`],
  );
}

/** wraps a backend to count the order rows it reads */
export function countingBackend(backend: TuiBackend): TuiBackend & { rowsRead: number; pagesRead: number } {
  const counted = Object.create(backend) as TuiBackend & { rowsRead: number; pagesRead: number };
  counted.rowsRead = 0;
  counted.pagesRead = 0;
  counted.orders = async (query, offset, limit) => {
    const rows = await backend.orders(query, offset, limit);
    counted.rowsRead += rows.length;
    counted.pagesRead++;
    return rows;
  };
  return counted;
}

/** a terminal for renderFullScreen: writes go into a VirtualTerminal, keys come from `press` */
export function fakeTerminal(columns = 80, rows = 24) {
  const vt = new VirtualTerminal(columns, rows);
  const writes: string[] = [];
  const stdout = Object.assign(new EventEmitter(), {
    columns,
    rows,
    isTTY: true,
    write(chunk: string) {
      writes.push(chunk);
      vt.write(chunk);
      return true;
    },
  });
  let pending: string | null = null;
  const stdin = Object.assign(new EventEmitter(), {
    isTTY: true,
    setEncoding() {},
    setRawMode() {},
    resume() {},
    pause() {},
    ref() {},
    unref() {},
    read() {
      const data = pending;
      pending = null;
      return data;
    },
  });
  return {
    vt,
    writes,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    async press(...keys: string[]) {
      for (const key of keys) {
        pending = KEY_BYTES[key] ?? key;
        stdin.emit('readable');
        // past Ink's 30 fps render throttle
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async resize(c: number, r: number) {
      stdout.columns = c;
      stdout.rows = r;
      vt.resize(c, r);
      stdout.emit('resize');
      await new Promise((resolve) => setTimeout(resolve, 80));
    },
  };
}
