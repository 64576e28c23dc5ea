// ingest: a VCF file → the order's variant cache, parsed in a worker thread and
// bulk-loaded with COPY in batches that stay invisible until the file is complete
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Sql } from '../db/sql.ts';
import type { HeaderJson } from './header.ts';
import { vcfFileId } from './ids.ts';
import type { WorkerCommand, WorkerInput, WorkerMessage } from './protocol.ts';
import { VARIANT_COLUMNS } from './schema.ts';

export interface IngestOptions {
  orderId: string;
  path: string;
  /** the sample whose FORMAT values fill VAF and depth; default the first */
  sample?: string;
  /** bytes of the file read so far, for a progress bar */
  onProgress?: (done: number, totalBytes: number) => void;
  signal?: AbortSignal;
  /** rows per COPY batch after the first (tuning; default 2,500) */
  batchRows?: number;
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

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FIRST_BATCH_ROWS = 500;
const BATCH_ROWS = 2500;
const MAX_IN_FLIGHT = 2;
const PURGE_CHUNK = 50_000;

/** orders with an ingest running in this process */
const active = new Set<string>();

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
  const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: input, execArgv: [] });
  worker.on('message', (message: WorkerMessage) => queue.push({ kind: 'message', message }));
  worker.on('error', (e) => queue.push({ kind: 'failed', message: e.message }));
  worker.on('exit', (code) => queue.push({ kind: 'exit', code }));
  return worker;
}

/** deletes a file's rows in index-sized chunks so other queries get a turn in between */
async function dropFile(sql: Sql, fileId: string): Promise<void> {
  const [r] = await sql.query<{ max: number | null }>('SELECT max(ordinal) AS max FROM variants WHERE file_id = $1', [fileId]);
  const max = r?.max ?? 0;
  for (let lo = 0; lo < max; lo += PURGE_CHUNK) {
    await sql.query('DELETE FROM variants WHERE file_id = $1 AND ordinal > $2 AND ordinal <= $3', [fileId, lo, lo + PURGE_CHUNK]);
  }
  await sql.transaction(async (tx) => {
    await tx.query('DELETE FROM variants WHERE file_id = $1', [fileId]);
    await tx.query('DELETE FROM vcf_files WHERE id = $1', [fileId]);
  });
}

/**
 * removes what an interrupted ingest left behind (files still loading, files
 * superseded but not yet deleted); call once when the database is opened, before
 * any ingest runs
 */
export async function recoverVcfCache(sql: Sql): Promise<number> {
  const rows = await sql.query<{ id: string }>("SELECT id FROM vcf_files WHERE status <> 'ready'");
  for (const r of rows) await dropFile(sql, r.id);
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
 * previous file; any failure deletes them again, so the cache is left as it was.
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
  if (active.has(orderId)) {
    return { ok: false, code: 'ingest_in_progress', message: `a VCF is already being ingested for order ${orderId}` };
  }
  active.add(orderId);

  const queue = new EventQueue();
  const onAbort = () => queue.push({ kind: 'aborted' });
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const batchRows = Math.max(1, Math.floor(opts.batchRows ?? BATCH_ROWS));
  let worker: Worker | null = null;
  let staged: string | null = null;
  try {
    const input: WorkerInput = {
      path,
      displayName: path,
      orderId,
      sample: opts.sample,
      firstBatchRows: Math.min(FIRST_BATCH_ROWS, batchRows),
      batchRows,
      maxInFlight: MAX_IN_FLIGHT,
    };
    // the worker loads its modules while the hash answers "already ingested?"
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
    if (prior?.status === 'ready') {
      opts.onProgress?.(totalBytes, totalBytes);
      return { ok: true, fileId, records: prior.record_count, skipped: true };
    }
    // left behind by an ingest of this same file that never finished
    if (prior) await dropFile(sql, fileId);

    await sql.query(
      `INSERT INTO vcf_files (id, order_id, sha256, path, sample, status) VALUES ($1, $2, $3, $4, $5, 'loading')`,
      [fileId, orderId, sha256, path, opts.sample ?? null],
    );
    staged = fileId;
    worker.postMessage({ type: 'start', fileId } satisfies WorkerCommand);

    let loaded = 0;
    for (;;) {
      const ev = await queue.next();
      if (ev.kind === 'aborted') throw new Failure('aborted', 'ingest aborted');
      if (ev.kind === 'failed') throw new Failure('worker_failed', `${basename(path)}: parser failed: ${ev.message}`);
      if (ev.kind === 'exit') throw new Failure('worker_failed', `${basename(path)}: parser stopped (exit code ${ev.code})`);
      const m = ev.message;
      if (m.type === 'error') throw new Failure(m.code, m.message);
      if (m.type === 'header') {
        await sql.query('UPDATE vcf_files SET header = $2, samples = $3, sample = $4 WHERE id = $1', [
          fileId,
          m.header,
          m.header.samples,
          m.header.sample,
        ]);
        continue;
      }
      if (m.type === 'batch') {
        try {
          loaded += await sql.copyCsv('variants', VARIANT_COLUMNS, m.csv);
        } catch (e) {
          throw new Failure('database_error', `${path}: loading records failed: ${(e as Error).message}`);
        }
        worker.postMessage({ type: 'ack' } satisfies WorkerCommand);
        opts.onProgress?.(m.bytesRead, totalBytes);
        continue;
      }
      // done
      if (m.sha256 !== sha256) throw new Failure('file_changed', `${path}: the file changed while it was being ingested`);
      if (m.records !== loaded) throw new Failure('database_error', `${path}: ${m.records} records parsed but ${loaded} loaded`);
      await publish(sql, orderId, fileId, m.records, m.header);
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
    active.delete(orderId);
  }
}

/** the file becomes the order's variants in one transaction; the one it replaces goes after (purgeSuperseded) */
async function publish(sql: Sql, orderId: string, fileId: string, records: number, header: HeaderJson): Promise<void> {
  await sql.transaction(async (tx) => {
    await tx.query(`UPDATE vcf_files SET status = 'superseded' WHERE order_id = $1 AND status = 'ready' AND id <> $2`, [
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
  // the planner needs fresh statistics to pick the right index for filtered pages
  await sql.exec('ANALYZE variants');
}
