import { useInput } from 'ink';
import { describe, expect, test } from 'vitest';
import {
  defineCommands,
  formatKey,
  helpSections,
  keysFor,
  listNavigationCommands,
  normalizeKey,
  resolveKey,
} from '../../src/tui/kit/index.ts';
import type { keyNameOf } from '../../src/tui/kit/index.ts';
import { KEYS, renderAt } from './render.tsx';

interface Ctx {
  detail: boolean;
  canSign: boolean;
}

const table = defineCommands([
  ...listNavigationCommands(),
  { id: 'filter', keys: ['f'], label: 'Filter', help: 'Filter rows', group: 'Rows' },
  { id: 'sort', keys: ['s'], label: 'Sort', help: 'Change the sort', group: 'Rows' },
  { id: 'refresh', keys: ['r'], label: 'Refresh', help: 'Reload', group: 'Rows' },
  { id: 'open', keys: ['enter'], label: 'Open', help: 'Open the order', group: 'Rows', when: (c: Ctx) => !c.detail },
  { id: 'sign', keys: ['enter'], label: 'Sign', help: 'Approve and sign', group: 'Order', when: (c: Ctx) => c.detail && c.canSign },
  { id: 'back', keys: ['esc'], label: 'Back', help: 'Go back', group: 'General' },
  { id: 'pane', keys: ['tab'], label: 'Next pane', help: 'Focus the next pane', group: 'General' },
  { id: 'help', keys: ['?'], label: 'Help', help: 'Show keys', group: 'General' },
  { id: 'palette', keys: [':'], label: 'Commands', help: 'Command palette', group: 'General' },
  { id: 'quit', keys: ['q', 'ctrl-c'], label: 'Quit', help: 'Leave', group: 'General' },
]);

const list: Ctx = { detail: false, canSign: false };

describe('key names', () => {
  test('specs normalise to one canonical name and typos throw', () => {
    expect(normalizeKey('PageDown')).toBe('pgdn');
    expect(normalizeKey('pgup')).toBe('pgup');
    expect(normalizeKey('Return')).toBe('enter');
    expect(normalizeKey('Escape')).toBe('esc');
    expect(normalizeKey('C-d')).toBe('ctrl-d');
    expect(normalizeKey('ctrl+U')).toBe('ctrl-u');
    expect(normalizeKey('G')).toBe('G');
    expect(normalizeKey(' ')).toBe('space');
    expect(() => normalizeKey('pgdown')).toThrow(/unknown key name/);
    expect(() => normalizeKey('ctrl-1')).toThrow(/letter/);
  });

  test('display names', () => {
    expect(['ctrl-d', 'pgdn', 'down', 'enter', 'space', 'G'].map(formatKey)).toEqual(['C-d', 'PgDn', '↓', 'Enter', 'Space', 'G']);
    expect(keysFor(table, 'list.down')).toBe('j/↓');
  });
});

describe('resolveKey', () => {
  const cases: [string, Parameters<typeof keyNameOf>[1], string | null][] = [
    ['j', {}, 'list.down'],
    ['', { downArrow: true }, 'list.down'],
    ['k', {}, 'list.up'],
    ['', { upArrow: true }, 'list.up'],
    ['g', {}, 'list.top'],
    ['G', { shift: true }, 'list.bottom'],
    ['', { pageDown: true }, 'list.page_down'],
    ['', { pageUp: true }, 'list.page_up'],
    ['d', { ctrl: true }, 'list.half_down'],
    ['u', { ctrl: true }, 'list.half_up'],
    ['/', {}, 'list.search'],
    ['n', {}, 'list.search_next'],
    ['N', { shift: true }, 'list.search_prev'],
    ['f', {}, 'filter'],
    ['s', {}, 'sort'],
    ['r', {}, 'refresh'],
    [' ', {}, 'list.mark'],
    ['\r', { return: true }, 'open'],
    ['', { escape: true, meta: true }, 'back'],
    ['', { tab: true }, 'pane'],
    ['?', {}, 'help'],
    [':', {}, 'palette'],
    ['q', {}, 'quit'],
    ['c', { ctrl: true }, 'quit'],
    ['d', {}, null],
    ['x', {}, null],
    ['jj', {}, null],
  ];
  test.each(cases)('%j %j → %s', (input, key, id) => {
    expect(resolveKey(table, input, key, list)).toBe(id);
  });

  test('the same key fires whichever command is available in the context', () => {
    const enter = { return: true };
    expect(resolveKey(table, '\r', enter, list)).toBe('open');
    expect(resolveKey(table, '\r', enter, { detail: true, canSign: true })).toBe('sign');
    expect(resolveKey(table, '\r', enter, { detail: true, canSign: false })).toBeNull();
  });

  test('keys as Ink really reports them resolve to the same commands', async () => {
    const seen: (string | null)[] = [];
    function Probe() {
      useInput((input, key) => seen.push(resolveKey(table, input, key, list)));
      return null;
    }
    const r = await renderAt(<Probe />);
    const raw = ['j', 'k', 'g', 'G', 'n', 'N', '/', '?', ':', 'q', 'f', 's', 'r'];
    const named = ['down', 'up', 'pgdn', 'pgup', 'ctrl-d', 'ctrl-u', 'space', 'enter', 'esc', 'tab', 'ctrl-c'];
    for (const key of [...raw, ...named]) await r.write(KEYS[key] ?? key);
    expect(seen).toEqual([
      'list.down', 'list.up', 'list.top', 'list.bottom', 'list.search_next', 'list.search_prev', 'list.search',
      'help', 'palette', 'quit', 'filter', 'sort', 'refresh',
      'list.down', 'list.up', 'list.page_down', 'list.page_up', 'list.half_down', 'list.half_up', 'list.mark',
      'open', 'back', 'pane', 'quit',
    ]);
    r.unmount();
  });
});

describe('defineCommands', () => {
  test('rejects a table that contradicts itself', () => {
    expect(() =>
      defineCommands([
        { id: 'a', keys: ['x'], label: 'A', help: '', group: 'g' },
        { id: 'a', keys: ['y'], label: 'A', help: '', group: 'g' },
      ]),
    ).toThrow(/defined twice/);
    expect(() =>
      defineCommands([
        { id: 'a', keys: ['x'], label: 'A', help: '', group: 'g' },
        { id: 'b', keys: ['x'], label: 'B', help: '', group: 'g' },
      ]),
    ).toThrow(/already bound/);
    expect(() =>
      defineCommands([
        { id: 'a', keys: [], label: 'A', help: '', group: 'g', palette: { name: 'go' } },
        { id: 'b', keys: [], label: 'B', help: '', group: 'g', palette: { name: 'x', aliases: ['go'] } },
      ]),
    ).toThrow(/palette name "go"/);
  });

  test('help sections keep table order and mark what is unavailable', () => {
    const sections = helpSections(table, list);
    expect(sections.map((s) => s.group)).toEqual(['Navigation', 'Selection', 'Search', 'Rows', 'Order', 'General']);
    const sign = sections.flatMap((s) => s.rows).find((r) => r.id === 'sign');
    expect(sign).toMatchObject({ keys: 'Enter', available: false });
  });
});
