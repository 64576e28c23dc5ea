// where the relay keeps the Yjs updates of its documents

import * as Y from 'yjs';
import type { Sql } from '../../db/sql.ts';

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
   */
  compact?(name: string): Promise<number>;
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

  async compact(name: string): Promise<number> {
    const list = this.#docs.get(name);
    if (!list || list.length < 2) return 0;
    this.#docs.set(name, [Y.mergeUpdates(list)]);
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

  async append(name: string, update: Uint8Array): Promise<void> {
    await this.#sql.query('INSERT INTO yjs_updates (doc, update) VALUES ($1, $2)', [name, update]);
  }

  async compact(name: string): Promise<number> {
    return this.#sql.transaction(async (tx) => {
      // lock exactly the rows being merged: rows appended meanwhile are left alone
      const rows = await tx.query<{ seq: string; update: Uint8Array }>(
        'SELECT seq::text AS seq, update FROM yjs_updates WHERE doc = $1 ORDER BY seq FOR UPDATE',
        [name],
      );
      if (rows.length < 2) return 0;
      const merged = Y.mergeUpdates(rows.map((r) => toBytes(r.update)));
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
