import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliFixture, type CliFixture, type CliHome } from '../helpers/cli.ts';

// the sequencing-facility workflow: DRAFT → SUBMITTED → COMPLETED, status notes, department sharing

let fx: CliFixture;
beforeAll(async () => {
  fx = await createCliFixture();
});
afterAll(() => fx?.cleanup());

interface NoteJson {
  kind: string;
  from_status: string | null;
  to_status: string | null;
  text: string | null;
  author_name: string | null;
  created_at: string;
}

interface FacilityOrder {
  display_id: string;
  status: string;
  workflow: string;
  description: string | null;
  admin_notes: string | null;
  department_id: string | null;
  notes: NoteJson[];
}

describe('facility workflow: DRAFT → SUBMITTED → COMPLETED', () => {
  let h: CliHome;
  beforeAll(async () => {
    h = fx.fresh('researcher');
    expect((await h.run('samples', 'create', '-n', 'LIB-1')).code).toBe(0);
    expect((await h.run('samples', 'create', '-n', 'LIB-2')).code).toBe(0);
  });

  it('creates a draft visible to its creator and facility admins only', async () => {
    h.as('researcher');
    const created = await h.json<FacilityOrder>('orders', 'create', '-n', 'SEQ-1', '--workflow', 'facility', '--description', 'WGS 30x');
    expect(created).toMatchObject({ display_id: 'SEQ-1', status: 'draft', workflow: 'facility', department_id: 'genomics', notes: [] });
    expect((await h.run('orders', 'add-sample', 'SEQ-1', 'LIB-1')).code).toBe(0);
    h.as('facility-admin');
    expect((await h.json<FacilityOrder>('orders', 'get', 'SEQ-1')).status).toBe('draft');
    for (const user of ['researcher2', 'editor'] as const) {
      h.as(user);
      expect(await h.run('orders', 'get', 'SEQ-1')).toMatchObject({ code: 4, stderr: 'Not found: order SEQ-1\n' });
      expect((await h.json<{ display_id: string }[]>('orders', 'list')).map((o) => o.display_id)).not.toContain('SEQ-1');
    }
  });

  it('records SAMPLES_SENT once, only after submission, and lists notes newest first', async () => {
    h.as('researcher');
    const early = await h.run('orders', 'samples-sent', 'SEQ-1');
    expect(early.code).toBe(3);
    expect(early.stderr).toBe('Invalid transition: samples can be recorded as sent only after submission\n');
    expect(await h.run('orders', 'notes', 'SEQ-1')).toMatchObject({ code: 0, stdout: 'order SEQ-1 has no status notes\n' });
    const submitted = await h.run('orders', 'transition', 'SEQ-1', 'submitted');
    expect(submitted).toMatchObject({ code: 0, stdout: 'SEQ-1: draft → submitted\n' });
    const sent = await h.run('orders', 'samples-sent', 'SEQ-1', '--note', 'two tubes by courier');
    expect(sent).toMatchObject({ code: 0, stdout: 'recorded SAMPLES_SENT on SEQ-1\n' });
    const twice = await h.run('orders', 'samples-sent', 'SEQ-1');
    expect(twice.code).toBe(3);
    expect(twice.stderr).toBe('Conflict: SAMPLES_SENT is already recorded for this order\n');
    const completeDenied = await h.run('orders', 'transition', 'SEQ-1', 'completed');
    expect(completeDenied.code).toBe(3);
    expect(completeDenied.stderr).toBe('Permission denied: completing a facility order requires facility_admin\n');
    h.as('facility-admin');
    expect((await h.run('orders', 'transition', 'SEQ-1', 'completed')).code).toBe(0);
    const notes = await h.json<NoteJson[]>('orders', 'notes', 'SEQ-1');
    expect(notes.map((n) => [n.kind, n.from_status, n.to_status, n.text, n.author_name])).toEqual([
      ['STATUS_CHANGE', 'submitted', 'completed', null, 'facility-admin'],
      ['SAMPLES_SENT', null, null, 'two tubes by courier', 'researcher'],
      ['STATUS_CHANGE', 'draft', 'submitted', null, 'researcher'],
    ]);
    expect(notes.map((n) => n.created_at)).toEqual([...notes.map((n) => n.created_at)].sort().reverse());
    const text = await h.run('orders', 'notes', 'SEQ-1');
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+KIND\s+CHANGE\s+BY\s+TEXT$/);
    expect(lines[1]).toMatch(/STATUS_CHANGE\s+submitted → completed\s+facility-admin/);
    expect(lines[2]).toMatch(/SAMPLES_SENT\s+-\s+researcher\s+two tubes by courier/);
    expect(lines[3]).toMatch(/STATUS_CHANGE\s+draft → submitted\s+researcher/);
    // the order view carries the notes too
    expect((await h.json<FacilityOrder>('orders', 'get', 'SEQ-1')).notes).toHaveLength(3);
  });

  it('refuses moves outside DRAFT → SUBMITTED → COMPLETED and samples-sent on clinical orders', async () => {
    h.as('facility-admin');
    expect((await h.run('orders', 'create', '-n', 'SEQ-9', '--workflow', 'facility')).code).toBe(0);
    const jump = await h.run('orders', 'transition', 'SEQ-9', 'completed');
    expect(jump).toMatchObject({ code: 3, stderr: 'Invalid transition: draft → completed\n' });
    const back = await h.run('orders', 'transition', 'SEQ-1', 'submitted');
    expect(back).toMatchObject({ code: 3, stderr: 'Invalid transition: completed → submitted\n' });
    const clinicalStatus = await h.run('orders', 'transition', 'SEQ-9', 'analyzing');
    expect(clinicalStatus.code).toBe(3);
    expect(clinicalStatus.stderr).toMatch(/^Invalid transition: draft → analyzing/);
    h.as('admin');
    expect((await h.run('orders', 'create', '-n', 'CLIN-1')).code).toBe(0);
    const clinical = await h.run('orders', 'samples-sent', 'CLIN-1');
    expect(clinical.code).toBe(2);
    expect(clinical.stderr).toMatch(/samples-sent notes belong to facility orders/);
  });

  it('keeps sample data read-only once submitted; admin notes are for facility admins', async () => {
    h.as('researcher');
    expect((await h.run('orders', 'create', '-n', 'SEQ-2', '--workflow', 'facility')).code).toBe(0);
    expect((await h.run('orders', 'transition', 'SEQ-2', 'submitted')).code).toBe(0);
    const meta = await h.json<FacilityOrder>('orders', 'update', 'SEQ-2', '--description', 'RNA-seq');
    expect(meta.description).toBe('RNA-seq');
    expect(await h.json('orders', 'samples-sent', 'SEQ-2')).toEqual({ order: 'SEQ-2', kind: 'SAMPLES_SENT' });
    const sample = await h.run('orders', 'add-sample', 'SEQ-2', 'LIB-2');
    expect(sample.code).toBe(3);
    expect(sample.stderr).toBe('Conflict: sample data is read-only once the order is submitted\n');
    const notes = await h.run('orders', 'update', 'SEQ-2', '--admin-notes', 'rush please');
    expect(notes.code).toBe(3);
    expect(notes.stderr).toMatch(/^Permission denied: admin notes are edited by a facility_admin/);
    h.as('facility-admin');
    expect((await h.json<FacilityOrder>('orders', 'update', 'SEQ-2', '--admin-notes', 'QC passed')).admin_notes).toBe('QC passed');
    expect((await h.run('orders', 'transition', 'SEQ-2', 'completed')).code).toBe(0);
    h.as('researcher');
    const done = await h.run('orders', 'update', 'SEQ-2', '--description', 'too late');
    expect(done).toMatchObject({ code: 3, stderr: 'Conflict: a completed order is read-only for researchers\n' });
    h.as('facility-admin');
    expect((await h.json<FacilityOrder>('orders', 'update', 'SEQ-2', '--description', 'archived')).description).toBe('archived');
  });

  it('deletes drafts; submitted orders only by a facility admin with allow-delete-submitted on', async () => {
    h.as('researcher');
    expect((await h.run('orders', 'create', '-n', 'SEQ-3', '--workflow', 'facility')).code).toBe(0);
    expect((await h.run('orders', 'create', '-n', 'SEQ-4', '--workflow', 'facility')).code).toBe(0);
    expect(await h.run('orders', 'delete', 'SEQ-3', '--yes')).toMatchObject({ code: 0, stdout: 'deleted SEQ-3\n' });
    expect((await h.run('orders', 'transition', 'SEQ-4', 'submitted')).code).toBe(0);
    const own = await h.run('orders', 'delete', 'SEQ-4', '--yes');
    expect(own).toMatchObject({ code: 3, stderr: 'Permission denied: deleting a submitted order requires facility_admin\n' });
    h.as('facility-admin');
    const off = await h.run('orders', 'delete', 'SEQ-4', '--yes');
    expect(off.code).toBe(3);
    expect(off.stderr).toBe('Conflict: deletion of submitted orders is off (admin settings allow-delete-submitted)\n');
    expect((await h.run('admin', 'settings', 'set', 'allow-delete-submitted', 'on')).code).toBe(0);
    expect(await h.run('orders', 'delete', 'SEQ-4', '--yes')).toMatchObject({ code: 0, stdout: 'deleted SEQ-4\n' });
    const completed = await h.run('orders', 'delete', 'SEQ-1', '--yes');
    expect(completed).toMatchObject({ code: 3, stderr: 'Conflict: a completed order cannot be deleted\n' });
    expect((await h.run('admin', 'settings', 'set', 'allow-delete-submitted', 'off')).code).toBe(0);
  });
});

describe('department sharing', () => {
  let h: CliHome;
  beforeAll(async () => {
    h = fx.fresh('researcher');
    expect((await h.run('orders', 'create', '-n', 'DEP-SUB', '--workflow', 'facility')).code).toBe(0);
    expect((await h.run('orders', 'transition', 'DEP-SUB', 'submitted')).code).toBe(0);
    expect((await h.run('orders', 'create', '-n', 'DEP-DRAFT', '--workflow', 'facility')).code).toBe(0);
  });

  const visible = async (user: 'researcher' | 'researcher2' | 'researcher3' | 'facility-admin') => {
    h.as(user);
    return (await h.json<{ display_id: string }[]>('orders', 'list', '--workflow', 'facility')).map((o) => o.display_id).sort();
  };

  it('is off by default: researchers see their own orders, facility admins all', async () => {
    expect(await visible('researcher')).toEqual(['DEP-DRAFT', 'DEP-SUB']);
    expect(await visible('researcher2')).toEqual([]);
    expect(await visible('facility-admin')).toEqual(['DEP-DRAFT', 'DEP-SUB']);
    h.as('researcher2');
    expect((await h.run('orders', 'get', 'DEP-SUB')).code).toBe(4);
  });

  it('when on, shows a department’s submitted orders to its researchers, read-only, never drafts', async () => {
    h.as('admin');
    expect((await h.run('admin', 'settings', 'set', 'department-sharing', 'on')).code).toBe(0);
    expect(await visible('researcher2')).toEqual(['DEP-SUB']);
    expect(await visible('researcher3')).toEqual([]);
    h.as('researcher2');
    expect((await h.json<FacilityOrder>('orders', 'get', 'DEP-SUB')).department_id).toBe('genomics');
    expect((await h.run('orders', 'get', 'DEP-DRAFT')).code).toBe(4);
    const edit = await h.run('orders', 'update', 'DEP-SUB', '--description', 'mine now');
    expect(edit.code).toBe(3);
    expect(edit.stderr).toBe('Permission denied: only the creator or a facility_admin may edit this order\n');
    h.as('researcher3');
    expect((await h.run('orders', 'get', 'DEP-SUB')).code).toBe(4);
    h.as('admin');
    expect((await h.run('admin', 'settings', 'set', 'department-sharing', 'off')).code).toBe(0);
    expect(await visible('researcher2')).toEqual([]);
  });
});
