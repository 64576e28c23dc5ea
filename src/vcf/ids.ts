import { hash } from 'node:crypto';

/** hex digits of a variant id: 80 bits keep accidental collisions out of reach per order */
const ID_HEX = 20;

/**
 * the stable id of a variant: the same order, locus and alleles give the same id on
 * every machine and in every later file of the order, so curations keep pointing at
 * it; the n-th repeat of a record in one file gets "-n"
 */
export function variantId(orderId: string, chrom: string, pos: number, ref: string, alt: string, occurrence = 1): string {
  const h = hash('sha256', `${orderId}|${chrom}|${pos}|${ref}|${alt}`, 'hex').slice(0, ID_HEX);
  return occurrence > 1 ? `${h}-${occurrence}` : h;
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
