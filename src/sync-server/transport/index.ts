// the relay's transport: y-protocols sync and awareness over WebSocket, with no domain
// knowledge; the command processor plugs in through onUpdate and getDoc
export { startRelayServer } from './relay-server.ts';
export type { RelayServer, RelayServerOptions, RelayStats } from './relay-server.ts';
export type { ConnectionInfo } from './connection.ts';
export { MemoryDocStore, SqlDocStore, DOC_STORE_MIGRATION_SQL } from './doc-store.ts';
export type { DocStore } from './doc-store.ts';
export { RELAY_ORIGIN, DEFAULT_LIMITS, isClientOrigin } from './types.ts';
export type { Access, ClientOrigin, LogLevel, Principal, RelayLimits, RelayLog, RelayOrigin } from './types.ts';
