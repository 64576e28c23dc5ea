import { describe, expect, test } from 'vitest';
import {
  completePalette,
  helpSections,
  initialListState,
  listActionFor,
  parsePalette,
  reduceList,
  resolveKey,
  type ListState,
} from '../../src/tui/kit/index.ts';
import { keymap, STATUS_FILTERS, type ScreenKind, type TuiCtx } from '../../src/tui/keymap.ts';

const ctx = (screen: ScreenKind, extra: Partial<TuiCtx> = {}): TuiCtx => ({
  screen,
  replica: true,
  orderIds: ['ORD-2026-0042', 'ORD-2026-0043'],
  users: ['ada', 'cora', 'eli'],
  transitions: ['review', 'sign_off', 'cancelled'],
  ...extra,
});

// how Ink reports each key: [input, key flags]
const INK: Record<string, [string, Record<string, boolean>]> = {
  down: ['', { downArrow: true }],
  up: ['', { upArrow: true }],
  left: ['', { leftArrow: true }],
  right: ['', { rightArrow: true }],
  pgdn: ['', { pageDown: true }],
  pgup: ['', { pageUp: true }],
  'ctrl-d': ['d', { ctrl: true }],
  'ctrl-u': ['u', { ctrl: true }],
  'ctrl-c': ['c', { ctrl: true }],
  enter: ['\r', { return: true }],
  esc: ['', { escape: true }],
  tab: ['', { tab: true }],
  'shift-tab': ['', { tab: true, shift: true }],
  space: [' ', {}],
};
const press = (key: string, c: TuiCtx) => {
  const [input, flags] = INK[key] ?? [key, /^[A-Z]$/.test(key) ? { shift: true } : {}];
  return resolveKey(keymap, input, flags, c);
};

describe('the key table', () => {
  test.each([
    ['queue', 'j', 'list.down'],
    ['queue', 'down', 'list.down'],
    ['queue', 'k', 'list.up'],
    ['queue', 'up', 'list.up'],
    ['queue', 'g', 'list.top'],
    ['queue', 'G', 'list.bottom'],
    ['queue', 'pgdn', 'list.page_down'],
    ['queue', 'pgup', 'list.page_up'],
    ['queue', 'ctrl-d', 'list.half_down'],
    ['queue', 'ctrl-u', 'list.half_up'],
    ['queue', '/', 'list.search'],
    ['queue', 'n', 'list.search_next'],
    ['queue', 'N', 'list.search_prev'],
    ['queue', 'space', 'list.mark'],
    ['queue', 'enter', 'order.open'],
    ['queue', 'a', 'order.assign'],
    ['queue', 'w', 'order.advance'],
    ['queue', 'esc', 'app.back'],
    ['queue', 'r', 'app.refresh'],
    ['queue', '?', 'app.help'],
    ['queue', ':', 'app.palette'],
    ['queue', 'q', 'app.quit'],
    ['queue', 'ctrl-c', 'app.quit'],
    ['queue', '1', 'go.queue'],
    ['queue', '2', 'go.orders'],
    ['queue', '3', 'go.sync'],
    ['orders', 'f', 'orders.filter'],
    ['orders', 's', 'orders.sort'],
    ['orders', 'F', 'orders.clear'],
    ['orders', 'c', 'order.new'],
    ['orders', 'enter', 'order.open'],
    ['detail', 'enter', 'detail.run'],
    ['detail', 'tab', 'app.pane'],
    ['detail', 'shift-tab', 'app.pane_prev'],
    ['detail', 't', 'order.transition'],
    ['detail', 'e', 'order.edit'],
    ['detail', 'D', 'order.delete'],
    ['detail', 'h', 'stage.hold'],
    ['detail', 'K', 'stage.skip'],
    ['detail', 'm', 'order.samples_sent'],
    ['sync', 'i', 'sync.reissue'],
    ['sync', 'd', 'sync.discard'],
    ['detail', 'v', 'order.variants'],
    ['detail', 'R', 'order.report'],
    ['variants', 'R', 'order.report'],
    ['report', 'v', 'order.variants'],
    ['variants', 'j', 'list.down'],
    ['variants', 'G', 'list.bottom'],
    ['variants', 'enter', 'variants.detail'],
    ['variants', 'tab', 'app.pane'],
    ['variants', 'f', 'variants.filter'],
    ['variants', 'F', 'variants.clear'],
    ['variants', 's', 'variants.sort'],
    ['variants', 'S', 'variants.reverse'],
    ['variants', '4', 'variants.tier_iv'],
    ['variants', 'p', 'variants.presets'],
    ['variants', 'P', 'variants.save_preset'],
    ['variants', 'w', 'variants.wide'],
    ['variants', 'left', 'variants.left'],
    ['variants', 'l', 'variants.right'],
    ['variants', 't', 'variants.set_tier'],
    ['variants', 'a', 'variants.acmg'],
    ['variants', 'space', 'variants.reportable'],
    ['variants', 'e', 'variants.note'],
    ['variants', '/', 'list.search'],
    ['variants', 'esc', 'app.back'],
    ['report', 'd', 'report.draft'],
    ['report', 'space', 'report.toggle'],
    ['report', 'e', 'report.summary'],
    ['report', 's', 'report.submit'],
    ['report', 'A', 'report.sign'],
    ['report', 'M', 'report.amend'],
    ['report', 'h', 'report.older'],
    ['report', 'right', 'report.newer'],
    // order actions stay on the order screens: w is not "advance" in the browser
    ['variants', 'h', 'variants.left'],
    ['report', 'a', null],
    ['orders', 'v', null],
    ['queue', 'R', null],
    // keys that mean nothing on a screen do nothing there
    ['sync', 'a', null],
    ['queue', 'f', null],
    ['queue', 'd', null],
    ['detail', 'i', null],
    // a form owns its keys; only quitting reaches the table
    ['form', 'j', null],
    ['form', 'q', 'app.quit'],
  ] as const)('%s: %s → %s', (screen, key, id) => {
    expect(press(key, ctx(screen))).toBe(id);
  });

  test('keys drive the list reducer: a held j, a page, half pages, the ends', () => {
    const env = { count: 10_000, height: 17 };
    let state: ListState = initialListState();
    const run = (...keys: string[]) => {
      for (const key of keys) {
        const id = press(key, ctx('orders'));
        const action = id ? listActionFor(id) : null;
        if (action) state = reduceList(state, action, env);
      }
      return [state.cursor, state.offset];
    };
    expect(run('j', 'j', 'j')).toEqual([3, 0]);
    expect(run('pgdn')).toEqual([20, 17]);
    expect(run('ctrl-d')).toEqual([28, 25]);
    expect(run('ctrl-u', 'pgup', 'k')).toEqual([2, 0]);
    expect(run('G')).toEqual([9_999, 9_983]);
    expect(run('g')).toEqual([0, 0]);
    expect(run('space', 'space')).toEqual([2, 0]);
    expect(state.marks.size).toBe(2);
  });

  test('help and palette come from the same table', () => {
    const sections = helpSections(keymap, ctx('orders'));
    expect(sections.map((s) => s.group)).toEqual(['Navigation', 'Selection', 'Search', 'Screens', 'Orders', 'Order', 'Variants', 'Curation', 'Report', 'Sync', 'General']);
    const rows = sections.flatMap((s) => s.rows);
    expect(rows.find((r) => r.id === 'order.assign')).toMatchObject({ keys: 'a', palette: ':assign [user]', available: true });
    expect(rows.find((r) => r.id === 'sync.discard')).toMatchObject({ keys: 'd', available: false });
    expect(rows.find((r) => r.id === 'app.quit')).toMatchObject({ keys: 'q/C-c' });
  });

  test.each([
    [':order ORD-2026-0042', 'order.goto', ['ORD-2026-0042']],
    [':open ORD-2026-9999', 'order.goto', ['ORD-2026-9999']],
    [':status review', 'orders.status', ['review']],
    [':status Reviewed', 'orders.status', ['reviewed']],
    [':status all', 'orders.status', ['all']],
    [':assign me', 'order.assign', ['me']],
    [':assign eli', 'order.assign', ['eli']],
    [':assign', 'order.assign', []],
    [':transition sign_off', 'order.transition', ['sign_off']],
    [':sort priority asc', 'orders.sort', ['priority', 'asc']],
    [':text hereditary breast', 'orders.text', ['hereditary breast']],
    [':search BRCA1', 'list.search', ['BRCA1']],
    [':q', 'app.quit', []],
  ] as const)('%s', (line, id, args) => {
    expect(parsePalette(keymap, line, ctx('orders'))).toEqual({ success: true, data: { id, args } });
  });

  test('one palette word may mean a different command per screen: :sort, :filter, :clear, :text', () => {
    const variants = ctx('variants', { sortKeys: ['locus', 'gene', 'vaf'], presetNames: ['All but tier IV', 'Mine'] });
    expect(parsePalette(keymap, ':sort vaf desc', variants)).toEqual({ success: true, data: { id: 'variants.sort', args: ['vaf', 'desc'] } });
    expect(parsePalette(keymap, ':sort priority', variants)).toMatchObject({ success: false, error: { code: 'invalid_argument', message: expect.stringContaining('expected locus, gene, vaf') } });
    expect(parsePalette(keymap, ':sort priority asc', ctx('orders'))).toEqual({ success: true, data: { id: 'orders.sort', args: ['priority', 'asc'] } });
    expect(parsePalette(keymap, ':filter', variants)).toEqual({ success: true, data: { id: 'variants.filter', args: [] } });
    expect(parsePalette(keymap, ':clear', variants)).toEqual({ success: true, data: { id: 'variants.clear', args: [] } });
    expect(parsePalette(keymap, ':text chr7:140753336', variants)).toEqual({ success: true, data: { id: 'variants.text', args: ['chr7:140753336'] } });
    expect(parsePalette(keymap, ':acmg LP', variants)).toEqual({ success: true, data: { id: 'variants.acmg', args: ['LP'] } });
    expect(parsePalette(keymap, ':acmg X', variants)).toMatchObject({ success: false, error: { code: 'invalid_argument' } });
    expect(parsePalette(keymap, ':sign', ctx('report'))).toEqual({ success: true, data: { id: 'report.sign', args: [] } });
    expect(parsePalette(keymap, ':amend VAF corrected', ctx('report'))).toEqual({ success: true, data: { id: 'report.amend', args: ['VAF corrected'] } });
    expect(parsePalette(keymap, ':sign', ctx('variants'))).toMatchObject({ success: false, error: { code: 'unavailable' } });
    expect(parsePalette(keymap, ':variants', ctx('orders'))).toMatchObject({ success: false, error: { code: 'unavailable' } });
    const values = (text: string, c: TuiCtx) => completePalette(keymap, text, c).candidates.map((x) => x.value);
    expect(values('sort ', variants)).toEqual(['locus', 'gene', 'vaf']);
    expect(values('preset M', variants)).toEqual(['Mine']);
    // a shared word is listed once
    expect(values('so', variants)).toEqual(['sort']);
    const rows = helpSections(keymap, variants).flatMap((s) => s.rows);
    expect(rows.find((r) => r.id === 'variants.reportable')).toMatchObject({ keys: 'Space', available: true });
    expect(rows.find((r) => r.id === 'list.mark')).toMatchObject({ available: false });
    expect(rows.find((r) => r.id === 'orders.sort')).toMatchObject({ available: false });
  });

  test('the palette refuses with a reason and completes statuses, users and transitions', () => {
    expect(parsePalette(keymap, ':status finished', ctx('orders'))).toMatchObject({ success: false, error: { code: 'invalid_argument' } });
    expect(parsePalette(keymap, ':assign zed', ctx('orders'))).toMatchObject({ success: false, error: { code: 'invalid_argument' } });
    expect(parsePalette(keymap, ':discard', ctx('orders'))).toMatchObject({ success: false, error: { code: 'unavailable' } });
    expect(parsePalette(keymap, ':filtr', ctx('orders'))).toMatchObject({ success: false, error: { message: expect.stringContaining('did you mean "filter"') } });
    const values = (text: string, c = ctx('orders')) => completePalette(keymap, text, c).candidates.map((x) => x.value);
    expect(values('status ')).toEqual(['all', ...STATUS_FILTERS]);
    // prefix matches first, then words that merely contain it
    expect(values('status re')).toEqual(['review', 'reviewed', 'created']);
    expect(values('assign ')).toEqual(['me', 'ada', 'cora', 'eli']);
    expect(values('transition ', ctx('detail'))).toEqual(['review', 'sign_off', 'cancelled']);
    expect(values('order ORD-2026-004')).toEqual(['ORD-2026-0042', 'ORD-2026-0043']);
  });
});
