import pg from 'pg';
import type { Sql, SqlDatabase, SqlParam } from './sql.ts';

// timestamps come back as Date, bigint (int8) as string; keep numeric columns as numbers
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

function wrap(client: pg.Pool | pg.PoolClient, transaction: Sql['transaction']): Sql {
  // one connection answers one query at a time: callers may issue several at once
  // (Promise.all), so queries on a transaction's client are chained, not interleaved
  let chain: Promise<unknown> = Promise.resolve();
  const run = <T>(text: string, params?: unknown[]): Promise<pg.QueryResult<T & pg.QueryResultRow>> => {
    if (client instanceof pg.Pool) return client.query(text, params);
    const next = chain.then(() => client.query<T & pg.QueryResultRow>(text, params));
    chain = next.catch(() => undefined);
    return next;
  };
  return {
    dialect: 'postgres',
    async query<T>(text: string, params: readonly SqlParam[] = []) {
      const r = await run<T>(text, params as unknown[]);
      return r.rows as T[];
    },
    async exec(text: string) {
      await run(text);
    },
    transaction,
    async copyCsv(table, columns, csv) {
      if (csv.length === 0) return 0;
      // node-postgres has no COPY FROM STDIN without pg-copy-streams: load the parsed
      // records in array-parameter batches (unnest), each column cast to its type
      const types = await run<{ column_name: string; data_type: string; udt_name: string }>(
        `SELECT column_name, data_type, udt_name FROM information_schema.columns WHERE table_name = $1 AND table_schema = current_schema()`,
        [table],
      );
      const typeOf = new Map(types.rows.map((r) => [r.column_name, r.data_type === 'ARRAY' ? `${r.udt_name.replace(/^_/, '')}[]` : r.data_type === 'USER-DEFINED' ? r.udt_name : r.data_type]));
      const names = columns.map((_, i) => `c${i}`);
      const casts = columns.map((c, i) => `${names[i]}::${typeOf.get(c) ?? 'text'}`).join(', ');
      const arrays = columns.map((_, i) => `$${i + 1}::text[]`).join(', ');
      const sql = `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${casts} FROM unnest(${arrays}) AS u(${names.join(', ')})`;
      const rows = parseCsv(csv);
      const chunk = 2000;
      let n = 0;
      for (let i = 0; i < rows.length; i += chunk) {
        const part = rows.slice(i, i + chunk);
        const r = await run(sql, columns.map((_, ci) => part.map((row) => row[ci] ?? null)));
        n += r.rowCount ?? 0;
      }
      return n;
    },
  };
}

/** parses RFC 4180 CSV; an empty unquoted field is NULL, as COPY reads it */
export function parseCsv(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let row: (string | null)[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    let field: string | null;
    if (text[i] === '"') {
      let s = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quoted CSV field');
        s += text.slice(i, q);
        if (text[q + 1] === '"') {
          s += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      field = s;
    } else {
      let j = i;
      while (j < n && text[j] !== ',' && text[j] !== '\n') j++;
      const raw = text.slice(i, j).replace(/\r$/, '');
      field = raw === '' ? null : raw;
      i = j;
    }
    row.push(field);
    if (text[i] === ',') i++;
    else {
      rows.push(row);
      row = [];
      i++;
    }
  }
  return rows;
}

export async function openPostgres(url: string): Promise<SqlDatabase> {
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  // an idle connection that dies (server restart, pg_terminate_backend) is an 'error' event:
  // unhandled it would take the process down; the pool drops it and connects anew
  pool.on('error', () => undefined);
  const base = wrap(pool, async (fn) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const inner = wrap(client, () => {
        throw new Error('nested transactions are not supported');
      });
      const out = await fn(inner);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  });
  return { ...base, close: () => pool.end() };
}
