import { describe, expect, test } from 'vitest';
import {
  clampView,
  findMatch,
  initialListState,
  reduceList,
  WindowedList,
  type ListAction,
  type ListEnv,
  type ListState,
} from '../../src/tui/kit/index.ts';
import { ListApp, rowText } from './fixtures/list-app.tsx';
import { lines, renderAt, tick } from './render.tsx';

const run = (env: ListEnv, ...actions: ListAction['type'][]): ListState =>
  actions.reduce((s, type) => reduceList(s, { type } as ListAction, env), initialListState());

const at = (s: ListState) => [s.cursor, s.offset];

describe('reduceList', () => {
  const env: ListEnv = { count: 10, height: 3 };

  test('j/k move one row, stop at the ends and keep the cursor visible', () => {
    expect(at(run(env, 'up'))).toEqual([0, 0]);
    expect(at(run(env, 'down', 'down'))).toEqual([2, 0]);
    expect(at(run(env, 'down', 'down', 'down'))).toEqual([3, 1]);
    expect(at(run(env, 'bottom', 'down'))).toEqual([9, 7]);
    expect(at(run(env, 'bottom', 'up', 'up', 'up'))).toEqual([6, 6]);
  });

  test('g/G jump to the ends', () => {
    expect(at(run(env, 'bottom'))).toEqual([9, 7]);
    expect(at(run(env, 'bottom', 'top'))).toEqual([0, 0]);
  });

  test('PgDn/PgUp move a whole page at height 3', () => {
    expect(at(run(env, 'page_down'))).toEqual([3, 3]);
    expect(at(run(env, 'page_down', 'page_down'))).toEqual([6, 6]);
    expect(at(run(env, 'page_down', 'page_down', 'page_down'))).toEqual([9, 7]);
    expect(at(run(env, 'page_down', 'page_down', 'page_down', 'page_down'))).toEqual([9, 7]);
    expect(at(run(env, 'bottom', 'page_up'))).toEqual([6, 4]);
    expect(at(run(env, 'bottom', 'page_up', 'page_up', 'page_up', 'page_up'))).toEqual([0, 0]);
  });

  test('Ctrl-d/Ctrl-u move half a page, at least one row', () => {
    expect(at(run({ count: 10, height: 4 }, 'half_down'))).toEqual([2, 2]);
    expect(at(run({ count: 10, height: 1 }, 'half_down', 'half_down'))).toEqual([2, 2]);
    expect(at(run({ count: 10, height: 4 }, 'bottom', 'half_up'))).toEqual([7, 4]);
  });

  test('an empty list stays at zero', () => {
    expect(at(run({ count: 0, height: 5 }, 'down', 'page_down', 'bottom', 'toggle_mark'))).toEqual([0, 0]);
  });

  test('a smaller terminal or fewer rows keep the cursor on screen', () => {
    const s = run({ count: 100, height: 20 }, 'page_down', 'down');
    expect(at(s)).toEqual([21, 20]);
    expect(at(clampView(s, { count: 100, height: 5 }))).toEqual([21, 20]);
    expect(at(clampView({ ...s, cursor: 30 }, { count: 100, height: 5 }))).toEqual([30, 26]);
    expect(at(clampView(s, { count: 10, height: 5 }))).toEqual([9, 5]);
  });

  test('Space marks and advances; marking twice unmarks', () => {
    const keyed: ListEnv = { ...env, keyAt: (i) => `id-${i}` };
    const s = run(keyed, 'toggle_mark', 'toggle_mark', 'up', 'toggle_mark');
    expect([...s.marks]).toEqual(['id-0']);
    expect(s.cursor).toBe(2);
    expect(run(keyed, 'toggle_mark', 'clear_marks').marks.size).toBe(0);
  });

  test('search, n and N wrap around and say so', () => {
    const rows = ['a', 'hit', 'b', 'hit', 'c'];
    const searchEnv: ListEnv = { count: rows.length, height: 3, matches: (i, q) => rows[i] === q };
    let s = reduceList(initialListState(), { type: 'search', query: 'hit' }, searchEnv);
    expect([s.cursor, s.search?.outcome]).toEqual([1, 'found']);
    s = reduceList(s, { type: 'search_next' }, searchEnv);
    expect([s.cursor, s.search?.outcome]).toEqual([3, 'found']);
    s = reduceList(s, { type: 'search_next' }, searchEnv);
    expect([s.cursor, s.search?.outcome]).toEqual([1, 'wrapped']);
    s = reduceList(s, { type: 'search_prev' }, searchEnv);
    expect([s.cursor, s.search?.outcome]).toEqual([3, 'wrapped']);
    s = reduceList(s, { type: 'search_prev' }, searchEnv);
    expect([s.cursor, s.search?.outcome]).toEqual([1, 'found']);
    s = reduceList(s, { type: 'search', query: 'zzz' }, searchEnv);
    expect([s.cursor, s.search?.outcome]).toEqual([1, 'not_found']);
  });

  test('findMatch starts after the cursor and checks every row once', () => {
    let calls = 0;
    expect(findMatch(5, 2, 1, (i) => (calls++, i === 2))).toEqual({ index: 2, wrapped: true });
    expect(calls).toBe(5);
    expect(findMatch(5, 2, -1, (i) => i === 4)).toEqual({ index: 4, wrapped: true });
    expect(findMatch(5, 2, 1, () => false)).toBeNull();
  });
});

// the fixture app: a 24-row terminal leaves 20 list rows (header, message, status bar, spare line)
const cursorRow = (frame: string) => lines(frame).find((l) => l.startsWith('›'))?.slice(3) ?? null;
const listRows = (frame: string) => lines(frame).filter((l) => /^[› ][* ] row \d{5}/.test(l));

describe('keys in a rendered list', () => {
  test('every navigation key moves the highlighted row', async () => {
    const r = await renderAt(<ListApp count={100} />);
    const steps: [string, number][] = [
      ['j', 2],
      ['down', 3],
      ['k', 2],
      ['up', 1],
      ['G', 100],
      ['g', 1],
      ['pgdn', 21],
      ['pgdn', 41],
      ['pgup', 21],
      ['ctrl-d', 31],
      ['ctrl-u', 21],
      ['home', 1],
      ['end', 100],
    ];
    for (const [key, row] of steps) {
      await r.press(key);
      expect(cursorRow(r.lastFrame()), `after ${key}`).toBe(rowText(row - 1));
    }
    r.unmount();
  });

  test('keys arriving in one read all count, each seeing the screen the previous one made', async () => {
    const r = await renderAt(<ListApp count={100} />);
    await r.write('jjjj');
    expect(cursorRow(r.lastFrame())).toBe(rowText(4));
    // ':' opens the palette, so the 'q' that follows is typed there, not a quit
    await r.write(':q');
    expect(lines(r.lastFrame()).some((l) => l.startsWith(':q'))).toBe(true);
    r.unmount();
  });

  test('keys sent faster than React renders are handled in order against fresh state', async () => {
    const r = await renderAt(<ListApp count={100} />);
    for (const key of ['j', 'j', ':', 'q', 'u']) r.send(key);
    await tick();
    expect(lines(r.lastFrame()).some((l) => l.startsWith(':qu'))).toBe(true);
    // a lone Esc needs its own moment: Esc and j in the same instant is Alt-j
    await r.press('esc');
    r.send('j');
    await tick();
    expect(cursorRow(r.lastFrame())).toBe(rowText(3));
    r.unmount();
  });

  test('(control) without the key router Ink reports such a read as one paste, which is no key', async () => {
    const r = await renderAt(<ListApp count={100} />, { router: false });
    await r.write('jjjj');
    expect(cursorRow(r.lastFrame())).toBe(rowText(0));
    r.unmount();
  });

  test('paging at a small height moves by that height', async () => {
    const r = await renderAt(<ListApp count={100} />, { rows: 10 });
    expect(listRows(r.lastFrame())).toHaveLength(6);
    await r.press('pgdn');
    expect(cursorRow(r.lastFrame())).toBe(rowText(6));
    expect(listRows(r.lastFrame())[0]).toContain(rowText(6));
    await r.press('ctrl-d');
    expect(cursorRow(r.lastFrame())).toBe(rowText(9));
    await r.press('pgup', 'pgup');
    expect(cursorRow(r.lastFrame())).toBe(rowText(0));
    r.unmount();
  });

  test('Space marks rows with * and moves on', async () => {
    const r = await renderAt(<ListApp count={100} />);
    await r.press('space', 'space', 'k');
    const rows = listRows(r.lastFrame());
    expect(rows[0]).toMatch(/^ \* row 00001/);
    expect(rows[1]).toMatch(/^›\* row 00002/);
    expect(rows[2]).toMatch(/^ {3}row 00003/);
    await r.press('space');
    expect(listRows(r.lastFrame())[1]).toMatch(/^ {3}row 00002/);
    r.unmount();
  });

  test('/ searches, n and N walk the matches and wrap', async () => {
    const r = await renderAt(<ListApp count={20} />);
    await r.press('/');
    expect(lines(r.lastFrame()).some((l) => l.startsWith('/'))).toBe(true);
    await r.type('BRCA1');
    await r.press('enter');
    // BRCA1 is on every 7th row: 1, 8, 15
    expect(cursorRow(r.lastFrame())).toBe(rowText(0));
    await r.press('n');
    expect(cursorRow(r.lastFrame())).toBe(rowText(7));
    await r.press('n');
    expect(cursorRow(r.lastFrame())).toBe(rowText(14));
    await r.press('n');
    expect(cursorRow(r.lastFrame())).toBe(rowText(0));
    expect(r.lastFrame()).toContain('search wrapped');
    await r.press('N');
    expect(cursorRow(r.lastFrame())).toBe(rowText(14));
    await r.press('N');
    expect(cursorRow(r.lastFrame())).toBe(rowText(7));
    r.unmount();
  });
});

describe('WindowedList', () => {
  test('10,000 rows: renders and asks for only the visible rows', async () => {
    const asked: number[] = [];
    const rowAt = (i: number) => {
      asked.push(i);
      return rowText(i);
    };
    const r = await renderAt(<ListApp count={10_000} rowAt={rowAt} />);
    const height = 20;
    expect(listRows(r.lastFrame())).toHaveLength(height);
    asked.length = 0;
    await r.press('G');
    expect(cursorRow(r.lastFrame())).toBe(rowText(9_999));
    expect(listRows(r.lastFrame())).toHaveLength(height);
    // one render of the visible rows (the matcher is not consulted while moving)
    expect(asked.length).toBeLessThanOrEqual(height * 2);
    expect(Math.min(...asked)).toBeGreaterThanOrEqual(10_000 - height);
    r.unmount();
  });

  test('one line per row: long rows are cut with an ellipsis, control characters neutralised', async () => {
    const long = `${'x'.repeat(100)}\nsecond line\u001B[31m`;
    const r = await renderAt(
      <WindowedList count={2} height={5} cursor={0} offset={0} width={40} rowAt={(i) => (i === 0 ? long : 'short')} />,
    );
    const out = lines(r.lastFrame());
    expect(out[0]).toHaveLength(40);
    expect(out[0]?.endsWith('…')).toBe(true);
    expect(out[1]).toBe('   short');
    expect(r.lastFrame()).not.toContain('\u001B[31m');
    r.unmount();
  });

  test('rows not loaded yet show a placeholder', async () => {
    const r = await renderAt(<WindowedList count={3} height={3} cursor={2} offset={0} width={40} rowAt={(i) => (i === 1 ? undefined : `r${i}`)} />);
    expect(lines(r.lastFrame()).slice(0, 3)).toEqual(['   r0', '   …', '›  r2']);
    r.unmount();
  });
});
