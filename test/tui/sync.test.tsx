import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findOrder, listProjects, type SqlDatabase } from '../../src/db/index.ts';
import { demoDb, FakeSync, lines, renderApp, replicaSession, sessionAs } from './helpers.tsx';

let db: SqlDatabase;
let projectId: string;
beforeAll(async () => {
  db = await demoDb();
  projectId = (await listProjects(db))[0]!.id;
});
afterAll(async () => {
  await db?.close();
});

const statusBar = (frame: string) => lines(frame.replace(/\n$/, '')).at(-1) ?? '';

describe('replica mode', () => {
  test('the status bar shows the connection, and queued and rejected counts', async () => {
    const sync = new FakeSync();
    const app = await renderApp(replicaSession(await sessionAs(db, 'cora'), sync));
    await app.waitFor(/assigned to you/);
    expect(statusBar(app.text())).toMatch(/cora │ demo-lab │ project_editor │ ● online/);
    sync.connection = 'reconnecting';
    sync.emit();
    await app.waitFor('◌ reconnecting');
    sync.connection = 'offline';
    sync.queue({ type: 'order.update', orderId: (await findOrder(db, projectId, 'ORD-2026-0002'))!.id, patch: { priority: 'high' } });
    await app.waitFor(/○ offline │ ↑ 1 queued/);
    app.unmount();
  });

  test('an action is queued without waiting (the row shows ↑), and the relay\'s rejection surfaces on its own', async () => {
    const sync = new FakeSync();
    const app = await renderApp(replicaSession(await sessionAs(db, 'cora'), sync));
    await app.waitFor(/assigned to you/);
    // the first row is one of cora's stages: start it
    const before = app.text();
    const id = /ORD-2026-\d{4}/.exec(lines(before).find((l) => l.startsWith('›')) ?? '')?.[0] ?? '';
    await app.keys(['w'], `${id}: Start`);
    await app.waitFor('queued until the relay answers');
    const queued = await app.waitFor(/↑ 1 queued/);
    expect(lines(queued).find((l) => l.includes(id))).toMatch(/^› +↑ /);
    // the relay says no: message line, status bar and the row's mark all change
    const mid = sync.rows[0]!.mid;
    sync.answer(mid, 'rejected', { code: 'not_assigned', message: 'Permission denied: start on stage review requires being assigned to stage review (someone else is assigned) or orders:write_any' });
    const rejected = await app.waitFor('Rejected by the relay');
    expect(rejected).toMatch(/✗ Rejected by the relay: .*Permission denied/);
    expect(statusBar(rejected)).toContain('✗ 1 rejected');
    expect(lines(rejected).find((l) => l.includes(id))).toMatch(/^› +✗ /);
    app.unmount();
  });

  test('an accepted change is confirmed on the message line', async () => {
    const sync = new FakeSync();
    const app = await renderApp(replicaSession(await sessionAs(db, 'cora'), sync));
    await app.waitFor(/assigned to you/);
    await app.keys(['w'], 'queued until the relay answers');
    sync.answer(sync.rows[0]!.mid, 'accepted');
    await app.waitFor(/✓ .*accepted by the relay/);
    app.unmount();
  });

  test('3 opens Sync: rejected changes with the reason and the server\'s state; i re-issues, d discards after asking', async () => {
    const order = (await findOrder(db, projectId, 'ORD-2026-0004'))!;
    const eli = (await db.query<{ id: string }>(`SELECT id FROM users WHERE name = 'eli'`))[0]!.id;
    const sync = new FakeSync();
    sync.queue({ type: 'order.update', orderId: order.id, patch: { priority: 'low' } });
    sync.queue({ type: 'stage.transition', orderId: order.id, action: 'start' }, 'rejected', {
      code: 'not_assigned',
      message: 'Permission denied: start on stage review requires being assigned to stage review (someone else is assigned) or orders:write_any',
      current: { displayId: order.displayId, status: 'review', version: 9, stage: { code: 'review', state: 'pending', assigneeId: eli } },
    });
    const app = await renderApp(replicaSession(await sessionAs(db, 'cora'), sync));
    // rejections waiting from before are announced when the app opens
    await app.waitFor('1 change(s) rejected by the relay wait for you');
    const screen = await app.keys(['3'], /Sync ● online {2}relay ws:\/\/relay\.test:4444/);
    expect(screen).toMatch(/last sync 2026-05-01 10:00 · 1 queued · 1 rejected/);
    expect(screen).toMatch(/↑ queued +ORD-2026-0004 +edit priority/);
    expect(screen).toMatch(/✗ rejected ORD-2026-0004 +start stage +Permission denied/);
    await app.keys(['j']);
    const detail = app.text();
    expect(detail).toMatch(/reason: Permission denied: start on stage review requires being assigned/);
    expect(detail).toMatch(/server now: review v9 · stage review pending, assigned to eli/);
    expect(detail).toMatch(/last change by \w+ at \d{4}-/);
    expect(detail).toContain('i re-issue against the current state · d discard (asks first)');

    await app.keys(['d'], 'Discard this rejected change?');
    await app.keys(['n'], 'Nothing changed');
    expect(sync.rows[1]!.status).toBe('rejected');
    await app.keys(['i'], /Re-issued ORD-2026-0004: start stage/);
    expect(sync.rows[1]!.status).toBe('discarded');
    expect(sync.rows[2]).toMatchObject({ status: 'queued', command: { type: 'stage.transition', action: 'start' } });
    await app.waitFor(/· 2 queued · 0 rejected/);
    app.unmount();
  });

  test('a standalone store says there is nothing to sync', async () => {
    const app = await renderApp(await sessionAs(db, 'cora'), { initial: { kind: 'sync' } });
    await app.waitFor('standalone store: every change applies at once');
    expect(statusBar(app.text())).toContain('◆ local store');
    app.unmount();
  });

  test('discarding asks, and y confirms', async () => {
    const order = (await findOrder(db, projectId, 'ORD-2026-0004'))!;
    const sync = new FakeSync();
    sync.queue({ type: 'order.delete', orderId: order.id }, 'rejected', { code: 'permission_denied', message: 'Permission denied: deleting an order requires project_admin' });
    const app = await renderApp(replicaSession(await sessionAs(db, 'cora'), sync), { initial: { kind: 'sync' } });
    await app.waitFor(/✗ rejected ORD-2026-0004/);
    await app.keys(['d'], 'It will not be sent again.');
    await app.keys(['y'], /✓ Discarded ORD-2026-0004: delete order/);
    await app.waitFor('Nothing waiting: every change has reached the relay.');
    app.unmount();
  });
});
