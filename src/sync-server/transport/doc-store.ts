// where the relay keeps the Yjs updates of its documents

import * as Y from 'yjs';
import { insertRows, type Sql } from '../../db/sql.ts';

/**
 * Append-only storage of Yjs updates per document name. Updates commute, so the order
 * of load() does not matter; a document is the merge of everything ever appended.
 */
export interface DocStore {
  /** every stored update of the document (none for a new document) */
  load(name: string): Promise<Uint8Array[]>;
  /** stores one update durably before resolving */
  append(name: string, update: Uint8Array): Promise<void>;
  /**
   * merges the stored updates of the document into one, atomically; updates appended
   * concurrently survive. Resolves to the number of rows merged (0: nothing to do).
   * With `snapshot` (the live document's state, which holds every stored update) the
   * stored rows are replaced by it instead: a snapshot carries no content of deleted
   * items, where a merge of updates keeps all of it.
   */
  compact?(name: string, snapshot?: Uint8Array): Promise<number>;
}

/** in-memory store for tests and throwaway relays */
export class MemoryDocStore implements DocStore {
  readonly #docs = new Map<string, Uint8Array[]>();

  async load(name: string): Promise<Uint8Array[]> {
    return (this.#docs.get(name) ?? []).map((u) => u.slice());
  }

  async append(name: string, update: Uint8Array): Promise<void> {
    const list = this.#docs.get(name);
    if (list) list.push(update.slice());
    else this.#docs.set(name, [update.slice()]);
  }

  async compact(name: string, snapshot?: Uint8Array): Promise<number> {
    const list = this.#docs.get(name);
    if (!list || list.length < 2) return 0;
    this.#docs.set(name, [snapshot ? snapshot.slice() : Y.mergeUpdates(list)]);
    return list.length;
  }

  /** stored update count of a document */
  count(name: string): number {
    return this.#docs.get(name)?.length ?? 0;
  }
}

/** the table behind SqlDocStore; runs unchanged on PGlite and PostgreSQL */
export const DOC_STORE_MIGRATION_SQL = `
CREATE TABLE IF NOT EXISTS yjs_updates (
  doc        text        NOT NULL,
  seq        bigserial   NOT NULL,
  update     bytea       NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (doc, seq)
);
`;

interface PendingAppend {
  name: string;
  update: Uint8Array;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** updates per group commit */
const APPEND_BATCH = 500;

/** stores updates in yjs_updates (see DOC_STORE_MIGRATION_SQL) */
export class SqlDocStore implements DocStore {
  readonly #sql: Sql;

  constructor(sql: Sql) {
    this.#sql = sql;
  }

  async load(name: string): Promise<Uint8Array[]> {
    const rows = await this.#sql.query<{ update: Uint8Array }>('SELECT update FROM yjs_updates WHERE doc = $1 ORDER BY seq', [name]);
    return rows.map((r) => toBytes(r.update));
  }

  /**
   * group commit: appends that arrive in the same turn of the event loop, or while a write
   * is in flight, go to the store together in one multi-row INSERT, and each resolves only
   * once that INSERT has committed
   */
  append(name: string, update: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ name, update, resolve, reject });
      if (this.#writing) return;
      this.#writing = true;
      // after this turn's I/O callbacks: every update read from the sockets in it joins the write
      setImmediate(() => void this.#write());
    });
  }

  readonly #waiting: PendingAppend[] = [];
  #writing = false;

  async #write(): Promise<void> {
    try {
      while (this.#waiting.length > 0) {
        const batch = this.#waiting.splice(0, APPEND_BATCH);
        try {
          await insertRows(this.#sql, 'yjs_updates', ['doc', 'update'], batch.map((a) => [a.name, a.update]));
          for (const a of batch) a.resolve();
        } catch (err) {
          for (const a of batch) a.reject(err);
        }
      }
    } finally {
      this.#writing = false;
    }
  }

  async compact(name: string, snapshot?: Uint8Array): Promise<number> {
    return this.#sql.transaction(async (tx) => {
      // lock exactly the rows being merged: rows appended meanwhile are left alone
      const rows = await tx.query<{ seq: string; update?: Uint8Array }>(
        `SELECT seq::text AS seq${snapshot ? '' : ', update'} FROM yjs_updates WHERE doc = $1 ORDER BY seq FOR UPDATE`,
        [name],
      );
      if (rows.length < 2) return 0;
      const merged = snapshot ?? Y.mergeUpdates(rows.map((r) => toBytes(r.update!)));
      // by seq list, not by range: a concurrent append may hold a lower seq it had not committed
      await tx.query('DELETE FROM yjs_updates WHERE doc = $1 AND seq = ANY($2::bigint[])', [name, rows.map((r) => r.seq)]);
      await tx.query('INSERT INTO yjs_updates (doc, update) VALUES ($1, $2)', [name, merged]);
      return rows.length;
    });
  }

  /** stored update count of a document */
  async count(name: string): Promise<number> {
    const rows = await this.#sql.query<{ n: number }>('SELECT count(*)::int AS n FROM yjs_updates WHERE doc = $1', [name]);
    return rows[0]?.n ?? 0;
  }
}

// node-postgres returns Buffer (a Uint8Array view into a pooled slab): copy it out
function toBytes(v: Uint8Array): Uint8Array {
  return new Uint8Array(v);
}
