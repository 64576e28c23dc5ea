// the curio CLI as a replica, the way users meet sync: offline commands that are only
// queued, a client killed mid-command, two offline users who disagree, a user whose role
// is taken away while offline

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT } from '../helpers/cli.ts';
import {
  STORE_KINDS,
  childEnv,
  createSyncFixture,
  loginReplica,
  snapshot,
  startRelayChild,
  startRelayInProcess,
  storeTitle,
  waitUntil,
  type CentralStore,
  type SyncFixture,
} from '../helpers/relay.ts';
import type { Sql } from '../../src/db/index.ts';

interface PendingJson {
  mid: string;
  status: string;
  type: string;
  code: string | null;
  message: string | null;
  current: { status?: string; version?: number } | null;
}

function journalEntries(home: string): { mid: string; command: unknown }[] {
  const p = join(home, 'journal.ndjson');
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as { mid: string; command: unknown }];
      } catch {
        return [];
      }
    });
}

async function count(db: Sql, sql: string, params: unknown[]): Promise<number> {
  return Number((await db.query<{ n: number }>(sql, params as never[]))[0]!.n);
}

/** the central store, opened after the relay stopped */
async function withCentral<T>(central: CentralStore, fn: (db: Sql) => Promise<T>): Promise<T> {
  const db = await central.open();
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

describe.each(STORE_KINDS)('the CLI as a replica on $kind', (store) => {
  let fx: SyncFixture;
  beforeAll(async () => {
    if (!store.skip) fx = await createSyncFixture(store.kind, 'cli');
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  it.skipIf(store.skip)(`${storeTitle(store)}: offline changes survive a killed client and arrive exactly once`, async () => {
    const central = await fx.central();
    let relay = await startRelayChild(central);
    try {
      const a = await loginReplica(fx, 'admin', relay.url);
      expect((await a.run('orders', 'create', '-n', 'ORD-OFF-1')).code).toBe(0);
      const clientId = (JSON.parse(readFileSync(join(a.home, 'config.json'), 'utf8')) as { clientId: string }).clientId;
      await relay.stop();

      // offline: the command is checked locally, journaled and queued
      const first = await a.bin(['orders', 'transition', 'ORD-OFF-1', 'analyzing'], { CURIO_CONNECT_TIMEOUT_MS: '300' });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/^queued /);

      // a client killed while it waits for the relay: the journal already holds the command
      const child = spawn(process.execPath, [BIN, 'orders', 'transition', 'ORD-OFF-1', 'review'], {
        cwd: REPO_ROOT,
        env: childEnv({ CURIO_HOME: a.home, CURIO_CONNECT_TIMEOUT_MS: '60000' }),
        stdio: 'ignore',
      });
      const gone = new Promise((r) => child.once('exit', r));
      await waitUntil('the second command in the journal', () => journalEntries(a.home).filter((e) => e.command !== null).length >= 2, 30_000);
      child.kill('SIGKILL');
      await gone;

      const third = await a.run('orders', 'update', 'ORD-OFF-1', '--priority', 'high', '--no-wait');
      expect(third.code, third.stderr).toBe(0);
      expect(third.stdout).toMatch(/^queued /);
      const offline = await a.json<{ connection: string; queued: number }>('status');
      expect(offline).toMatchObject({ connection: 'offline', queued: 3 });

      relay = await startRelayChild(central, { port: relay.port });
      const synced = await a.run('sync');
      expect(synced.code, synced.stderr).toBe(0);
      expect(synced.stdout).toMatch(/in step with/);
      expect(await a.json<{ queued: number; rejected: number }>('status')).toMatchObject({ queued: 0, rejected: 0 });
      await relay.stop();

      await withCentral(central, async (db) => {
        const results = await db.query<{ mid: string; status: string }>('SELECT mid, status FROM command_results WHERE client_id = $1 ORDER BY seq', [clientId]);
        expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
        for (const r of results) expect(await count(db, 'SELECT count(*)::int AS n FROM audit_log WHERE mid = $1', [r.mid])).toBe(1);
        const order = (await db.query<{ id: string; status: string; priority: string; version: number }>(`SELECT id, status, priority, version FROM orders WHERE display_id = 'ORD-OFF-1'`))[0]!;
        expect(order).toMatchObject({ status: 'review', priority: 'high', version: 4 });
        // created (1) + analyzing (2) + review (2): each move recorded once
        expect(await count(db, 'SELECT count(*)::int AS n FROM stage_transitions WHERE order_id = $1', [order.id])).toBe(5);
        const truth = await snapshot(db, fx.projectId);
        expect(await a.withStore((rdb) => snapshot(rdb, fx.projectId))).toEqual(truth);
      });
      const verify = await central.adminBin('audit', 'verify');
      expect(verify.code, verify.stderr).toBe(0);
      expect(verify.stdout).toMatch(/audit: ok/);
    } finally {
      await relay.stop();
    }
  });

  it.skipIf(store.skip)(`${storeTitle(store)}: two offline users disagree about one order: one wins, the other sees why`, async () => {
    const central = await fx.central();
    let relay = await startRelayInProcess(central);
    try {
      const admin = await loginReplica(fx, 'admin', relay.url);
      const editor = await loginReplica(fx, 'editor', relay.url);
      for (const args of [
        ['orders', 'create', '-n', 'ORD-C-1'],
        ['orders', 'transition', 'ORD-C-1', 'analyzing'],
        ['stages', 'assign', 'ORD-C-1', '--user', 'editor', '--stage', 'review'],
        ['orders', 'transition', 'ORD-C-1', 'review'],
      ]) {
        const r = await admin.run(...args);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      }
      expect((await editor.run('sync')).code).toBe(0);
      expect((await editor.json<{ status: string }>('orders', 'get', 'ORD-C-1')).status).toBe('review');
      await relay.stop();

      // both offline: the assignee signs off, the admin cancels
      const signOff = await editor.json<{ queued: boolean; mid: string }>('orders', 'transition', 'ORD-C-1', 'sign_off', '--no-wait');
      const cancel = await admin.json<{ queued: boolean; mid: string }>('orders', 'transition', 'ORD-C-1', 'cancelled', '--no-wait');
      expect(signOff.queued && cancel.queued).toBe(true);
      expect((await editor.json<{ status: string }>('orders', 'get', 'ORD-C-1')).status).toBe('sign_off');
      expect((await admin.json<{ status: string }>('orders', 'get', 'ORD-C-1')).status).toBe('cancelled');

      relay = await startRelayInProcess(central, { port: relay.port });
      const [sa, se] = await Promise.all([admin.run('sync'), editor.run('sync')]);
      expect([sa.code, se.code], sa.stderr + se.stderr).toEqual([0, 0]);
      await relay.relay.idle();
      const finalStatus = (await relay.db.query<{ status: string }>(`SELECT status FROM orders WHERE display_id = 'ORD-C-1'`))[0]!.status;
      expect(['cancelled', 'sign_off']).toContain(finalStatus);
      const [winner, loser, lostMid] = finalStatus === 'cancelled' ? [admin, editor, signOff.mid] : [editor, admin, cancel.mid];
      expect(await winner.json<{ rejected: number }>('status')).toMatchObject({ rejected: 0 });

      // the loser: rejected with the reason and the server's state, in status and pending
      const st = await loser.json<{ rejected: number; queued: number; rejected_commands: PendingJson[] }>('status');
      expect(st).toMatchObject({ rejected: 1, queued: 0 });
      const issue = st.rejected_commands[0]!;
      expect(issue).toMatchObject({ mid: lostMid, status: 'rejected', type: 'order.transition', current: { status: finalStatus } });
      expect(['invalid_transition', 'stale_version']).toContain(issue.code);
      expect(issue.message).toMatch(/^(Invalid transition|Stale version)/);
      const statusText = await loser.run('status');
      expect(statusText.stdout).toMatch(/rejected by the relay:/);
      expect(statusText.stdout).toContain(lostMid);
      const pending = await loser.json<PendingJson[]>('pending');
      expect(pending).toEqual([expect.objectContaining({ mid: lostMid, status: 'rejected', code: issue.code })]);
      expect((await loser.run('pending')).stdout).toContain(issue.message!.slice(0, 30));

      // every replica shows the server's outcome; the overlay of the loser is gone
      await relay.relay.idle();
      const truth = await snapshot(relay.db, fx.projectId);
      expect(truth.orders[0]).toMatchObject({ status: finalStatus });
      for (const h of [admin, editor]) {
        expect((await h.run('sync')).code).toBe(0);
        expect(await h.withStore((db) => snapshot(db, fx.projectId))).toEqual(truth);
      }
      const discarded = await loser.run('pending', 'discard', lostMid);
      expect(discarded.code, discarded.stderr).toBe(0);
      expect(await loser.json('pending')).toEqual([]);
    } finally {
      await relay.stop();
    }
  });

  it.skipIf(store.skip)(`${storeTitle(store)}: a role taken away while the client is offline: its queued changes come back permission_denied`, async () => {
    const central = await fx.central();
    let relay = await startRelayInProcess(central);
    try {
      const admin = await loginReplica(fx, 'admin', relay.url);
      const editor = await loginReplica(fx, 'editor', relay.url);
      const editor2 = await loginReplica(fx, 'editor2', relay.url);
      for (const args of [
        ['orders', 'create', '-n', 'ORD-R-1'],
        ['orders', 'transition', 'ORD-R-1', 'analyzing'],
        ['stages', 'assign', 'ORD-R-1', '--user', 'editor'],
      ]) expect((await admin.run(...args)).code).toBe(0);
      expect((await editor.run('sync')).code).toBe(0);
      await relay.stop();

      const q1 = await editor.json<{ mid: string }>('stages', 'start', 'ORD-R-1', '--no-wait');
      const q2 = await editor.json<{ mid: string }>('orders', 'update', 'ORD-R-1', '--priority', 'high', '--no-wait');
      const q3 = await editor2.json<{ mid: string }>('orders', 'create', '-n', 'ORD-R-2', '--no-wait');
      const removed = await central.admin('user', 'role', 'editor', '--remove');
      expect(removed.code, removed.stderr).toBe(0);
      const revoked = await central.admin('user', 'revoke', 'editor2');
      expect(revoked.code, revoked.stderr).toBe(0);

      relay = await startRelayInProcess(central, { port: relay.port });
      const sync = await editor.run('sync');
      expect(sync.code).toBe(3);
      expect(sync.stderr).toMatch(/4403|forbidden/i);
      const pending = await editor.json<PendingJson[]>('pending');
      expect(pending.map((p) => [p.mid, p.status, p.code])).toEqual([
        [q1.mid, 'rejected', 'permission_denied'],
        [q2.mid, 'rejected', 'permission_denied'],
      ]);
      expect(await editor.json<{ rejected: number }>('status')).toMatchObject({ rejected: 2 });
      await relay.relay.idle();
      const order = (await relay.db.query<{ priority: string; version: number }>(`SELECT priority, version FROM orders WHERE display_id = 'ORD-R-1'`))[0]!;
      expect(order).toEqual({ priority: 'medium', version: 3 });

      // a revoked token reaches nothing: the change stays queued on the client, never applied
      const refused = await editor2.run('sync');
      expect(refused.code).toBe(3);
      expect(refused.stderr).toMatch(/4401 unauthorized/);
      expect((await editor2.json<PendingJson[]>('pending')).map((p) => [p.mid, p.status])).toEqual([[q3.mid, 'queued']]);
      expect(await editor2.json<{ refused: string }>('status')).toMatchObject({ refused: expect.stringMatching(/^4401/) });
      expect((await relay.db.query(`SELECT 1 FROM orders WHERE display_id = 'ORD-R-2'`)).length).toBe(0);
    } finally {
      await relay.stop();
    }
  });
});
