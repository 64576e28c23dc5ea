// the one public door of the sync client
export { Replica, commandKeys, describeRejection, type PendingCommand, type PendingStatus, type ReplicaConfig, type ReplicaStatus } from './replica.ts';
export { Journal, type JournalEntry } from './journal.ts';
export { connectDoc, type DocConnection, type TransportStatus } from './transport.ts';
export { fetchSession, type SessionInfo } from './session-info.ts';
