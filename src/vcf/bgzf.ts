// BGZF (blocked gzip, as bgzip writes it): reading blocks while ingesting, writing
// blocks for a copy of the records, and reading one record back by its virtual offset
// (compressed offset of its block × 2^16 + offset inside the inflated block, as tabix)
import { writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';

/** inflated bytes per block: bgzip's own limit, so every offset inside a block fits 16 bits */
const BLOCK_DATA = 0xff00;
const HEADER = 18;
const EOF_BLOCK = Buffer.from('1f8b08040000000000ff0600424302001b0003000000000000000000', 'hex');

export class BgzfError extends Error {}

/** total length of the BGZF block starting at buf[at], or null when buf does not hold a BGZF header there */
export function bgzfBlockSize(buf: Uint8Array, at = 0): number | null {
  if (buf.length - at < HEADER) return null;
  if (buf[at] !== 0x1f || buf[at + 1] !== 0x8b || buf[at + 2] !== 8 || ((buf[at + 3] ?? 0) & 4) === 0) return null;
  const xlen = (buf[at + 10] ?? 0) | ((buf[at + 11] ?? 0) << 8);
  // the BC subfield holds BSIZE (block size - 1); other subfields may come first
  for (let p = at + 12; p + 4 <= at + 12 + xlen && p + 4 <= buf.length; ) {
    const slen = (buf[p + 2] ?? 0) | ((buf[p + 3] ?? 0) << 8);
    if (buf[p] === 66 && buf[p + 1] === 67 && slen === 2 && p + 6 <= buf.length) return ((buf[p + 4] ?? 0) | ((buf[p + 5] ?? 0) << 8)) + 1;
    p += 4 + slen;
  }
  return null;
}

/** inflates one whole block, checking its CRC and length like gunzip would */
export function inflateBlock(block: Uint8Array): Buffer {
  const xlen = (block[10] ?? 0) | ((block[11] ?? 0) << 8);
  const end = block.length - 8;
  if (end < 12 + xlen) throw new BgzfError('block shorter than its header');
  const data = inflateRawSync(block.subarray(12 + xlen, end));
  const dv = new DataView(block.buffer, block.byteOffset + end, 8);
  if (data.length !== dv.getUint32(4, true) || crc32(data) !== dv.getUint32(0, true)) throw new BgzfError('block checksum mismatch');
  return data;
}

/**
 * splits a BGZF byte stream into blocks as chunks arrive: push() hands back each whole
 * block inflated, with the compressed offset where it starts
 */
export class BgzfSplitter {
  private pending: Buffer = Buffer.alloc(0);
  /** compressed offset of pending[0] */
  private offset = 0;

  push(chunk: Buffer, onBlock: (coffset: number, data: Buffer) => void): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let at = 0;
    while (buf.length - at >= HEADER) {
      const size = bgzfBlockSize(buf, at);
      if (size === null) throw new BgzfError('not a BGZF block');
      if (buf.length - at < size) break;
      onBlock(this.offset, inflateBlock(buf.subarray(at, at + size)));
      this.offset += size;
      at += size;
    }
    buf = buf.subarray(at);
    // copied, so the chunk it came from can be collected
    this.pending = buf.length ? Buffer.from(buf) : Buffer.alloc(0);
  }

  /** throws when the stream ended inside a block */
  end(): void {
    if (this.pending.length) throw new BgzfError('truncated block at the end');
  }
}

/**
 * writes record lines as BGZF blocks to a file the caller opened; at() is the virtual
 * offset the next byte will have
 */
export class BgzfWriter {
  private buf = Buffer.alloc(BLOCK_DATA * 2);
  private used = 0;
  private coffset = 0;

  constructor(
    private readonly fd: number,
    private readonly level = 1,
  ) {}

  at(): number {
    return this.coffset * 65536 + this.used;
  }

  /** appends a line and its newline */
  line(text: string): void {
    const need = Buffer.byteLength(text) + 1;
    if (this.used + need > this.buf.length) {
      const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.used + need));
      this.buf.copy(bigger, 0, 0, this.used);
      this.buf = bigger;
    }
    this.used += this.buf.write(text, this.used, 'utf8');
    this.buf[this.used++] = 10;
    while (this.used >= BLOCK_DATA) this.flushBlock(BLOCK_DATA);
  }

  /** writes what is buffered and the end-of-file marker block */
  close(): void {
    if (this.used > 0) this.flushBlock(this.used);
    writeSync(this.fd, EOF_BLOCK);
  }

  private flushBlock(n: number): void {
    const data = this.buf.subarray(0, n);
    const cdata = deflateRawSync(data, { level: this.level });
    const block = Buffer.alloc(HEADER + cdata.length + 8);
    block.set([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 66, 67, 2, 0]);
    block.writeUInt16LE(block.length - 1, 16);
    cdata.copy(block, HEADER);
    block.writeUInt32LE(crc32(data), HEADER + cdata.length);
    block.writeUInt32LE(n, HEADER + cdata.length + 4);
    writeSync(this.fd, block);
    this.coffset += block.length;
    this.buf.copy(this.buf, 0, n, this.used);
    this.used -= n;
  }
}

const MAX_RECORD = 64 << 20;

/** the line that starts at a virtual offset (without its newline); throws BgzfError when the file does not hold one there */
export async function readLineAt(path: string, voff: number): Promise<string> {
  const fh = await open(path, 'r');
  try {
    let coffset = Math.floor(voff / 65536);
    let start = voff % 65536;
    const parts: Buffer[] = [];
    let total = 0;
    for (;;) {
      const head = Buffer.alloc(HEADER);
      const { bytesRead } = await fh.read(head, 0, HEADER, coffset);
      const size = bgzfBlockSize(head.subarray(0, bytesRead));
      // the last line of a file may lack its newline: the end of the file ends it
      if (size === null && parts.length > 0 && bytesRead === 0) break;
      if (size === null) throw new BgzfError(parts.length === 0 ? 'no block at the record offset' : 'unreadable block after the record start');
      const block = Buffer.alloc(size);
      const got = await fh.read(block, 0, size, coffset);
      if (got.bytesRead !== size) throw new BgzfError('truncated block');
      const data = inflateBlock(block);
      if (start > data.length) throw new BgzfError('record offset past the end of its block');
      const nl = data.indexOf(10, start);
      const piece = data.subarray(start, nl < 0 ? data.length : nl);
      parts.push(piece);
      total += piece.length;
      if (nl >= 0) break;
      if (total > MAX_RECORD) throw new BgzfError('record longer than 64 MiB');
      coffset += size;
      start = 0;
    }
    return Buffer.concat(parts).toString('utf8');
  } finally {
    await fh.close();
  }
}
