import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findOrder, listProjects, type SqlDatabase } from '../../src/db/index.ts';
import { cursorLine, demoDb, lines, renderApp, sessionAs } from './helpers.tsx';

let db: SqlDatabase;
let projectId: string;
beforeAll(async () => {
  db = await demoDb();
  projectId = (await listProjects(db))[0]!.id;
});
afterAll(async () => {
  await db?.close();
});

async function orderIn(status: string, where = ''): Promise<{ id: string; displayId: string }> {
  const r = (await db.query<{ id: string; display_id: string }>(
    `SELECT o.id, o.display_id FROM orders o LEFT JOIN order_stages s ON s.order_id = o.id AND s.stage_code = o.status WHERE o.status = $1 ${where} ORDER BY o.display_id LIMIT 1`,
    [status],
  ))[0];
  if (!r) throw new Error(`no order in ${status} ${where}`);
  return { id: String(r.id), displayId: r.display_id };
}

describe('Order detail', () => {
  test('the labflow pane: every stage with state, assignee and capability flags; actions with the reason when refused', async () => {
    const order = await orderIn('review', `AND s.assignee_id = (SELECT id FROM users WHERE name = 'cora') AND s.state = 'pending'`);
    const app = await renderApp(await sessionAs(db, 'cora'), { initial: { kind: 'detail', orderId: order.id } });
    // the cursor is placed on the first action once the order is read
    const frame = await app.waitFor(/Stages · Clinical review v1[\s\S]*^› +a +Assign/m);
    expect(frame).toContain(`${order.displayId}  ◑ review`);
    expect(frame).toMatch(/▸ review +○ pending +cora +browser:view\+edit report:view\+edit/);
    expect(frame).toMatch(/analyzing +✓ completed/);
    expect(frame).toMatch(/sign_off +· unassigned +— +browser:— report:view/);
    expect(frame).toMatch(/w +Start review +✓/);
    // the reason of the action under the cursor is shown whole
    expect(cursorLine(frame)).toMatch(/a +Assign review to me +✗ Conflict/);
    expect(frame).toContain('✗ Conflict: cora is already assigned to stage review');
    // skipping and cancelling are project_admin's: listed, refused, in the rules' words
    const end = await app.keys(['G']);
    expect(end).toMatch(/K +Skip review +✗ Permission denied: skipping a stage/);
    expect(end).toMatch(/t +Cancel +✗ Permission denied: cancelling an order/);
    expect(end).toMatch(/› +D +Delete order +✗ Permission denied/);
    // under the pane, the reason of the action under the cursor, whole
    expect(end).toMatch(/✗ Permission denied: deleting an order requires project_admin \(you are\s+project_editor\)/);
    app.unmount();
  });

  test('Tab walks the panes: details with samples and roles, history and audit newest first', async () => {
    const order = await orderIn('analyzing');
    const app = await renderApp(await sessionAs(db, 'cora'), { initial: { kind: 'detail', orderId: order.id } });
    await app.waitFor('▸Labflow');
    const details = await app.keys(['tab'], '▸Details');
    expect(details).toMatch(/display_id +ORD-2026-/);
    expect(details).toMatch(/clinical_indication +\S/);
    await app.keys(['G']);
    expect(app.text()).toMatch(/Samples \(1\)/);
    expect(app.text()).toMatch(/SMP-\d{4} +(proband|tumour) +(germline|somatic|ffpe)/);
    const history = await app.keys(['tab'], '▸History');
    const entries = lines(history).filter((l) => /^ {3}\d{4}-\d\d-\d\d \d\d:\d\d/.test(l));
    expect(entries.length).toBeGreaterThan(2);
    const times = entries.map((l) => l.slice(3, 19));
    expect([...times].sort().reverse()).toEqual(times);
    expect(history).toContain('order.create');
    await app.keys(['shift-tab'], '▸Details');
    app.unmount();
  });

  test('facility orders show their status notes newest first', async () => {
    const order = await orderIn('completed', `AND o.workflow = 'facility'`);
    const app = await renderApp(await sessionAs(db, 'fran'), { initial: { kind: 'detail', orderId: order.id } });
    await app.waitFor('Facility workflow');
    const history = await app.keys(['tab', 'tab'], 'Status notes');
    const notes = lines(history).filter((l) => /STATUS_CHANGE|SAMPLES_SENT/.test(l));
    expect(notes.map((l) => /(STATUS_CHANGE \w+ → \w+|SAMPLES_SENT)/.exec(l)?.[1])).toEqual([
      'STATUS_CHANGE submitted → completed',
      'SAMPLES_SENT',
      'STATUS_CHANGE draft → submitted',
    ]);
    app.unmount();
  });

  test('t offers the transitions of the labflow; cancelling asks first and then moves the order (ada)', async () => {
    const order = await orderIn('created');
    const app = await renderApp(await sessionAs(db, 'ada'), { initial: { kind: 'detail', orderId: order.id } });
    await app.waitFor('▸Labflow');
    const chooser = await app.keys(['t'], `Move ${order.displayId} (created) to…`);
    expect(chooser).toMatch(/1 Start analysis +✓ → analyzing/);
    expect(chooser).toMatch(/2 Cancel +✓ → cancelled \(asks first\)/);
    const dialog = await app.keys(['2'], `Cancel: ${order.displayId}?`);
    expect(dialog).toContain('This cannot be undone.');
    // Enter alone never confirms: No is selected first
    await app.keys(['enter'], 'Nothing changed');
    expect((await findOrder(db, projectId, order.id))?.status).toBe('created');
    await app.keys(['t', '2'], 'This cannot be undone.');
    await app.keys(['y'], `✓ ${order.displayId}: Cancel`);
    await app.waitFor(`${order.displayId}  ✕ cancelled`);
    expect((await findOrder(db, projectId, order.id))?.status).toBe('cancelled');
    app.unmount();
  });

  test('as an editor not assigned, the transitions are listed but refused, and picking one says why', async () => {
    const order = await orderIn('review', 'AND s.assignee_id IS NULL');
    const app = await renderApp(await sessionAs(db, 'cora'), { initial: { kind: 'detail', orderId: order.id } });
    await app.waitFor('▸Labflow');
    const chooser = await app.keys(['t'], 'to…');
    expect(chooser).toMatch(/Send to sign-off +✗ Permission denied/);
    await app.keys(['1'], /assigned to stage review \(nobody is assigned\)/);
    await app.keys(['esc']);
    await app.keys([':']);
    await app.type('transition sign_off');
    await app.keys(['enter'], /✗ .*Permission denied: moving order/);
    app.unmount();
  });

  test('presence: the detail tells the others, and shows who else is looking', async () => {
    const { FakeSync, replicaSession } = await import('./helpers.tsx');
    const order = await orderIn('analyzing');
    const sync = new FakeSync();
    sync.others.set(order.id, ['eli']);
    const app = await renderApp(replicaSession(await sessionAs(db, 'cora'), sync), { initial: { kind: 'detail', orderId: order.id } });
    await app.waitFor('◉ also viewing: eli');
    expect(sync.viewing).toBe(order.id);
    app.unmount();
    expect(sync.viewing).toBeNull();
  });
});

describe('Create and edit forms', () => {
  test('c opens the form; inline validation; Enter on the last field creates and opens the order', async () => {
    const app = await renderApp(await sessionAs(db, 'cora'), { initial: { kind: 'orders' } });
    await app.waitFor(/Orders \d+/);
    await app.keys(['c'], 'New order');
    await app.type('bad id!');
    const invalid = await app.waitFor(/✗ must start with a letter or digit and use only letters/);
    expect(invalid).toMatch(/Display id: +bad id!/);
    for (let i = 0; i < 7; i++) await app.keys(['backspace']);
    await app.type('ORD-2026-0777');
    expect(app.text()).not.toContain('must start');
    await app.keys(['tab']);
    expect(app.text()).toMatch(/Workflow: +‹ clinical ›/);
    await app.keys(['tab', 'right'], /Priority: +‹ high ›/);
    // to the tags, with a bad tag first
    for (let i = 0; i < 8; i++) await app.keys(['tab']);
    const long = 'x'.repeat(41);
    await app.type(`ok, ${long}`);
    await app.waitFor(/✗ tag "x+" must be at most/);
    // Enter on the last field does not save a form with problems
    await app.keys(['enter'], /1 to fix/);
    expect(await findOrder(db, projectId, 'ORD-2026-0777')).toBeNull();
    for (let i = 0; i < long.length; i++) await app.keys(['backspace']);
    await app.type('urgent');
    await app.keys(['enter'], '✓ Created ORD-2026-0777');
    await app.waitFor('› ORD-2026-0777');
    const created = await findOrder(db, projectId, 'ORD-2026-0777');
    expect(created).toMatchObject({ priority: 'high', status: 'created', tags: ['ok', 'urgent'] });
    // e edits it: the change goes with the version read when editing began
    await app.keys(['e'], 'Edit ORD-2026-0777 (v1)');
    // no workflow field once created: display id, priority, mode
    for (let i = 0; i < 2; i++) await app.keys(['tab']);
    await app.keys(['right'], /Mode: +‹ somatic ›/);
    for (let i = 0; i < 7; i++) await app.keys(['tab']);
    await app.keys(['enter'], '✓ Saved ORD-2026-0777');
    expect((await findOrder(db, projectId, 'ORD-2026-0777'))?.mode).toBe('somatic');
    app.unmount();
  });

  test('a display id already taken is refused by the rules and shown under its field; Esc leaves', async () => {
    const app = await renderApp(await sessionAs(db, 'cora'), { initial: { kind: 'form', mode: 'create' } });
    await app.waitFor('New order');
    await app.type('ORD-2026-0001');
    for (let i = 0; i < 10; i++) await app.keys(['tab']);
    await app.keys(['enter'], /✗ Conflict: display id ORD-2026-0001 \(slug ord-2026-0001\) is already used/);
    await app.keys(['esc']);
    app.unmount();
  });
});
