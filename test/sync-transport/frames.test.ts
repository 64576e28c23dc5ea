// hand-built hostile frames: none may crash the relay, each gets a named close code,
// and honest clients on the same documents carry on
import * as encoding from 'lib0/encoding';
import type { Socket } from 'node:net';
import * as decoding from 'lib0/decoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Awareness, applyAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { CloseCode } from '../../src/core/wire.ts';
import { RELAY_ORIGIN } from '../../src/sync-server/transport/index.ts';
import { client, intents, rawPeer, startTestRelay, waitFor, type TestClient, type TestRelay } from './helpers.ts';

let relay: TestRelay;
let honestOutbox: TestClient;
let honestProject: TestClient;

beforeAll(async () => {
  relay = await startTestRelay({ limits: { messagesPerSecond: 50, messageBurst: 100 } });
  honestOutbox = client(relay, 'outbox/c1@1', 'tok-alice');
  honestProject = client(relay, 'project/p1@1', 'tok-bob');
  await honestOutbox.conn.whenSynced(5000);
  await honestProject.conn.whenSynced(5000);
});

afterAll(async () => {
  honestOutbox.conn.destroy();
  honestProject.conn.destroy();
  await relay.close();
});

const bytes = (...xs: number[]): Uint8Array => new Uint8Array(xs);

function frame(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
}

function awareness(clientId: number, clock: number, stateJson: string): Uint8Array {
  const payload = frame((e) => {
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, clientId);
    encoding.writeVarUint(e, clock);
    encoding.writeVarString(e, stateJson);
  });
  return frame((e) => {
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint8Array(e, payload);
  });
}

/** the awareness states carried by one relay frame */
function statesIn(data: Uint8Array): Map<number, unknown> {
  const d = decoding.createDecoder(data);
  expect(decoding.readVarUint(d)).toBe(1);
  const scratch = new Awareness(new Y.Doc());
  scratch.setLocalState(null);
  applyAwarenessUpdate(scratch, decoding.readVarUint8Array(d), 'test');
  const states = new Map(scratch.getStates());
  scratch.destroy();
  return states;
}

function realUpdate(): Uint8Array {
  const d = new Y.Doc();
  d.getMap('orders').set('o1', { status: 'cancelled' });
  return Y.encodeStateAsUpdate(d);
}

async function closeCodeFor(docName: string, token: string, data: Uint8Array | string): Promise<{ code: number; reason: string }> {
  const peer = await rawPeer(relay, docName, token);
  peer.ws.send(data);
  const timeout = new Promise<{ code: number; reason: string }>((r) => setTimeout(() => r({ code: -1, reason: 'still open' }), 3000).unref());
  const result = await Promise.race([peer.closed, timeout]);
  peer.ws.terminate();
  return result;
}

describe('hostile frames', () => {
  const cases: [string, string, Uint8Array | string, number][] = [
    ['garbage bytes', 'outbox/c1@1', bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), CloseCode.ProtocolError],
    ['a truncated varint', 'outbox/c1@1', bytes(0x80), CloseCode.ProtocolError],
    ['an empty frame', 'outbox/c1@1', bytes(), CloseCode.ProtocolError],
    ['message type 99', 'outbox/c1@1', bytes(99, 0, 0), CloseCode.ProtocolError],
    ['an auth message from a client', 'outbox/c1@1', bytes(2, 0), CloseCode.ProtocolError],
    ['sync sub-type 7', 'outbox/c1@1', bytes(0, 7, 0), CloseCode.ProtocolError],
    ['a length beyond the frame', 'outbox/c1@1', bytes(0, 2, 0x7f, 1, 2, 3), CloseCode.ProtocolError],
    ['bytes after the payload', 'outbox/c1@1', bytes(0, 0, 1, 0, 42), CloseCode.ProtocolError],
    ['a malformed state vector', 'outbox/c1@1', bytes(0, 0, 2, 5, 0x80), CloseCode.ProtocolError],
    ['an undecodable update into a writable document', 'outbox/c1@1', bytes(0, 2, 4, 0xff, 0xff, 0xff, 0xff), CloseCode.ProtocolError],
    ['a text frame', 'outbox/c1@1', 'hello', CloseCode.UnsupportedData],
    ['a 2 MB frame', 'outbox/c1@1', new Uint8Array(2 * 1024 * 1024), CloseCode.MessageTooBig],
    ['a huge awareness state', 'project/p1@1', awareness(123456, 1, JSON.stringify({ pad: 'x'.repeat(4000) })), CloseCode.MessageTooBig],
    ['an awareness state that is not JSON', 'project/p1@1', awareness(123457, 1, '{not json'), CloseCode.BadRequest],
    ['an awareness state that is not an object', 'project/p1@1', awareness(123458, 1, '[1,2,3]'), CloseCode.BadRequest],
    ['a truncated awareness payload', 'project/p1@1', bytes(1, 5, 1, 7, 1, 9, 0x80), CloseCode.ProtocolError],
    ['sync step 2 on a read-only document', 'project/p1@1', frame((e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, 1), encoding.writeVarUint8Array(e, realUpdate()))), CloseCode.ReadOnlyViolation],
    ['an update on a read-only document', 'project/p1@1', frame((e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, 2), encoding.writeVarUint8Array(e, realUpdate()))), CloseCode.ReadOnlyViolation],
    // 0x80 0x00 is a non-canonical zero and 0x82 0x00 a non-canonical two: still an update
    ['a disguised update on a read-only document', 'project/p1@1', bytes(0x80, 0x00, 0x82, 0x00, ...frame((e) => encoding.writeVarUint8Array(e, realUpdate()))), CloseCode.ReadOnlyViolation],
    ['a truncated update on a read-only document', 'project/p1@1', bytes(0, 2, 0x7f), CloseCode.ReadOnlyViolation],
  ];

  it.each(cases)('%s → named close code', async (_what, docName, data, expected) => {
    const token = docName.startsWith('project') ? 'tok-auditor' : 'tok-alice';
    const { code } = await closeCodeFor(docName, token, data);
    expect(code).toBe(expected);
  });

  it('a broken WebSocket frame (reserved bits set) is a protocol error, not a crash', async () => {
    const peer = await rawPeer(relay, 'outbox/c1@1', 'tok-alice');
    // FIN + RSV2 + RSV3 + binary opcode, masked, empty payload
    (peer.ws as unknown as { _socket: Socket })._socket.write(Buffer.from([0xb2, 0x80, 1, 2, 3, 4]));
    expect((await peer.closed).code).toBe(CloseCode.ProtocolError);
  });

  it('a flood of messages is cut off with TooManyRequests', async () => {
    const peer = await rawPeer(relay, 'project/p1@1', 'tok-auditor');
    for (let i = 0; i < 500 && peer.ws.readyState === peer.ws.OPEN; i++) peer.ws.send(bytes(3));
    expect((await peer.closed).code).toBe(CloseCode.TooManyRequests);
  });

  it("awareness entries for another connection's client id are never applied", async () => {
    const observer = client(relay, 'project/p1@1', 'tok-alice');
    try {
      honestProject.conn.awareness.setLocalState({ user: 'bob' });
      const bobId = honestProject.doc.clientID;
      await waitFor('observer sees bob', () => observer.conn.awareness.getStates().get(bobId)?.user === 'bob');

      const spoofer = await rawPeer(relay, 'project/p1@1', 'tok-auditor');
      spoofer.ws.send(awareness(bobId, 1_000_000, JSON.stringify({ user: 'mallory' })));
      spoofer.ws.send(bytes(3)); // query-awareness: answered after the spoof was handled
      await waitFor('answer', () => spoofer.received.length >= 2);
      const answer = statesIn(spoofer.received.at(-1)!);
      expect(answer.get(bobId)).toEqual({ user: 'bob' });
      expect(observer.conn.awareness.getStates().get(bobId)).toEqual({ user: 'bob' });
      spoofer.ws.close();
    } finally {
      observer.conn.destroy();
    }
  });

  it('random bytes as updates into a writable document never hang or crash the relay', async () => {
    const seed = Number(process.env.CURIO_SEED ?? Date.now() % 100_000);
    let x = seed || 1;
    const rand = (): number => ((x = (x * 48271) % 0x7fffffff), x / 0x7fffffff);
    try {
      for (let i = 0; i < 30; i++) {
        const body = Uint8Array.from({ length: 1 + Math.floor(rand() * 64) }, () => Math.floor(rand() * 256));
        const peer = await rawPeer(relay, 'outbox/c7@1', 'tok-dave');
        await waitFor("relay's step 1", () => peer.received.length >= 1);
        const before = peer.received.length;
        peer.ws.send(frame((e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, 2), encoding.writeVarUint8Array(e, body))));
        peer.ws.send(bytes(0, 0, 1, 0)); // step 1: answered only if the update was accepted
        const outcome = await Promise.race([
          peer.closed.then((c) => c.code),
          waitFor('step 2', () => peer.received.length > before).then(() => 'open' as const),
        ]);
        // undecodable → 1002; the rare body Yjs accepts leaves the connection open
        expect([CloseCode.ProtocolError, 'open']).toContain(outcome);
        peer.ws.terminate();
      }
    } catch (err) {
      console.error(`random update seed: ${seed} (CURIO_SEED=${seed} to replay)`);
      throw err;
    }
  });

  it('after all of it the relay still serves honest clients', async () => {
    expect(honestOutbox.closes).toEqual([]);
    expect(honestProject.closes).toEqual([]);
    intents(honestOutbox.doc).set('000000000001', 'still here');
    const server = await relay.getDoc('outbox/c1@1');
    await waitFor('outbox syncs', () => intents(server).has('000000000001'));
    const project = await relay.getDoc('project/p1@1');
    expect(project.getMap('orders').has('o1')).toBe(false);
    project.transact(() => project.getMap('orders').set('o2', 1), RELAY_ORIGIN);
    await waitFor('project syncs', () => honestProject.doc.getMap('orders').get('o2') === 1);
  });
});
