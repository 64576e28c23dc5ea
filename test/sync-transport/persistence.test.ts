import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '../../src/core/wire.ts';
import { openPglite } from '../../src/db/pglite.ts';
import type { SqlDatabase } from '../../src/db/sql.ts';
import { DOC_STORE_MIGRATION_SQL, MemoryDocStore, RELAY_ORIGIN, SqlDocStore, type DocStore } from '../../src/sync-server/transport/index.ts';
import { client, intents, startTestRelay, waitFor } from './helpers.ts';

let db: SqlDatabase;
beforeAll(async () => {
  db = await openPglite();
  await db.exec(DOC_STORE_MIGRATION_SQL);
  await db.exec(DOC_STORE_MIGRATION_SQL); // idempotent
});
afterAll(async () => {
  await db.close();
});

describe('persistence', () => {
  it('a restarted relay on the same store has every document back; many updates are compacted', async () => {
    const store = new SqlDocStore(db);
    const first = await startTestRelay({ store, limits: { compactAfterUpdates: 10 } });
    const a = client(first, 'outbox/c1@1', 'tok-alice');
    await a.conn.whenSynced(5000);
    for (let seq = 1; seq <= 40; seq++) intents(a.doc).set(String(seq).padStart(12, '0'), { seq });
    const outbox = await first.getDoc('outbox/c1@1');
    await waitFor('relay has all intents', () => intents(outbox).size === 40);
    const project = await first.getDoc('project/p1@1');
    project.transact(() => project.getMap('results').set('c1:1', { status: 'accepted' }), RELAY_ORIGIN);

    await first.close();
    // graceful close: the client was told GoingAway and will retry
    await waitFor('client told', () => a.closes.length > 0);
    expect(a.closes[0]).toMatchObject({ code: CloseCode.GoingAway, fatal: false });
    a.conn.destroy();

    expect(await store.count('outbox/c1@1')).toBeLessThan(12);
    expect(await store.count('project/p1@1')).toBe(1);

    const second = await startTestRelay({ store });
    try {
      const b = client(second, 'outbox/c1@1', 'tok-alice-2');
      const p = client(second, 'project/p1@1', 'tok-bob');
      await b.conn.whenSynced(5000);
      await p.conn.whenSynced(5000);
      expect(intents(b.doc).size).toBe(40);
      expect(intents(b.doc).get('000000000040')).toEqual({ seq: 40 });
      expect(p.doc.getMap('results').get('c1:1')).toEqual({ status: 'accepted' });
      b.conn.destroy();
      p.conn.destroy();
    } finally {
      await second.close();
    }
  });

  it('compaction keeps updates appended after the merge started', async () => {
    const store = new SqlDocStore(db);
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    for (let i = 0; i < 5; i++) doc.getMap('m').set(`k${i}`, i);
    for (const u of updates.slice(0, 3)) await store.append('outbox/c9@1', u);
    const [merged] = await Promise.all([store.compact('outbox/c9@1'), ...updates.slice(3).map((u) => store.append('outbox/c9@1', u))]);
    expect(merged).toBeGreaterThanOrEqual(3);
    const back = new Y.Doc();
    for (const u of await store.load('outbox/c9@1')) Y.applyUpdate(back, u);
    expect(back.getMap('m').toJSON()).toEqual({ k0: 0, k1: 1, k2: 2, k3: 3, k4: 4 });
  });

  it('a store that fails closes the connections with InternalError and the relay keeps running', async () => {
    let failing = false;
    const inner = new MemoryDocStore();
    const store: DocStore = {
      load: (name) => inner.load(name),
      append: async (name, update) => {
        if (failing) throw new Error('disk full');
        await inner.append(name, update);
      },
    };
    const relay = await startTestRelay({ store });
    try {
      const a = client(relay, 'outbox/c1@1', 'tok-alice');
      await a.conn.whenSynced(5000);
      intents(a.doc).set('000000000001', 'stored');
      await waitFor('stored', () => inner.count('outbox/c1@1') > 0);
      failing = true;
      intents(a.doc).set('000000000002', 'lost on the relay, kept by the client');
      await waitFor('closed', () => a.closes.length > 0, 8000);
      expect(a.closes[0]).toMatchObject({ code: CloseCode.InternalError, fatal: false });
      failing = false;
      // the client reconnects and sends again what the relay could not store
      await waitFor('resent', async () => {
        const server = await relay.getDoc('outbox/c1@1');
        return intents(server).has('000000000002');
      }, 8000);
      await relay.flush();
      const back = new Y.Doc();
      for (const u of await inner.load('outbox/c1@1')) Y.applyUpdate(back, u);
      expect(intents(back).get('000000000002')).toBe('lost on the relay, kept by the client');
      a.conn.destroy();
    } finally {
      await relay.close();
    }
  });

  it('an idle document is unloaded and a stale copy still reaches the live one', async () => {
    const relay = await startTestRelay({ limits: { idleUnloadMs: 50 } });
    try {
      const stale = await relay.getDoc('project/p2@1');
      await waitFor('unloaded', () => relay.stats().docs === 0);
      stale.transact(() => stale.getMap('orders').set('o1', 'late'), RELAY_ORIGIN);
      const c = client(relay, 'project/p2@1', 'tok-alice');
      await c.conn.whenSynced(5000);
      await waitFor('live copy has it', () => c.doc.getMap('orders').get('o1') === 'late');
      c.conn.destroy();
    } finally {
      await relay.close();
    }
  });
});
