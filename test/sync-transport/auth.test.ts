import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../src/core/wire.ts';
import { client, sleep, startTestRelay, upgradeStatus, type TestRelay } from './helpers.ts';

let relay: TestRelay;
beforeAll(async () => {
  relay = await startTestRelay();
});
afterAll(async () => {
  await relay.close();
});

describe('upgrade requests', () => {
  it('a known token in the Authorization header is upgraded', async () => {
    expect(await upgradeStatus(relay, '/outbox/c1@1', { Authorization: 'Bearer tok-alice' })).toBe(101);
  });

  it('a missing or unknown token gets 401 before the upgrade', async () => {
    expect(await upgradeStatus(relay, '/outbox/c1@1')).toBe(401);
    expect(await upgradeStatus(relay, '/outbox/c1@1', { Authorization: 'Bearer nope' })).toBe(401);
    expect(await upgradeStatus(relay, '/outbox/c1@1', { Authorization: 'Basic dG9rLWFsaWNlOg==' })).toBe(401);
    expect(await upgradeStatus(relay, '/outbox/c1@1', { Authorization: 'Bearer constructor' })).toBe(401);
  });

  it('a token in the query string is never read', async () => {
    expect(await upgradeStatus(relay, '/outbox/c1@1?token=tok-alice')).toBe(401);
    expect(await upgradeStatus(relay, '/outbox/c1@1?access_token=tok-alice&auth=tok-alice')).toBe(401);
  });

  it('an invalid document name gets 400, a denied one 403', async () => {
    const auth = { Authorization: 'Bearer tok-alice' };
    expect(await upgradeStatus(relay, '/notes/c1@1', auth)).toBe(400);
    expect(await upgradeStatus(relay, '/outbox/c1', auth)).toBe(400);
    expect(await upgradeStatus(relay, '/outbox/../c1@1', auth)).toBe(400);
    expect(await upgradeStatus(relay, '/outbox%2Fc1%401', auth)).toBe(101);
    expect(await upgradeStatus(relay, '/outbox/c2@1', auth)).toBe(403);
  });

  it('a plain HTTP request is told to upgrade', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port: relay.port, path: '/' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(426);
  });
});

describe('plain HTTP requests', () => {
  it('go to onRequest; the ones it leaves get 426', async () => {
    const r = await startTestRelay({
      onRequest: (req, res) => {
        if (req.url !== '/healthz') return false;
        res.writeHead(200).end('ok');
        return true;
      },
    });
    try {
      const get = (path: string): Promise<number> =>
        new Promise((resolve, reject) => {
          request({ host: '127.0.0.1', port: r.port, path }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
            .on('error', reject)
            .end();
        });
      expect(await get('/healthz')).toBe(200);
      expect(await get('/other')).toBe(426);
    } finally {
      await r.close();
    }
  });
});

describe('client side of a refused upgrade', () => {
  it('an unknown token is reported as Unauthorized and not retried', async () => {
    const c = client(relay, 'outbox/c1@1', 'tok-stolen');
    const r = await c.conn.whenSynced(5000);
    expect(r).toMatchObject({ success: false, error: { code: 'closed', closeCode: CloseCode.Unauthorized } });
    expect(c.closes).toEqual([{ code: CloseCode.Unauthorized, reason: 'HTTP 401', fatal: true }]);
    await sleep(400);
    expect(c.attempts()).toBe(1);
    expect(c.conn.status).toBe('disconnected');
    c.conn.destroy();
  });

  it('an unreachable relay is retried with backoff until it is destroyed', async () => {
    const gone = await startTestRelay();
    await gone.close();
    const c = client(gone, 'outbox/c1@1', 'tok-alice');
    await sleep(1200);
    const n = c.attempts();
    c.conn.destroy();
    // 50 ms doubling up to 400 ms with jitter: a handful of attempts, neither one nor a storm
    expect(n).toBeGreaterThanOrEqual(3);
    expect(n).toBeLessThanOrEqual(12);
    expect(c.closes.every((x) => !x.fatal)).toBe(true);
    await sleep(500);
    expect(c.attempts()).toBe(n);
  });
});
