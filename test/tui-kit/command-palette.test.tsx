import { describe, expect, test } from 'vitest';
import { CommandPalette, completePalette, defineCommands, parsePalette } from '../../src/tui/kit/index.ts';
import { lines, plain, renderAt } from './render.tsx';

interface Ctx {
  statuses: readonly string[];
  admin: boolean;
}

const table = defineCommands([
  {
    id: 'status',
    keys: [],
    label: 'Set status',
    help: 'Move the order to another status',
    group: 'Order',
    palette: { name: 'status', args: [{ name: 'status', complete: (c: Ctx) => c.statuses }] },
  },
  { id: 'sort', keys: ['s'], label: 'Sort', help: 'Sort by a column', group: 'List', palette: { name: 'sort', args: [{ name: 'column', complete: ['created', 'priority', 'status'] }, { name: 'direction', complete: ['asc', 'desc'], optional: true }] } },
  { id: 'search', keys: ['/'], label: 'Search', help: 'Search', group: 'List', palette: { name: 'search', args: [{ name: 'text', rest: true, free: true }] } },
  { id: 'cancel', keys: [], label: 'Cancel order', help: 'Cancel the order', group: 'Order', when: (c: Ctx) => c.admin, palette: { name: 'cancel' } },
  { id: 'quit', keys: ['q'], label: 'Quit', help: 'Leave', group: 'General', palette: { name: 'quit', aliases: ['exit'] } },
]);

const ctx: Ctx = { statuses: ['analyzing', 'review', 'sign_off', 'cancelled'], admin: false };

describe('palette grammar', () => {
  test('completes names, then arguments from the context', () => {
    expect(completePalette(table, 'st', ctx).candidates.map((c) => c.value)).toEqual(['status']);
    expect(completePalette(table, '', ctx).candidates.map((c) => c.value)).toEqual(['status', 'sort', 'search', 'quit']);
    expect(completePalette(table, 'ex', ctx).candidates.map((c) => c.value)).toEqual(['quit']);
    expect(completePalette(table, 'status ', ctx).candidates.map((c) => c.value)).toEqual(ctx.statuses);
    expect(completePalette(table, 'status re', ctx).candidates.map((c) => c.value)).toEqual(['review']);
    expect(completePalette(table, 'sort status d', ctx).candidates.map((c) => c.value)).toEqual(['desc']);
  });

  test('parses into an id and arguments, or says exactly what is wrong', () => {
    expect(parsePalette(table, 'status Review', ctx)).toEqual({ success: true, data: { id: 'status', args: ['review'] } });
    expect(parsePalette(table, 'sort created', ctx)).toEqual({ success: true, data: { id: 'sort', args: ['created'] } });
    expect(parsePalette(table, 'search BRCA1 c.68', ctx)).toEqual({ success: true, data: { id: 'search', args: ['BRCA1 c.68'] } });
    expect(parsePalette(table, 'exit', ctx)).toEqual({ success: true, data: { id: 'quit', args: [] } });
    const codes = ['', 'stauts review', 'frobnicate', 'cancel', 'status', 'status done', 'quit now'].map((text) => {
      const r = parsePalette(table, text, ctx);
      return r.success ? 'ok' : r.error.code;
    });
    expect(codes).toEqual(['empty', 'unknown_command', 'unknown_command', 'unavailable', 'missing_argument', 'invalid_argument', 'too_many_arguments']);
    const typo = parsePalette(table, 'stauts review', ctx);
    expect(typo.success ? '' : typo.error.message).toBe('Unknown command "stauts" — did you mean "status"?');
  });
});

describe('CommandPalette', () => {
  test('Tab completes the command and cycles its arguments; Enter runs', async () => {
    const ran: unknown[] = [];
    const r = await renderAt(<CommandPalette table={table} ctx={ctx} width={80} onRun={(id, args) => ran.push([id, args])} onCancel={() => ran.push('cancel')} />);
    await r.type('sta');
    await r.press('tab');
    // the completion adds the space before the argument, so the next Tab completes it
    expect(lines(r.lastFrame())[0]?.trimEnd()).toBe(':status');
    expect(plain(r.lastFrame())).toContain('status <status> — Move the order to another status');
    await r.press('tab');
    expect(lines(r.lastFrame())[0]).toMatch(/^:status analyzing/);
    expect(lines(r.lastFrame()).find((l) => l.startsWith('›'))).toContain('analyzing');
    await r.press('tab');
    expect(lines(r.lastFrame())[0]).toMatch(/^:status review/);
    await r.press('shift-tab');
    expect(lines(r.lastFrame())[0]).toMatch(/^:status analyzing/);
    await r.press('enter');
    expect(ran).toEqual([['status', ['analyzing']]]);
    r.unmount();
  });

  test('a common prefix completes first', async () => {
    const r = await renderAt(<CommandPalette table={table} ctx={ctx} width={80} onRun={() => {}} onCancel={() => {}} />);
    await r.type('s');
    await r.press('tab');
    // status, sort, search share only 's': cycling starts
    expect(lines(r.lastFrame())[0]).toMatch(/^:status/);
    await r.press('ctrl-u');
    await r.type('status s');
    await r.press('tab');
    expect(lines(r.lastFrame())[0]).toMatch(/^:status sign_off/);
    r.unmount();
  });

  test('an unknown command keeps the palette open with a clear message', async () => {
    const ran: unknown[] = [];
    const r = await renderAt(<CommandPalette table={table} ctx={ctx} width={80} onRun={(id) => ran.push(id)} onCancel={() => ran.push('cancel')} />);
    await r.type('frobnicate');
    await r.press('enter');
    expect(plain(r.lastFrame())).toContain('✗ Unknown command "frobnicate" — Tab lists commands.');
    expect(ran).toEqual([]);
    await r.press('backspace');
    expect(plain(r.lastFrame())).not.toContain('Unknown command');
    await r.press('esc');
    expect(ran).toEqual(['cancel']);
    r.unmount();
  });

  test('commands unavailable in the context are not offered', async () => {
    const r = await renderAt(<CommandPalette table={table} ctx={ctx} width={80} onRun={() => {}} onCancel={() => {}} />);
    expect(plain(r.lastFrame())).not.toContain('cancel');
    await r.type('cancel');
    await r.press('enter');
    expect(plain(r.lastFrame())).toContain('"cancel" is not available here.');
    r.unmount();
  });
});
