// the one public door of the relay
export { startRelay, currentEpoch, type Relay, type RelayOptions, type OutboxIntent } from './relay.ts';
export * from './transport/index.ts';
