import { describe, expect, test } from 'vitest';
import { KeysetWindow, type FetchKeyset } from '../../src/tui/keyset-window.ts';

// a keyset source over n rows (row i is the number i): a cursor is the last value read,
// as the query layer's cursors are; no offsets anywhere
function source(n: () => number) {
  const calls: { after: string | null; reverse: boolean }[] = [];
  const fetch: FetchKeyset<number> = async (after, reverse, limit) => {
    calls.push({ after, reverse });
    const total = n();
    const rows: number[] = [];
    if (!reverse) {
      const from = after === null ? 0 : Number(after) + 1;
      for (let i = from; i < Math.min(total, from + limit); i++) rows.push(i);
      const last = rows[rows.length - 1];
      return { rows, next: last !== undefined && last < total - 1 ? String(last) : null };
    }
    const from = after === null ? total - 1 : Number(after) - 1;
    for (let i = from; i > Math.max(-1, from - limit); i--) rows.push(i);
    const last = rows[rows.length - 1];
    return { rows, next: last !== undefined && last > 0 ? String(last) : null };
  };
  return { fetch, calls };
}

/** what a list of `height` rows with its view at `offset` shows */
function shown(win: KeysetWindow<number>, offset: number, height: number): (number | undefined)[] {
  return Array.from({ length: height }, (_, i) => win.rowAt(offset + i));
}

const HEIGHT = 17;
const MILLION = 1_000_000;

/** moves the view like a key would, then lets the window catch up; the queries it cost */
async function move(win: KeysetWindow<number>, offset: number): Promise<number> {
  const before = win.queries;
  // the screen calls ensure after every render until nothing is missing
  for (let i = 0; i < 5; i++) if (!(await win.ensure(offset, offset + HEIGHT))) break;
  return win.queries - before;
}

describe('KeysetWindow over a million rows', () => {
  test('the first screen, G to the end and g back each cost one query; every row shown is the right one', async () => {
    const src = source(() => MILLION);
    const win = new KeysetWindow(src.fetch, { pageSize: 200 });
    expect(await move(win, 0)).toBe(1);
    expect(shown(win, 0, HEIGHT)).toEqual(Array.from({ length: HEIGHT }, (_, i) => i));
    win.setCount(MILLION);
    // G: the last page, read backwards from the end
    expect(await move(win, MILLION - HEIGHT)).toBe(1);
    expect(src.calls.at(-1)).toEqual({ after: null, reverse: true });
    expect(shown(win, MILLION - HEIGHT, HEIGHT)).toEqual(Array.from({ length: HEIGHT }, (_, i) => MILLION - HEIGHT + i));
    // g: the first page is still held
    expect(await move(win, 0)).toBe(0);
    expect(win.heldRows).toBeLessThanOrEqual(win.keep);
  });

  test('j, PgDn and Ctrl-d never cost more than one query per key, up or down, at either end', async () => {
    const src = source(() => MILLION);
    const win = new KeysetWindow(src.fetch, { pageSize: 200, keep: 600 });
    win.setCount(MILLION);
    let offset = 0;
    const costs: number[] = [];
    // 300 pages down from the top …
    for (let k = 0; k < 300; k++) {
      offset += HEIGHT;
      costs.push(await move(win, offset));
      expect(shown(win, offset, HEIGHT)).toEqual(Array.from({ length: HEIGHT }, (_, i) => offset + i));
    }
    // … and back up past what was evicted: the kept cursors re-read one page at a time
    for (let k = 0; k < 300; k++) {
      offset -= HEIGHT;
      costs.push(await move(win, offset));
      expect(shown(win, offset, HEIGHT)).toEqual(Array.from({ length: HEIGHT }, (_, i) => offset + i));
    }
    // from the end upwards, on reverse pages
    offset = MILLION - HEIGHT;
    for (let k = 0; k < 100; k++) {
      costs.push(await move(win, offset));
      expect(shown(win, offset, HEIGHT)).toEqual(Array.from({ length: HEIGHT }, (_, i) => offset + i));
      offset -= HEIGHT;
    }
    expect(Math.max(...costs)).toBeLessThanOrEqual(1);
    // a page is read only when the view nears its edge, not on every key
    expect(costs.filter((c) => c === 1).length).toBeLessThan(costs.length / 4);
    expect(win.heldRows).toBeLessThanOrEqual(win.keep);
  });

  test('before the count is in, the list reaches one row past what was read', async () => {
    const win = new KeysetWindow(source(() => 450).fetch, { pageSize: 200 });
    expect(win.reachable).toBe(0);
    await move(win, 0);
    expect(win.reachable).toBe(201);
    await move(win, 190);
    expect(win.reachable).toBe(401);
    await move(win, 390);
    // the end was read: no row past it
    expect(win.reachable).toBe(450);
    expect(win.rowAt(449)).toBe(449);
  });

  test('a list that grows while its file loads: rows are read again, and the end moves with it', async () => {
    let n = 1000;
    const src = source(() => n);
    const win = new KeysetWindow(src.fetch, { pageSize: 200 });
    win.setCount(n);
    await move(win, n - HEIGHT);
    expect(win.rowAt(n - 1)).toBe(999);
    n = 1500;
    win.setCount(n);
    // the old rows are shown (stale) until read again
    expect(win.rowAt(999)).toBe(999);
    await move(win, n - HEIGHT);
    expect(shown(win, n - HEIGHT, HEIGHT)).toEqual(Array.from({ length: HEIGHT }, (_, i) => n - HEIGHT + i));
  });

  test('reset forgets the old list; a failed query is reported once, not retried in a loop', async () => {
    const win = new KeysetWindow(source(() => 100).fetch, { pageSize: 50 });
    await move(win, 0);
    let tries = 0;
    win.reset(async () => {
      tries++;
      throw new Error('database went away');
    });
    expect(win.rowAt(0)).toBeUndefined();
    await move(win, 0);
    await move(win, 0);
    expect(tries).toBe(1);
    expect(win.error?.message).toBe('database went away');
  });
});
