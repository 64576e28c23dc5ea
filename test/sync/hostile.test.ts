// hostile clients against the real relay (tokens from the store, the command processor
// behind the outbox): writes into the project document or into another client's outbox,
// forged envelopes, malformed and oversized frames, bad tokens and floods. None may crash
// the relay or change the central store, each gets a named close code, and an honest
// replica on the same relay carries on.

import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode, formatDocName, seqKey, type CommandInput } from '../../src/core/index.ts';
import { readEntry } from '../../src/db/index.ts';
import { connectDoc, type DocConnection } from '../../src/sync/index.ts';
import {
  STORE_KINDS,
  caughtUp,
  createSyncFixture,
  openReplica,
  snapshot,
  startRelayInProcess,
  storeTitle,
  waitUntil,
  type CentralStore,
  type InProcessRelay,
  type SyncFixture,
  type TestReplica,
} from '../helpers/relay.ts';

interface Closed {
  code: number;
  reason: string;
  fatal: boolean;
}

/** a y-websocket client on any document, recording how the relay closed it */
function rawDoc(url: string, docName: string, token: string, doc = new Y.Doc()): { doc: Y.Doc; conn: DocConnection; closed: Promise<Closed> } {
  let resolveClosed: (c: Closed) => void = () => undefined;
  const closed = new Promise<Closed>((r) => (resolveClosed = r));
  const conn = connectDoc({
    url,
    docName,
    token,
    doc,
    initialBackoffMs: 50,
    maxBackoffMs: 200,
    onClose: (code, reason, fatal) => {
      if (fatal) resolveClosed({ code, reason, fatal });
    },
  });
  return { doc, conn, closed };
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);
}

async function rawSocket(url: string, docName: string, token: string): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(`${url}/${docName}`, { headers: { Authorization: `Bearer ${token}` } });
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('close', (code) => reject(new Error(`closed before the upgrade: ${code}`)));
  });
  return { ws, closed };
}

function upgradeStatus(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

function frame(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
}

async function queueOk(r: TestReplica, command: CommandInput): Promise<string> {
  const q = await r.replica.queue(command);
  if (!q.success) throw new Error(`${r.user}: ${q.error.message}`);
  return q.data.mid;
}

describe.each(STORE_KINDS)('hostile clients against the relay on $kind', (store) => {
  let fx: SyncFixture;
  let central: CentralStore;
  let relay: InProcessRelay;
  let honest: TestReplica;
  let orderId: string;
  const projectDoc = () => formatDocName({ kind: 'project', projectId: fx.projectId, epoch: 1 });

  beforeAll(async () => {
    if (store.skip) return;
    fx = await createSyncFixture(store.kind, 'hostile');
    central = await fx.central();
    relay = await startRelayInProcess(central);
    honest = await openReplica(fx, 'editor', relay.url);
    const admin = await openReplica(fx, 'admin', relay.url);
    orderId = randomUUID();
    await queueOk(admin, { type: 'order.create', orderId, fields: { displayId: 'ORD-H-1' } });
    await queueOk(admin, { type: 'order.transition', orderId, to: 'analyzing' });
    await queueOk(admin, { type: 'stage.assign', orderId, stageCode: 'analyzing', userId: fx.users.editor.id });
    await admin.sync();
    await admin.close();
    await relay.relay.idle();
    await caughtUp(honest, relay.db, fx.projectId);
  });
  afterAll(async () => {
    await honest?.close();
    await relay?.stop();
    await fx?.cleanup();
  });

  /** the honest replica can still get a command through, and sees the same rows as the store */
  async function honestCarriesOn(note: string): Promise<void> {
    const mid = await queueOk(honest, { type: 'order.update', orderId, patch: { description: note } });
    expect(await honest.replica.waitFor(mid, 10_000)).toMatchObject({ status: 'accepted' });
    await relay.relay.idle();
    const truth = await caughtUp(honest, relay.db, fx.projectId);
    expect(await snapshot(honest.db, fx.projectId)).toEqual(truth);
  }

  it.skipIf(store.skip)(`${storeTitle(store)}: a write into the project document closes with ReadOnlyViolation and changes nothing`, async () => {
    const before = await snapshot(relay.db, fx.projectId);
    const attacker = rawDoc(relay.url, projectDoc(), fx.users.viewer.token);
    expect((await attacker.conn.whenSynced(5000)).success).toBe(true);
    // a crafted order entry, and a forged result for the honest client's next command
    attacker.doc.transact(() => {
      attacker.doc.getMap('orders').set(orderId, { order: { id: orderId, status: 'cancelled' }, stages: [], samples: [], notes: [], history: [] });
      attacker.doc.getMap('results').set(`${honest.config.clientId}:99`, { status: 'accepted' });
    });
    expect(await within(attacker.closed, 5000, 'close')).toMatchObject({ code: CloseCode.ReadOnlyViolation, fatal: true });
    attacker.conn.destroy();
    // a raw sync step 2 on the project document, too
    const raw = await rawSocket(relay.url, projectDoc(), fx.users.viewer.token);
    const d = new Y.Doc();
    d.getMap('orders').set(orderId, { order: { status: 'completed' } });
    raw.ws.send(frame((e) => {
      encoding.writeVarUint(e, 0);
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(d));
    }));
    expect((await within(raw.closed, 5000, 'raw close')).code).toBe(CloseCode.ReadOnlyViolation);

    expect(await snapshot(relay.db, fx.projectId)).toEqual(before);
    const live = await relay.relay.server.getDoc(projectDoc());
    expect((readEntry(live.getMap('orders').get(orderId)) as { order: { status: string } }).order.status).toBe('analyzing');
    expect(honest.replica.projectDoc.getMap('results').has(`${honest.config.clientId}:99`)).toBe(false);
    await honestCarriesOn('after a project document write');
  });

  it.skipIf(store.skip)(`${storeTitle(store)}: another user's outbox is Forbidden, and a forged envelope cannot spend another client's seq`, async () => {
    const victim = honest.config.clientId;
    const cursorOf = async (clientId: string) =>
      (await relay.db.query<{ last_seq: number; user_id: string }>('SELECT last_seq, user_id FROM client_cursors WHERE client_id = $1', [clientId]))[0];
    const before = await cursorOf(victim);
    // the victim's outbox, opened with someone else's token
    const intruder = rawDoc(relay.url, formatDocName({ kind: 'outbox', clientId: victim, epoch: 1 }), fx.users.editor2.token);
    expect(await within(intruder.closed, 5000, 'forbidden')).toMatchObject({ code: CloseCode.Forbidden, fatal: true });
    intruder.conn.destroy();

    // the attacker's own outbox, with intents that claim to be the victim's next commands
    // and a client id nobody has used yet
    const own = `evil${Date.now().toString(36)}`;
    const fresh = `fresh${Date.now().toString(36)}`;
    const attacker = rawDoc(relay.url, formatDocName({ kind: 'outbox', clientId: own, epoch: 1 }), fx.users.editor2.token);
    expect((await attacker.conn.whenSynced(5000)).success).toBe(true);
    const next = Number(before!.last_seq) + 1;
    const command = { type: 'order.transition', orderId, to: 'cancelled' };
    attacker.doc.transact(() => {
      const intents = attacker.doc.getMap('intents');
      intents.set(seqKey(1), { projectId: fx.projectId, envelope: { mid: `${victim}:${next}`, clientId: victim, seq: next, clientTime: '', command } });
      intents.set(seqKey(2), { projectId: fx.projectId, envelope: { mid: `${fresh}:1`, clientId: fresh, seq: 1, clientTime: '', command } });
      intents.set(seqKey(3), 'not an intent');
      intents.set('zzz', { projectId: 42 });
    });
    await waitUntil('the attacker intents processed', async () => Number((await cursorOf(own))?.last_seq ?? 0) >= 3);
    await relay.relay.idle();
    const after = await cursorOf(victim);
    expect(after).toEqual(before);
    expect(await cursorOf(fresh)).toBeUndefined();
    const results = await relay.db.query<{ mid: string; status: string; code: string }>('SELECT mid, status, code FROM command_results WHERE client_id = $1 ORDER BY seq', [own]);
    expect(results.map((r) => [r.mid, r.status])).toEqual([
      [`${own}:1`, 'rejected'],
      [`${own}:2`, 'rejected'],
      [`${own}:3`, 'rejected'],
    ]);
    expect((await relay.db.query('SELECT 1 FROM command_results WHERE mid = $1', [`${victim}:${next}`])).length).toBe(0);
    attacker.conn.destroy();
    await honestCarriesOn('after forged envelopes');
    expect((await relay.db.query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [orderId]))[0]?.status).toBe('analyzing');
  });

  it.skipIf(store.skip)(`${storeTitle(store)}: bad tokens are refused before the upgrade with Unauthorized`, async () => {
    const path = `/${formatDocName({ kind: 'outbox', clientId: 'nobody1', epoch: 1 })}`;
    expect(await upgradeStatus(relay.port, path, {})).toBe(401);
    expect(await upgradeStatus(relay.port, path, { Authorization: 'Bearer curio_' + 'x'.repeat(43) })).toBe(401);
    expect(await upgradeStatus(relay.port, path, { Authorization: 'Basic dXNlcjpwYXNz' })).toBe(401);
    expect(await upgradeStatus(relay.port, `${path}?token=${fx.users.admin.token}`, {})).toBe(401);
    expect(await upgradeStatus(relay.port, '/../../etc/passwd', { Authorization: `Bearer ${fx.users.admin.token}` })).toBe(400);
    const guess = rawDoc(relay.url, projectDoc(), 'curio_' + 'A'.repeat(43));
    expect(await within(guess.closed, 5000, 'unauthorized')).toMatchObject({ code: CloseCode.Unauthorized, fatal: true });
    guess.conn.destroy();
    const res = await fetch(`${relay.url.replace('ws:', 'http:')}/v1/session`, { headers: { Authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    await res.body?.cancel();
  });

  it.skipIf(store.skip)(`${storeTitle(store)}: malformed and oversized frames close with named codes`, async () => {
    const outbox = formatDocName({ kind: 'outbox', clientId: `mal${Date.now().toString(36)}`, epoch: 1 });
    const cases: [string, Uint8Array | string, number][] = [
      ['unknown message type', new Uint8Array([9, 0, 0]), CloseCode.ProtocolError],
      ['truncated varint', new Uint8Array([0x80]), CloseCode.ProtocolError],
      ['undecodable update', new Uint8Array([0, 2, 5, 1, 2, 3, 4, 5]), CloseCode.ProtocolError],
      ['text frame', 'hello', CloseCode.UnsupportedData],
      ['frame over 1 MiB', new Uint8Array(1024 * 1024 + 16), CloseCode.MessageTooBig],
    ];
    for (const [what, data, code] of cases) {
      const raw = await rawSocket(relay.url, outbox, fx.users.editor2.token);
      raw.ws.send(data);
      const closed = await within(raw.closed, 5000, what);
      expect({ what, code: closed.code }).toEqual({ what, code });
    }
    await honestCarriesOn('after malformed frames');
  });

  it.skipIf(store.skip)(`${storeTitle(store)}: floods before and after authentication leave the relay up and its memory bounded`, async () => {
    const rss0 = process.memoryUsage().rss;
    // sockets that never finish a request, and upgrade requests with guessed tokens
    const sockets: Socket[] = [];
    for (let i = 0; i < 300; i++) {
      const s = connect(relay.port, '127.0.0.1');
      s.on('error', () => undefined);
      s.write('GET /outbox/x@1 HTTP/1.1\r\nHost: x\r\n');
      sockets.push(s);
    }
    const statuses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        upgradeStatus(relay.port, `/outbox/g${i}@1`, { Authorization: `Bearer curio_${String(i).padStart(43, 'g')}` }).catch(() => 0),
      ),
    );
    expect(statuses.every((s) => s === 401 || s === 503 || s === 0)).toBe(true);
    // the relay held at most its bound of them, and lets go once they are gone
    expect(relay.relay.server.stats().unauthenticatedSockets).toBeLessThanOrEqual(256);
    for (const s of sockets) s.destroy();
    await waitUntil('the flood sockets released', () => relay.relay.server.stats().unauthenticatedSockets === 0);
    // a message flood on an authenticated connection is cut with TooManyRequests
    const raw = await rawSocket(relay.url, formatDocName({ kind: 'outbox', clientId: `flood${Date.now().toString(36)}`, epoch: 1 }), fx.users.editor2.token);
    const query = new Uint8Array([3]);
    for (let i = 0; i < 5000 && raw.ws.readyState === WebSocket.OPEN; i++) raw.ws.send(query);
    expect((await within(raw.closed, 5000, 'flood close')).code).toBe(CloseCode.TooManyRequests);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(200 * 1024 * 1024);
    await honestCarriesOn('after floods');
  });
});
