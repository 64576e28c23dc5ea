import { hash } from 'node:crypto';

/** hex digits of a variant id: 80 bits keep accidental collisions out of reach per order */
const ID_HEX = 20;

/**
 * the stable id of a variant: the same order, locus and alleles give the same id on
 * every machine and in every later file of the order, so curations keep pointing at
 * it; the n-th repeat of a record in one file gets "-n"
 */
export function variantId(orderId: string, chrom: string, pos: number, ref: string, alt: string, occurrence = 1): string {
  const h = hash('sha256', `${orderId}|${variantKey(chrom, pos, ref, alt)}`, 'hex').slice(0, ID_HEX);
  return occurrence > 1 ? `${h}-${occurrence}` : h;
}

/** what a variant's id hashes besides the order: its locus and alleles */
export function variantKey(chrom: string, pos: number, ref: string, alt: string): string {
  return `${chrom}|${pos}|${ref}|${alt}`;
}

/** the ids of one file's records, asked in file order: the n-th repeat of a key gets "-n" */
export class FileIds {
  private readonly occurrences = new OccurrenceCounter();
  private readonly prefix: string;

  constructor(orderId: string) {
    this.prefix = `${orderId}|`;
  }

  /** the next record's id */
  next(key: string): string {
    const h = hash('sha256', this.prefix + key, 'hex');
    return h.slice(0, ID_HEX) + this.suffix(h);
  }

  /** writes the next record's id at out[at], its ID_HEX digits straight from the hash; answers its "-n", or '' */
  writeNext(key: string, out: Buffer, at: number): string {
    const h = hash('sha256', this.prefix + key, 'hex');
    out.write(h, at, ID_HEX, 'latin1');
    return this.suffix(h);
  }

  private suffix(hex: string): string {
    const k = this.occurrences.next(hex);
    return k > 1 ? `-${k}` : '';
  }
}

/**
 * a binary COPY batch whose id fields the parse worker left as ID_HEX placeholder
 * bytes: where each field's bytes start, and the rows' variantKeys joined by newlines
 * (CHROM, REF and ALT hold no whitespace). The main thread hashes them: the hash is
 * a tenth of the parser's time per record, and the parser is the ingest's slowest part
 */
export interface PendingIds {
  at: Int32Array;
  keys: string;
}

export const ID_PLACEHOLDER = '0'.repeat(ID_HEX);

/**
 * writes the ids into a batch's placeholders, in the batch's row order. A repeat's
 * "-n" does not fit its placeholder: a batch with one is copied with the suffixes
 * spliced in (and their fields' lengths raised)
 */
export function fillIds(data: Uint8Array, pending: PendingIds, ids: FileIds): Uint8Array {
  const keys = pending.keys.split('\n');
  if (keys.length !== pending.at.length) throw new RangeError(`${keys.length} variant keys for ${pending.at.length} rows`);
  const suffixed: { at: number; suffix: string }[] = [];
  const out = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < keys.length; i++) {
    const at = pending.at[i] as number;
    const suffix = ids.writeNext(keys[i] as string, out, at);
    if (suffix) suffixed.push({ at, suffix });
  }
  if (suffixed.length === 0) return data;
  const extra = suffixed.reduce((n, s) => n + s.suffix.length, 0);
  const spliced = new Uint8Array(data.length + extra);
  const view = new DataView(spliced.buffer);
  let from = 0;
  let to = 0;
  for (const { at, suffix } of suffixed) {
    const end = at + ID_HEX;
    spliced.set(data.subarray(from, end), to);
    to += end - from;
    // the field's length word sits right before its bytes
    view.setInt32(to - ID_HEX - 4, ID_HEX + suffix.length);
    for (let j = 0; j < suffix.length; j++) spliced[to++] = suffix.charCodeAt(j);
    from = end;
  }
  spliced.set(data.subarray(from), to);
  return spliced;
}

/** the id of an order's file: deterministic too, from the order and the file's SHA-256 */
export function vcfFileId(orderId: string, sha256: string): string {
  return hash('sha256', `${orderId}|${sha256}`, 'hex').slice(0, 16);
}

/**
 * counts repeats of (chrom, pos, ref, alt) within one file without keeping the keys:
 * a 52-bit prefix of the id per record in an open-addressing table (8–16 bytes per
 * record instead of ~50 in a Map); a prefix shared by two different keys (p ≈ 1e-4 at
 * a million records) only suffixes an id, deterministically
 */
export class OccurrenceCounter {
  // 0 marks an empty slot, so keys are stored + 1
  private table = new Float64Array(1 << 12);
  private size = 0;
  /** counts above one; repeats are rare */
  private readonly repeats = new Map<number, number>();

  next(id: string): number {
    const key = parseInt(id.slice(0, 13), 16) + 1;
    if (this.insert(key)) {
      if ((this.size += 1) * 2 > this.table.length) this.grow();
      return 1;
    }
    const n = (this.repeats.get(key) ?? 1) + 1;
    this.repeats.set(key, n);
    return n;
  }

  /** true when the key was not there yet */
  private insert(key: number): boolean {
    const mask = this.table.length - 1;
    // the key is already a uniform hash: its low bits pick the slot
    for (let i = key % this.table.length; ; i = (i + 1) & mask) {
      const k = this.table[i];
      if (k === 0) {
        this.table[i] = key;
        return true;
      }
      if (k === key) return false;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2);
    for (const k of old) if (k !== 0) this.insert(k);
  }
}
