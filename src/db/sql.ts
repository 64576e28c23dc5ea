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
