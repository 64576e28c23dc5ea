// ingest: a VCF file → the order's variant cache. A worker thread parses the file into
// binary COPY batches of slim rows and writes a BGZF copy of the records for the detail
// pane; the main thread loads the batches into the file's own table, builds the indexes
// once the rows are in, and makes the file the order's in one transaction.
import { UUID_RE } from '../core/schemas.ts';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PGlite } from '@electric-sql/pglite';
import type { Sql } from '../db/sql.ts';
import type { HeaderJson } from './header.ts';
import { FileIds, fillIds, vcfFileId } from './ids.ts';
import type { WorkerCommand, WorkerInput, WorkerMessage } from './protocol.ts';
import { analyzeSampled, cacheSurvived } from './query.ts';
import type { RowFormat } from './rows.ts';
import {
  EAGER_INDEXES,
  endsPartition,
  FILTERED_COLUMNS,
  fileTable,
  fileTableSql,
  partitionIndexSql,
  partitionOf,
  partitionSql,
  partitionTable,
  VARIANT_COLUMNS,
} from './schema.ts';

export interface IngestOptions {
  orderId: string;
  path: string;
  /** the sample whose FORMAT values fill VAF and depth; default the first */
  sample?: string;
  /** bytes of the file read so far, for a progress bar */
  onProgress?: (done: number, totalBytes: number) => void;
  signal?: AbortSignal;
  /** rows per COPY batch after the first (tuning; default 20,000) */
  batchRows?: number;
  /**
   * where the copy of the records that getVariant reads is kept; default `cache/vcf`
   * beside a PGlite data directory (CURIO_HOME/cache/vcf for CURIO_HOME/store); for an
   * in-memory PGlite a temporary directory removed when the process exits; otherwise
   * (PostgreSQL) curio-vcf-cache under the system's temporary directory
   */
  cacheDir?: string;
  /** milliseconds since the start when all rows are in ('loaded') and when the indexes are built ('indexed') */
  onPhase?: (phase: 'loaded' | 'indexed', ms: number) => void;
}

export type IngestErrorCode =
  | 'invalid_input'
  | 'file_not_found'
  | 'unreadable'
  | 'malformed_vcf'
  | 'unknown_sample'
  | 'ingest_in_progress'
  | 'file_changed'
  | 'aborted'
  | 'database_error'
  | 'worker_failed';

export type IngestResult =
  | { ok: true; fileId: string; records: number; skipped: boolean }
  | { ok: false; code: IngestErrorCode; message: string };

const FIRST_BATCH_ROWS = 500;
const BATCH_ROWS = 16_384;
/** enough for the parser to go on while a full partition's indexes are built (~0.5 s) */
const MAX_IN_FLIGHT = 8;
const DETAIL_FILE_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.bgz$/;

/** orders with an ingest running in this process */
const active = new Set<string>();
/** detail copies being written by this process: not orphans */
const writing = new Set<string>();

type Event =
  | { kind: 'message'; message: WorkerMessage }
  | { kind: 'failed'; message: string }
  | { kind: 'exit'; code: number }
  | { kind: 'aborted' };

/** an unbounded queue in name only: the worker waits for acks, so it holds ≤ MAX_IN_FLIGHT batches */
class EventQueue {
  private items: Event[] = [];
  private waiter: ((e: Event) => void) | null = null;

  push(e: Event) {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(e);
    } else {
      this.items.push(e);
    }
  }

  next(): Promise<Event> {
    const e = this.items.shift();
    if (e) return Promise.resolve(e);
    return new Promise((resolve) => (this.waiter = resolve));
  }
}

class Failure extends Error {
  constructor(
    readonly code: IngestErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** the PGlite instance behind a store opened with openPglite, if that is what sql is */
function pgliteOf(sql: Sql): PGlite | null {
  const p = (sql as { pglite?: unknown }).pglite;
  return sql.dialect === 'pglite' && typeof p === 'object' && p !== null && 'query' in p ? (p as PGlite) : null;
}

let processDir: string | null = null;

/** `curio-vcf-HOST-PID-XXXXXX`: the process that owns it, so another can tell when it is gone */
const PROCESS_DIR_RE = /^curio-vcf-(.+)-(\d+)-[A-Za-z0-9]{6}$/;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: alive, someone else's
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * an in-memory database's copies live as long as it can: a directory removed when the
 * process exits. A killed process never runs its exit handlers (test runners end their
 * workers that way), so the first in-memory cache of a process also removes what dead
 * processes of this host left behind
 */
function processCacheDir(): string {
  if (!processDir) {
    const host = hostname().replace(/[^A-Za-z0-9.-]/g, '_');
    let names: string[] = [];
    try {
      names = readdirSync(tmpdir());
    } catch {
      names = [];
    }
    for (const name of names) {
      const m = PROCESS_DIR_RE.exec(name);
      if (m && m[1] === host && !processAlive(Number(m[2]))) rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
    const dir = mkdtempSync(join(tmpdir(), `curio-vcf-${host}-${process.pid}-`));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    processDir = dir;
  }
  return processDir;
}

/** where the detail copies of this store's files go (see IngestOptions.cacheDir) */
export function vcfCacheDir(sql: Sql, explicit?: string): string {
  if (explicit) return explicit;
  const pglite = pgliteOf(sql);
  const dataDir = pglite?.dataDir;
  if (dataDir && !dataDir.includes('://')) return join(dirname(dataDir), 'cache', 'vcf');
  if (pglite) return processCacheDir();
  // PostgreSQL: the store outlives this process, so a fixed place; callers should pass cacheDir
  return join(tmpdir(), 'curio-vcf-cache');
}

/**
 * PGlite takes binary COPY through a blob; PostgreSQL takes CSV through copyCsv. Each
 * batch also sets the file's record_count to the rows in so far: the browser shows that
 * as the ingest's progress instead of counting a growing table (the final count is set
 * again when the file is published)
 */
interface Loader {
  format: RowFormat;
  /** loads one batch into a partition of the file's table; `before` rows are in already; answers the rows loaded */
  load(fileId: string, table: string, data: Uint8Array | string, before: number): Promise<number>;
}

const PROGRESS_SQL = 'UPDATE vcf_files SET record_count = $2 WHERE id = $1';

function loaderFor(sql: Sql): Loader {
  const pglite = pgliteOf(sql);
  if (pglite) {
    const copy = `FROM '/dev/blob' WITH (FORMAT binary)`;
    return {
      format: 'binary',
      // one transaction: a reader never sees the rows without the count, or the count without the rows
      load: (fileId, table, data, before) =>
        pglite.transaction(async (tx) => {
          const r = await tx.query(`COPY ${table} (${VARIANT_COLUMNS.join(', ')}) ${copy}`, [], { blob: new Blob([data]) });
          const n = r.affectedRows ?? 0;
          await tx.query(PROGRESS_SQL, [fileId, before + n]);
          return n;
        }),
    };
  }
  return {
    format: 'csv',
    // copyCsv is its own statement on PostgreSQL; the count follows it (progress only)
    async load(fileId, table, data, before) {
      const n = await sql.copyCsv(table, VARIANT_COLUMNS, typeof data === 'string' ? data : new TextDecoder().decode(data));
      await sql.query(PROGRESS_SQL, [fileId, before + n]);
      return n;
    },
  };
}

async function hashFile(path: string, signal: AbortSignal | undefined): Promise<string> {
  const h = createHash('sha256');
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  for await (const chunk of stream) {
    if (signal?.aborted) {
      stream.destroy();
      throw new Failure('aborted', 'ingest aborted');
    }
    h.update(chunk as Buffer);
  }
  return h.digest('hex');
}

function startWorker(input: WorkerInput, queue: EventQueue): Worker {
  // execArgv: [] keeps the parent's loader flags out; the entry registers tsx itself
  const worker = new Worker(new URL('./worker-entry.cjs', import.meta.url), { workerData: input, execArgv: [] });
  worker.on('message', (message: WorkerMessage) => queue.push({ kind: 'message', message }));
  worker.on('error', (e) => queue.push({ kind: 'failed', message: e.message }));
  worker.on('exit', (code) => queue.push({ kind: 'exit', code }));
  return worker;
}

function removeQuietly(path: string | null | undefined): void {
  if (!path) return;
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** a file's table, its row and its detail copy: DROP TABLE is instant, whatever the file's size */
async function dropFile(sql: Sql, fileId: string): Promise<void> {
  const [row] = await sql.query<{ detail_path: string | null }>('SELECT detail_path FROM vcf_files WHERE id = $1', [fileId]);
  await sql.transaction(async (tx) => {
    await tx.exec(`DROP TABLE IF EXISTS ${fileTable(fileId)}`);
    await tx.query('DELETE FROM vcf_files WHERE id = $1', [fileId]);
  });
  removeQuietly(row?.detail_path);
}

/**
 * removes what an interrupted ingest left behind (files still loading, files
 * superseded but not yet dropped, tables and detail copies no file row names); call
 * once when the database is opened, before any ingest runs. Stale files (built by the
 * cache layout before migration 4) stay listed until the order's next ingest.
 */
export async function recoverVcfCache(sql: Sql): Promise<number> {
  const rows = await sql.query<{ id: string }>("SELECT id FROM vcf_files WHERE status IN ('loading', 'superseded')");
  for (const r of rows) await dropFile(sql, r.id);
  const known = await sql.query<{ id: string; detail_path: string | null }>('SELECT id, detail_path FROM vcf_files');
  const ids = new Set(known.map((r) => r.id));
  const tables = await sql.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() AND c.relname ~ '^variants_[0-9a-f]{16}$'`,
  );
  for (const t of tables) {
    const id = t.name.slice('variants_'.length);
    if (!ids.has(id)) await sql.exec(`DROP TABLE IF EXISTS ${fileTable(id)}`);
  }
  // files whose rows a crash took are marked stale, to be ingested again
  const ready = await sql.query<{ id: string }>("SELECT id FROM vcf_files WHERE status = 'ready' AND record_count > 0");
  for (const r of ready) await cacheSurvived(sql, r.id);
  // only a store's own cache directory: the shared temporary one may hold other stores' files
  if (pgliteOf(sql)?.dataDir?.includes('://') === false) {
    const dir = vcfCacheDir(sql);
    const used = new Set(known.map((r) => r.detail_path).filter((p): p is string => p !== null));
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      names = [];
    }
    for (const name of names) {
      const path = join(dir, name);
      if (DETAIL_FILE_RE.test(name) && !used.has(path) && !writing.has(path)) removeQuietly(path);
    }
  }
  return rows.length;
}

/** removes an order's whole variant cache (e.g. when the order is deleted) */
export async function dropOrderVariants(sql: Sql, orderId: string): Promise<void> {
  const rows = await sql.query<{ id: string }>('SELECT id FROM vcf_files WHERE order_id = $1', [orderId]);
  for (const r of rows) await dropFile(sql, r.id);
}

/**
 * ingests a VCF (plain, gzip or bgzip) into the order's variant cache. The file's
 * rows are loaded as 'loading' (visible only to queries that ask for it) and become
 * the order's variants in one transaction at the end, replacing the order's
 * previous file; any failure drops them again, so the cache is left as it was.
 * The same file again (same SHA-256, same order) is a no-op. Never throws for bad
 * input: problems come back as { ok: false, code, message }, malformed files as
 * "file:line: reason".
 */
export async function ingestVcf(sql: Sql, opts: IngestOptions): Promise<IngestResult> {
  const { orderId, path } = opts;
  if (typeof orderId !== 'string' || !UUID_RE.test(orderId)) {
    return { ok: false, code: 'invalid_input', message: `order id "${String(orderId)}" is not a UUID` };
  }
  if (typeof path !== 'string' || path === '') return { ok: false, code: 'invalid_input', message: 'no file given' };
  // claimed before the first await: of two ingests started together, the first one runs
  if (active.has(orderId)) {
    return { ok: false, code: 'ingest_in_progress', message: `a VCF is already being ingested for order ${orderId}` };
  }
  active.add(orderId);
  try {
    return await ingestClaimed(sql, opts, orderId, path);
  } finally {
    active.delete(orderId);
  }
}

async function ingestClaimed(sql: Sql, opts: IngestOptions, orderId: string, path: string): Promise<IngestResult> {
  let totalBytes: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) return { ok: false, code: 'unreadable', message: `${path}: not a regular file` };
    totalBytes = st.size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? { ok: false, code: 'file_not_found', message: `${path}: no such file` }
      : { ok: false, code: 'unreadable', message: `${path}: ${(e as Error).message}` };
  }
  if (opts.signal?.aborted) return { ok: false, code: 'aborted', message: 'ingest aborted' };
  const started = performance.now();
  const cacheDir = vcfCacheDir(sql, opts.cacheDir);
  try {
    mkdirSync(cacheDir, { recursive: true });
  } catch (e) {
    return { ok: false, code: 'unreadable', message: `${cacheDir}: cannot create the variant cache directory (${(e as Error).message})` };
  }

  const queue = new EventQueue();
  const onAbort = () => queue.push({ kind: 'aborted' });
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const batchRows = Math.max(1, Math.floor(opts.batchRows ?? BATCH_ROWS));
  const loader = loaderFor(sql);
  const detailPath = join(cacheDir, `${randomUUID()}.bgz`);
  writing.add(detailPath);
  let worker: Worker | null = null;
  let staged: string | null = null;
  let published = false;
  try {
    const input: WorkerInput = {
      path,
      displayName: path,
      orderId,
      sample: opts.sample,
      firstBatchRows: Math.min(FIRST_BATCH_ROWS, batchRows),
      batchRows,
      maxInFlight: MAX_IN_FLIGHT,
      format: loader.format,
      detailPath,
    };
    // the worker parses its first batches while the hash answers "already ingested?"
    worker = startWorker(input, queue);
    let sha256: string;
    try {
      sha256 = await hashFile(path, opts.signal);
    } catch (e) {
      if (e instanceof Failure) throw e;
      throw new Failure('unreadable', `${path}: ${(e as Error).message}`);
    }
    const fileId = vcfFileId(orderId, sha256);
    const existing = await sql.query<{ status: string; record_count: number }>(
      'SELECT status, record_count FROM vcf_files WHERE id = $1',
      [fileId],
    );
    const prior = existing[0];
    // a ready file whose rows a crash took is loaded again
    if (prior?.status === 'ready' && (prior.record_count === 0 || (await cacheSurvived(sql, fileId)))) {
      opts.onProgress?.(totalBytes, totalBytes);
      return { ok: true, fileId, records: prior.record_count, skipped: true };
    }
    // left behind by an ingest of this same file that never finished, or a stale layout
    if (prior) await dropFile(sql, fileId);

    await sql.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO vcf_files (id, order_id, sha256, path, sample, status, detail_path) VALUES ($1, $2, $3, $4, $5, 'loading', $6)`,
        [fileId, orderId, sha256, path, opts.sample ?? null, detailPath],
      );
      await tx.exec(fileTableSql(fileId));
    });
    staged = fileId;

    let loaded = 0;
    // the ids of binary batches, in file order
    const ids = new FileIds(orderId);
    // the partition being filled
    let part = -1;
    for (;;) {
      const ev = await queue.next();
      if (ev.kind === 'aborted') throw new Failure('aborted', 'ingest aborted');
      if (ev.kind === 'failed') throw new Failure('worker_failed', `${basename(path)}: parser failed: ${ev.message}`);
      if (ev.kind === 'exit') throw new Failure('worker_failed', `${basename(path)}: parser stopped (exit code ${ev.code})`);
      const m = ev.message;
      if (m.type === 'error') throw new Failure(m.code, m.message);
      if (m.type === 'header') {
        await sql.query('UPDATE vcf_files SET header = $2, samples = $3, sample = $4, column_line = $5 WHERE id = $1', [
          fileId,
          m.header,
          m.header.samples,
          m.header.sample,
          m.columnLine,
        ]);
        continue;
      }
      if (m.type === 'batch') {
        const k = partitionOf(loaded + 1);
        try {
          if (k !== part) {
            await sql.exec(partitionSql(fileId, k));
            part = k;
          }
          const data = m.ids ? fillIds(m.data, m.ids, ids) : m.data;
          loaded += await loader.load(fileId, partitionTable(fileId, k), data, loaded);
        } catch (e) {
          throw new Failure('database_error', `${path}: loading records failed: ${(e as Error).message}`);
        }
        // acknowledged first: the parser reads on while a full partition gets its indexes
        worker.postMessage({ type: 'ack' } satisfies WorkerCommand);
        opts.onProgress?.(m.bytesRead, totalBytes);
        if (endsPartition(loaded)) await indexPartition(sql, fileId, k, opts.signal);
        continue;
      }
      // done
      if (m.sha256 !== sha256) throw new Failure('file_changed', `${path}: the file changed while it was being ingested`);
      if (m.records !== loaded) throw new Failure('database_error', `${path}: ${m.records} records parsed but ${loaded} loaded`);
      await worker.terminate();
      worker = null;
      opts.onPhase?.('loaded', performance.now() - started);
      // the last partition, unless it filled up and has its indexes already
      if (part >= 0 && !endsPartition(loaded)) await indexPartition(sql, fileId, part, opts.signal);
      opts.onPhase?.('indexed', performance.now() - started);
      await publish(sql, orderId, fileId, m.records, m.header);
      published = true;
      staged = null;
      // the new file is live; what follows is tidying that recoverVcfCache would redo
      await purgeSuperseded(sql, orderId).catch(() => undefined);
      opts.onProgress?.(totalBytes, totalBytes);
      return { ok: true, fileId, records: m.records, skipped: false };
    }
  } catch (e) {
    const f = e instanceof Failure ? e : new Failure('database_error', `${path}: ${(e as Error).message}`);
    return { ok: false, code: f.code, message: f.message };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (worker) await worker.terminate();
    if (staged) await dropFile(sql, staged).catch(() => undefined);
    if (!published) removeQuietly(detailPath);
    writing.delete(detailPath);
  }
}

/**
 * a full partition's page indexes, built once over its rows (a sort each) rather than row
 * by row during COPY, and its statistics
 */
async function indexPartition(sql: Sql, fileId: string, k: number, signal: AbortSignal | undefined): Promise<void> {
  for (const column of EAGER_INDEXES) {
    if (signal?.aborted) throw new Failure('aborted', 'ingest aborted');
    await sql.exec(partitionIndexSql(fileId, k, column));
  }
  await analyzeSampled(sql, partitionTable(fileId, k), FILTERED_COLUMNS);
  if (signal?.aborted) throw new Failure('aborted', 'ingest aborted');
}

/** the file becomes the order's variants in one transaction; the one it replaces goes after (purgeSuperseded) */
async function publish(sql: Sql, orderId: string, fileId: string, records: number, header: HeaderJson): Promise<void> {
  await sql.transaction(async (tx) => {
    await tx.query(`UPDATE vcf_files SET status = 'superseded' WHERE order_id = $1 AND status IN ('ready', 'stale') AND id <> $2`, [
      orderId,
      fileId,
    ]);
    await tx.query(
      `UPDATE vcf_files SET status = 'ready', record_count = $2, header = $3, samples = $4, sample = $5, ingested_at = now()
       WHERE id = $1`,
      [fileId, records, header, header.samples, header.sample],
    );
  });
}

async function purgeSuperseded(sql: Sql, orderId: string): Promise<void> {
  const old = await sql.query<{ id: string }>(`SELECT id FROM vcf_files WHERE order_id = $1 AND status = 'superseded'`, [orderId]);
  for (const r of old) await dropFile(sql, r.id);
}
