// the one public door of the store
export type { Sql, SqlDatabase, SqlParam } from './sql.ts';
export { openPglite } from './pglite.ts';
export { openPostgres } from './postgres.ts';
export { migrate, MIGRATIONS, type Migration } from './schema.ts';
export * from './admin.ts';
export * from './chain.ts';
export * from './processor.ts';
export * from './queries.ts';
export { loadActor, loadAggregate, loadDecideState, loadProject, saveLabflow, writeEvents } from './state.ts';
export * from './rows.ts';
