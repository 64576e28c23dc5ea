// shared fixtures for the transport tests: a relay on port 0 with a fixed token table,
// raw HTTP upgrade requests and raw WebSocket peers for hand-built frames

import { request } from 'node:http';
import WebSocket from 'ws';
import * as Y from 'yjs';
import type { DocName } from '../../src/core/wire.ts';
import { connectDoc, type ConnectDocOptions, type DocConnection } from '../../src/sync/transport.ts';
import {
  MemoryDocStore,
  startRelayServer,
  type Access,
  type DocStore,
  type Principal,
  type RelayServer,
  type RelayServerOptions,
} from '../../src/sync-server/transport/index.ts';

export const TOKENS: Record<string, Principal> = {
  'tok-alice': { userId: 'alice', clientId: 'c1' },
  'tok-alice-2': { userId: 'alice', clientId: 'c1' },
  'tok-bob': { userId: 'bob', clientId: 'c2' },
  'tok-auditor': { userId: 'carol', clientId: 'c3', auditor: true },
  'tok-dave': { userId: 'dave', clientId: 'c7' },
};

/** own outbox: write; an auditor may read other outboxes; project documents: read */
export function authorize(p: Principal, doc: DocName): Access {
  if (doc.kind === 'project') return 'read';
  if (doc.clientId === p.clientId) return 'write';
  return p.auditor === true ? 'read' : 'deny';
}

export type TestRelay = RelayServer & { store: DocStore };

export async function startTestRelay(opts: Partial<RelayServerOptions> = {}): Promise<TestRelay> {
  const store = opts.store ?? new MemoryDocStore();
  const relay = await startRelayServer({
    authenticate: async (token) => (Object.hasOwn(TOKENS, token) ? TOKENS[token]! : null),
    authorize,
    log: () => undefined,
    ...opts,
    store,
  });
  return Object.assign(relay, { store });
}

export interface TestClient {
  doc: Y.Doc;
  conn: DocConnection;
  closes: { code: number; reason: string; fatal: boolean }[];
  statuses: string[];
  attempts: () => number;
}

/** a real client (y-websocket provider through connectDoc) that records what happens */
export function client(relay: RelayServer, docName: string, token: string, extra: Partial<ConnectDocOptions> = {}): TestClient {
  const doc = new Y.Doc();
  const closes: TestClient['closes'] = [];
  const statuses: string[] = [];
  let attempts = 0;
  class Counting extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[], options?: WebSocket.ClientOptions) {
      super(url, protocols, options);
      attempts++;
    }
  }
  const conn = connectDoc({
    url: relay.url,
    docName,
    token,
    doc,
    WebSocketImpl: Counting,
    initialBackoffMs: 50,
    maxBackoffMs: 400,
    onClose: (code, reason, fatal) => closes.push({ code, reason, fatal }),
    onStatus: (s) => statuses.push(s),
    ...extra,
  });
  return { doc, conn, closes, statuses, attempts: () => attempts };
}

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** sends an upgrade request by hand and resolves to the HTTP status of the answer */
export function upgradeStatus(relay: RelayServer, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port: relay.port,
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
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

export interface RawPeer {
  ws: WebSocket;
  received: Uint8Array[];
  closed: Promise<{ code: number; reason: string }>;
}

/** an authenticated WebSocket that speaks whatever bytes the test hands it */
export async function rawPeer(relay: RelayServer, docName: string, token: string): Promise<RawPeer> {
  const ws = new WebSocket(`${relay.url}/${docName}`, { headers: { Authorization: `Bearer ${token}` } });
  const received: Uint8Array[] = [];
  ws.on('message', (data: Buffer) => received.push(new Uint8Array(data)));
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  return { ws, received, closed };
}

export function intents(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap('intents');
}
