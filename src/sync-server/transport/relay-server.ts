// lifecycle of the relay's transport: HTTP upgrade, authentication, per-document
// permission, connection bounds, heartbeat and graceful shutdown

import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import * as Y from 'yjs';
import { CloseCode, formatDocName, parseDocName, type DocName } from '../../core/wire.ts';
import { RelayConnection, type ConnectionInfo } from './connection.ts';
import type { DocStore } from './doc-store.ts';
import { RelayDoc, type RelayDocContext } from './relay-doc.ts';
import { DEFAULT_LIMITS, type Access, type ClientOrigin, type Principal, type RelayLimits, type RelayLog } from './types.ts';

export interface RelayServerOptions {
  host?: string | undefined;
  /** 0 picks a free port */
  port?: number | undefined;
  /** path prefix before the document name, e.g. '/sync' (default: none) */
  basePath?: string | undefined;
  /** resolves a bearer token to its principal, or null when the token is unknown */
  authenticate(token: string): Promise<Principal | null>;
  /** what the principal may do with the document */
  authorize(principal: Principal, doc: DocName): Access | Promise<Access>;
  store: DocStore;
  /**
   * updates from a client were applied and stored: called once per connection for the
   * updates stored together (with the last of them); read the document, not the update
   */
  onUpdate?: ((name: string, doc: Y.Doc, update: Uint8Array, origin: ClientOrigin) => void | Promise<void>) | undefined;
  /** vets one awareness state a client publishes; false drops it */
  checkAwareness?: ((principal: Principal, doc: DocName, state: Record<string, unknown>) => boolean) | undefined;
  log?: RelayLog | undefined;
  /** plain HTTP requests (not upgrades); resolve true when answered, false for 426 */
  onRequest?: ((req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>) | undefined;
  limits?: Partial<RelayLimits> | undefined;
}

export interface RelayStats {
  connections: number;
  pendingUpgrades: number;
  unauthenticatedSockets: number;
  docs: number;
}

export interface RelayServer {
  readonly port: number;
  /** ws://host:port[/basePath]: what clients pass as `url` */
  readonly url: string;
  /**
   * the live document, loaded from the store when needed. Write to it with
   * `doc.transact(fn, RELAY_ORIGIN)`: the update is stored, then sent to every client.
   * Ask again rather than keeping the Y.Doc: an idle document is unloaded, and writes
   * to an unloaded copy are only forwarded to the live one.
   */
  getDoc(name: string | DocName): Promise<Y.Doc>;
  /** resolves once every update applied so far (to one document, or to all) is stored */
  flush(name?: string | DocName): Promise<void>;
  /** closes the connections the filter picks (revoked tokens, an epoch bump); returns how many */
  closeConnections(filter: (conn: ConnectionInfo) => boolean, code?: number, reason?: string): number;
  stats(): RelayStats;
  /** stops accepting, closes every connection with GoingAway and stores what is pending */
  close(): Promise<void>;
}

interface DocSlot {
  readonly name: string;
  readonly ready: Promise<RelayDoc>;
  doc: RelayDoc | undefined;
  /** upgrades and getDoc calls in flight that will use the document */
  holds: number;
  idleTimer: NodeJS.Timeout | undefined;
}

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

const defaultLog: RelayLog = (level, event, fields) => {
  if (level === 'error') console.error(`[relay] ${event}`, fields ?? {});
};

export async function startRelayServer(opts: RelayServerOptions): Promise<RelayServer> {
  const relay = new Relay(opts);
  await relay.listen(opts.host ?? '127.0.0.1', opts.port ?? 0);
  return relay;
}

class Relay implements RelayServer {
  readonly #opts: RelayServerOptions;
  readonly #limits: RelayLimits;
  readonly #log: RelayLog;
  readonly #basePath: string;
  readonly #http: Server;
  readonly #wss: WebSocketServer;
  readonly #docs = new Map<string, DocSlot>();
  readonly #conns = new Set<RelayConnection>();
  readonly #perUser = new Map<string, number>();
  readonly #unauthenticated = new WeakMap<Duplex, () => void>();
  readonly #docCtx: RelayDocContext;
  #unauthenticatedCount = 0;
  #pendingUpgrades = 0;
  #nextConnectionId = 1;
  #heartbeat: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;
  #port = 0;
  #host = '127.0.0.1';

  constructor(opts: RelayServerOptions) {
    this.#opts = opts;
    this.#limits = { ...DEFAULT_LIMITS, ...definedOnly(opts.limits ?? {}) };
    this.#log = opts.log ?? defaultLog;
    this.#basePath = (opts.basePath ?? '').replace(/\/+$/, '');
    const hs = this.#limits.handshakeTimeoutMs;
    this.#http = createServer({
      headersTimeout: hs,
      requestTimeout: hs,
      connectionsCheckingInterval: Math.min(1000, hs),
      maxHeaderSize: 8 * 1024,
    });
    // idle sockets that never finish a request (ws clears this timeout after the upgrade)
    this.#http.setTimeout(hs, (socket: Socket) => socket.destroy());
    this.#http.maxConnections = this.#limits.maxConnections + this.#limits.maxUnauthenticatedSockets;
    this.#http.on('connection', this.#onSocket);
    this.#http.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const handle = this.#opts.onRequest;
      if (handle) {
        void Promise.resolve(handle(req, res)).then(
          (handled) => {
            if (!handled && !res.headersSent) {
              res.writeHead(426, { 'Content-Type': 'text/plain', Connection: 'close', Upgrade: 'websocket' });
              res.end('WebSocket upgrade required\n');
            }
          },
          (err: unknown) => {
            this.#log('error', 'request_failed', { error: String(err) });
            if (!res.headersSent) res.writeHead(500).end();
          },
        );
        return;
      }
      res.writeHead(426, { 'Content-Type': 'text/plain', Connection: 'close', Upgrade: 'websocket' });
      res.end('WebSocket upgrade required\n');
    });
    this.#http.on('clientError', (_err, socket) => socket.destroy());
    this.#http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.#onUpgrade(req, socket, head).catch((err: unknown) => {
        this.#log('error', 'upgrade_failed', { error: String(err) });
        refuse(socket, 500);
      });
    });
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: this.#limits.maxFrameBytes,
      // no compression: inflating is where small frames turn into large allocations
      perMessageDeflate: false,
    });
    this.#docCtx = {
      store: opts.store,
      log: this.#log,
      compactAfterUpdates: this.#limits.compactAfterUpdates,
      maxAwarenessBytes: this.#limits.maxAwarenessBytes,
      maxAwarenessClientsPerConnection: this.#limits.maxAwarenessClientsPerConnection,
      onUpdate: opts.onUpdate,
      checkAwareness: opts.checkAwareness,
      onStaleWrite: (name, update, origin) => {
        this.#log('warn', 'write_to_unloaded_doc', { doc: name });
        void this.getDoc(name)
          .then((live) => Y.applyUpdate(live, update, origin))
          .catch((err: unknown) => this.#log('error', 'stale_write_lost', { doc: name, error: String(err) }));
      },
      onFailed: (doc) => {
        const slot = this.#docs.get(doc.name);
        if (slot?.doc === doc) {
          clearTimeout(slot.idleTimer);
          this.#docs.delete(doc.name);
        }
      },
    };
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    const host = this.#host.includes(':') ? `[${this.#host}]` : this.#host;
    return `ws://${host}:${this.#port}${this.#basePath}`;
  }

  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen(port, host, () => {
        this.#http.off('error', reject);
        this.#http.on('error', (err) => this.#log('error', 'http_server_error', { error: String(err) }));
        const addr = this.#http.address() as AddressInfo;
        this.#port = addr.port;
        this.#host = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
        this.#heartbeat = setInterval(() => {
          for (const conn of this.#conns) conn.heartbeat();
        }, this.#limits.heartbeatMs);
        this.#heartbeat.unref();
        resolve();
      });
    });
  }

  async getDoc(name: string | DocName): Promise<Y.Doc> {
    const docName = typeof name === 'string' ? parseDocName(name) : name;
    if (!docName) throw new Error(`not a document name: ${String(name)}`);
    if (this.#closing) throw new Error('relay is closing');
    const slot = this.#slot(formatDocName(docName), docName);
    slot.holds++;
    try {
      const doc = await slot.ready;
      return doc.doc;
    } finally {
      slot.holds--;
      this.#armIdle(slot);
    }
  }

  async flush(name?: string | DocName): Promise<void> {
    const key = name === undefined ? undefined : typeof name === 'string' ? name : formatDocName(name);
    const slots = key === undefined ? [...this.#docs.values()] : [this.#docs.get(key)].filter((s) => s !== undefined);
    await Promise.all(slots.map((s) => s.ready.then((d) => d.whenFlushed()).catch(() => undefined)));
  }

  closeConnections(filter: (conn: ConnectionInfo) => boolean, code: number = CloseCode.Forbidden, reason?: string): number {
    let n = 0;
    for (const conn of this.#conns) {
      if (filter(conn)) {
        conn.close(code, reason);
        n++;
      }
    }
    return n;
  }

  stats(): RelayStats {
    return {
      connections: this.#conns.size,
      pendingUpgrades: this.#pendingUpgrades,
      unauthenticatedSockets: this.#unauthenticatedCount,
      docs: this.#docs.size,
    };
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    clearInterval(this.#heartbeat);
    const stopped = new Promise<void>((resolve) => this.#http.close(() => resolve()));
    const gone = [...this.#conns].map((conn) => new Promise<void>((resolve) => conn.onGone(resolve)));
    for (const conn of this.#conns) conn.close(CloseCode.GoingAway);
    await Promise.race([Promise.all(gone), delay(3000)]);
    for (const conn of this.#conns) conn.terminate();
    await this.flush();
    for (const slot of this.#docs.values()) {
      clearTimeout(slot.idleTimer);
      slot.doc?.detach();
    }
    this.#docs.clear();
    this.#http.closeAllConnections();
    await stopped;
    this.#wss.close();
  }

  #onSocket = (socket: Socket): void => {
    if (this.#unauthenticatedCount >= this.#limits.maxUnauthenticatedSockets || this.#closing) {
      socket.destroy();
      return;
    }
    this.#unauthenticatedCount++;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.#unauthenticatedCount--;
    };
    this.#unauthenticated.set(socket, release);
    socket.once('close', release);
    socket.on('error', () => undefined);
  };

  async #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    if (this.#closing) return refuse(socket, 503);
    if (this.#pendingUpgrades >= this.#limits.maxPendingUpgrades) return refuse(socket, 503);
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return refuse(socket, 400);

    // the document name is the path after basePath; a query string is never read
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!path.startsWith(this.#basePath + '/')) return refuse(socket, 404);
    let raw: string;
    try {
      raw = decodeURIComponent(path.slice(this.#basePath.length + 1));
    } catch {
      return refuse(socket, 400);
    }
    const docName = parseDocName(raw);
    if (!docName) return refuse(socket, 400);

    // tokens travel only in the Authorization header, never in the URL
    const token = BEARER.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined) return refuse(socket, 401, { 'WWW-Authenticate': 'Bearer' });

    this.#pendingUpgrades++;
    let principal: Principal | null;
    let access: Access;
    const name = formatDocName(docName);
    let slot: DocSlot | undefined;
    try {
      const verdict = await withTimeout(this.#admit(token, docName), this.#limits.handshakeTimeoutMs);
      if (verdict === 'timeout') return refuse(socket, 503);
      ({ principal, access } = verdict);
      if (!principal) return refuse(socket, 401, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
      if (access === 'deny') return refuse(socket, 403);
      if (this.#closing) return refuse(socket, 503);
      if (this.#conns.size >= this.#limits.maxConnections) return refuse(socket, 503);
      if ((this.#perUser.get(principal.userId) ?? 0) >= this.#limits.maxConnectionsPerUser) return refuse(socket, 429);
      slot = this.#slot(name, docName);
      slot.holds++;
      const relayDoc = await slot.ready;
      if (socket.destroyed || this.#closing) return refuse(socket, 503);
      const who = principal;
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#attach(ws, socket, who, access, relayDoc));
    } catch (err) {
      this.#log('error', 'upgrade_failed', { doc: name, error: String(err) });
      refuse(socket, 503);
    } finally {
      this.#pendingUpgrades--;
      if (slot) {
        slot.holds--;
        this.#armIdle(slot);
      }
    }
  }

  async #admit(token: string, docName: DocName): Promise<{ principal: Principal | null; access: Access }> {
    const principal = await this.#opts.authenticate(token);
    if (!principal || typeof principal.userId !== 'string') return { principal: null, access: 'deny' };
    const access = await this.#opts.authorize(principal, docName);
    return { principal, access: access === 'write' || access === 'read' ? access : 'deny' };
  }

  #attach(ws: WebSocket, socket: Duplex, principal: Principal, access: Access, relayDoc: RelayDoc): void {
    this.#unauthenticated.get(socket)?.();
    if (this.#closing || !relayDoc.live) {
      ws.close(this.#closing ? CloseCode.GoingAway : CloseCode.InternalError);
      return;
    }
    const id = this.#nextConnectionId++;
    this.#perUser.set(principal.userId, (this.#perUser.get(principal.userId) ?? 0) + 1);
    const conn = new RelayConnection(ws, id, principal, access, relayDoc, this.#limits, this.#log, (c) => {
      this.#conns.delete(c);
      const n = (this.#perUser.get(c.principal.userId) ?? 1) - 1;
      if (n <= 0) this.#perUser.delete(c.principal.userId);
      else this.#perUser.set(c.principal.userId, n);
      const slot = this.#docs.get(c.name);
      if (slot) this.#armIdle(slot);
    });
    this.#conns.add(conn);
    const slot = this.#docs.get(relayDoc.name);
    if (slot) clearTimeout(slot.idleTimer);
    this.#log('debug', 'connection_opened', { connection: id, user: principal.userId, doc: relayDoc.name, access });
  }

  #slot(name: string, docName: DocName): DocSlot {
    const existing = this.#docs.get(name);
    if (existing) {
      clearTimeout(existing.idleTimer);
      existing.idleTimer = undefined;
      return existing;
    }
    const slot: DocSlot = {
      name,
      ready: RelayDoc.load(name, docName, this.#docCtx),
      doc: undefined,
      holds: 0,
      idleTimer: undefined,
    };
    slot.ready.then(
      (doc) => {
        slot.doc = doc;
      },
      (err: unknown) => {
        this.#log('error', 'doc_load_failed', { doc: name, error: String(err) });
        if (this.#docs.get(name) === slot) this.#docs.delete(name);
      },
    );
    this.#docs.set(name, slot);
    return slot;
  }

  /** unloads the document once nothing has used it for idleUnloadMs */
  #armIdle(slot: DocSlot): void {
    clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    if (this.#closing || slot.holds > 0 || !slot.doc || slot.doc.peers.size > 0) return;
    slot.idleTimer = setTimeout(() => {
      slot.idleTimer = undefined;
      const doc = slot.doc;
      if (!doc) return;
      void doc.whenFlushed().then(() => {
        if (this.#docs.get(slot.name) !== slot || slot.holds > 0 || doc.peers.size > 0 || slot.idleTimer) return;
        this.#docs.delete(slot.name);
        doc.detach();
        this.#log('debug', 'doc_unloaded', { doc: slot.name });
      });
    }, this.#limits.idleUnloadMs);
    slot.idleTimer.unref();
  }
}

/** answers an upgrade request with a plain HTTP status and closes the socket */
function refuse(socket: Duplex, status: number, headers: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${STATUS_CODES[status] ?? 'Error'}\n`;
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: text/plain',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
