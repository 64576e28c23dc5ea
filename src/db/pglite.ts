import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Sql, SqlDatabase, SqlParam } from './sql.ts';

type Queryable = Pick<PGlite, 'query' | 'exec'> | Transaction;

function wrap(q: Queryable, transaction: Sql['transaction']): Sql {
  return {
    dialect: 'pglite',
    async query<T>(text: string, params: readonly SqlParam[] = []) {
      const r = await q.query<T>(text, params as unknown[]);
      return r.rows;
    },
    async exec(text: string) {
      await q.exec(text);
    },
    transaction,
    async copyCsv(table, columns, csv) {
      const r = await q.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob' WITH (FORMAT csv)`, [], {
        blob: new Blob([csv]),
      });
      return r.affectedRows ?? 0;
    },
  };
}

/** opens (or creates) a PGlite database in dataDir; undefined or 'memory://' for in-memory */
export async function openPglite(dataDir?: string, opts: { loadDataDir?: Blob } = {}): Promise<SqlDatabase & { pglite: PGlite }> {
  const pglite = await PGlite.create(dataDir ?? 'memory://', opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {});
  // the first create() of a process resolves before PGlite is done: the event loop stays held
  // for ~0.15 s more (no JavaScript runs then). It passes here, as part of opening, rather
  // than inside whatever the caller does first
  await new Promise((resolve) => setImmediate(resolve));
  const inner = (tx: Transaction): Sql =>
    wrap(tx, () => {
      throw new Error('nested transactions are not supported');
    });
  const base = wrap(pglite, (fn) => pglite.transaction((tx) => fn(inner(tx))));
  return {
    ...base,
    pglite,
    async close() {
      if (!pglite.closed) await pglite.close();
    },
  };
}
