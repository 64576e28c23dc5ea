import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliFixture, jsonOf, looksLikeCrash, type CliFixture, type CliHome } from '../helpers/cli.ts';

// curio stages …, curio labflows … and curio audit verify, including a tampered store

interface StagesJson {
  order: string;
  labflow: { id: string; version: number } | null;
  stages: {
    stage_code: string;
    state: string;
    assignee_name: string | null;
    current: boolean;
    capabilities: { browser_viewable: boolean; browser_editable: boolean; report_viewable: boolean; report_editable: boolean } | null;
  }[];
}

let fx: CliFixture;
beforeAll(async () => {
  fx = await createCliFixture();
});
afterAll(() => fx?.cleanup());

const stateOf = (s: StagesJson, code: string) => s.stages.find((x) => x.stage_code === code);

describe('curio stages', () => {
  let h: CliHome;
  beforeAll(async () => {
    h = fx.fresh('editor');
    for (const n of ['S-1', 'S-2', 'S-3']) expect((await h.run('orders', 'create', '-n', n)).code).toBe(0);
  });

  it('shows stages, states, assignees and the default capability flags', async () => {
    h.as('viewer');
    const text = await h.run('stages', 'S-1');
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toBe('S-1 on labflow system-clinical-v1 (version 1)');
    expect(lines[1]).toMatch(/STAGE\s+STATE\s+ASSIGNEE\s+CAPS/);
    expect(lines[2]).toMatch(/^›\s+created\s+pending\s+editor\s+- - - -$/);
    expect(lines[3]).toMatch(/^\s+analyzing\s+unassigned\s+-\s+bv - - -$/);
    expect(lines[4]).toMatch(/^\s+review\s+unassigned\s+-\s+bv be rv re$/);
    expect(lines[5]).toMatch(/^\s+sign_off\s+unassigned\s+-\s+- - rv -$/);
    const json = await h.json<StagesJson>('stages', 'S-1');
    expect(json.order).toBe('S-1');
    expect(json.labflow).toEqual({ id: 'system-clinical-v1', version: 1 });
    expect(stateOf(json, 'created')).toMatchObject({ state: 'pending', assignee_name: 'editor', current: true });
    const caps = Object.fromEntries(json.stages.map((s) => [s.stage_code, s.capabilities]));
    expect(caps.analyzing).toEqual({ browser_viewable: true, browser_editable: false, report_viewable: false, report_editable: false });
    expect(caps.review).toEqual({ browser_viewable: true, browser_editable: true, report_viewable: true, report_editable: true });
    expect(caps.sign_off).toEqual({ browser_viewable: false, browser_editable: false, report_viewable: true, report_editable: false });
    for (const end of ['completed', 'cancelled']) expect(Object.values(caps[end]!)).toEqual([false, false, false, false]);
  });

  it('starts, holds, resumes and completes a stage; completing moves the order on', async () => {
    h.as('editor');
    const start = await h.run('stages', 'start', 'S-1');
    expect(start).toMatchObject({ code: 0, stdout: 'S-1: start on stage created done; order is created\n' });
    const hold = await h.json('stages', 'hold', 'S-1', '--note', 'waiting for consent');
    expect(hold).toEqual({ order: 'S-1', action: 'hold', stage: 'created', status: 'created' });
    expect(stateOf(await h.json<StagesJson>('stages', 'S-1'), 'created')?.state).toBe('on_hold');
    const held = await h.run('stages', 'complete', 'S-1');
    expect(held.code).toBe(3);
    expect(held.stderr).toMatch(/^Invalid transition: stage created on_hold → completed/);
    expect((await h.run('stages', 'resume', 'S-1')).code).toBe(0);
    const done = await h.run('stages', 'complete', 'S-1', '--note', 'consent on file');
    expect(done).toMatchObject({ code: 0, stdout: 'S-1: complete on stage created done; order is analyzing\n' });
    const after = await h.json<StagesJson>('stages', 'S-1');
    expect(stateOf(after, 'created')).toMatchObject({ state: 'completed', current: false });
    expect(stateOf(after, 'analyzing')).toMatchObject({ state: 'unassigned', current: true });
    // the notes are in the order's history
    const history = await h.run('orders', 'history', 'S-1');
    expect(history.stdout).toContain('created: in_progress → on_hold (waiting for consent)');
    expect(history.stdout).toContain('consent on file');
  });

  it('lets an editor self-assign, and only project_admin assign others', async () => {
    h.as('editor2');
    const other = await h.run('stages', 'assign', 'S-1', '--user', 'editor');
    expect(other.code).toBe(3);
    expect(other.stderr).toMatch(/^Permission denied: assigning someone else requires orders:write_any/);
    const self = await h.run('stages', 'assign', 'S-1', '--self');
    expect(self).toMatchObject({ code: 0, stdout: 'S-1: stage analyzing assigned to editor2\n' });
    h.as('editor');
    const taken = await h.run('stages', 'assign', 'S-1', '--self');
    expect(taken.code).toBe(3);
    expect(taken.stderr).toMatch(/^Permission denied: stage analyzing is assigned to someone else/);
    const notMine = await h.run('stages', 'start', 'S-1');
    expect(notMine.code).toBe(3);
    expect(notMine.stderr).toMatch(/^Permission denied: start on stage analyzing requires being assigned/);
    h.as('viewer');
    const viewer = await h.run('stages', 'assign', 'S-2', '--self');
    expect(viewer.code).toBe(3);
    expect(viewer.stderr).toMatch(/^Permission denied: self-assigning a stage requires project_editor \(you are project_viewer\)/);
    h.as('admin');
    const reassigned = await h.json('stages', 'assign', 'S-1', '--user', 'editor');
    expect(reassigned).toEqual({ order: 'S-1', stage: 'analyzing', assignee: 'editor' });
    const ahead = await h.run('stages', 'assign', 'S-1', '--user', 'editor2', '--stage', 'review');
    expect(ahead).toMatchObject({ code: 0, stdout: 'S-1: stage review assigned to editor2\n' });
    const viewerAssignee = await h.run('stages', 'assign', 'S-2', '--user', 'viewer');
    expect(viewerAssignee.code).toBe(2);
    expect(viewerAssignee.stderr).toMatch(/viewer cannot be assigned: needs project_editor/);
    const json = await h.json<StagesJson>('stages', 'S-1');
    expect(stateOf(json, 'analyzing')).toMatchObject({ state: 'pending', assignee_name: 'editor' });
    expect(stateOf(json, 'review')).toMatchObject({ state: 'pending', assignee_name: 'editor2' });
  });

  it('skips only as project_admin and never skips into completed', async () => {
    h.as('editor');
    const denied = await h.run('stages', 'skip', 'S-1');
    expect(denied.code).toBe(3);
    expect(denied.stderr).toMatch(/^Permission denied: skipping a stage requires project_admin/);
    h.as('admin');
    const skipped = await h.run('stages', 'skip', 'S-1', '--note', 'no analysis needed');
    expect(skipped).toMatchObject({ code: 0, stdout: 'S-1: skip on stage analyzing done; order is review\n' });
    expect((await h.run('stages', 'start', 'S-1')).code).toBe(0);
    expect((await h.run('stages', 'complete', 'S-1')).code).toBe(0);
    const signOff = await h.run('stages', 'skip', 'S-1');
    expect(signOff.code).toBe(3);
    expect(signOff.stderr).toMatch(/^Invalid transition: sign_off → completed: .*signing its report/);
    const json = await h.json<StagesJson>('stages', 'S-1');
    expect(json.stages.map((s) => `${s.stage_code}:${s.state}`)).toEqual([
      'created:completed',
      'analyzing:skipped',
      'review:completed',
      'sign_off:unassigned',
      'completed:unassigned',
      'cancelled:unassigned',
    ]);
    // completed and skipped stages never come back
    const resume = await h.run('stages', 'resume', 'S-1', '--stage', 'analyzing');
    expect(resume.code).toBe(3);
    expect(resume.stderr).toMatch(/^Invalid transition: stage analyzing is skipped, not on hold/);
    const reassign = await h.run('stages', 'assign', 'S-1', '--user', 'editor', '--stage', 'review');
    expect(reassign.code).toBe(3);
    expect(reassign.stderr).toMatch(/^Invalid transition: stage review is completed/);
  });

  it('refuses stage moves the stage machine does not allow', async () => {
    h.as('admin');
    const resume = await h.run('stages', 'resume', 'S-2');
    expect(resume.code).toBe(3);
    expect(resume.stderr).toMatch(/^Invalid transition: stage created is pending, not on hold/);
    const startAhead = await h.run('stages', 'start', 'S-2', '--stage', 'review');
    expect(startAhead.code).toBe(3);
    expect(startAhead.stderr).toMatch(/^Invalid transition:/);
    const end = await h.run('stages', 'complete', 'S-2', '--stage', 'completed');
    expect(end.code).toBe(3);
    expect(end.stderr).toMatch(/^Invalid transition: stage completed ends the order/);
    const noStage = await h.run('stages', 'hold', 'S-2', '--stage', 'nope');
    expect(noStage.code).toBe(4);
    expect(noStage.stderr).toMatch(/^Not found: stage nope on order S-2/);
  });

  it('says a facility order has no stages', async () => {
    h.as('researcher');
    expect((await h.run('orders', 'create', '-n', 'FAC-1', '--workflow', 'facility')).code).toBe(0);
    const r = await h.run('stages', 'FAC-1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/FAC-1 is a facility order: it has statuses, not stages/);
    const assign = await h.run('stages', 'start', 'FAC-1');
    expect(assign.code).toBe(2);
    expect(assign.stderr).toMatch(/^Invalid input: facility orders have no stages/);
  });

  const cases: [string[], number, RegExp][] = [
    [['stages', 'S-2', '--frob'], 2, /unknown option --frob/],
    [['stages', 'assign', 'S-2', '--self', '--frob'], 2, /unknown option --frob/],
    [['stages', 'start', 'S-2', '--frob'], 2, /unknown option --frob/],
    [['stages', 'hold', 'S-2', '--frob'], 2, /unknown option --frob/],
    [['stages', 'resume', 'S-2', '--frob'], 2, /unknown option --frob/],
    [['stages', 'complete', 'S-2', '--frob'], 2, /unknown option --frob/],
    [['stages', 'skip', 'S-2', '--frob'], 2, /unknown option --frob/],
    [['stages', 'assign', 'S-2'], 2, /give exactly one of --self or --user NAME/],
    [['stages', 'assign', 'S-2', '--self', '--user', 'editor'], 2, /give exactly one of --self or --user NAME/],
    [['stages', 'assign', 'S-2', '--user'], 2, /--user needs a value/],
    [['stages', 'assign', '--self'], 2, /missing ID/],
    [['stages', 'start'], 2, /missing ID/],
    [['stages', 'hold'], 2, /missing ID/],
    [['stages', 'resume'], 2, /missing ID/],
    [['stages', 'complete'], 2, /missing ID/],
    [['stages', 'skip'], 2, /missing ID/],
    [['stages', 'hold', 'S-2', '--note'], 2, /--note needs a value/],
    [['stages', 'NOPE'], 4, /^Not found: order NOPE$/],
    [['stages', 'assign', 'NOPE', '--self'], 4, /^Not found: order NOPE$/],
    [['stages', 'assign', 'S-2', '--user', 'ghost'], 4, /^Not found: user ghost$/],
    [['stages', 'start', 'NOPE'], 4, /^Not found: order NOPE$/],
    [['stages', 'hold', 'NOPE'], 4, /^Not found: order NOPE$/],
    [['stages', 'resume', 'NOPE'], 4, /^Not found: order NOPE$/],
    [['stages', 'complete', 'NOPE'], 4, /^Not found: order NOPE$/],
    [['stages', 'skip', 'NOPE'], 4, /^Not found: order NOPE$/],
    [['labflows'], 2, /^$/],
    [['labflows', 'list', '--frob'], 2, /unknown option --frob/],
    [['labflows', 'list', '--scope', 'galaxy'], 2, /--scope: must be one of system, org, project \(got "galaxy"\)/],
    [['labflows', 'show'], 2, /missing ID/],
    [['labflows', 'show', 'system-clinical-v1', '--frob'], 2, /unknown option --frob/],
    [['labflows', 'clone'], 2, /missing ID/],
    [['labflows', 'clone', 'system-clinical-v1', '--scope', 'system'], 2, /--scope: must be one of project, org/],
    [['labflows', 'clone', 'system-clinical-v1', '--id'], 2, /--id needs a value/],
    [['labflows', 'publish'], 2, /missing ID/],
    [['labflows', 'publish', 'x', '--frob'], 2, /unknown option --frob/],
    [['labflows', 'retire', 'x'], 2, /unknown command 'curio labflows retire'/],
    [['labflows', 'show', 'nope'], 4, /^Not found: labflow nope$/],
    [['labflows', 'clone', 'nope', '--id', 'x'], 4, /^Not found: labflow nope$/],
    [['labflows', 'publish', 'nope'], 4, /^Not found: labflow nope$/],
    [['audit'], 2, /usage: curio audit verify/],
    [['audit', 'verify', '--frob'], 2, /unknown option --frob/],
    [['audit', 'verify', 'extra'], 2, /unexpected argument "extra"/],
  ];

  it.each(cases)('curio %j exits %i', async (args, code, message) => {
    h.as('admin');
    const r = await h.run(...args);
    expect(r.code).toBe(code);
    expect(r.stderr.split('\n')[0]).toMatch(message);
    expect(looksLikeCrash(r)).toBe(false);
  });
});

interface LabflowJson {
  id: string;
  code: string;
  version: number;
  scope: string;
  scope_ref: string | null;
  published: boolean;
  immutable: boolean;
  parent_id: string | null;
  stages: { code: string; position: number; browser_viewable: boolean; report_editable: boolean }[];
  transitions: { from: string; to: string; label: string }[];
}

describe('curio labflows', () => {
  let h: CliHome;
  beforeAll(async () => {
    h = fx.fresh('admin');
    expect((await h.run('orders', 'create', '-n', 'OLD-1')).code).toBe(0);
  });

  it('lists and shows the system clinical labflow', async () => {
    h.as('viewer');
    const text = await h.run('labflows', 'list');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ID\s+CODE\s+VERSION\s+SCOPE\s+PUBLISHED\s+IMMUTABLE\s+STAGES\n/);
    expect(text.stdout).toMatch(/system-clinical-v1\s+clinical\s+1\s+system\s+yes\s+yes\s+created→analyzing→review→sign_off→completed→cancelled/);
    const all = await h.json<LabflowJson[]>('labflows', 'list', '--scope', 'system');
    expect(all.map((l) => [l.id, l.scope, l.published, l.immutable])).toEqual([['system-clinical-v1', 'system', true, true]]);
    expect(await h.json('labflows', 'list', '--scope', 'project')).toEqual([]);
    const shown = await h.run('labflows', 'show', 'system-clinical-v1');
    expect(shown.stdout).toMatch(/^system-clinical-v1: .*\(code clinical, version 1, system, published, immutable\)/);
    expect(shown.stdout).toMatch(/POS\s+STAGE\s+NAME\s+BV\s+BE\s+RV\s+RE\s+TERMINAL/);
    expect(shown.stdout).toMatch(/FROM\s+TO\s+LABEL\s+DEFAULT/);
    const json = await h.json<LabflowJson>('labflows', 'show', 'system-clinical-v1');
    expect(json.stages.map((s) => s.code)).toEqual(['created', 'analyzing', 'review', 'sign_off', 'completed', 'cancelled']);
    const moves = json.transitions.map((t) => `${t.from}→${t.to}`);
    expect(moves).toEqual(expect.arrayContaining(['created→analyzing', 'analyzing→review', 'analyzing→sign_off', 'review→sign_off', 'sign_off→completed', 'review→cancelled']));
    expect(moves).not.toContain('created→review');
  });

  it('clones into a new unpublished project version, publishes it immutable, and binds only new orders to it', async () => {
    h.as('editor');
    const denied = await h.run('labflows', 'clone', 'system-clinical-v1', '--id', 'onc-clinical');
    expect(denied.code).toBe(3);
    expect(denied.stderr).toMatch(/^Permission denied: changing labflows requires project_admin/);
    h.as('admin');
    const cloned = await h.run('labflows', 'clone', 'system-clinical-v1', '--id', 'onc-clinical');
    expect(cloned).toMatchObject({ code: 0, stdout: 'cloned system-clinical-v1 into onc-clinical (version 2, unpublished)\n' });
    const draft = await h.json<LabflowJson>('labflows', 'show', 'onc-clinical');
    expect(draft).toMatchObject({ id: 'onc-clinical', version: 2, scope: 'project', scope_ref: fx.projectId, published: false, immutable: false, parent_id: 'system-clinical-v1' });
    // unpublished: new orders still use the system labflow
    expect((await h.json<{ labflow_id: string }>('orders', 'create', '-n', 'MID-1')).labflow_id).toBe('system-clinical-v1');
    const dup = await h.run('labflows', 'clone', 'system-clinical-v1', '--id', 'onc-clinical');
    expect(dup.code).toBe(3);
    expect(dup.stderr).toMatch(/^Conflict: labflow onc-clinical already exists/);
    const org = await h.run('labflows', 'clone', 'system-clinical-v1', '--id', 'org-flow', '--scope', 'org');
    expect(org.code).toBe(2);
    expect(org.stderr).toMatch(/belongs to no org/);
    const published = await h.json<LabflowJson>('labflows', 'publish', 'onc-clinical');
    expect(published).toMatchObject({ published: true, immutable: true });
    const again = await h.run('labflows', 'publish', 'onc-clinical');
    expect(again.code).toBe(3);
    expect(again.stderr).toBe('Conflict: labflow onc-clinical is already published\n');
    expect((await h.json<LabflowJson[]>('labflows', 'list', '--scope', 'project')).map((l) => l.id)).toEqual(['onc-clinical']);
    // the most specific published labflow wins for new orders; in-flight orders keep theirs
    expect((await h.json<{ labflow_id: string }>('orders', 'create', '-n', 'NEW-1')).labflow_id).toBe('onc-clinical');
    expect((await h.json<StagesJson>('stages', 'OLD-1')).labflow).toEqual({ id: 'system-clinical-v1', version: 1 });
    expect((await h.json<StagesJson>('stages', 'NEW-1')).labflow).toEqual({ id: 'onc-clinical', version: 2 });
  });
});

interface VerifyJson {
  chain: string;
  rows: number;
  ok: boolean;
  problem: { chain: string; seq: number; reason: string } | null;
}

describe('curio audit verify', () => {
  let template: CliHome;
  beforeAll(async () => {
    template = fx.fresh('editor');
    expect((await template.run('orders', 'create', '-n', 'A-1')).code).toBe(0);
    expect((await template.run('orders', 'transition', 'A-1', 'analyzing')).code).toBe(0);
    expect((await template.run('stages', 'assign', 'A-1', '--self')).code).toBe(0);
  });

  /** a copy of the audited store to tamper with */
  const copy = () => fx.copyOf(template, 'viewer');

  it('walks both chains and reports ok', async () => {
    template.as('viewer');
    const r = await template.run('audit', 'verify');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^transitions: ok \(\d+ rows verified\)\naudit: ok \(\d+ rows verified\)\n$/);
    const json = await template.json<VerifyJson[]>('audit', 'verify');
    expect(json.map((c) => [c.chain, c.ok, c.problem])).toEqual([
      ['transitions', true, null],
      ['audit', true, null],
    ]);
    expect(json[0]!.rows).toBeGreaterThanOrEqual(4);
    expect(json[1]!.rows).toBeGreaterThanOrEqual(12);
  });

  it('the history tables refuse changes while their triggers are on', async () => {
    await template.withStore(async (db) => {
      await expect(db.query(`UPDATE audit_log SET reason = 'x' WHERE seq = 1`)).rejects.toThrow(/append-only table audit_log/);
      await expect(db.query('DELETE FROM stage_transitions WHERE seq = 1')).rejects.toThrow(/append-only table stage_transitions/);
    });
  });

  it('names the altered audit_log row and exits 5', async () => {
    const h = copy();
    await h.withStore(async (db) => {
      await db.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
      await db.query(`UPDATE audit_log SET reason = 'nothing to see here' WHERE seq = 3`);
    });
    const r = await h.run('audit', 'verify');
    expect(r.code).toBe(5);
    expect(r.stdout).toContain('audit: FAILED at row 3: content does not match its hash (row was altered)');
    expect(r.stdout).toMatch(/^transitions: ok/);
    const json = jsonOf<VerifyJson[]>(await h.run('audit', 'verify', '--json'));
    expect(json.find((c) => c.chain === 'audit')).toMatchObject({ ok: false, problem: { chain: 'audit', seq: 3 } });
  });

  it('names the altered stage_transitions row and exits 5', async () => {
    const h = copy();
    await h.withStore(async (db) => {
      await db.exec('ALTER TABLE stage_transitions DISABLE TRIGGER stage_transitions_append_only');
      await db.query(`UPDATE stage_transitions SET notes = 'forged' WHERE seq = 2`);
    });
    const r = await h.run('audit', 'verify');
    expect(r.code).toBe(5);
    expect(r.stdout).toContain('transitions: FAILED at row 2: content does not match its hash (row was altered)');
    expect(r.stdout).toMatch(/audit: ok/);
  });

  it('notices a removed row at the end of a chain', async () => {
    const h = copy();
    const last = await h.withStore(async (db) => {
      await db.exec('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
      const seq = Number((await db.query<{ seq: number }>('SELECT max(seq) AS seq FROM audit_log'))[0]!.seq);
      await db.query('DELETE FROM audit_log WHERE seq = $1', [seq]);
      return seq;
    });
    const r = await h.run('audit', 'verify');
    expect(r.code).toBe(5);
    expect(r.stdout).toContain(`audit: FAILED at row ${last}: chain ends at row ${last - 1} but its head records row ${last} (rows were removed)`);
  });
});
