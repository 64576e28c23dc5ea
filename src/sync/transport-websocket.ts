// the WebSocket class handed to y-websocket: a `ws` subclass that authenticates the
// upgrade request with a bearer header (tokens never go into the URL, where proxies
// and access logs would keep them) and reports why an upgrade was refused

import type WebSocket from 'ws';
import type { ClientOptions } from 'ws';

/** the `ws` WebSocket class or a subclass of it */
export type WebSocketClass = new (url: string | URL, protocols?: string | string[], options?: ClientOptions) => WebSocket;
/** what y-websocket constructs: new (url, protocols) */
export type ProviderWebSocketClass = new (url: string | URL, protocols?: string | string[]) => WebSocket;

export interface HandshakeObserver {
  /** a new connection attempt starts */
  onAttempt(): void;
  /** the relay answered the upgrade request with this HTTP status instead of 101 */
  onRefused(status: number): void;
  /** the relay pinged: the connection is alive even when the document is quiet */
  onPing(): void;
}

/** how long an upgrade (TCP, TLS, HTTP) may take before the attempt counts as failed */
const HANDSHAKE_TIMEOUT_MS = 15_000;

export function bearerWebSocket(base: WebSocketClass, token: string, observer: HandshakeObserver, options: ClientOptions = {}): ProviderWebSocketClass {
  class BearerWebSocket extends base {
    constructor(url: string | URL, protocols?: string | string[]) {
      observer.onAttempt();
      super(url, protocols, {
        handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
        ...options,
        perMessageDeflate: false,
        headers: { ...options.headers, Authorization: `Bearer ${token}` },
      });
      this.on('unexpected-response', (_req, res) => {
        observer.onRefused(res.statusCode ?? 0);
        res.resume();
        // aborts the handshake; y-websocket then sees an ordinary close
        this.close();
      });
      this.on('ping', () => observer.onPing());
    }
  }
  return BearerWebSocket;
}
