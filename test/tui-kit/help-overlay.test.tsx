import { describe, expect, test } from 'vitest';
import { defineCommands, HelpOverlay, listNavigationCommands } from '../../src/tui/kit/index.ts';
import { ListApp, table as appTable } from './fixtures/list-app.tsx';
import { lines, plain, renderAt } from './render.tsx';

const table = defineCommands([
  ...listNavigationCommands(),
  { id: 'open', keys: ['enter'], label: 'Open', help: 'Open the selected order', group: 'Orders' },
  { id: 'filter', keys: ['f'], label: 'Filter', help: 'Filter by status', group: 'Orders' },
  { id: 'sort', keys: ['s'], label: 'Sort', help: 'Cycle the sort column', group: 'Orders' },
  { id: 'refresh', keys: ['r'], label: 'Refresh', help: 'Reload from the replica', group: 'Orders' },
  { id: 'back', keys: ['esc'], label: 'Back', help: 'Leave this screen', group: 'General' },
  { id: 'pane', keys: ['tab'], label: 'Next pane', help: 'Focus the next pane', group: 'General' },
  { id: 'quit', keys: ['q', 'ctrl-c'], label: 'Quit', help: 'Leave Curio', group: 'General' },
]);

describe('HelpOverlay', () => {
  test('shows every command of the table, scrolling through at 80×24', async () => {
    let closed = false;
    const r = await renderAt(<HelpOverlay table={table} width={80} height={20} onClose={() => (closed = true)} />);
    const seen = new Set<string>();
    for (let page = 0; page < 5; page++) {
      for (const line of lines(r.lastFrame())) seen.add(line.trim());
      await r.press('pgdn');
    }
    const text = [...seen].join('\n');
    for (const command of table.commands) {
      expect(text, command.id).toContain(command.label);
      expect(text, command.id).toContain(command.help);
    }
    for (const group of ['Navigation', 'Selection', 'Search', 'Orders', 'General']) expect(text).toContain(group);
    for (const key of ['j/↓', 'PgDn', 'C-d', 'Space', 'Enter', 'Esc', 'Tab', 'q/C-c', 'G/End', '/']) expect(text).toContain(key);
    expect(lines(r.lastFrame()).length).toBeLessThanOrEqual(20);
    await r.press('esc');
    expect(closed).toBe(true);
    r.unmount();
  });

  test('? opens it in the app; commands unavailable here are marked, Esc returns', async () => {
    const r = await renderAt(<ListApp count={50} />, { rows: 40 });
    await r.press('?');
    const frame = plain(r.lastFrame());
    for (const command of appTable.commands) expect(frame).toContain(command.label);
    expect(frame).toMatch(/Count marks +Say how many rows are marked \(unavailable here\)/);
    await r.press('esc');
    expect(plain(r.lastFrame())).not.toContain('Count marks');
    expect(plain(r.lastFrame())).toContain('row 00001');
    r.unmount();
  });
});
