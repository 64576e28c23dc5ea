import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addUser, findUser, initStore, openPglite, processCommand, verifyChain, type SqlDatabase } from '../../src/db/index.ts';
import type { CommandInput } from '../../src/core/index.ts';

let db: SqlDatabase;
let projectId: string;
let adminId: string;
let seq = 0;

function send(userId: string, command: CommandInput, clientId = 'c1') {
  seq += 1;
  return processCommand(db, { projectId, userId, envelope: { mid: `${clientId}:${seq}`, clientId, seq, clientTime: new Date().toISOString(), command } });
}

beforeEach(async () => {
  db = await openPglite();
  const init = await initStore(db, { projectName: 'demo' });
  if (!init.success) throw new Error(init.error.message);
  projectId = init.data.projectId;
  adminId = init.data.userId;
  seq = 0;
});
afterEach(async () => {
  await db.close();
});

describe('command processor', () => {
  it('accepts a create and a transition, writes history and audit on verifying chains', async () => {
    const orderId = randomUUID();
    const r1 = await send(adminId, { type: 'order.create', orderId, fields: { displayId: 'ORD-2026-0001' } });
    expect(r1.kind === 'result' && r1.result.status).toBe('accepted');
    const r2 = await send(adminId, { type: 'order.transition', orderId, to: 'analyzing' });
    expect(r2.kind === 'result' && r2.result.status).toBe('accepted');
    const order = (await db.query<{ status: string; slug: string; version: number }>('SELECT status, slug, version FROM orders'))[0]!;
    expect(order).toEqual({ status: 'analyzing', slug: 'ord-2026-0001', version: 2 });
    expect((await verifyChain(db, 'audit')).problem).toBeNull();
    const tr = await verifyChain(db, 'transitions');
    expect(tr.problem).toBeNull();
    expect(tr.rows).toBe(3);
  });

  it('returns the stored result for a repeated command id and writes nothing twice', async () => {
    const orderId = randomUUID();
    const env = { mid: 'c9:1', clientId: 'c9', seq: 1, clientTime: 'x', command: { type: 'order.create', orderId, fields: { displayId: 'A-1' } } };
    const a = await processCommand(db, { projectId, userId: adminId, envelope: env });
    const b = await processCommand(db, { projectId, userId: adminId, envelope: env });
    expect(a.kind === 'result' && b.kind === 'result' && b.duplicate && b.result.serverSeq === a.result.serverSeq).toBe(true);
    expect((await db.query('SELECT * FROM orders')).length).toBe(1);
  });

  it('holds a command whose predecessor has not arrived', async () => {
    const env = { mid: 'c2:2', clientId: 'c2', seq: 2, clientTime: 'x', command: { type: 'settings.set', key: 'departmentSharing', value: true } };
    const r = await processCommand(db, { projectId, userId: adminId, envelope: env });
    expect(r).toEqual({ kind: 'held', expectedSeq: 1 });
  });

  it('rejects a viewer, consumes the seq and changes no row', async () => {
    const added = await addUser(db, { projectId, name: 'vera', role: 'project_viewer', actorId: adminId });
    if (!added.success) throw new Error(added.error.message);
    const vera = (await findUser(db, 'vera'))!;
    const r = await send(vera.id, { type: 'order.create', orderId: randomUUID(), fields: { displayId: 'X-1' } }, 'v1');
    expect(r.kind === 'result' && r.result.code).toBe('permission_denied');
    expect((await db.query('SELECT * FROM orders')).length).toBe(0);
  });

  it('refuses UPDATE on the audit log and catches a tampered row', async () => {
    await send(adminId, { type: 'order.create', orderId: randomUUID(), fields: { displayId: 'T-1' } });
    await expect(db.query(`UPDATE audit_log SET reason = 'x' WHERE seq = 3`)).rejects.toThrow(/append-only/);
    await db.exec(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only; UPDATE audit_log SET reason = 'x' WHERE seq = 2`);
    const report = await verifyChain(db, 'audit');
    expect(report.problem).toMatchObject({ seq: 2, reason: expect.stringMatching(/altered/) });
  });
});
