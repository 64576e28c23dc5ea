// a batch of slim records as COPY input: PostgreSQL's binary COPY format for PGlite
// (no text parsing in the database: a float8 read from text costs it ~0.8 µs), CSV
// for PostgreSQL through copyCsv. Column order: VARIANT_COLUMNS.
import { csvInt, csvNumber, csvText } from './csv.ts';
import { FileIds, ID_PLACEHOLDER, type PendingIds } from './ids.ts';
import type { SlimRecord } from './record.ts';
import { DISPLAY_FIELDS, FIELD_SEPARATOR, packFields, SEARCH_FIELDS, tierKey, VARIANT_COLUMNS, type PackedField } from './schema.ts';

/** where each packed field comes from in a record; their order is SEARCH_FIELDS' and DISPLAY_FIELDS' */
const SOURCE: Readonly<Record<PackedField, 'hgvsC' | 'hgvsP' | 'consequence' | 'alias' | 'vcfId' | 'ref' | 'alt' | 'clinvar'>> = {
  hgvs_c: 'hgvsC',
  hgvs_p: 'hgvsP',
  consequence: 'consequence',
  alias: 'alias',
  vcf_id: 'vcfId',
  ref: 'ref',
  alt: 'alt',
  clinvar: 'clinvar',
};

/** a packed text column of a record as a CSV field; the binary batch writes it in place */
function packedText(r: SlimRecord, fields: readonly PackedField[]): string {
  return packFields(fields.map((f) => r[SOURCE[f]]));
}

export type RowFormat = 'binary' | 'csv';

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];
const INT4_MIN = -2147483648;
const INT4_MAX = 2147483647;

function intOrNull(n: number | null): number | null {
  return n !== null && Number.isInteger(n) && n >= INT4_MIN && n <= INT4_MAX ? n : null;
}

function finiteOrNull(n: number | null): number | null {
  return n !== null && Number.isFinite(n) ? n : null;
}

/**
 * a batch as COPY input. Binary: a buffer to transfer, whose ids the main thread fills in
 * (fillIds); CSV: text with its ids
 */
export type BatchData = { data: Uint8Array; ids: PendingIds } | { data: string; ids: null };

export interface RowBatch {
  readonly rows: number;
  add(r: SlimRecord, voff: number): void;
  /** the batch so far, and a fresh batch begins */
  take(): BatchData;
}

/** a file's batches: the CSV ones get their ids here, in file order, from one FileIds of the order */
export function rowBatch(format: RowFormat, orderId: string): RowBatch {
  return format === 'binary' ? new BinaryBatch() : new CsvBatch(new FileIds(orderId));
}

class BinaryBatch implements RowBatch {
  private buf = new Uint8Array(1 << 20);
  private view = new DataView(this.buf.buffer);
  private p = 0;
  rows = 0;
  /** where each row's id placeholder starts, and the rows' variant keys */
  private idAt: number[] = [];
  private keys: string[] = [];

  constructor() {
    this.start();
  }

  private start(): void {
    this.buf.set(SIGNATURE, 0);
    // flags and header extension length: both 0
    this.view.setInt32(11, 0);
    this.view.setInt32(15, 0);
    this.p = 19;
    this.rows = 0;
    this.idAt = [];
    this.keys = [];
  }

  /** the id: a placeholder of its length for fillIds to overwrite */
  private idPlaceholder(key: string): void {
    // text() writes the length word at p and the bytes after it
    this.idAt.push(this.p + 4);
    this.keys.push(key);
    this.text(ID_PLACEHOLDER);
  }

  private ensure(n: number): void {
    if (this.p + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.p + n));
    bigger.set(this.buf.subarray(0, this.p));
    this.buf = bigger;
    this.view = new DataView(bigger.buffer);
  }

  private nul(): void {
    this.view.setInt32(this.p, -1);
    this.p += 4;
  }

  private text(s: string | null): void {
    if (s === null) return this.nul();
    this.ensure(4 + s.length * 3);
    const at = this.p + 4;
    let q = at;
    const buf = this.buf;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        q = at + Buffer.from(buf.buffer, buf.byteOffset, buf.length).write(s, at, 'utf8');
        break;
      }
      buf[q++] = c;
    }
    this.view.setInt32(this.p, q - at);
    this.p = q;
  }

  /**
   * a packed text column (packFields) written in place: no joined string per row. The
   * fields are spelled out rather than looped over SOURCE (3% of the parse worker's
   * time); a test loads the same records through this and the CSV batch and compares
   */
  private packed(a: string | null, b: string | null, c: string | null, d?: string | null, e?: string | null): void {
    this.ensure(4);
    const start = this.p;
    this.p += 4;
    this.field(a);
    this.buf[this.p++] = 1;
    this.field(b);
    this.buf[this.p++] = 1;
    this.field(c);
    if (d !== undefined) {
      this.buf[this.p++] = 1;
      this.field(d);
      this.buf[this.p++] = 1;
      this.field(e ?? null);
    }
    this.view.setInt32(start, this.p - start - 4);
  }

  /** one field of a packed column; room for its separator after it is left too */
  private field(s: string | null): void {
    if (s === null) return this.ensure(1);
    // UTF-8 takes at most 3 bytes per UTF-16 unit, and so does %01
    this.ensure(s.length * 3 + 1);
    const buf = this.buf;
    let q = this.p;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        const rest = s.slice(i).replaceAll(FIELD_SEPARATOR, '%01');
        q += Buffer.from(buf.buffer, buf.byteOffset, buf.length).write(rest, q, 'utf8');
        break;
      }
      if (c === 1) {
        buf[q++] = 37;
        buf[q++] = 48;
        buf[q++] = 49;
      } else buf[q++] = c;
    }
    this.p = q;
  }

  private int4(n: number | null): void {
    const v = intOrNull(n);
    if (v === null) return this.nul();
    this.view.setInt32(this.p, 4);
    this.view.setInt32(this.p + 4, v);
    this.p += 8;
  }

  private float8(n: number | null): void {
    const v = finiteOrNull(n);
    if (v === null) return this.nul();
    this.view.setInt32(this.p, 8);
    this.view.setFloat64(this.p + 4, v);
    this.p += 12;
  }

  add(r: SlimRecord, voff: number): void {
    // fixed-size fields: 2 + 16 length words + 3 float8 + 5 int4 + int8
    this.ensure(2 + 16 * 4 + 3 * 8 + 5 * 4 + 8);
    this.view.setInt16(this.p, VARIANT_COLUMNS.length);
    this.p += 2;
    this.int4(r.ordinal);
    this.idPlaceholder(r.key);
    this.text(r.chrom);
    this.int4(r.pos);
    this.text(r.gene);
    this.int4(tierKey(r.tier, r.ordinal));
    this.text(r.category);
    this.float8(r.vaf);
    this.int4(r.readCount);
    this.int4(r.depth);
    this.float8(r.popAf);
    this.text(r.filter);
    this.float8(r.qual);
    this.ensure(12);
    this.view.setInt32(this.p, 8);
    // int8 as two words (a virtual offset is below 2^53): no BigInt per row
    this.view.setUint32(this.p + 4, Math.floor(voff / 4294967296));
    this.view.setUint32(this.p + 8, voff >>> 0);
    this.p += 12;
    // in SEARCH_FIELDS' and DISPLAY_FIELDS' order
    this.packed(r.hgvsC, r.hgvsP, r.consequence, r.alias, r.vcfId);
    this.packed(r.ref, r.alt, r.clinvar);
    this.rows++;
  }

  take(): { data: Uint8Array; ids: PendingIds } {
    this.ensure(2);
    this.view.setInt16(this.p, -1);
    const data = this.buf.slice(0, this.p + 2);
    const ids = { at: Int32Array.from(this.idAt), keys: this.keys.join('\n') };
    this.start();
    return { data, ids };
  }
}

class CsvBatch implements RowBatch {
  private lines: string[] = [];

  constructor(private readonly ids: FileIds) {}

  get rows(): number {
    return this.lines.length;
  }

  add(r: SlimRecord, voff: number): void {
    this.lines.push(
      [
        String(r.ordinal),
        this.ids.next(r.key),
        csvText(r.chrom),
        String(r.pos),
        csvText(r.gene),
        String(tierKey(r.tier, r.ordinal)),
        csvText(r.category),
        csvNumber(r.vaf),
        csvInt(r.readCount),
        csvInt(r.depth),
        csvNumber(r.popAf),
        csvText(r.filter),
        csvNumber(r.qual),
        String(voff),
        csvText(packedText(r, SEARCH_FIELDS)),
        csvText(packedText(r, DISPLAY_FIELDS)),
      ].join(','),
    );
  }

  take(): { data: string; ids: null } {
    const data = this.lines.length ? this.lines.join('\n') + '\n' : '';
    this.lines = [];
    return { data, ids: null };
  }
}
