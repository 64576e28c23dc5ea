// reports through the relay: signed on one replica, the same sealed text on the other and centrally
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandInput } from '../../src/core/index.ts';
import { orderCurations, orderReports, verifyReportHash } from '../../src/db/index.ts';
import { STORE_KINDS, createSyncFixture, openReplica, startRelayInProcess, storeTitle, waitUntil, type SyncFixture, type TestReplica } from '../helpers/relay.ts';

async function queueOk(r: TestReplica, command: CommandInput): Promise<string> {
  const q = await r.replica.queue(command);
  if (!q.success) throw new Error(`${r.user}: ${command.type}: ${q.error.message}`);
  return q.data.mid;
}

describe.each(STORE_KINDS)('reports through the relay on $kind', (store) => {
  let fx: SyncFixture;
  beforeAll(async () => {
    if (!store.skip) fx = await createSyncFixture(store.kind, 'reports');
  });
  afterAll(async () => {
    await fx?.cleanup();
  });

  it.skipIf(store.skip)(`${storeTitle(store)}: curations and the signed report reach the other replica, text and hash intact`, async () => {
    const central = await fx.central();
    const relay = await startRelayInProcess(central);
    const admin = await openReplica(fx, 'admin', relay.url);
    const viewer = await openReplica(fx, 'viewer', relay.url);
    try {
      const orderId = randomUUID();
      const reportId = randomUUID();
      const variants = [{ variantId: 'v1', snapshot: { gene: 'TP53', vaf: 0.3 }, reason: 'tier IIC, VAF 0.3 > 0.01', removed: false }];
      for (const c of [
        { type: 'order.create', orderId, fields: { displayId: 'ORD-SYNC-1' } },
        { type: 'order.transition', orderId, to: 'analyzing' },
        { type: 'order.transition', orderId, to: 'review' },
        { type: 'variant.curate', orderId, variantId: 'v1', acmgClass: 'P' },
        { type: 'report.createDraft', orderId, reportId, variants },
        { type: 'report.submit', orderId, reportId },
        { type: 'order.transition', orderId, to: 'sign_off' },
        { type: 'report.approveAndSign', orderId, reportId, meaning: 'approval' },
      ] satisfies CommandInput[])
        await queueOk(admin, c);
      await admin.sync();
      const results = await admin.db.query<{ status: string; result: { status: string; message: string | null } }>('SELECT status, result FROM pending ORDER BY seq');
      expect(results.map((r) => r.result?.status)).toEqual(Array(8).fill('accepted'));

      const centralReports = await orderReports(relay.db, orderId);
      expect(centralReports).toMatchObject([{ status: 'signed', signature: { meaning: 'approval' } }]);
      expect(verifyReportHash(centralReports[0]!)).toBe(true);
      await waitUntil('the signed report on the viewer replica', async () => (await orderReports(viewer.db, orderId))[0]?.status === 'signed');
      expect(await orderReports(viewer.db, orderId)).toEqual(centralReports);
      expect(await orderReports(admin.db, orderId)).toEqual(centralReports);
      expect(await orderCurations(viewer.db, orderId)).toEqual(await orderCurations(relay.db, orderId));
      expect((await viewer.db.query('SELECT status, slug_frozen FROM orders WHERE id = $1', [orderId]))[0]).toEqual({ status: 'completed', slug_frozen: true });
    } finally {
      await admin.close();
      await viewer.close();
      await relay.stop();
    }
  });
});
