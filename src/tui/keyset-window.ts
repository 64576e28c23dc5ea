// a window onto a keyset-paginated list (the variant cache): rows are reached only
// through cursors the query layer handed out, never by offset, so a row a million
// rows down costs what the first costs. Pages read forward start at index 0; pages
// read backward (the sort reversed) start at the end, so G is one query however long
// the list. Cursors at page boundaries are kept (a few bytes each) when rows are
// evicted, so scrolling back re-reads one page, not everything from the top.

export interface KeysetPage<Row> {
  rows: readonly Row[];
  /** continues in the same direction; null at the end */
  next: string | null;
}

/** one page forward from `after` (null: the start), or backward from the end when `reverse` */
export type FetchKeyset<Row> = (after: string | null, reverse: boolean, limit: number) => Promise<KeysetPage<Row>>;

interface Held<Row> {
  row: Row;
  /** shown until the page is read again after a change, so rows do not blink */
  stale: boolean;
}

export interface KeysetWindowOptions {
  /** rows per query; at least three screens, so one query covers a screen and its margins */
  pageSize?: number;
  /** rows held at most; the farthest from the view go first */
  keep?: number;
  /** a page arrived (or a query failed) for the current list */
  onLoad?: () => void;
}

export class KeysetWindow<Row> {
  readonly pageSize: number;
  readonly keep: number;
  /** queries sent since the last reset: what a keypress cost */
  queries = 0;
  #fetch: FetchKeyset<Row>;
  #onLoad: () => void;
  #generation = 0;
  #rows = new Map<number, Held<Row>>();
  /** index → the cursor that reads forward from that index (null: from the start) */
  #forward = new Map<number, string | null>([[0, null]]);
  /** index → the cursor that reads backward from just before that index (null: from the end) */
  #backward = new Map<number, string | null>();
  #count: number | null = null;
  /** where reading forward ran out, when it did */
  #end: number | null = null;
  #busy = false;
  #error: Error | null = null;

  constructor(fetch: FetchKeyset<Row>, options: KeysetWindowOptions = {}) {
    this.#fetch = fetch;
    this.#onLoad = options.onLoad ?? (() => undefined);
    this.pageSize = Math.max(1, options.pageSize ?? 200);
    this.keep = Math.max(this.pageSize * 2, options.keep ?? this.pageSize * 10);
  }

  /** rows in the list, once counted */
  get count(): number | null {
    return this.#count;
  }

  /** rows a list can show before the count is in: those read, and one more while there is more */
  get reachable(): number {
    if (this.#count !== null) return this.#count;
    if (this.#end !== null) return this.#end;
    const furthest = Math.max(...this.#forward.keys());
    return furthest === 0 ? 0 : furthest + 1;
  }

  get error(): Error | null {
    return this.#error;
  }

  get heldRows(): number {
    return this.#rows.size;
  }

  /** the row if it is held (perhaps stale); undefined while it loads */
  rowAt(index: number): Row | undefined {
    return this.#rows.get(index)?.row;
  }

  /** rows held, in list order */
  heldEntries(): [number, Row][] {
    return [...this.#rows.entries()].sort(([a], [b]) => a - b).map(([i, h]) => [i, h.row]);
  }

  /** the count came in (or changed while a file is still loading) */
  setCount(count: number): void {
    const before = this.#count;
    if (before === count) return;
    this.#count = count;
    if (before === null) {
      this.#backward.set(count, null);
      return;
    }
    // the list grew under the window: backward cursors count from the end and move with
    // it; every held row is read again (exact for file order, where rows only append)
    const delta = count - before;
    this.#backward = new Map([...this.#backward].map(([i, c]) => [i + delta, c]));
    this.#backward.set(count, null);
    this.#end = null;
    this.invalidate();
  }

  /** every held row is read again when next in view, and shown until then */
  invalidate(): void {
    for (const held of this.#rows.values()) held.stale = true;
    this.#error = null;
  }

  /** a different list (filter, sort, file): nothing held is valid any more */
  reset(fetch: FetchKeyset<Row>): void {
    this.#fetch = fetch;
    this.#generation++;
    this.#rows.clear();
    this.#forward = new Map([[0, null]]);
    this.#backward = new Map();
    this.#count = null;
    this.#end = null;
    this.#busy = false;
    this.#error = null;
    this.queries = 0;
  }

  #missing(index: number): boolean {
    const held = this.#rows.get(index);
    return held === undefined || held.stale;
  }

  #inList(index: number): boolean {
    if (index < 0) return false;
    if (this.#count !== null) return index < this.#count;
    return this.#end === null || index < this.#end;
  }

  /** the first row to read: in view first, then the screen below, then the screen above */
  #wanted(from: number, to: number): { index: number; above: boolean } | null {
    const span = Math.max(1, to - from);
    for (let i = from; i < to && this.#inList(i); i++) if (this.#missing(i)) return { index: i, above: false };
    for (let i = to; i < to + span && this.#inList(i); i++) if (this.#missing(i)) return { index: i, above: false };
    for (let i = from - 1; i >= Math.max(0, from - span); i--) if (this.#inList(i) && this.#missing(i)) return { index: i, above: true };
    return null;
  }

  /** the boundary to read from so that one page covers `index` */
  #plan(index: number, above: boolean): { reverse: boolean; at: number; cursor: string | null } | null {
    let forward: number | null = null;
    for (const at of this.#forward.keys()) if (at <= index && (forward === null || at > forward)) forward = at;
    let backward: number | null = null;
    for (const at of this.#backward.keys()) if (at > index && (backward === null || at < backward)) backward = at;
    const forwardReaches = forward !== null && index - forward < this.pageSize;
    const backwardReaches = backward !== null && backward - index <= this.pageSize;
    let reverse: boolean;
    if (forwardReaches && backwardReaches) reverse = above;
    else if (forwardReaches || backwardReaches) reverse = backwardReaches;
    // out of one page's reach (only after a jump the keys do not make): step towards it
    else if (forward !== null && backward !== null) reverse = backward - index < index - forward;
    else if (forward !== null || backward !== null) reverse = backward !== null;
    else return null;
    const at = (reverse ? backward : forward) as number;
    return { reverse, at, cursor: (reverse ? this.#backward.get(at) : this.#forward.get(at)) ?? null };
  }

  /**
   * makes rows [from, to) and a screen either side available: at most one query per
   * call; the next call (after onLoad redraws) reads the next page if one is still
   * missing. Resolves true when rows arrived.
   */
  async ensure(from: number, to: number): Promise<boolean> {
    if (this.#busy || this.#error) return false;
    const wanted = this.#wanted(Math.max(0, from), Math.max(from, to));
    if (!wanted) return false;
    const plan = this.#plan(wanted.index, wanted.above);
    if (!plan) return false;
    const generation = this.#generation;
    this.#busy = true;
    this.queries++;
    let page: KeysetPage<Row>;
    try {
      page = await this.#fetch(plan.cursor, plan.reverse, this.pageSize);
    } catch (err) {
      if (generation !== this.#generation) return false;
      this.#busy = false;
      this.#error = err instanceof Error ? err : new Error(String(err));
      this.#onLoad();
      return false;
    }
    if (generation !== this.#generation) return false;
    this.#busy = false;
    const k = page.rows.length;
    if (plan.reverse) {
      page.rows.forEach((row, j) => this.#rows.set(plan.at - 1 - j, { row, stale: false }));
      if (page.next !== null) this.#backward.set(plan.at - k, page.next);
    } else {
      page.rows.forEach((row, j) => this.#rows.set(plan.at + j, { row, stale: false }));
      if (page.next !== null) this.#forward.set(plan.at + k, page.next);
      else this.#end = plan.at + k;
    }
    this.#evict((from + to) / 2);
    this.#onLoad();
    return k > 0;
  }

  #evict(center: number): void {
    if (this.#rows.size <= this.keep) return;
    const far = [...this.#rows.keys()].sort((a, b) => Math.abs(b - center) - Math.abs(a - center));
    for (const index of far) {
      if (this.#rows.size <= this.keep) break;
      this.#rows.delete(index);
    }
  }
}
