import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SqlDatabase } from '../../src/db/index.ts';
import { sessionBackend } from '../../src/tui/backend.ts';
import { findOrderRow } from '../../src/tui/screens/OrdersScreen.tsx';
import { bulkOrders, countingBackend, cursorLine, demoDb, lines, renderBackend, sessionAs } from './helpers.tsx';

const BULK = 10_000;
let db: SqlDatabase;
beforeAll(async () => {
  db = await demoDb();
  await bulkOrders(db, BULK);
});
afterAll(async () => {
  await db?.close();
});

const orders = { initial: { kind: 'orders' as const } };
const position = (frame: string) => /(\d+)\/(\d+)/.exec(lines(frame).find((l) => l.startsWith(' filter:')) ?? '')?.slice(1).map(Number) ?? [];

describe('Orders', () => {
  test('a header counts orders per status; legacy statuses count as their current name', async () => {
    const app = await renderBackend(sessionBackend(await sessionAs(db, 'cora')), orders);
    const frame = await app.waitFor(/Orders \d+ │ created \d+/);
    const header = lines(frame)[1] ?? '';
    // 10,000 bulk + 30 clinical demo orders; cora sees no facility orders
    expect(header).toMatch(new RegExp(`Orders ${BULK + 30} │`));
    const counts = Object.fromEntries([...header.matchAll(/(\w+) (\d+)/g)].map((m) => [m[1], Number(m[2])]));
    expect(counts['review']).toBeGreaterThan(Math.floor(BULK / 7));
    expect(header).not.toContain('reviewed');
    expect(frame).toContain('filter: none  sort: created ↓');
    app.unmount();
  });

  test('10,000 orders: moving reads only the pages around the screen, and stays in step', async () => {
    const backend = countingBackend(sessionBackend(await sessionAs(db, 'cora')));
    const app = await renderBackend(backend, orders);
    await app.waitFor(/1\/10030/);
    await app.waitFor(/BULK-00001|ORD-2026/);
    await app.keys(['j', 'down', 'j']);
    expect(position(app.text())).toEqual([4, BULK + 30]);
    await app.keys(['pgdn']);
    expect(position(app.text())[0]).toBe(4 + 17);
    await app.keys(['ctrl-d']);
    expect(position(app.text())[0]).toBe(21 + 8);
    await app.keys(['ctrl-u', 'pgup']);
    expect(position(app.text())[0]).toBe(4);
    await app.keys(['G']);
    const bottom = await app.waitFor(/10030\/10030/);
    // the last row arrives once its page is read, never the ten thousand before it
    await app.waitFor(/›.*(BULK|ORD)-/);
    expect(backend.rowsRead).toBeLessThanOrEqual(600);
    expect(bottom.split('\n').length).toBeLessThanOrEqual(24);
    await app.keys(['g']);
    await app.waitFor(/ 1\/10030/);
    app.unmount();
  });

  test('f filters by status (a legacy name included), priority and text; F clears', async () => {
    const app = await renderBackend(sessionBackend(await sessionAs(db, 'cora')), orders);
    await app.waitFor(/1\/10030/);
    await app.keys(['f'], 'Filter orders');
    // status: type r until "reviewed" (a legacy status) is chosen
    for (let i = 0; i < 4 && !/status:.*reviewed/.test(app.text()); i++) await app.keys(['r']);
    expect(app.text()).toMatch(/status:.*reviewed/);
    await app.keys(['tab', 'right']);
    expect(app.text()).toMatch(/priority:.*high/);
    await app.keys(['tab', 'tab', 'tab']);
    await app.type('AML');
    await app.keys(['enter'], /filter: status reviewed · priority high · text "AML"/);
    const frame = await app.waitFor(/\[review \d+\]/);
    // the legacy filter finds both the rows stored as reviewed and those in review
    expect(frame).toMatch(/◑ review \(reviewed\)|◑ review /);
    const shown = lines(frame).filter((l) => /BULK-\d{5}/.test(l));
    expect(shown.length).toBeGreaterThan(0);
    for (const l of shown) expect(l).toMatch(/▲ high/);
    await app.keys(['F'], 'filter: none');
    app.unmount();
  });

  test('s cycles the sort column; :sort and :status set them by name', async () => {
    const app = await renderBackend(sessionBackend(await sessionAs(db, 'cora')), orders);
    await app.waitFor(/1\/10030/);
    await app.keys(['s'], 'sort: updated ↓');
    await app.keys(['s'], 'sort: priority ↓');
    await app.waitFor(/›.*▲ high/);
    await app.keys([':']);
    await app.type('sort display_id asc');
    await app.keys(['enter'], 'sort: display_id ↑');
    await app.waitFor(/›.*BULK-00001/);
    await app.keys([':']);
    await app.type('status sign_');
    await app.keys(['tab']);
    expect(app.text()).toContain(':status sign_off');
    await app.keys(['enter'], 'filter: status sign_off');
    await app.waitFor(/\[sign_off \d+\]/);
    await app.keys([':']);
    await app.type('status nonsense');
    await app.keys(['enter'], /Unknown status "nonsense"/);
    await app.keys(['esc']);
    app.unmount();
  });

  test('/ finds the next matching order across pages that are not loaded; n/N go on', async () => {
    const backend = sessionBackend(await sessionAs(db, 'cora'));
    const app = await renderBackend(backend, orders);
    await app.waitFor(/1\/10030/);
    await app.keys(['/']);
    await app.type('BULK-05000');
    await app.keys(['enter']);
    await app.waitFor(/›.*BULK-05000/);
    const query = { sort: 'created' as const, descending: true };
    const found = await findOrderRow(backend, query, BULK + 30, 0, 1, 'BULK-0500', true);
    expect(found?.wrapped).toBe(false);
    const back = await findOrderRow(backend, query, BULK + 30, 0, -1, 'ORD-2026-0001', false);
    expect(back?.wrapped).toBe(true);
    await app.keys(['N']);
    await app.waitFor('Search wrapped around');
    app.unmount();
  });

  test('Enter opens the order under the cursor; Esc returns to the same row', async () => {
    const app = await renderBackend(sessionBackend(await sessionAs(db, 'cora')), orders);
    await app.waitFor(/1\/10030/);
    await app.waitFor(/›.*(BULK|ORD)-/);
    await app.keys(['j', 'j']);
    const row = cursorLine(app.text());
    const id = /(BULK-\d{5}|ORD-2026-\d{4})/.exec(row)?.[1] ?? '';
    await app.keys(['enter'], `› ${id}`);
    await app.keys(['esc'], /3\/10030/);
    expect(cursorLine(app.text())).toContain(id);
    app.unmount();
  });
});
