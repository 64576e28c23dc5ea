// the parse side of ingest, run in a worker thread: file → lines → CSV batches
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { parentPort, workerData } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';
import { isHeaderProblem, readHeader, type HeaderContext } from './header.ts';
import type { WorkerCommand, WorkerInput, WorkerMessage } from './protocol.ts';
import { RecordWriter } from './record.ts';

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

async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    // gzip and bgzip (a series of gzip members) both start with 1f 8b
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

export async function parseFile(
  input: WorkerInput,
  fileId: Promise<string>,
  post: (m: WorkerMessage) => void,
  acked: () => Promise<void>,
): Promise<void> {
  // module loading, the slow part of starting, overlapped with the main thread's hashing
  const id = await fileId;
  const port = { inFlight: 0 };
  let gzip: boolean;
  try {
    gzip = await isGzip(input.path);
  } catch (e) {
    post({ type: 'error', code: 'unreadable', message: `${input.displayName}: ${(e as Error).message}` });
    return;
  }
  const raw = createReadStream(input.path, { highWaterMark: 1 << 20 });
  const sha = createHash('sha256');
  // gzip: the raw bytes flow through pipe(), so a second 'data' listener sees them all
  if (gzip) raw.on('data', (c) => sha.update(c as Buffer));
  const source: AsyncIterable<Buffer> = gzip ? raw.pipe(createGunzip({ chunkSize: 1 << 18 })) : raw;
  if (gzip) raw.on('error', (e) => (source as NodeJS.ReadableStream & { destroy(e: Error): void }).destroy(e));

  const decoder = new StringDecoder('utf8');
  let carry = '';
  let lineNo = 0;
  const meta: string[] = [];
  let ctx: HeaderContext | null = null;
  let writer: RecordWriter | null = null;
  let sawAnything = false;
  let rowsWanted = input.firstBatchRows;

  const flush = () => {
    if (!writer || writer.pendingRows === 0) return;
    const rows = writer.pendingRows;
    post({ type: 'batch', csv: writer.take(), rows, bytesRead: raw.bytesRead });
    port.inFlight++;
    rowsWanted = input.batchRows;
  };

  const handle = (lineIn: string) => {
    lineNo++;
    const line = lineIn.endsWith('\r') ? lineIn.slice(0, -1) : lineIn;
    if (writer) {
      if (line === '') return;
      if (line.startsWith('#')) throw new Malformed(lineNo, 'header line after the #CHROM line');
      const problem = writer.add(line);
      if (problem) throw new Malformed(lineNo, problem);
      if (writer.pendingRows >= rowsWanted) flush();
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
      writer = new RecordWriter(h, input.orderId, id);
      post({ type: 'header', header: h.json });
      return;
    }
    throw new Malformed(lineNo, 'record before the #CHROM header line');
  };

  try {
    try {
      for await (const chunk of source) {
        if (!gzip) sha.update(chunk);
        const text = carry + decoder.write(chunk);
        let start = 0;
        for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
          handle(text.slice(start, nl));
          start = nl + 1;
        }
        carry = text.slice(start);
        // binary junk without newlines must not grow one line without bound
        if (carry.length > MAX_LINE) throw new Malformed(lineNo + 1, `line longer than ${MAX_LINE / (1 << 20)} MiB`);
        // backpressure: the database loads slower than this parses
        while (port.inFlight >= input.maxInFlight) {
          await acked();
          port.inFlight--;
        }
      }
    } catch (e) {
      if (e instanceof Malformed) throw e;
      const err = e as NodeJS.ErrnoException;
      const what = err.code?.startsWith('Z_') ? `corrupt or truncated gzip data (${err.message})` : `read error (${err.message})`;
      throw new Malformed(lineNo + 1, what);
    }
    const rest = carry + decoder.end();
    if (rest !== '') handle(rest);
    if (!sawAnything) throw new Malformed(1, 'empty file');
    if (!ctx || !writer) throw new Malformed(lineNo, 'no #CHROM header line');
    flush();
    const done: WorkerMessage = {
      type: 'done',
      records: (writer as RecordWriter).records,
      sha256: sha.digest('hex'),
      bytesRead: raw.bytesRead,
      header: (ctx as HeaderContext).json,
    };
    post(done);
  } catch (e) {
    raw.destroy();
    if (e instanceof Malformed) {
      post({ type: 'error', code: e.code, message: `${input.displayName}:${e.line}: ${e.reason}` });
    } else {
      post({ type: 'error', code: 'unreadable', message: `${input.displayName}: ${(e as Error).message}` });
    }
  }
}

// as a worker: take the input from workerData and talk to the parent
if (parentPort) {
  const port = parentPort;
  let waiting: (() => void) | null = null;
  let credits = 0;
  let started: (id: string) => void = () => undefined;
  const fileId = new Promise<string>((resolve) => (started = resolve));
  port.on('message', (m: WorkerCommand) => {
    if (m.type === 'start') {
      started(m.fileId);
    } else if (waiting) {
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
  void parseFile(workerData as WorkerInput, fileId, (m) => port.postMessage(m), acked).then(() => port.close());
}
