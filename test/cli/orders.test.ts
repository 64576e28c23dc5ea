import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliFixture, jsonOf, type CliFixture, type CliHome } from '../helpers/cli.ts';

// curio orders …: what a user sees in text and in --json, and the refusals of the rules

interface OrderJson {
  id: string;
  display_id: string;
  slug: string;
  status: string;
  workflow: string;
  mode: string;
  priority: string;
  accession: string | null;
  external_id: string | null;
  description: string | null;
  clinical_indication: string | null;
  ordering_provider: string | null;
  ordering_facility: string | null;
  tags: string[];
  version: number;
  created_at: string;
  updated_at: string;
  stages: { stage_code: string; state: string; assignee_name: string | null }[];
  samples: { display_id: string; role: string; sample_type: string }[];
}

interface ListItem {
  display_id: string;
  status: string;
  priority: string;
  tags: string[];
  assignee: string | null;
  stage_state: string | null;
}

let fx: CliFixture;
beforeAll(async () => {
  fx = await createCliFixture();
});
afterAll(() => fx?.cleanup());

describe('curio orders create / get / list', () => {
  let h: CliHome;
  beforeAll(async () => {
    h = fx.fresh('editor');
    // three orders with different priorities and tags
    expect((await h.run('orders', 'create', '-n', 'ORD-2026-0001', '--priority', 'high', '-t', 'urgent', '-t', 'trio')).code).toBe(0);
    expect((await h.run('orders', 'create', '-n', 'ORD-2026-0002', '--priority', 'low', '--mode', 'somatic')).code).toBe(0);
    h.as('admin');
    expect((await h.run('orders', 'create', '-n', 'ORD-2026-0003', '-t', 'trio')).code).toBe(0);
  });

  it('creates an order with every field and prints it as text', async () => {
    h.as('editor');
    const r = await h.run(
      'orders', 'create', '-n', 'ORD 2026.0042', '--accession', 'ACC-42', '--external-id', 'EXT-9', '--description', 'family trio',
      '--mode', 'hereditary', '--priority', 'medium', '--indication', 'epilepsy', '--provider', 'Dr Who', '--facility', 'St Mary', '-t', 'neuro',
      '--workflow', 'clinical',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('created ORD 2026.0042 (created, medium, version 1)');
    const shown = await h.run('orders', 'get', 'ORD 2026.0042');
    expect(shown.code).toBe(0);
    for (const line of ['display_id:', 'ORD 2026.0042', 'clinical_indication: epilepsy', 'ordering_provider:   Dr Who', 'ordering_facility:   St Mary', 'slug:                ord-2026-0042', 'tags:                neuro'])
      expect(shown.stdout).toContain(line);
    // the creator is assigned the first stage
    expect(shown.stdout).toMatch(/› created\s+pending\s+editor/);
  });

  it('answers create and get in --json with the data model fields', async () => {
    h.as('editor');
    const created = await h.json<OrderJson>('orders', 'create', '-n', 'ORD-2026-0050', '--indication', 'cardiomyopathy', '--external-id', 'E-50', '-t', 'cardio');
    expect(created).toMatchObject({
      display_id: 'ORD-2026-0050',
      slug: 'ord-2026-0050',
      status: 'created',
      workflow: 'clinical',
      mode: 'hereditary',
      priority: 'medium',
      clinical_indication: 'cardiomyopathy',
      external_id: 'E-50',
      tags: ['cardio'],
      version: 1,
    });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.stages.map((s) => s.stage_code)).toEqual(['created', 'analyzing', 'review', 'sign_off', 'completed', 'cancelled']);
    expect(created.stages[0]).toMatchObject({ state: 'pending', assignee_name: 'editor' });
    // by display id, by uuid and by slug: the same order
    const byId = await h.json<OrderJson>('orders', 'get', created.id);
    const bySlug = await h.json<OrderJson>('orders', 'get', 'ord-2026-0050');
    expect(byId.display_id).toBe('ORD-2026-0050');
    expect(bySlug.id).toBe(created.id);
    expect(Object.keys(byId)).toEqual(expect.arrayContaining(['created_at', 'updated_at', 'ordering_provider', 'ordering_facility', 'accession', 'description', 'samples']));
  });

  it('lists orders newest first as a table and as JSON', async () => {
    h.as('viewer');
    const r = await h.run('orders', 'list');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^DISPLAY_ID\s+STATUS\s+STAGE\s+PRIORITY\s+ASSIGNEE\s+MODE\s+CREATED$/);
    expect(lines.findIndex((l) => l.startsWith('ORD-2026-0003'))).toBeLessThan(lines.findIndex((l) => l.startsWith('ORD-2026-0001')));
    const rows = await h.json<ListItem[]>('orders', 'list');
    const first = rows.find((o) => o.display_id === 'ORD-2026-0001');
    expect(first).toMatchObject({ status: 'created', priority: 'high', tags: ['urgent', 'trio'], assignee: 'editor', stage_state: 'pending' });
  });

  it('filters by status, priority, assignee and tag', async () => {
    h.as('editor');
    const ids = (rows: ListItem[]) => rows.map((o) => o.display_id).sort();
    expect(ids(await h.json<ListItem[]>('orders', 'list', '--priority', 'high'))).toEqual(['ORD-2026-0001']);
    expect(ids(await h.json<ListItem[]>('orders', 'list', '--tag', 'trio'))).toEqual(['ORD-2026-0001', 'ORD-2026-0003']);
    expect(ids(await h.json<ListItem[]>('orders', 'list', '--assignee', 'admin'))).toEqual(['ORD-2026-0003']);
    const mine = ids(await h.json<ListItem[]>('orders', 'list', '--assignee', 'me'));
    expect(mine).toContain('ORD-2026-0001');
    expect(mine).not.toContain('ORD-2026-0003');
    expect(ids(await h.json<ListItem[]>('orders', 'list', '--status', 'created', '--priority', 'low'))).toEqual(['ORD-2026-0002']);
    const none = await h.run('orders', 'list', '--tag', 'no-such-tag');
    expect(none).toMatchObject({ code: 0, stdout: 'no orders match\n' });
  });

  it('finds a legacy alias status through its canonical name when filtering', async () => {
    h.as('admin');
    // an old record still carries "reviewed"
    await h.withStore((db) => db.query(`UPDATE orders SET status = 'reviewed' WHERE display_id = 'ORD-2026-0002'`));
    const rows = await h.json<ListItem[]>('orders', 'list', '--status', 'review');
    expect(rows.map((o) => o.display_id)).toEqual(['ORD-2026-0002']);
    expect((await h.json<ListItem[]>('orders', 'list', '--status', 'reviewed')).map((o) => o.display_id)).toEqual(['ORD-2026-0002']);
  });

  it('refuses a viewer creating an order and a duplicate display id', async () => {
    h.as('viewer');
    const denied = await h.run('orders', 'create', '-n', 'ORD-X');
    expect(denied.code).toBe(3);
    expect(denied.stderr).toMatch(/^Permission denied: creating an order requires project_editor/);
    h.as('editor');
    const dup = await h.run('orders', 'create', '-n', 'ORD-2026-0001');
    expect(dup.code).toBe(3);
    expect(dup.stderr).toMatch(/^Conflict: display id ORD-2026-0001 .*is already used in this project/);
    const json = await h.run('orders', 'create', '-n', 'ORD-2026-0001', '--json');
    expect(json.code).toBe(3);
    expect(jsonOf(json)).toMatchObject({ error: { code: 'conflict' } });
  });
});

describe('curio orders update / transition / history', () => {
  let h: CliHome;
  beforeAll(async () => {
    h = fx.fresh('editor');
    for (const n of ['T-1', 'T-2', 'T-3']) expect((await h.run('orders', 'create', '-n', n)).code).toBe(0);
  });

  it('updates fields and bumps the version', async () => {
    h.as('editor');
    const r = await h.run('orders', 'update', 'T-1', '--priority', 'high', '--indication', 'seizures', '--provider', 'Dr Q', '-t', 'x');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('updated T-1 (created, high, version 2)');
    const o = await h.json<OrderJson>('orders', 'update', 'T-1', '--description', 'second look');
    expect(o).toMatchObject({ priority: 'high', clinical_indication: 'seizures', ordering_provider: 'Dr Q', description: 'second look', tags: ['x'], version: 3 });
  });

  it('refuses an update by an editor not assigned to the current stage', async () => {
    h.as('editor2');
    const r = await h.run('orders', 'update', 'T-1', '--priority', 'low');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^Permission denied: editing an order requires being assigned to stage created \(someone else is assigned\)/);
  });

  it('walks created → analyzing → review → sign_off and refuses sign_off → completed pointing to report signing', async () => {
    h.as('editor');
    const t1 = await h.run('orders', 'transition', 'T-1', 'analyzing');
    expect(t1).toMatchObject({ code: 0, stdout: 'T-1: created → analyzing\n' });
    // nobody is assigned to analyzing yet
    const unassigned = await h.run('orders', 'transition', 'T-1', 'review');
    expect(unassigned.code).toBe(3);
    expect(unassigned.stderr).toMatch(/^Permission denied: .*nobody is assigned/);
    expect((await h.run('stages', 'assign', 'T-1', '--self')).code).toBe(0);
    expect((await h.run('orders', 'transition', 'T-1', 'review')).code).toBe(0);
    expect((await h.run('stages', 'assign', 'T-1', '--self')).code).toBe(0);
    const signOff = await h.json<OrderJson>('orders', 'transition', 'T-1', 'sign_off');
    expect(signOff.status).toBe('sign_off');
    h.as('admin');
    const done = await h.run('orders', 'transition', 'T-1', 'completed');
    expect(done.code).toBe(3);
    expect(done.stderr).toMatch(/^Invalid transition: sign_off → completed/);
    expect(done.stderr).toMatch(/approving and signing its report/);
    const json = await h.run('orders', 'transition', 'T-1', 'completed', '--json');
    expect(jsonOf(json)).toMatchObject({ error: { code: 'invalid_transition', message: expect.stringMatching(/^Invalid transition: sign_off → completed/) } });
  });

  it('refuses moves the state machine does not allow, naming from → to', async () => {
    h.as('admin');
    const skip = await h.run('orders', 'transition', 'T-2', 'review');
    expect(skip.code).toBe(3);
    expect(skip.stderr).toBe('Invalid transition: created → review (allowed from created: analyzing, cancelled)\n');
    const legacy = await h.run('orders', 'transition', 'T-2', 'reviewed');
    expect(legacy.code).toBe(3);
    expect(legacy.stderr).toMatch(/^Invalid transition: created → reviewed/);
    const bogus = await h.run('orders', 'transition', 'T-2', 'bogus');
    expect(bogus.code).toBe(3);
    expect(bogus.stderr).toMatch(/^Invalid transition: created → bogus/);
  });

  it('cancels only as project_admin; a cancelled order is terminal and read-only', async () => {
    h.as('editor');
    const denied = await h.run('orders', 'transition', 'T-2', 'cancelled');
    expect(denied.code).toBe(3);
    expect(denied.stderr).toMatch(/^Permission denied: cancelling an order requires project_admin \(you are project_editor\)/);
    h.as('admin');
    const cancelled = await h.run('orders', 'transition', 'T-2', 'cancelled', '--reason', 'duplicate request');
    expect(cancelled).toMatchObject({ code: 0, stdout: 'T-2: created → cancelled\n' });
    const again = await h.run('orders', 'transition', 'T-2', 'analyzing');
    expect(again.code).toBe(3);
    expect(again.stderr).toBe('Invalid transition: cancelled → analyzing (cancelled is terminal)\n');
    const edit = await h.run('orders', 'update', 'T-2', '--priority', 'high');
    expect(edit.code).toBe(3);
    expect(edit.stderr).toMatch(/^Conflict: order T-2 is cancelled/);
  });

  it('shows history oldest first, transitions and audit entries together', async () => {
    h.as('viewer');
    const entries = await h.json<{ kind: string; at: string; by: string; action?: string; reason?: string | null; record?: { from_stage: string | null; to_stage: string; to_state: string } }[]>(
      'orders', 'history', 'T-2',
    );
    expect(entries.map((e) => e.at)).toEqual([...entries.map((e) => e.at)].sort());
    expect(entries[0]).toMatchObject({ kind: 'audit', action: 'order.create', by: 'editor' });
    expect(entries.find((e) => e.action === 'order.transition')).toMatchObject({ by: 'admin', reason: 'duplicate request' });
    expect(entries.filter((e) => e.kind === 'transition').map((e) => `${e.record!.to_stage}:${e.record!.to_state}`)).toEqual([
      'created:pending',
      'created:skipped',
      'cancelled:completed',
    ]);
    const text = await h.run('orders', 'history', 'T-2');
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+BY\s+KIND\s+WHAT$/);
    expect(lines[1]).toMatch(/editor\s+audit\s+order\.create$/);
    expect(text.stdout).toMatch(/admin\s+audit\s+order\.transition \(duplicate request\)/);
  });

  it('deletes with --yes, asks on a terminal and refuses without either', async () => {
    h.as('admin');
    const noTty = await h.run('orders', 'delete', 'T-3');
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toMatch(/needs confirmation: pass --yes/);
    const declined = await h.runWith({ tty: true, stdin: 'n\n' }, 'orders', 'delete', 'T-3');
    expect(declined.stderr).toMatch(/Delete order T-3 \(created\)\? .*\[y\/N\]/);
    expect(declined.stderr).toContain('not deleted');
    expect(declined.code).not.toBe(0);
    const confirmed = await h.runWith({ tty: true, stdin: 'y\n' }, 'orders', 'delete', 'T-3');
    expect(confirmed).toMatchObject({ code: 0, stdout: 'deleted T-3\n' });
    const gone = await h.run('orders', 'get', 'T-3');
    expect(gone).toMatchObject({ code: 4, stderr: 'Not found: order T-3\n' });
  });

  it('refuses deleting as an editor and deleting an order with a signed report', async () => {
    h.as('editor');
    expect((await h.run('orders', 'create', '-n', 'T-4')).code).toBe(0);
    const denied = await h.run('orders', 'delete', 'T-4', '--yes');
    expect(denied.code).toBe(3);
    expect(denied.stderr).toMatch(/^Permission denied: deleting an order requires project_admin/);
    // a signed report, as approve-and-sign leaves it
    await h.withStore(async (db) => {
      const order = (await db.query<{ id: string; created_by: string }>(`SELECT id, created_by FROM orders WHERE display_id = 'T-4'`))[0]!;
      await db.query(
        `INSERT INTO reports (id, order_id, version, status, created_by, created_at, updated_at, row_version) VALUES ($1, $2, 1, 'signed', $3, now(), now(), 1)`,
        [randomUUID(), order.id, order.created_by],
      );
    });
    h.as('admin');
    const signed = await h.run('orders', 'delete', 'T-4', '--yes', '--json');
    expect(signed.code).toBe(3);
    expect(jsonOf(signed)).toMatchObject({ error: { code: 'conflict', message: expect.stringContaining('signed report') } });
    const deleted = await h.json<{ deleted: string }>('orders', 'delete', 'T-1', '--yes');
    expect(deleted).toEqual({ deleted: 'T-1' });
  });
});
