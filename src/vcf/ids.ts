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
 * a 52-bit prefix of the id per record (~16 bytes each); a prefix shared by two
 * different keys (p ≈ 1e-4 at a million records) only suffixes an id, deterministically
 */
export class OccurrenceCounter {
  private readonly seen = new Map<number, number>();

  next(id: string): number {
    const key = parseInt(id.slice(0, 13), 16);
    const n = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, n);
    return n;
  }
}
