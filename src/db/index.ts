// the one public door of the store
export type { Sql, SqlDatabase, SqlParam } from './sql.ts';
export { openPglite } from './pglite.ts';
import type { SqlDatabase } from './sql.ts';

/** node-postgres loads only when a PostgreSQL store is asked for */
export async function openPostgres(url: string): Promise<SqlDatabase> {
  const m = await import('./postgres.ts');
  return m.openPostgres(url);
}
export { migrate, MIGRATIONS, type Migration } from './schema.ts';
export * from './admin.ts';
export * from './chain.ts';
export * from './processor.ts';
export * from './queries.ts';
export { loadActor, loadAggregate, loadDecideState, loadProject, saveLabflow, writeEvents } from './state.ts';
export * from './rows.ts';
export * from './projection.ts';
export {
  findAnalysis,
  getCuration,
  curationsOf,
  listAnalyses,
  orderCurations,
  orderReports,
  readAnalysis,
  sealReport,
  sha256Hex,
  toAnalysis,
  toCuration,
  toReport,
  verifyReportHash,
  type AnalysisFilter,
} from './reports.ts';
export { prepareReportDraft, type ReportDraft, type ReportDraftCommand } from './report-draft.ts';
export { entryOf, readEntry, writeEntry } from './doc-entries.ts';
