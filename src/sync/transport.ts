// one document kept in sync with the relay over y-websocket: bearer authentication,
// reconnects with exponential backoff and jitter, and a stop on fatal close codes

import WebSocket from 'ws';
import type * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { Awareness } from 'y-protocols/awareness';
import { closeCodeForHttpStatus, isFatalCloseCode } from '../core/wire.ts';
import { bearerWebSocket, type WebSocketClass } from './transport-websocket.ts';

export type TransportStatus = 'connecting' | 'connected' | 'disconnected';

export interface ConnectDocOptions {
  /** the relay's base URL, e.g. ws://127.0.0.1:4444 */
  url: string;
  /** e.g. outbox/<clientId>@<epoch>; appended to url as a path */
  docName: string;
  token: string;
  doc: Y.Doc;
  /** the `ws` class to build on (tests pass instrumented subclasses) */
  WebSocketImpl?: WebSocketClass | undefined;
  /** presence on this document; one is created (and destroyed with the connection) if absent */
  awareness?: Awareness | undefined;
  onStatus?: ((status: TransportStatus) => void) | undefined;
  /** every closed connection; `fatal` means no more reconnects */
  onClose?: ((code: number, reason: string, fatal: boolean) => void) | undefined;
  /** first reconnect delay before jitter (default 250 ms) */
  initialBackoffMs?: number | undefined;
  /** upper bound of the reconnect delay (default 15 s) */
  maxBackoffMs?: number | undefined;
}

export type SyncWaitResult =
  | { success: true }
  | { success: false; error: { code: 'timeout' | 'closed' | 'destroyed'; closeCode?: number; reason?: string } };

export interface DocConnection {
  readonly awareness: Awareness;
  readonly status: TransportStatus;
  /** the relay's state has been received since the last (re)connect */
  readonly synced: boolean;
  /** why the relay closed for good, once it did */
  readonly fatal: { code: number; reason: string } | null;
  /**
   * resolves once the relay's state has been received. For a writable document this
   * does not mean the relay has stored local changes yet.
   */
  whenSynced(timeoutMs: number): Promise<SyncWaitResult>;
  destroy(): void;
}

type Polyfill = NonNullable<NonNullable<ConstructorParameters<typeof WebsocketProvider>[3]>['WebSocketPolyfill']>;

export function connectDoc(opts: ConnectDocOptions): DocConnection {
  const initialBackoff = opts.initialBackoffMs ?? 250;
  const maxBackoff = opts.maxBackoffMs ?? 15_000;
  const ownAwareness = opts.awareness === undefined;
  const awareness = opts.awareness ?? new Awareness(opts.doc);

  let status: TransportStatus = 'disconnected';
  let refusedStatus: number | null = null;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let destroyed = false;
  let fatal: { code: number; reason: string } | null = null;
  const waiters = new Set<(r: SyncWaitResult) => void>();

  const setStatus = (next: TransportStatus): void => {
    if (next === status) return;
    status = next;
    opts.onStatus?.(next);
  };
  const settle = (r: SyncWaitResult): void => {
    for (const w of [...waiters]) w(r);
  };

  // eslint-disable-next-line prefer-const -- assigned once, read by callbacks that run after
  let provider: WebsocketProvider;
  const WS = bearerWebSocket(opts.WebSocketImpl ?? WebSocket, opts.token, {
    onAttempt: () => {
      refusedStatus = null;
    },
    onRefused: (httpStatus) => {
      refusedStatus = httpStatus;
    },
    onPing: () => {
      // y-websocket drops a connection after 30 s without a message; a ping counts
      if (provider !== undefined) provider.wsLastMessageReceived = Date.now();
    },
  });

  provider = new WebsocketProvider(opts.url, opts.docName, opts.doc, {
    connect: false,
    awareness,
    WebSocketPolyfill: WS as unknown as Polyfill,
    // BroadcastChannel would sync same-named documents inside one process past the relay
    disableBc: true,
    maxBackoffTime: maxBackoff,
    // reconnects are scheduled below (y-websocket's backoff has no jitter)
    shouldReconnect: () => true,
  });

  provider.on('status', ({ status: s }) => setStatus(s));
  provider.on('sync', (isSynced: boolean) => {
    if (!isSynced) return;
    failures = 0;
    settle({ success: true });
  });
  provider.on('connection-close', (event) => {
    if (destroyed) return;
    // take over reconnecting: y-websocket's own timer finds shouldConnect false
    provider.shouldConnect = false;
    const code = refusedStatus !== null ? closeCodeForHttpStatus(refusedStatus) : (event?.code ?? 1006);
    const reason = refusedStatus !== null ? `HTTP ${refusedStatus}` : event === null ? 'no message from the relay' : (event.reason ?? '');
    refusedStatus = null;
    setStatus('disconnected');
    const isFatal = isFatalCloseCode(code);
    if (isFatal) fatal = { code, reason };
    opts.onClose?.(code, reason, isFatal);
    if (isFatal) {
      settle({ success: false, error: { code: 'closed', closeCode: code, reason } });
      return;
    }
    failures++;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (!destroyed && fatal === null) provider.connect();
    }, backoffDelay(failures, initialBackoff, maxBackoff));
  });

  provider.connect();

  return {
    awareness,
    get status() {
      return status;
    },
    get synced() {
      return provider.synced;
    },
    get fatal() {
      return fatal;
    },
    whenSynced(timeoutMs: number): Promise<SyncWaitResult> {
      if (destroyed) return Promise.resolve({ success: false, error: { code: 'destroyed' } });
      if (fatal) return Promise.resolve({ success: false, error: { code: 'closed', closeCode: fatal.code, reason: fatal.reason } });
      if (provider.synced) return Promise.resolve({ success: true });
      return new Promise((resolve) => {
        const done = (r: SyncWaitResult): void => {
          clearTimeout(timer);
          waiters.delete(done);
          resolve(r);
        };
        const timer = setTimeout(() => done({ success: false, error: { code: 'timeout' } }), timeoutMs);
        waiters.add(done);
      });
    },
    destroy(): void {
      if (destroyed) return;
      destroyed = true;
      clearTimeout(retryTimer);
      provider.destroy();
      if (ownAwareness) awareness.destroy();
      setStatus('disconnected');
      settle({ success: false, error: { code: 'destroyed' } });
    },
  };
}

/** exponential backoff with equal jitter: half fixed, half random, so clients spread out */
export function backoffDelay(failures: number, initialMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 30));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
