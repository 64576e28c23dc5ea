// the parse side of ingest, run in a worker thread: file → lines → slim records in
// COPY batches, and a BGZF copy of the records for the detail pane. A bgzip source is
// copied as it is (its blocks already give every record a virtual offset); plain and
// gzip sources get their record lines written as BGZF blocks here.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, unlinkSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { isAscii } from 'node:buffer';
import { parentPort, workerData } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';
import { BgzfError, bgzfBlockSize, BgzfSplitter, BgzfWriter } from './bgzf.ts';
import { isHeaderProblem, readHeader, type HeaderContext } from './header.ts';
import type { WorkerCommand, WorkerInput, WorkerMessage } from './protocol.ts';
import { RecordReader } from './record.ts';
import { rowBatch, type RowBatch } from './rows.ts';
import { endsPartition, MAX_RECORDS } from './schema.ts';

class Malformed extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
    readonly code: 'malformed_vcf' | 'unknown_sample' = 'malformed_vcf',
  ) {
    super(reason);
  }
}

const MAX_LINE = 64 << 20;

type Kind = 'plain' | 'gzip' | 'bgzf';

async function sniff(path: string): Promise<Kind> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    // gzip and bgzip (a series of gzip members) both start with 1f 8b; bgzip's carry a BC field
    if (bytesRead < 2 || head[0] !== 0x1f || head[1] !== 0x8b) return 'plain';
    return bgzfBlockSize(head) !== null ? 'bgzf' : 'gzip';
  } finally {
    await fh.close();
  }
}

/**
 * splits bytes into lines, each with the virtual offset of its first byte when the
 * bytes come from BGZF blocks (null otherwise). An ASCII block is decoded once and cut
 * by character offsets, which are its byte offsets too.
 */
class LineSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private carryVoff: number | null = null;

  constructor(private readonly onLine: (line: string, voff: number | null) => void) {}

  push(data: Buffer, coffset: number | null, lineNo: () => number): void {
    const base = coffset === null ? null : coffset * 65536;
    let pos = 0;
    if (this.carry.length) {
      const nl = data.indexOf(10);
      if (nl < 0) return this.keep(data, 0, base, lineNo);
      const line = Buffer.concat([...this.carry, data.subarray(0, nl)]).toString('utf8');
      const voff = this.carryVoff;
      this.carry = [];
      this.carryBytes = 0;
      this.carryVoff = null;
      this.onLine(line, voff);
      pos = nl + 1;
    }
    if (isAscii(data)) {
      const text = data.toString('latin1');
      for (let nl = text.indexOf('\n', pos); nl >= 0; nl = text.indexOf('\n', pos)) {
        this.onLine(text.slice(pos, nl), base === null ? null : base + pos);
        pos = nl + 1;
      }
    } else {
      for (let nl = data.indexOf(10, pos); nl >= 0; nl = data.indexOf(10, pos)) {
        this.onLine(data.toString('utf8', pos, nl), base === null ? null : base + pos);
        pos = nl + 1;
      }
    }
    if (pos < data.length) this.keep(data, pos, base, lineNo);
  }

  private keep(data: Buffer, pos: number, base: number | null, lineNo: () => number): void {
    if (this.carry.length === 0) this.carryVoff = base === null ? null : base + pos;
    this.carry.push(Buffer.from(data.subarray(pos)));
    this.carryBytes += data.length - pos;
    // binary junk without newlines must not grow one line without bound
    if (this.carryBytes > MAX_LINE) throw new Malformed(lineNo() + 1, `line longer than ${MAX_LINE / (1 << 20)} MiB`);
  }

  /** the last line, when the file does not end with a newline */
  end(): void {
    if (!this.carry.length) return;
    const line = Buffer.concat(this.carry).toString('utf8');
    const voff = this.carryVoff;
    this.carry = [];
    this.onLine(line, voff);
  }
}

export async function parseFile(input: WorkerInput, post: (m: WorkerMessage, transfer?: ArrayBuffer[]) => void, acked: () => Promise<void>): Promise<void> {
  let kind: Kind;
  try {
    kind = await sniff(input.path);
  } catch (e) {
    post({ type: 'error', code: 'unreadable', message: `${input.displayName}: ${(e as Error).message}` });
    return;
  }
  let ok = false;
  try {
    const fd = openSync(input.detailPath, 'w');
    try {
      ok = await parseInto(input, kind, fd, post, acked);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    post({ type: 'error', code: 'unreadable', message: `${input.displayName}: ${(e as Error).message}` });
  }
  // a failed parse leaves no copy behind; the main thread removes it on every other failure
  if (!ok) {
    try {
      unlinkSync(input.detailPath);
    } catch {
      // already gone
    }
  }
}

async function parseInto(
  input: WorkerInput,
  kind: Kind,
  fd: number,
  post: (m: WorkerMessage, transfer?: ArrayBuffer[]) => void,
  acked: () => Promise<void>,
): Promise<boolean> {
  const raw = createReadStream(input.path, { highWaterMark: 1 << 20 });
  const sha = createHash('sha256');
  const gunzip = kind === 'gzip' ? createGunzip({ chunkSize: 1 << 18 }) : null;
  // gzip: the raw bytes flow through pipe(), so a second 'data' listener sees them all
  if (gunzip) {
    raw.on('data', (c) => sha.update(c as Buffer));
    raw.on('error', (e) => gunzip.destroy(e));
  }
  const source: AsyncIterable<Buffer> = gunzip ? raw.pipe(gunzip) : raw;
  const splitter = kind === 'bgzf' ? new BgzfSplitter() : null;
  // plain and gzip sources: the records are copied as BGZF blocks made here
  const writer = kind === 'bgzf' ? null : new BgzfWriter(fd);

  let lineNo = 0;
  const meta: string[] = [];
  let ctx: HeaderContext | null = null;
  let reader: RecordReader | null = null;
  let batch: RowBatch | null = null;
  let sawAnything = false;
  let rowsWanted = input.firstBatchRows;
  let inFlight = 0;

  const flush = () => {
    if (!batch || batch.rows === 0) return;
    const rows = batch.rows;
    const taken = batch.take();
    post(
      { type: 'batch', rows, bytesRead: raw.bytesRead, ...taken },
      taken.ids ? [taken.data.buffer as ArrayBuffer, taken.ids.at.buffer as ArrayBuffer] : [],
    );
    inFlight++;
    rowsWanted = input.batchRows;
  };

  const handle = (lineIn: string, voffIn: number | null) => {
    lineNo++;
    const line = lineIn.endsWith('\r') ? lineIn.slice(0, -1) : lineIn;
    if (reader && batch) {
      if (line === '') return;
      if (line.startsWith('#')) throw new Malformed(lineNo, 'header line after the #CHROM line');
      const r = reader.read(line);
      if (typeof r === 'string') throw new Malformed(lineNo, r);
      if (r.ordinal > MAX_RECORDS) throw new Malformed(lineNo, `more than ${MAX_RECORDS.toLocaleString('en')} records: split the file`);
      let voff = voffIn;
      if (writer) {
        voff = writer.at();
        writer.line(line);
      }
      batch.add(r, voff ?? 0);
      // a batch goes into one partition of the file's table
      if (batch.rows >= rowsWanted || endsPartition(r.ordinal)) flush();
      return;
    }
    if (line === '') return;
    if (!sawAnything) {
      sawAnything = true;
      if (line.startsWith('BCF')) throw new Malformed(lineNo, 'BCF (binary) input is not supported; convert it with bcftools view -Ov');
      if (!line.startsWith('#')) throw new Malformed(lineNo, 'not a VCF: the first line must be a ## header line or the #CHROM line');
    }
    if (line.startsWith('##')) {
      if (line.includes('\0')) throw new Malformed(lineNo, 'NUL byte in header');
      meta.push(line);
      return;
    }
    if (line.startsWith('#')) {
      const h = readHeader(meta, line, lineNo, input.sample);
      if (isHeaderProblem(h)) throw new Malformed(h.line, h.reason, h.code);
      ctx = h;
      reader = new RecordReader(h);
      batch = rowBatch(input.format, input.orderId);
      post({ type: 'header', header: h.json, columnLine: line });
      return;
    }
    throw new Malformed(lineNo, 'record before the #CHROM header line');
  };
  const lines = new LineSplitter(handle);
  const at = () => lineNo;

  try {
    try {
      for await (const chunk of source) {
        if (splitter) {
          sha.update(chunk);
          // the copy getVariant reads: the source's own blocks, byte for byte
          writeSync(fd, chunk);
          splitter.push(chunk, (coffset, data) => lines.push(data, coffset, at));
        } else {
          if (!gunzip) sha.update(chunk);
          lines.push(chunk, null, at);
        }
        // backpressure: the database loads slower than this parses
        while (inFlight >= input.maxInFlight) {
          await acked();
          inFlight--;
        }
      }
      splitter?.end();
    } catch (e) {
      if (e instanceof Malformed) throw e;
      const err = e as NodeJS.ErrnoException;
      const what =
        e instanceof BgzfError || err.code?.startsWith('Z_') ? `corrupt or truncated gzip data (${err.message})` : `read error (${err.message})`;
      throw new Malformed(lineNo + 1, what);
    }
    lines.end();
    if (!sawAnything) throw new Malformed(1, 'empty file');
    if (!ctx || !reader) throw new Malformed(lineNo, 'no #CHROM header line');
    writer?.close();
    flush();
    post({
      type: 'done',
      records: (reader as RecordReader).records,
      sha256: sha.digest('hex'),
      bytesRead: raw.bytesRead,
      header: (ctx as HeaderContext).json,
    });
    return true;
  } catch (e) {
    raw.destroy();
    if (e instanceof Malformed) {
      post({ type: 'error', code: e.code, message: `${input.displayName}:${e.line}: ${e.reason}` });
    } else {
      post({ type: 'error', code: 'unreadable', message: `${input.displayName}: ${(e as Error).message}` });
    }
    return false;
  }
}

// as a worker: take the input from workerData and talk to the parent
if (parentPort) {
  const port = parentPort;
  let waiting: (() => void) | null = null;
  let credits = 0;
  port.on('message', (_m: WorkerCommand) => {
    if (waiting) {
      const w = waiting;
      waiting = null;
      w();
    } else {
      credits++;
    }
  });
  const acked = () =>
    new Promise<void>((resolve) => {
      if (credits > 0) {
        credits--;
        resolve();
      } else {
        waiting = resolve;
      }
    });
  void parseFile(workerData as WorkerInput, (m, transfer) => port.postMessage(m, transfer ?? []), acked).then(() => port.close());
}
