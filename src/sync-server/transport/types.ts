import { MAX_AWARENESS_BYTES, MAX_FRAME_BYTES, type DocName } from '../../core/wire.ts';

/** who is on the other end of a connection, as authenticate() established it */
export interface Principal {
  userId: string;
  clientId?: string;
  [k: string]: unknown;
}

/** what a principal may do with one document */
export type Access = 'write' | 'read' | 'deny';

/** origin of the relay's own writes: `doc.transact(fn, RELAY_ORIGIN)` */
export const RELAY_ORIGIN: unique symbol = Symbol('curio.relay');
export type RelayOrigin = typeof RELAY_ORIGIN;

/** transaction origin of an update applied from a client connection */
export interface ClientOrigin {
  readonly kind: 'client';
  readonly connectionId: number;
  readonly principal: Principal;
  readonly docName: DocName;
  readonly access: Access;
}

export function isClientOrigin(origin: unknown): origin is ClientOrigin {
  return typeof origin === 'object' && origin !== null && (origin as { kind?: unknown }).kind === 'client';
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type RelayLog = (level: LogLevel, event: string, fields?: Record<string, unknown>) => void;

/** bounds on what clients may cost the relay */
export interface RelayLimits {
  /** largest WebSocket frame; bigger frames close the connection with 1009 */
  maxFrameBytes: number;
  /** largest JSON state of one awareness entry */
  maxAwarenessBytes: number;
  /** awareness client ids one connection may publish */
  maxAwarenessClientsPerConnection: number;
  /** upgrades being authenticated at the same time; more get 503 */
  maxPendingUpgrades: number;
  /** TCP sockets that have not (yet) become WebSocket connections */
  maxUnauthenticatedSockets: number;
  /** open WebSocket connections in total; more get 503 */
  maxConnections: number;
  /** open WebSocket connections of one user */
  maxConnectionsPerUser: number;
  /** time a socket may take to send its upgrade request and be authenticated */
  handshakeTimeoutMs: number;
  /** sustained messages per second per connection and the burst above it */
  messagesPerSecond: number;
  messageBurst: number;
  /** sustained bytes per second per connection and the burst above it */
  bytesPerSecond: number;
  byteBurst: number;
  /** frames received but not yet handled, per connection */
  maxQueuedMessages: number;
  /** bytes waiting to be sent to one peer before it counts as too slow */
  maxBufferedBytes: number;
  /** ping interval; a peer that missed the previous ping is dropped */
  heartbeatMs: number;
  /** stored updates of one document before they are merged into one */
  compactAfterUpdates: number;
  /** a document without connections is unloaded from memory after this long */
  idleUnloadMs: number;
}

export const DEFAULT_LIMITS: RelayLimits = {
  maxFrameBytes: MAX_FRAME_BYTES,
  maxAwarenessBytes: MAX_AWARENESS_BYTES,
  maxAwarenessClientsPerConnection: 4,
  maxPendingUpgrades: 64,
  maxUnauthenticatedSockets: 256,
  maxConnections: 2048,
  maxConnectionsPerUser: 64,
  handshakeTimeoutMs: 10_000,
  messagesPerSecond: 200,
  messageBurst: 1000,
  bytesPerSecond: 4 * 1024 * 1024,
  byteBurst: 8 * 1024 * 1024,
  maxQueuedMessages: 1000,
  maxBufferedBytes: 32 * 1024 * 1024,
  heartbeatMs: 15_000,
  compactAfterUpdates: 500,
  idleUnloadMs: 5 * 60_000,
};
