// the rules of curations, reports, VCF ingests and analyses, decided against an in-memory world
import { describe, expect, it } from 'vitest';
import {
  Command,
  currentStage,
  normalizeStatus,
  requireCapability,
  stageCapabilities,
  SYSTEM_CLINICAL_LABFLOW,
  type ClinicalStatus,
  type CommandInput,
  type Event,
  type Report,
  type ReportVariant,
  type World,
} from '../../src/core/index.ts';
import {
  accepted,
  attempt,
  clinicalOrderIn,
  makeWorld,
  order,
  outcome,
  refused,
  run,
  setStage,
  stage,
  uid,
  USERS,
  type Who,
} from '../core/fixtures.ts';

const OK = 'ok';
const PD = 'permission_denied';
const NA = 'not_assigned';
const CD = 'capability_denied';
const CF = 'conflict';

type Outcome = ReturnType<typeof outcome>;
/** [assigned to me, to someone else, to nobody] */
type Cell = Outcome | readonly [Outcome, Outcome, Outcome];
const ROLES = ['viewer', 'editor', 'admin'] as const satisfies readonly Who[];
const STAGES = ['analyzing', 'review', 'sign_off', 'completed'] as const satisfies readonly ClinicalStatus[];
const ASSIGNMENTS = ['mine', 'other', 'nobody'] as const;

// DESIGN.md §1: analyzing = browser_viewable only; review = all four; sign_off = report_viewable; completed = none
const CURATE: Record<(typeof STAGES)[number], Record<(typeof ROLES)[number], Cell>> = {
  analyzing: { viewer: PD, editor: [CD, NA, NA], admin: OK },
  review: { viewer: PD, editor: [OK, NA, NA], admin: OK },
  sign_off: { viewer: PD, editor: [CD, NA, NA], admin: OK },
  completed: { viewer: PD, editor: [CD, NA, NA], admin: OK },
};
const VIEW: typeof CURATE = {
  analyzing: { viewer: OK, editor: OK, admin: OK },
  review: { viewer: OK, editor: OK, admin: OK },
  sign_off: { viewer: CD, editor: CD, admin: OK },
  completed: { viewer: CD, editor: CD, admin: OK },
};
const DRAFT: typeof CURATE = {
  analyzing: { viewer: PD, editor: [CD, NA, NA], admin: OK },
  review: { viewer: PD, editor: [OK, NA, NA], admin: OK },
  sign_off: { viewer: PD, editor: [CD, NA, NA], admin: OK },
  // signed off: only an amendment changes it now
  completed: { viewer: CF, editor: CF, admin: CF },
};

function cell(c: Cell, a: (typeof ASSIGNMENTS)[number]): Outcome {
  return typeof c === 'string' ? c : c[ASSIGNMENTS.indexOf(a)]!;
}

/** an order in `status` whose current stage is assigned as the case says */
function orderFor(world: World, status: (typeof STAGES)[number], who: Who, a: (typeof ASSIGNMENTS)[number]) {
  const o = clinicalOrderIn(world, status);
  const assignee = a === 'mine' ? USERS[who].id : a === 'other' ? USERS.editor2.id : null;
  // set-up straight into the world: a viewer cannot be given a stage by the rules
  setStage(world, o.id, normalizeStatus(o.status), { assigneeId: assignee, state: assignee ? 'in_progress' : 'unassigned' });
  return o;
}

function cases() {
  return STAGES.flatMap((st) => ROLES.flatMap((role) => ASSIGNMENTS.map((a) => ({ st, role, a }))));
}

describe('who may curate, view and draft, per stage of the default labflow × role × assignment', () => {
  it.each(cases())('$st, $role, assigned to $a', ({ st, role, a }) => {
    const world = makeWorld();
    const o = orderFor(world, st, role, a);
    const curate = attempt(world, role, { type: 'variant.curate', orderId: o.id, variantId: 'v1', acmgClass: 'LP' });
    expect(outcome(curate)).toBe(cell(CURATE[st][role], a));
    if (!curate.success) expect(curate.error.message).toMatch(/^(Permission denied|Capability denied|Conflict):/);

    // what the variant browser asks before it shows anything
    const agg = { order: order(world, o.id), stages: world.stages.get(o.id) ?? [] };
    const view = requireCapability(
      { userId: USERS[role].id, name: role, projectRole: USERS[role].projectRole, facilityRole: null, orgRole: null, superadmin: false, departmentId: null },
      currentStage(agg),
      stageCapabilities(SYSTEM_CLINICAL_LABFLOW, st),
      'browser_viewable',
      'viewing variants',
    );
    expect(outcome(view)).toBe(cell(VIEW[st][role], a));

    const draft = attempt(world, role, { type: 'report.createDraft', orderId: o.id, reportId: uid(0x5000), variants: [] });
    expect(outcome(draft)).toBe(cell(DRAFT[st][role], a));
  });

  it('names the flag and the stage when the capability is missing', () => {
    const world = makeWorld();
    const o = orderFor(world, 'analyzing', 'editor', 'mine');
    const msg = refused(attempt(world, 'editor', { type: 'variant.curate', orderId: o.id, variantId: 'v1', reportable: false }), 'capability_denied');
    expect(msg).toBe(`Capability denied: curating variants of order ${o.displayId} needs browser_editable on stage analyzing`);
  });
});

describe('variant.curate', () => {
  it('upserts one curation per variant, bumping its version; a field left out is kept, null clears it', () => {
    const world = makeWorld();
    const o = orderFor(world, 'review', 'editor', 'mine');
    const first = accepted(run(world, 'editor', { type: 'variant.curate', orderId: o.id, variantId: 'v1', tierOverride: 'IIC', note: 'seen before', baseVersion: 0 }));
    expect(first.entityVersion).toBe(1);
    accepted(run(world, 'editor', { type: 'variant.curate', orderId: o.id, variantId: 'v1', acmgClass: 'P', note: null, baseVersion: 1 }));
    expect(world.curations.get(`${o.id}:v1`)).toMatchObject({ tierOverride: 'IIC', acmgClass: 'P', note: null, reportable: null, version: 2, curatedBy: USERS.editor.id });
    refused(attempt(world, 'editor', { type: 'variant.curate', orderId: o.id, variantId: 'v1', reportable: true, baseVersion: 1 }), 'stale_version');
    refused(attempt(world, 'editor', { type: 'variant.curate', orderId: o.id, variantId: 'v1' }), 'invalid_input');
    // curations do not touch the order's version: nobody's order edit goes stale over them
    expect(order(world, o.id).version).toBe(o.version);
  });
});

// --- reports --------------------------------------------------------------------------------

const V = (id: string, removed = false): ReportVariant => ({ variantId: id, snapshot: { gene: `G-${id}`, vaf: 0.3 }, reason: 'tier IIC', removed });

function reportOf(world: World, id: string): Report {
  const r = world.reports.get(id);
  if (!r) return expect.fail(`report ${id} is missing`);
  return r;
}

/** an order in review, assigned to editor, with a submitted draft */
function submitted(world: World, variants: ReportVariant[] = [V('a'), V('b')]) {
  const o = orderFor(world, 'review', 'editor', 'mine');
  const reportId = uid(0x6000 + world.reports.size);
  accepted(run(world, 'editor', { type: 'report.createDraft', orderId: o.id, reportId, variants, summary: 'first' }));
  accepted(run(world, 'editor', { type: 'report.submit', orderId: o.id, reportId, baseVersion: 1 }));
  return { o, reportId };
}

function toSignOff(world: World, orderId: string) {
  accepted(run(world, 'editor', { type: 'order.transition', orderId, to: 'sign_off' }));
}

describe('reports', () => {
  it('one open report per order', () => {
    const world = makeWorld();
    const { o } = submitted(world);
    const msg = refused(attempt(world, 'editor', { type: 'report.createDraft', orderId: o.id, reportId: uid(0x6100), variants: [] }), 'conflict');
    expect(msg).toMatch(/already has an open report \(version 1, pending_review\)/);
  });

  it('a report variant never leaves the list: removal is a flag, and the snapshot stays', () => {
    const world = makeWorld();
    const o = orderFor(world, 'review', 'editor', 'mine');
    const reportId = uid(0x6200);
    accepted(run(world, 'editor', { type: 'report.createDraft', orderId: o.id, reportId, variants: [V('a'), V('b')] }));
    refused(attempt(world, 'editor', { type: 'report.setVariants', orderId: o.id, reportId, variants: [V('a')], baseVersion: 1 }), 'invalid_input');
    const d = accepted(
      run(world, 'editor', {
        type: 'report.setVariants',
        orderId: o.id,
        reportId,
        variants: [{ ...V('a'), snapshot: { gene: 'FORGED' } }, V('b', true), V('c')],
        baseVersion: 1,
      }),
    );
    expect(d.audit.after).toMatchObject({ added: ['c'], removed: ['b'], restored: [] });
    expect(reportOf(world, reportId).variants.map((v) => [v.variantId, v.removed, v.snapshot.gene])).toEqual([
      ['a', false, 'G-a'],
      ['b', true, 'G-b'],
      ['c', false, 'G-c'],
    ]);
    refused(attempt(world, 'editor', { type: 'report.setVariants', orderId: o.id, reportId, variants: [V('a'), V('b'), V('c')], baseVersion: 1 }), 'stale_version');
  });

  it('editing a report under review withdraws it to draft', () => {
    const world = makeWorld();
    const { o, reportId } = submitted(world);
    accepted(run(world, 'editor', { type: 'report.setVariants', orderId: o.id, reportId, variants: [V('a', true), V('b')], baseVersion: 2 }));
    expect(reportOf(world, reportId).status).toBe('draft');
    refused(attempt(world, 'admin', { type: 'report.approveAndSign', orderId: o.id, reportId, meaning: 'approval' }), 'invalid_transition');
  });

  it('approve-and-sign is project_admin only, needs the order in sign_off, and completes it in the same decision', () => {
    const world = makeWorld();
    const { o, reportId } = submitted(world);
    refused(attempt(world, 'editor', { type: 'report.approveAndSign', orderId: o.id, reportId, meaning: 'approval' }), 'permission_denied');
    const early = refused(attempt(world, 'admin', { type: 'report.approveAndSign', orderId: o.id, reportId, meaning: 'approval' }), 'invalid_transition');
    expect(early).toMatch(/is review; a report is signed while the order is in sign_off/);
    toSignOff(world, o.id);
    // order.transition still cannot complete an order
    refused(attempt(world, 'admin', { type: 'order.transition', orderId: o.id, to: 'completed' }), 'invalid_transition');
    const before = order(world, o.id);
    refused(attempt(world, 'admin', { type: 'report.approveAndSign', orderId: o.id, reportId, meaning: 'approval', baseVersion: 1 }), 'stale_version');
    const d = accepted(run(world, 'admin', { type: 'report.approveAndSign', orderId: o.id, reportId, meaning: 'approval', baseVersion: 2 }));
    const types = d.events.map((e) => e.type);
    expect(types[0]).toBe('report.signed');
    expect(types).toContain('order.updated');
    const sign = d.events[0] as Extract<Event, { type: 'report.signed' }>;
    expect(sign.signature).toEqual({ signerId: USERS.admin.id, signerName: USERS.admin.name, signedAt: expect.any(String), meaning: 'approval' });
    expect(sign.report).toMatchObject({ status: 'signed', rowVersion: 3 });
    const after = order(world, o.id);
    expect(after).toMatchObject({ status: 'completed', slugFrozen: true, version: before.version + 1 });
    expect(stage(world, o.id, 'sign_off').state).toBe('completed');
    expect(stage(world, o.id, 'completed').state).toBe('completed');
    expect(d.audit).toMatchObject({ action: 'report.approveAndSign', entityType: 'order', before: { status: 'pending_review', orderStatus: 'sign_off' }, after: { status: 'signed', orderStatus: 'completed' } });
    refused(attempt(world, 'admin', { type: 'report.approveAndSign', orderId: o.id, reportId, meaning: 'approval' }), 'invalid_transition');
    // the slug froze and a signed report keeps the order
    refused(attempt(world, 'admin', { type: 'order.delete', orderId: o.id }), 'conflict');
  });

  it('a signed report never changes; a correction is an amendment that references it', () => {
    const world = makeWorld();
    const { o, reportId } = submitted(world);
    toSignOff(world, o.id);
    accepted(run(world, 'admin', { type: 'report.approveAndSign', orderId: o.id, reportId, meaning: 'approval' }));
    const signed = structuredClone(reportOf(world, reportId));
    refused(attempt(world, 'admin', { type: 'report.setVariants', orderId: o.id, reportId, variants: [V('a'), V('b', true)], baseVersion: 3 }), 'conflict');
    refused(attempt(world, 'admin', { type: 'report.createDraft', orderId: o.id, reportId: uid(0x6300), variants: [] }), 'conflict');
    // completed: no stage grants report_editable, so only orders:write_any amends
    expect(outcome(attempt(world, 'editor', { type: 'report.amend', orderId: o.id, reportId: uid(0x6301), amendsReportId: reportId, reason: 'typo' }))).toMatch(/not_assigned|capability_denied/);
    // an amendment says why: the command does not even parse without a reason
    expect(Command.safeParse({ type: 'report.amend', orderId: o.id, reportId: uid(0x6301), amendsReportId: reportId, reason: '  ' }).success).toBe(false);
    accepted(run(world, 'admin', { type: 'report.amend', orderId: o.id, reportId: uid(0x6301), amendsReportId: reportId, reason: 'wrong HGVS' }));
    expect(reportOf(world, uid(0x6301))).toMatchObject({ version: 2, status: 'draft', amendsReportId: reportId, amendReason: 'wrong HGVS', variants: signed.variants });
    refused(attempt(world, 'admin', { type: 'report.amend', orderId: o.id, reportId: uid(0x6302), amendsReportId: reportId, reason: 'again' }), 'conflict');
    accepted(run(world, 'admin', { type: 'report.setVariants', orderId: o.id, reportId: uid(0x6301), variants: [V('a', true), V('b')], baseVersion: 1 }));
    accepted(run(world, 'admin', { type: 'report.submit', orderId: o.id, reportId: uid(0x6301) }));
    const d = accepted(run(world, 'admin', { type: 'report.approveAndSign', orderId: o.id, reportId: uid(0x6301), meaning: 'approval' }));
    expect(d.events.map((e) => e.type)).toEqual(['report.signed']);
    expect((d.events[0] as Extract<Event, { type: 'report.signed' }>).amendsVersion).toBe(1);
    expect(order(world, o.id).status).toBe('completed');
    expect(reportOf(world, reportId)).toEqual(signed);
    const stale = refused(attempt(world, 'admin', { type: 'report.amend', orderId: o.id, reportId: uid(0x6303), amendsReportId: reportId, reason: 'x' }), 'conflict');
    expect(stale).toMatch(/amended by version 2/);
  });
});

describe('vcf.ingested', () => {
  it('freezes the slug once; renaming is refused afterwards', () => {
    const world = makeWorld();
    const o = orderFor(world, 'analyzing', 'editor', 'mine');
    const cmd: CommandInput = { type: 'vcf.ingested', orderId: o.id, fileSha256: 'a'.repeat(64), records: 5, sample: 'TUMOR' };
    refused(attempt(world, 'viewer', cmd), 'permission_denied');
    const d = accepted(run(world, 'editor', cmd));
    expect(d.audit).toMatchObject({ action: 'vcf.ingested', after: { fileSha256: 'a'.repeat(64), records: 5, sample: 'TUMOR' } });
    expect(order(world, o.id).slugFrozen).toBe(true);
    expect(accepted(run(world, 'editor', cmd)).events).toEqual([]);
    const msg = refused(attempt(world, 'editor', { type: 'order.update', orderId: o.id, patch: { displayId: 'RENAMED-1' } }), 'conflict');
    expect(msg).toMatch(/cannot be renamed/);
  });
});

// --- analyses --------------------------------------------------------------------------------

describe('analyses', () => {
  function withSamples(world: World, n: number): string[] {
    return Array.from({ length: n }, (_, i) => {
      const sampleId = uid(0x7000 + i);
      accepted(run(world, 'editor', { type: 'sample.create', sampleId, fields: { displayId: `S-${i}` } }));
      return sampleId;
    });
  }

  it('runs queued → running → succeeded | failed; anything unfinished may be cancelled', () => {
    const world = makeWorld();
    const [s0] = withSamples(world, 1);
    const analysisId = uid(0x7100);
    const submit: CommandInput = { type: 'analysis.submit', analysisId, displayId: 'AN-1', pipeline: 'iseq', sampleIds: [s0!], inputs: { sample_vcf: '/data/a.vcf' } };
    refused(attempt(world, 'viewer', submit), 'permission_denied');
    refused(attempt(world, 'editor', { ...submit, sampleIds: [uid(0x7999)] }), 'not_found');
    accepted(run(world, 'editor', submit));
    refused(attempt(world, 'editor', { ...submit, analysisId: uid(0x7101) }), 'conflict');
    const go = (to: 'running' | 'succeeded' | 'failed' | 'cancelled', id = analysisId) => attempt(world, 'editor', { type: 'analysis.transition', analysisId: id, to });
    expect(refused(go('succeeded'), 'invalid_transition')).toMatch(/queued → succeeded \(allowed from queued: running, cancelled\)/);
    accepted(run(world, 'editor', { type: 'analysis.transition', analysisId, to: 'running' }));
    accepted(run(world, 'editor', { type: 'analysis.transition', analysisId, to: 'succeeded', outputs: { vcf: 'x' } }));
    expect(world.analyses.get(analysisId)).toMatchObject({ status: 'succeeded', version: 3, outputs: { vcf: 'x' } });
    expect(refused(go('cancelled'), 'invalid_transition')).toMatch(/succeeded is final/);

    accepted(run(world, 'editor', { ...submit, analysisId: uid(0x7102), displayId: 'AN-2' } as CommandInput));
    accepted(run(world, 'editor', { type: 'analysis.transition', analysisId: uid(0x7102), to: 'cancelled' }));
  });

  it('a succeeded analysis creates its order with its samples, in one decision', () => {
    const world = makeWorld();
    const samples = withSamples(world, 2);
    const analysisId = uid(0x7200);
    accepted(run(world, 'editor', { type: 'analysis.submit', analysisId, displayId: 'AN-9', pipeline: 'iseq', sampleIds: samples }));
    const create: CommandInput = { type: 'analysis.createOrder', analysisId, orderId: uid(0x7201), displayId: 'ORD-FROM-AN' };
    expect(refused(attempt(world, 'editor', create), 'invalid_transition')).toMatch(/is queued; an order is created only from a succeeded analysis/);
    accepted(run(world, 'editor', { type: 'analysis.transition', analysisId, to: 'running' }));
    accepted(run(world, 'editor', { type: 'analysis.transition', analysisId, to: 'succeeded' }));
    refused(attempt(world, 'viewer', create), 'permission_denied');
    const d = accepted(run(world, 'editor', create));
    expect(d.audit).toMatchObject({ action: 'analysis.createOrder', entityType: 'order', entityId: uid(0x7201) });
    expect(order(world, uid(0x7201))).toMatchObject({ displayId: 'ORD-FROM-AN', status: 'created', workflow: 'clinical' });
    expect(world.orderSamples.filter((l) => l.orderId === uid(0x7201))).toEqual([
      { orderId: uid(0x7201), sampleId: samples[0], role: 'proband' },
      { orderId: uid(0x7201), sampleId: samples[1], role: 'other' },
    ]);
    expect(world.analyses.get(analysisId)?.orderId).toBe(uid(0x7201));
    refused(attempt(world, 'editor', { ...create, orderId: uid(0x7202), displayId: 'ORD-OTHER' } as CommandInput), 'conflict');
  });
});
