import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SqlDatabase } from '../../src/db/index.ts';
import { cursorLine, demoDb, lines, renderApp, sessionAs, type App } from './helpers.tsx';

let db: SqlDatabase;
beforeAll(async () => {
  db = await demoDb();
});
afterAll(async () => {
  await db?.close();
});

const rowsOf = (frame: string) => lines(frame).filter((l) => /ORD-2026-\d{4}/.test(l)).map((l) => l.replace(/ \d+[smhd] /, ' ~ '));

/** moves the cursor to the row of `id`, from the top */
async function moveTo(app: App, id: string): Promise<void> {
  await app.keys(['g']);
  for (let i = 0; i < 40 && !cursorLine(app.text()).includes(id); i++) await app.keys(['j']);
  expect(cursorLine(app.text())).toContain(id);
}

describe('Queue (the start screen)', () => {
  test("cora's stages first, then unassigned stages she may pick up, newest first within priority", async () => {
    const app = await renderApp(await sessionAs(db, 'cora'));
    const frame = await app.waitFor(/\d+ assigned to you/);
    const summary = /(\d+) assigned to you · (\d+) you may pick up/.exec(frame);
    expect(summary).not.toBeNull();
    const mine = Number(summary?.[1]);
    expect(mine).toBeGreaterThan(0);
    expect(Number(summary?.[2])).toBeGreaterThan(0);
    // 80×24: a frame of 23 lines at most, none wider than the terminal
    const shown = lines(frame.replace(/\n$/, ''));
    expect(shown.length).toBeLessThanOrEqual(23);
    expect(Math.max(...shown.map((l) => [...l].length))).toBeLessThanOrEqual(80);
    expect(frame).toContain('cora │ demo-lab │ project_editor');
    expect(frame).toContain('local store');
    expect(cursorLine(frame)).toMatch(/ORD-2026-/);
    app.unmount();
  });

  test('j/k and arrows move, g/G jump, Enter opens the order and Esc comes back to the same row', async () => {
    const app = await renderApp(await sessionAs(db, 'cora'));
    await app.waitFor(/assigned to you/);
    const first = cursorLine(app.text());
    await app.keys(['j']);
    const second = cursorLine(app.text());
    expect(second).not.toBe(first);
    await app.keys(['down', 'k']);
    expect(cursorLine(app.text())).toBe(second);
    await app.keys(['up']);
    expect(cursorLine(app.text())).toBe(first);
    await app.keys(['G']);
    const rows = rowsOf(app.text());
    expect(cursorLine(app.text())).toBe(rows[rows.length - 1]);
    await app.keys(['g']);
    expect(cursorLine(app.text())).toBe(first);
    await app.keys(['j']);
    const id = /ORD-2026-\d{4}/.exec(cursorLine(app.text()))?.[0] ?? '';
    const detail = await app.keys(['enter'], '▸Labflow');
    expect(detail).toContain(`› ${id}`);
    const back = await app.keys(['esc'], /assigned to you/);
    expect(cursorLine(back)).toContain(id);
    app.unmount();
  });

  test('a self-assigns an unassigned stage; w starts it, then completes it and the order moves on', async () => {
    const app = await renderApp(await sessionAs(db, 'cora'));
    await app.waitFor(/assigned to you/);
    // the first row that is not cora's yet
    const target = rowsOf(app.text()).find((l) => l.includes('· unassigned'));
    expect(target, app.text()).toBeDefined();
    const id = /ORD-2026-\d{4}/.exec(target ?? '')?.[0] ?? '';
    const stage = /(analyzing|review|sign_off|created)/.exec(target ?? '')?.[1] ?? '';
    await moveTo(app, id);
    await app.keys(['a'], `${id}: Assign ${stage} to me`);
    // assigned stages sort first: the row is now one of cora's, pending
    const assigned = await app.waitFor(new RegExp(`${id}.*○ pending`));
    expect(rowsOf(assigned).find((l) => l.includes(id))).toMatch(/○ pending/);
    await moveTo(app, id);
    await app.keys(['w'], `${id}: Start ${stage}`);
    await app.waitFor(new RegExp(`${id}.*▶ in_progress`));
    await app.keys(['w'], `${id}: Complete ${stage}`);
    // the next stage is nobody's: the order leaves cora's part of the queue
    const after = await app.waitFor(new RegExp(`${id}.*· unassigned|✓ ${id}: Complete`));
    expect(after).toContain(`✓ ${id}: Complete ${stage}`);
    app.unmount();
  });

  test("the rules' refusal is shown instead of submitting: a viewer cannot take stages", async () => {
    const app = await renderApp(await sessionAs(db, 'vik'));
    const frame = await app.waitFor(/assigned to you|Nothing to pick up/);
    expect(frame).toContain('Nothing to pick up: your role cannot take stages');
    app.unmount();
  });

  test('Space marks rows and a assigns every marked stage at once; / searches and n finds the next', async () => {
    const app = await renderApp(await sessionAs(db, 'eli'));
    await app.waitFor(/assigned to you/);
    const open = rowsOf(app.text()).filter((l) => l.includes('· unassigned'));
    expect(open.length).toBeGreaterThanOrEqual(2);
    // to the first unassigned row, then mark two
    for (let i = 0; i < 40 && !cursorLine(app.text()).includes('· unassigned'); i++) await app.keys(['j']);
    await app.keys(['space', 'space']);
    expect(app.text()).toContain('2 marked');
    await app.keys(['a'], /assign: 2 of 2 done/);
    expect(app.text()).not.toContain('marked');

    await app.keys(['/']);
    expect(app.text()).toMatch(/^\/\s+search, Enter jumps/m);
    await app.type('ORD-2026-00');
    await app.keys(['enter']);
    const firstHit = cursorLine(app.text());
    expect(firstHit).toMatch(/ORD-2026-00/);
    await app.keys(['n']);
    expect(cursorLine(app.text())).not.toBe(firstHit);
    await app.keys(['/']);
    await app.type('no such order');
    await app.keys(['enter'], 'Not found: no such order');
    app.unmount();
  });
});
