import { describe, expect, it } from 'vitest';
import {
  cloneLabflow,
  firstStage,
  resolveLabflow,
  SYSTEM_CLINICAL_LABFLOW,
  validateLabflow,
  type Labflow,
  type LabflowScope,
} from '../../src/core/index.ts';
import { accepted, attempt, createOrder, makeWorld, ORG_ID, order, outcome, PROJECT_ID, refused, run, stage, USERS } from './fixtures.ts';

function variant(id: string, scope: LabflowScope, scopeRef: string | null, version: number, published = true, code = 'clinical'): Labflow {
  return { ...cloneLabflow(SYSTEM_CLINICAL_LABFLOW, { id, version, scope, scopeRef }), published, immutable: published, code };
}

const WHERE = { projectId: PROJECT_ID, orgId: ORG_ID };

describe('labflow resolution', () => {
  const system1 = SYSTEM_CLINICAL_LABFLOW;
  const system2 = variant('system-v2', 'system', null, 2);
  const org3 = variant('org-v3', 'org', ORG_ID, 3);
  const org4 = variant('org-v4', 'org', ORG_ID, 4);
  const otherOrg9 = variant('other-org-v9', 'org', 'org-elsewhere', 9);
  const project5 = variant('project-v5', 'project', PROJECT_ID, 5);
  const projectDraft8 = variant('project-v8-draft', 'project', PROJECT_ID, 8, false);
  const otherProject9 = variant('other-project-v9', 'project', 'another-project', 9);
  const research10 = variant('research-v10', 'project', PROJECT_ID, 10, true, 'research');
  const all = [system1, system2, org3, org4, otherOrg9, project5, projectDraft8, otherProject9, research10];

  it('the most specific scope wins: project over org over system', () => {
    expect(resolveLabflow(all, 'clinical', WHERE)?.id).toBe('project-v5');
    expect(resolveLabflow(all.filter((l) => l.scope !== 'project'), 'clinical', WHERE)?.id).toBe('org-v4');
    expect(resolveLabflow([system1, system2, otherOrg9, otherProject9], 'clinical', WHERE)?.id).toBe('system-v2');
  });

  it('within a scope the newest version wins, whatever the order they are listed in', () => {
    expect(resolveLabflow([org4, org3, system1], 'clinical', WHERE)?.id).toBe('org-v4');
    expect(resolveLabflow([org3, org4, system1].reverse(), 'clinical', WHERE)?.id).toBe('org-v4');
    expect(resolveLabflow([system2, system1], 'clinical', WHERE)?.id).toBe('system-v2');
  });

  it('unpublished versions, other orgs, other projects and other codes are ignored', () => {
    expect(resolveLabflow([system1, projectDraft8], 'clinical', WHERE)?.id).toBe(system1.id);
    expect(resolveLabflow([system1, otherOrg9, otherProject9, research10], 'clinical', WHERE)?.id).toBe(system1.id);
    expect(resolveLabflow(all, 'research', WHERE)?.id).toBe('research-v10');
    expect(resolveLabflow([projectDraft8], 'clinical', WHERE)).toBeUndefined();
  });

  it('a project without an org takes no org labflow', () => {
    expect(resolveLabflow([system1, org4], 'clinical', { projectId: PROJECT_ID, orgId: null })?.id).toBe(system1.id);
  });

  it('a new order binds to the labflow that resolves for its project', () => {
    const world = makeWorld({ labflows: [system1, org4, projectDraft8] });
    expect(createOrder(world).labflowId).toBe('org-v4');
    const bare = makeWorld({ labflows: [projectDraft8] });
    refused(attempt(bare, 'editor', { type: 'order.create', orderId: USERS.editor.id, fields: { displayId: 'ORD-1' } }), 'not_found');
  });
});

describe('labflow immutability and versions', () => {
  it('an immutable labflow cannot be edited, only cloned', () => {
    const world = makeWorld();
    expect(
      refused(attempt(world, 'admin', { type: 'labflow.update', labflowId: SYSTEM_CLINICAL_LABFLOW.id, name: 'Renamed' }), 'conflict'),
    ).toContain('clone it');
    accepted(run(world, 'admin', { type: 'labflow.clone', labflowId: SYSTEM_CLINICAL_LABFLOW.id, newId: 'clinical-v2' }));
    const clone = world.labflows.get('clinical-v2');
    expect(clone).toEqual({
      ...SYSTEM_CLINICAL_LABFLOW,
      id: 'clinical-v2',
      version: 2,
      scope: 'project',
      scopeRef: PROJECT_ID,
      published: false,
      immutable: false,
      parentId: SYSTEM_CLINICAL_LABFLOW.id,
    });
    expect(world.labflows.get(SYSTEM_CLINICAL_LABFLOW.id)).toEqual(SYSTEM_CLINICAL_LABFLOW);
  });

  it('a clone can go to the org, needs a free id, and takes the next version of its code', () => {
    const world = makeWorld();
    accepted(run(world, 'admin', { type: 'labflow.clone', labflowId: SYSTEM_CLINICAL_LABFLOW.id, newId: 'clinical-org', scope: 'org' }));
    expect(world.labflows.get('clinical-org')).toMatchObject({ scope: 'org', scopeRef: ORG_ID, version: 2 });
    refused(attempt(world, 'admin', { type: 'labflow.clone', labflowId: SYSTEM_CLINICAL_LABFLOW.id, newId: 'clinical-org' }), 'conflict');
    accepted(run(world, 'admin', { type: 'labflow.clone', labflowId: 'clinical-org', newId: 'clinical-3' }));
    expect(world.labflows.get('clinical-3')).toMatchObject({ version: 3, parentId: 'clinical-org' });
    const orgless = makeWorld({ orgId: null });
    refused(attempt(orgless, 'admin', { type: 'labflow.clone', labflowId: SYSTEM_CLINICAL_LABFLOW.id, newId: 'x', scope: 'org' }), 'invalid_input');
  });

  it('a draft is edited, validated, then published and frozen', () => {
    const world = makeWorld();
    accepted(run(world, 'admin', { type: 'labflow.clone', labflowId: SYSTEM_CLINICAL_LABFLOW.id, newId: 'clinical-v2' }));
    accepted(run(world, 'admin', { type: 'labflow.update', labflowId: 'clinical-v2', name: 'Clinical review with QC' }));
    const dup = [...SYSTEM_CLINICAL_LABFLOW.stages, { ...SYSTEM_CLINICAL_LABFLOW.stages[2]!, position: 9 }];
    const r = attempt(world, 'admin', { type: 'labflow.update', labflowId: 'clinical-v2', stages: dup });
    expect(outcome(r)).toBe('invalid_input');
    expect(!r.success && r.error.message).toContain('duplicate stage code review');
    accepted(run(world, 'admin', { type: 'labflow.publish', labflowId: 'clinical-v2' }));
    expect(world.labflows.get('clinical-v2')).toMatchObject({ published: true, immutable: true, name: 'Clinical review with QC' });
    refused(attempt(world, 'admin', { type: 'labflow.update', labflowId: 'clinical-v2', name: 'Again' }), 'conflict');
    refused(attempt(world, 'admin', { type: 'labflow.publish', labflowId: 'clinical-v2' }), 'conflict');
  });

  it('a labflow published without freezing stays editable until it is frozen', () => {
    const world = makeWorld();
    accepted(run(world, 'admin', { type: 'labflow.clone', labflowId: SYSTEM_CLINICAL_LABFLOW.id, newId: 'clinical-v2' }));
    accepted(run(world, 'admin', { type: 'labflow.publish', labflowId: 'clinical-v2', immutable: false }));
    accepted(run(world, 'admin', { type: 'labflow.update', labflowId: 'clinical-v2', name: 'Still editable' }));
    accepted(run(world, 'admin', { type: 'labflow.publish', labflowId: 'clinical-v2', immutable: true }));
    refused(attempt(world, 'admin', { type: 'labflow.update', labflowId: 'clinical-v2', name: 'Frozen' }), 'conflict');
  });

  it('an order stays bound to its labflow version after a newer one is published', () => {
    const world = makeWorld();
    const old = createOrder(world);
    // v2 puts a QC stage between created and analyzing
    const base = SYSTEM_CLINICAL_LABFLOW;
    const stages = [
      ...base.stages.map((s) => (s.position >= 1 ? { ...s, position: s.position + 1 } : s)),
      { ...base.stages[0]!, code: 'qc', name: 'QC', position: 1 },
    ];
    const transitions = [
      ...base.transitions.filter((t) => !(t.from === 'created' && t.to === 'analyzing')),
      { id: 'created->qc', from: 'created', to: 'qc', label: 'Run QC', defaultForward: true },
      { id: 'qc->analyzing', from: 'qc', to: 'analyzing', label: 'QC passed', defaultForward: true },
    ];
    accepted(run(world, 'admin', { type: 'labflow.clone', labflowId: base.id, newId: 'clinical-qc' }));
    accepted(run(world, 'admin', { type: 'labflow.update', labflowId: 'clinical-qc', stages, transitions }));
    accepted(run(world, 'admin', { type: 'labflow.publish', labflowId: 'clinical-qc' }));

    const fresh = createOrder(world);
    expect(fresh.labflowId).toBe('clinical-qc');
    expect(order(world, old.id).labflowId).toBe(base.id);
    expect(world.stages.get(old.id)?.map((s) => s.stageCode)).not.toContain('qc');

    refused(attempt(world, 'editor', { type: 'order.transition', orderId: fresh.id, to: 'analyzing' }), 'invalid_transition');
    accepted(run(world, 'editor', { type: 'order.transition', orderId: fresh.id, to: 'qc' }));
    refused(attempt(world, 'editor', { type: 'order.transition', orderId: old.id, to: 'qc' }), 'invalid_transition');
    accepted(run(world, 'editor', { type: 'order.transition', orderId: old.id, to: 'analyzing' }));
    expect(stage(world, fresh.id, 'qc').state).toBe('unassigned');
  });
});

describe('validateLabflow', () => {
  const base = SYSTEM_CLINICAL_LABFLOW;
  const invalid = (l: unknown) => {
    const r = validateLabflow(l);
    if (r.success) return expect.fail('expected the labflow to be refused');
    expect(r.error.code).toBe('invalid_input');
    return r.error.message;
  };

  it('accepts the system labflow', () => {
    expect(validateLabflow(base).success).toBe(true);
    expect(firstStage(base).code).toBe('created');
  });

  it('refuses duplicate stage codes', () => {
    expect(invalid({ ...base, stages: [...base.stages, { ...base.stages[1]!, position: 7 }] })).toBe(
      'labflow stages: duplicate stage code analyzing',
    );
  });

  it('refuses a transition to or from an unknown stage', () => {
    expect(invalid({ ...base, transitions: [...base.transitions, { id: 'x', from: 'review', to: 'qc', label: 'QC', defaultForward: false }] })).toBe(
      'labflow transition x: unknown stage qc',
    );
    expect(invalid({ ...base, transitions: [...base.transitions, { id: 'y', from: 'qc', to: 'review', label: 'QC', defaultForward: false }] })).toBe(
      'labflow transition y: unknown stage qc',
    );
  });

  it('refuses two default-forward transitions from one stage', () => {
    const transitions = base.transitions.map((t) => (t.id === 'analyzing->sign_off' ? { ...t, defaultForward: true } : t));
    expect(invalid({ ...base, transitions })).toBe('labflow stage analyzing: more than one default-forward transition');
  });

  it('refuses a terminal first stage', () => {
    const stages = base.stages.map((s) => (s.code === 'completed' ? { ...s, position: -1 } : s));
    expect(invalid({ ...base, stages })).toBe('labflow: the first stage must not be terminal');
  });

  it('refuses a move out of a terminal stage and duplicate transition ids', () => {
    expect(invalid({ ...base, transitions: [...base.transitions, { id: 'reopen', from: 'cancelled', to: 'created', label: 'Reopen', defaultForward: false }] })).toBe(
      'labflow transition reopen: leaves terminal stage cancelled',
    );
    expect(invalid({ ...base, transitions: [...base.transitions, base.transitions[0]!] })).toBe(
      'labflow transitions: duplicate transition id created->analyzing',
    );
  });

  it('names the path of a schema problem', () => {
    const r = validateLabflow({ ...base, stages: [] });
    expect(!r.success && r.error).toMatchObject({ code: 'invalid_input', path: ['stages'] });
    expect(invalid({ ...base, stages: [{ ...base.stages[0]!, code: 'Bad Code' }] })).toMatch(/^labflow stages\.0\.code: /);
  });
});
