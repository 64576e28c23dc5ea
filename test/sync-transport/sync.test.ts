import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '../../src/core/wire.ts';
import { RELAY_ORIGIN, type ClientOrigin } from '../../src/sync-server/transport/index.ts';
import { client, intents, sleep, startTestRelay, waitFor, type TestClient, type TestRelay } from './helpers.ts';

let relay: TestRelay | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.conn.destroy();
  await relay?.close();
  relay = undefined;
});
const track = (c: TestClient): TestClient => (clients.push(c), c);

describe('outbox documents', () => {
  it('two clients of the same owner sync their outbox through the relay', async () => {
    const seen: { name: string; origin: ClientOrigin }[] = [];
    relay = await startTestRelay({ onUpdate: (name, _doc, _update, origin) => void seen.push({ name, origin }) });
    const a = track(client(relay, 'outbox/c1@1', 'tok-alice'));
    const b = track(client(relay, 'outbox/c1@1', 'tok-alice-2'));
    expect(await a.conn.whenSynced(5000)).toEqual({ success: true });
    expect(await b.conn.whenSynced(5000)).toEqual({ success: true });

    intents(a.doc).set('000000000001', { kind: 'order.create', seq: 1 });
    await waitFor('b sees a', () => intents(b.doc).has('000000000001'));
    intents(b.doc).set('000000000002', { kind: 'order.update', seq: 2 });
    await waitFor('a sees b', () => intents(a.doc).has('000000000002'));

    const server = await relay.getDoc('outbox/c1@1');
    expect(intents(server).toJSON()).toEqual(intents(a.doc).toJSON());
    await waitFor('onUpdate', () => seen.length >= 2);
    expect(seen[0]).toMatchObject({ name: 'outbox/c1@1', origin: { kind: 'client', principal: { userId: 'alice' }, access: 'write' } });
  });

  it('offline changes reach the relay when the client connects', async () => {
    relay = await startTestRelay();
    const doc = new Y.Doc();
    intents(doc).set('000000000001', { queued: 'offline' });
    const a = track(client(relay, 'outbox/c1@1', 'tok-alice', { doc }));
    await a.conn.whenSynced(5000);
    const server = await relay.getDoc('outbox/c1@1');
    await waitFor('relay has offline intent', () => intents(server).has('000000000001'));
  });

  it("a client cannot write into another client's outbox", async () => {
    relay = await startTestRelay();
    const owner = track(client(relay, 'outbox/c1@1', 'tok-alice'));
    await owner.conn.whenSynced(5000);
    intents(owner.doc).set('000000000001', 'mine');

    // read access (an auditor): may read, the first write closes the connection
    const auditor = track(client(relay, 'outbox/c1@1', 'tok-auditor'));
    expect(await auditor.conn.whenSynced(5000)).toEqual({ success: true });
    await waitFor('auditor reads', () => intents(auditor.doc).get('000000000001') === 'mine');
    intents(auditor.doc).set('000000000099', 'forged');
    await waitFor('auditor closed', () => auditor.closes.length > 0);
    expect(auditor.closes[0]).toEqual({ code: CloseCode.ReadOnlyViolation, reason: 'read-only document', fatal: true });

    // no access: refused before the upgrade, reported as Forbidden, not retried
    const stranger = track(client(relay, 'outbox/c1@1', 'tok-bob'));
    const r = await stranger.conn.whenSynced(5000);
    expect(r).toMatchObject({ success: false, error: { code: 'closed', closeCode: CloseCode.Forbidden } });
    await sleep(300);
    expect(stranger.attempts()).toBe(1);
    expect(auditor.attempts()).toBe(1);

    const server = await relay.getDoc('outbox/c1@1');
    expect(intents(server).has('000000000099')).toBe(false);
    expect(intents(owner.doc).has('000000000099')).toBe(false);
    expect(owner.conn.status).toBe('connected');
  });
});

describe('project documents are read-only for clients', () => {
  it('relay writes reach clients; a writing client is closed and the relay document is unchanged', async () => {
    relay = await startTestRelay();
    const project = await relay.getDoc('project/p1@1');
    project.transact(() => project.getMap('orders').set('o1', { status: 'created' }), RELAY_ORIGIN);

    const honest = track(client(relay, 'project/p1@1', 'tok-alice'));
    const writer = track(client(relay, 'project/p1@1', 'tok-bob'));
    await honest.conn.whenSynced(5000);
    await writer.conn.whenSynced(5000);
    expect(honest.doc.getMap('orders').get('o1')).toEqual({ status: 'created' });

    writer.doc.getMap('orders').set('o1', { status: 'completed' });
    await waitFor('writer closed', () => writer.closes.length > 0);
    expect(writer.closes[0]).toMatchObject({ code: CloseCode.ReadOnlyViolation, fatal: true });
    expect(writer.conn.fatal).toEqual({ code: CloseCode.ReadOnlyViolation, reason: 'read-only document' });
    expect((await relay.getDoc('project/p1@1')).getMap('orders').get('o1')).toEqual({ status: 'created' });

    // the honest client keeps its connection and keeps receiving
    project.transact(() => project.getMap('orders').set('o2', { status: 'analyzing' }), RELAY_ORIGIN);
    await waitFor('honest sees o2', () => honest.doc.getMap('orders').has('o2'));
    expect(honest.doc.getMap('orders').get('o1')).toEqual({ status: 'created' });
    expect(honest.closes).toEqual([]);
    expect(honest.conn.status).toBe('connected');
    await sleep(300);
    expect(writer.attempts()).toBe(1);
  });

  it('presence (awareness) travels between read-only clients', async () => {
    relay = await startTestRelay();
    const a = track(client(relay, 'project/p1@1', 'tok-alice'));
    const b = track(client(relay, 'project/p1@1', 'tok-bob'));
    await a.conn.whenSynced(5000);
    await b.conn.whenSynced(5000);
    a.conn.awareness.setLocalState({ user: 'alice', viewing: 'ORD-2026-0042' });
    await waitFor('b sees alice', () =>
      [...b.conn.awareness.getStates().values()].some((s) => (s as { user?: string }).user === 'alice'),
    );
    a.conn.destroy();
    await waitFor('alice gone', () =>
      ![...b.conn.awareness.getStates().values()].some((s) => (s as { user?: string }).user === 'alice'),
    );
    expect(b.closes).toEqual([]);
  });
});

describe('reconnect', () => {
  it('reconnects after a transient close and syncs again', async () => {
    relay = await startTestRelay();
    const a = track(client(relay, 'outbox/c1@1', 'tok-alice'));
    await a.conn.whenSynced(5000);
    expect(relay.closeConnections(() => true, CloseCode.TooManyRequests)).toBe(1);
    await waitFor('closed', () => a.closes.length === 1);
    expect(a.closes[0]).toMatchObject({ code: CloseCode.TooManyRequests, fatal: false });
    intents(a.doc).set('000000000001', 'while away');
    await waitFor('reconnected', () => a.conn.status === 'connected' && a.conn.synced);
    const server = await relay.getDoc('outbox/c1@1');
    await waitFor('relay has it', () => intents(server).has('000000000001'));
    expect(a.attempts()).toBe(2);
  });
});
