// messages between ingest (main thread) and the parse worker
import type { HeaderJson } from './header.ts';

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
}

export type WorkerMessage =
  | { type: 'header'; header: HeaderJson }
  | { type: 'batch'; csv: string; rows: number; bytesRead: number }
  | { type: 'done'; records: number; sha256: string; bytesRead: number; header: HeaderJson }
  | { type: 'error'; code: 'malformed_vcf' | 'unknown_sample' | 'unreadable'; message: string };

/**
 * main → worker: 'start' carries the file id (known once the main thread has hashed
 * the file; the worker starts up meanwhile), 'ack' says one batch was loaded
 */
export type WorkerCommand = { type: 'start'; fileId: string } | { type: 'ack' };
