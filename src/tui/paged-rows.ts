// a window onto a long SQL result: pages are fetched around what is on screen
// and only a few are kept, so 10,000 orders never sit in memory at once

interface Page<Row> {
  rows: readonly Row[];
  /** shown until the refetch after a change replaces it, so rows do not blink */
  stale: boolean;
  used: number;
}

export type FetchPage<Row> = (offset: number, limit: number) => Promise<readonly Row[]>;

export class PagedRows<Row> {
  readonly pageSize: number;
  readonly keep: number;
  #fetch: FetchPage<Row>;
  #pages = new Map<number, Page<Row>>();
  #inflight = new Map<number, Promise<void>>();
  #generation = 0;
  #clock = 0;
  #onLoad: () => void;

  /** `onLoad` runs whenever a page arrives for the current query, whoever asked for it */
  constructor(fetch: FetchPage<Row>, options: { pageSize?: number; keep?: number; onLoad?: () => void } = {}) {
    this.#fetch = fetch;
    this.#onLoad = options.onLoad ?? (() => undefined);
    this.pageSize = options.pageSize ?? 100;
    this.keep = Math.max(3, options.keep ?? 8);
  }

  /** the row if its page is here; undefined while it loads */
  rowAt(index: number): Row | undefined {
    const page = this.#pages.get(Math.floor(index / this.pageSize));
    return page?.rows[index % this.pageSize];
  }

  /** rows currently held, for completion lists and tests */
  loadedRows(): Row[] {
    return [...this.#pages.entries()].sort(([a], [b]) => a - b).flatMap(([, p]) => p.rows);
  }

  get pageCount(): number {
    return this.#pages.size;
  }

  /** every held page is refetched on the next ensure(), and shown until then */
  invalidate(): void {
    for (const page of this.#pages.values()) page.stale = true;
  }

  /** a different query: nothing held is valid any more */
  reset(fetch: FetchPage<Row>): void {
    this.#fetch = fetch;
    this.#generation++;
    this.#pages.clear();
    this.#inflight.clear();
  }

  /**
   * makes rows [from, to) available, and the pages either side so that moving
   * on never waits; resolves true when something new arrived
   */
  async ensure(from: number, to: number, count: number): Promise<boolean> {
    const first = Math.max(0, Math.floor(from / this.pageSize) - 1);
    const last = Math.min(Math.max(0, Math.ceil(count / this.pageSize) - 1), Math.floor(Math.max(from, to - 1) / this.pageSize) + 1);
    const wanted: number[] = [];
    for (let p = first; p <= last; p++) {
      const page = this.#pages.get(p);
      if (page) page.used = ++this.#clock;
      if ((!page || page.stale) && !this.#inflight.has(p)) wanted.push(p);
    }
    if (wanted.length === 0) return false;
    const generation = this.#generation;
    const loads = wanted.map((p) => {
      const load = this.#fetch(p * this.pageSize, this.pageSize).then((rows) => {
        if (generation !== this.#generation) return;
        this.#pages.set(p, { rows, stale: false, used: ++this.#clock });
        this.#onLoad();
      });
      const tracked = load.finally(() => {
        if (this.#inflight.get(p) === tracked) this.#inflight.delete(p);
      });
      this.#inflight.set(p, tracked);
      return tracked;
    });
    await Promise.all(loads);
    if (generation !== this.#generation) return false;
    this.#evict(first, last);
    return true;
  }

  #evict(first: number, last: number): void {
    if (this.#pages.size <= this.keep) return;
    const victims = [...this.#pages.entries()]
      .filter(([p]) => p < first || p > last)
      .sort(([, a], [, b]) => a.used - b.used);
    for (const [p] of victims) {
      if (this.#pages.size <= this.keep) break;
      this.#pages.delete(p);
    }
  }
}
