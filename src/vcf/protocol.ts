// messages between ingest (main thread) and the parse worker
import type { HeaderJson } from './header.ts';
import type { BatchData, RowFormat } from './rows.ts';

export interface WorkerInput {
  path: string;
  /** the name used in `file:line: reason` messages */
  displayName: string;
  orderId: string;
  sample: string | undefined;
  /** rows in the first batch: small, so the first page shows up quickly */
  firstBatchRows: number;
  batchRows: number;
  /** batches posted but not yet loaded before the worker pauses */
  maxInFlight: number;
  /** binary COPY for PGlite, CSV for PostgreSQL */
  format: RowFormat;
  /** where the worker writes the BGZF copy of the records that getVariant reads */
  detailPath: string;
}

export type WorkerMessage =
  | { type: 'header'; header: HeaderJson; columnLine: string }
  | ({ type: 'batch'; rows: number; bytesRead: number } & BatchData)
  | { type: 'done'; records: number; sha256: string; bytesRead: number; header: HeaderJson }
  | { type: 'error'; code: 'malformed_vcf' | 'unknown_sample' | 'unreadable'; message: string };

/** main → worker: one batch was loaded (the worker keeps at most maxInFlight unloaded) */
export type WorkerCommand = { type: 'ack' };
