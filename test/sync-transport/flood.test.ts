// unauthenticated traffic costs the relay a bounded number of sockets and checks
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS, client, sleep, startTestRelay, waitFor, type TestRelay } from './helpers.ts';

const LIMITS = { maxPendingUpgrades: 8, maxUnauthenticatedSockets: 64, handshakeTimeoutMs: 500 };
let relay: TestRelay;
let inFlight = 0;
let maxInFlight = 0;

beforeAll(async () => {
  relay = await startTestRelay({
    limits: LIMITS,
    authenticate: async (token) => {
      if (token === 'tok-alice') return TOKENS['tok-alice']!;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await sleep(20); // a token lookup that takes a while
      inFlight--;
      return null;
    },
  });
});
afterAll(async () => {
  await relay.close();
});

function badUpgrade(): Promise<string> {
  return new Promise((resolve) => {
    const req = request({
      host: '127.0.0.1',
      port: relay.port,
      path: '/outbox/c1@1',
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        Authorization: 'Bearer guess',
      },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(String(res.statusCode));
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(String(res.statusCode));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    req.end();
  });
}

describe('unauthenticated flood', () => {
  it('bounds concurrent authentications and sockets, and memory stays bounded', async () => {
    const before = process.memoryUsage().heapUsed;
    for (let round = 0; round < 3; round++) {
      const outcomes = await Promise.all(Array.from({ length: 300 }, badUpgrade));
      // every attempt is answered (401 or 503) or dropped; none is upgraded
      expect(outcomes.every((o) => o === '401' || o === '503' || o === 'ECONNRESET' || o === 'EPIPE')).toBe(true);
      expect(outcomes).toContain('401');
    }
    expect(maxInFlight).toBeLessThanOrEqual(LIMITS.maxPendingUpgrades);
    await waitFor('sockets released', () => relay.stats().unauthenticatedSockets === 0 && relay.stats().pendingUpgrades === 0);
    const grown = process.memoryUsage().heapUsed - before;
    expect(grown).toBeLessThan(64 * 1024 * 1024);
  });

  it('idle sockets that never send a request are dropped after the handshake timeout', async () => {
    const sockets: Socket[] = [];
    const closed: boolean[] = [];
    for (let i = 0; i < 100; i++) {
      const s = connect(relay.port, '127.0.0.1');
      const idx = closed.push(false) - 1;
      s.on('error', () => undefined);
      s.on('close', () => (closed[idx] = true));
      sockets.push(s);
    }
    await waitFor('relay counted them', () => relay.stats().unauthenticatedSockets > 0);
    expect(relay.stats().unauthenticatedSockets).toBeLessThanOrEqual(LIMITS.maxUnauthenticatedSockets);
    await waitFor('all dropped', () => closed.every(Boolean), 5000);
    expect(relay.stats().unauthenticatedSockets).toBe(0);
  });

  it('an honest client still gets through afterwards', async () => {
    const c = client(relay, 'outbox/c1@1', 'tok-alice');
    expect(await c.conn.whenSynced(5000)).toEqual({ success: true });
    // the handshake timeout does not apply to upgraded connections
    await sleep(LIMITS.handshakeTimeoutMs * 3);
    expect(c.closes).toEqual([]);
    expect(c.conn.status).toBe('connected');
    c.conn.destroy();
    expect(await badUpgrade()).toBe('401');
  });
});
