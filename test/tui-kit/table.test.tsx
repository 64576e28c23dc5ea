import { describe, expect, test } from 'vitest';
import { fitColumns, fitSegments, StatusBar, Table, type Column } from '../../src/tui/kit/index.ts';
import { lines, renderAt } from './render.tsx';

interface Order {
  id: string;
  status: string;
  priority: string;
  provider: string;
  indication: string;
  updated: string;
}

const columns: Column<Order>[] = [
  { id: 'id', title: 'Order', value: (o) => o.id, minWidth: 13, priority: 0 },
  { id: 'status', title: 'Status', value: (o) => o.status, minWidth: 9, priority: 0 },
  { id: 'priority', title: 'Pri', value: (o) => o.priority, minWidth: 6, priority: 2 },
  { id: 'indication', title: 'Indication', value: (o) => o.indication, minWidth: 12, grow: 1, priority: 1 },
  { id: 'provider', title: 'Provider', value: (o) => o.provider, minWidth: 16, maxWidth: 24, grow: 1, priority: 3 },
  { id: 'updated', title: 'Updated', value: (o) => o.updated, minWidth: 16, priority: 4, align: 'right', wideOnly: true },
];

const order = (i: number): Order => ({
  id: `ORD-2026-${String(i).padStart(4, '0')}`,
  status: i % 2 ? 'review' : 'analyzing',
  priority: 'high',
  provider: 'Dr. Example Provider With A Long Name',
  indication: 'Suspected hereditary breast and ovarian cancer syndrome',
  updated: '2026-03-01 12:00',
});

describe('fitColumns', () => {
  const ids = (width: number, wide = false) => fitColumns(columns, width, { wide }).map((f) => f.column.id);

  test('low-priority columns drop first as the terminal narrows; order is kept', () => {
    expect(ids(120)).toEqual(['id', 'status', 'priority', 'indication', 'provider']);
    expect(ids(60)).toEqual(['id', 'status', 'priority', 'indication', 'provider']);
    expect(ids(59)).toEqual(['id', 'status', 'priority', 'indication']);
    expect(ids(40)).toEqual(['id', 'status', 'indication']);
    expect(ids(20)).toEqual(['id']);
  });

  test('wide mode adds the wide-only columns', () => {
    expect(ids(120, true)).toEqual(['id', 'status', 'priority', 'indication', 'provider', 'updated']);
  });

  test('widths never exceed the room and respect maxWidth', () => {
    for (const width of [40, 77, 100, 160]) {
      const fitted = fitColumns(columns, width, { wide: true });
      const used = fitted.reduce((w, f) => w + f.width, 0) + fitted.length - 1;
      expect(used, String(width)).toBeLessThanOrEqual(width);
    }
    const provider = fitColumns(columns, 200).find((f) => f.column.id === 'provider');
    expect(provider?.width).toBe(24);
  });
});

describe('Table', () => {
  test('at 80 columns: header plus only the visible rows, each within the width', async () => {
    let asked = 0;
    const r = await renderAt(
      <Table columns={columns} count={5000} height={10} cursor={3} offset={0} width={80} rowAt={(i) => (asked++, order(i))} />,
    );
    const out = lines(r.lastFrame()).filter((l) => l !== '');
    expect(out).toHaveLength(11);
    expect(out[0]).toMatch(/^ {3}Order +Status +Pri +Indication +Provider/);
    expect(out[0]).not.toContain('Updated');
    expect(out[4]).toMatch(/^› {2}ORD-2026-0003/);
    expect(out.every((l) => [...l].length <= 80)).toBe(true);
    expect(out[1]).toContain('…');
    expect(asked).toBeLessThanOrEqual(20);
    r.unmount();
  });

  test('wide mode shows the extra columns', async () => {
    const r = await renderAt(<Table columns={columns} count={3} height={3} cursor={0} offset={0} width={140} wide rowAt={order} />, { columns: 140 });
    expect(lines(r.lastFrame())[0]).toContain('Updated');
    expect(lines(r.lastFrame())[1]).toMatch(/2026-03-01 12:00$/);
    r.unmount();
  });
});

describe('StatusBar', () => {
  test('connection state is a glyph and a word', async () => {
    for (const [state, text] of [['online', '● online'], ['offline', '○ offline'], ['reconnecting', '◌ reconnecting']] as const) {
      const r = await renderAt(<StatusBar width={80} user="ana" project="oncology" role="project_editor" connection={state} />);
      expect(lines(r.lastFrame())[0]).toContain(text);
      r.unmount();
    }
  });

  test('queued and rejected counts appear when there are any', async () => {
    const r = await renderAt(<StatusBar width={80} user="ana" project="oncology" role="project_editor" connection="offline" queued={3} rejected={2} hint="? help" />);
    const line = lines(r.lastFrame())[0] ?? '';
    expect(line).toMatch(/^ ana │ oncology │ project_editor │ ○ offline │ ↑ 3 queued │ ✗ 2 rejected +\? help$/);
    expect([...line].length).toBeLessThanOrEqual(80);
    r.unmount();
  });

  test('a narrow bar drops the role before the connection and the rejections', async () => {
    const r = await renderAt(<StatusBar width={50} user="ana.longname" project="oncology-germline" role="project_editor" connection="reconnecting" queued={12} rejected={1} />);
    const line = lines(r.lastFrame())[0] ?? '';
    expect(line).toContain('◌ reconnecting');
    expect(line).toContain('✗ 1 rejected');
    expect(line).not.toContain('project_editor');
    expect([...line].length).toBeLessThanOrEqual(50);
    r.unmount();
  });

  test('fitSegments keeps order and drops the highest priority numbers first', () => {
    const kept = fitSegments(
      [
        { text: 'aaaa', priority: 2 },
        { text: 'bbbb', priority: 0 },
        { text: 'cccc', priority: 3 },
      ],
      9,
      1,
    );
    expect(kept.map((s) => s.text)).toEqual(['aaaa', 'bbbb']);
  });
});
