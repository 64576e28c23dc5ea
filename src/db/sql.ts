// One small interface over PGlite and node-postgres, so the relay's central store and
// the client's replica share schema and query code.

export type SqlParam = string | number | boolean | null | Date | string[] | number[] | Uint8Array | object;

export interface Sql {
  /** runs one parameterised statement and returns its rows */
  query<T = Record<string, unknown>>(text: string, params?: readonly SqlParam[]): Promise<T[]>;
  /** runs one or more statements without parameters (migrations) */
  exec(text: string): Promise<void>;
  /** runs fn in one transaction; a thrown error rolls everything back */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /**
   * bulk-loads CSV text (RFC 4180, no header) into table(columns); on PGlite through
   * COPY … FROM '/dev/blob', on PostgreSQL through COPY … FROM STDIN
   */
  copyCsv(table: string, columns: readonly string[], csv: string): Promise<number>;
  readonly dialect: 'pglite' | 'postgres';
}

export interface SqlDatabase extends Sql {
  close(): Promise<void>;
}

/** parameters per statement: well below the protocol's limit of 65,535 */
const MAX_PARAMS = 10_000;

/**
 * the text of one INSERT … VALUES for these rows, its values appended to `params` (so it
 * can sit in a larger statement). A column may carry a cast ('after::jsonb'): the name
 * goes into the column list, the cast onto each value; `values` adds columns whose value
 * is an SQL expression (e.g. nextval) rather than a parameter.
 */
export function insertSql(
  table: string,
  columns: readonly string[],
  rows: readonly (readonly SqlParam[])[],
  params: SqlParam[],
  opts: { returning?: string; values?: Readonly<Record<string, string>> } = {},
): string {
  const names = columns.map((c) => c.split('::')[0]!);
  const casts = columns.map((c) => (c.includes('::') ? `::${c.split('::')[1]}` : ''));
  const fixed = Object.entries(opts.values ?? {});
  const tuples = rows.map((row) => {
    if (row.length !== columns.length) throw new Error(`insert into ${table}: ${row.length} values for ${columns.length} columns`);
    const cells = row.map((v, i) => {
      params.push(v);
      return `$${params.length}${casts[i]}`;
    });
    return `(${[...cells, ...fixed.map(([, expr]) => expr)].join(', ')})`;
  });
  const cols = [...names, ...fixed.map(([name]) => name)].join(', ');
  return `INSERT INTO ${table} (${cols}) VALUES ${tuples.join(', ')}${opts.returning ? ` RETURNING ${opts.returning}` : ''}`;
}

/** inserts rows in as few statements as the parameter limit allows (see insertSql); returning rows come in no promised order */
export async function insertRows<T = Record<string, unknown>>(
  sql: Sql,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly SqlParam[])[],
  opts: { returning?: string; values?: Readonly<Record<string, string>> } = {},
): Promise<T[]> {
  const per = Math.max(1, Math.floor(MAX_PARAMS / Math.max(1, columns.length)));
  const out: T[] = [];
  for (let start = 0; start < rows.length; start += per) {
    const params: SqlParam[] = [];
    const text = insertSql(table, columns, rows.slice(start, start + per), params, opts);
    out.push(...(await sql.query<T>(text, params)));
  }
  return out;
}
