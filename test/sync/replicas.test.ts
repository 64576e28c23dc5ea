import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { formatDocName, seqKey, type CommandInput } from '../../src/core/index.ts';
import { processCommand, type Sql } from '../../src/db/index.ts';
import { SqlDocStore } from '../../src/sync-server/transport/index.ts';
import {
  STORE_KINDS,
  createSyncFixture,
  openReplica,
  caughtUp,
  snapshot,
  startRelayInProcess,
  storeTitle,
  waitUntil,
  type SyncFixture,
  type TestReplica,
} from '../helpers/relay.ts';

// two replicas and a relay in this process: what one user changes, the other sees, and
// both end equal to the central store

async function queueOk(r: TestReplica, command: CommandInput): Promise<string> {
  const q = await r.replica.queue(command);
  if (!q.success) throw new Error(`${r.user}: ${q.error.message}`);
  return q.data.mid;
}

describe.each(STORE_KINDS)('replicas and the relay on $kind', (store) => {
  let fx: SyncFixture;
  beforeAll(async () => {
    if (!store.skip) fx = await createSyncFixture(store.kind, 'replicas');
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  it.skipIf(store.skip)(`${storeTitle(store)}: a change on one replica appears on the other, and both equal the central store`, async () => {
    const central = await fx.central();
    const relay = await startRelayInProcess(central);
    const admin = await openReplica(fx, 'admin', relay.url);
    const editor = await openReplica(fx, 'editor', relay.url);
    try {
      const orderId = randomUUID();
      const mid = await queueOk(admin, { type: 'order.create', orderId, fields: { displayId: 'ORD-2026-0001', priority: 'high' } });
      // the overlay shows it at once, marked pending
      expect((await admin.db.query('SELECT status FROM orders WHERE id = $1', [orderId]))[0]).toEqual({ status: 'created' });
      const result = await admin.replica.waitFor(mid, 10_000);
      expect(result).toMatchObject({ status: 'accepted', entityVersion: 1 });
      await waitUntil('the order on the editor replica', async () => (await editor.db.query('SELECT 1 FROM orders WHERE id = $1', [orderId])).length === 1);

      // the editor works on it: assign the analyzing stage after the admin moves it there
      await queueOk(admin, { type: 'order.transition', orderId, to: 'analyzing' });
      await queueOk(admin, { type: 'stage.assign', orderId, stageCode: 'analyzing', userId: fx.users.editor.id });
      await admin.sync();
      await relay.relay.idle();
      await caughtUp(editor, relay.db, fx.projectId);
      const start = await queueOk(editor, { type: 'stage.transition', orderId, action: 'start' });
      expect(await editor.replica.waitFor(start, 10_000)).toMatchObject({ status: 'accepted' });
      await queueOk(editor, { type: 'order.transition', orderId, to: 'review' });
      await editor.sync();
      await admin.sync();
      await waitUntil('the admin replica to see review', async () => (await admin.db.query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [orderId]))[0]?.status === 'review');

      await relay.relay.idle();
      const truth = await snapshot(relay.db, fx.projectId);
      expect(truth.orders).toHaveLength(1);
      expect(truth.orders[0]).toMatchObject({ status: 'review', priority: 'high', version: 5 });
      expect(await caughtUp(admin, relay.db, fx.projectId)).toEqual(truth);
      expect(await caughtUp(editor, relay.db, fx.projectId)).toEqual(truth);
      expect(await admin.replica.pending(['queued', 'sent', 'rejected'])).toEqual([]);
    } finally {
      await admin.close();
      await editor.close();
      await relay.stop();
    }
  });

  it.skipIf(store.skip)(`${storeTitle(store)}: a result lost on the way back is answered again from the store, and nothing is written twice`, async () => {
    const central = await fx.central();
    let relay = await startRelayInProcess(central);
    const admin = await openReplica(fx, 'admin', relay.url);
    const orderId = randomUUID();
    const counts = async (db: Sql, mid: string) => ({
      results: Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM command_results WHERE mid = $1', [mid]))[0]!.n),
      audit: Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log WHERE mid = $1', [mid]))[0]!.n),
      history: Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM stage_transitions WHERE order_id = $1', [orderId]))[0]!.n),
    });
    try {
      await queueOk(admin, { type: 'order.create', orderId, fields: { displayId: 'ORD-2026-0100' } });
      await admin.sync();

      // 1. the client's socket drops right after the command went out: the relay commits and
      // publishes to nobody; the restarted client finds its answer
      const m1 = await queueOk(admin, { type: 'order.transition', orderId, to: 'analyzing' });
      await admin.goOffline();
      await waitUntil('the relay to commit the command', async () => (await counts(relay.db, m1)).results === 1);
      await relay.relay.idle();
      admin.goOnline();
      expect(await admin.replica.waitFor(m1, 10_000)).toMatchObject({ status: 'accepted', entityVersion: 2 });
      expect(await counts(relay.db, m1)).toEqual({ results: 1, audit: 1, history: 3 });

      // 2. the relay stores the outbox update and commits the command, then dies before it
      // projects the result: the retry gets the stored result, the store gets nothing new
      await admin.goOffline();
      const m2 = await queueOk(admin, { type: 'stage.assign', orderId, stageCode: 'analyzing', userId: fx.users.editor.id });
      const intent = admin.replica.outboxDoc.getMap<{ projectId: string; envelope: unknown }>('intents').get(seqKey(Number(m2.split(':')[1])))!;
      await relay.stop();
      const db = await central.open();
      let stored: number;
      try {
        await new SqlDocStore(db).append(formatDocName({ kind: 'outbox', clientId: admin.config.clientId, epoch: 1 }), Y.encodeStateAsUpdate(admin.replica.outboxDoc));
        const outcome = await processCommand(db, { projectId: fx.projectId, userId: fx.users.admin.id, envelope: intent.envelope });
        if (outcome.kind !== 'result') throw new Error(outcome.kind);
        stored = outcome.result.serverSeq;
        expect(await counts(db, m2)).toEqual({ results: 1, audit: 1, history: 4 });
      } finally {
        await db.close();
      }
      relay = await startRelayInProcess(central, { port: relay.port });
      admin.goOnline();
      expect(await admin.replica.waitFor(m2, 10_000)).toMatchObject({ status: 'accepted', serverSeq: stored });
      await relay.relay.idle();
      expect(await counts(relay.db, m2)).toEqual({ results: 1, audit: 1, history: 4 });
      expect(await caughtUp(admin, relay.db, fx.projectId)).toEqual(await snapshot(relay.db, fx.projectId));
    } finally {
      await admin.close();
      await relay.stop();
    }
  });
});
