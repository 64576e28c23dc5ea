import { describe, expect, it } from 'vitest';
import { actorOf, canSeeOrder, FACILITY_STATUSES, type CommandInput, type FacilityStatus, type Order, type World } from '../../src/core/index.ts';
import { accepted, attempt, createFacilityOrder, makeWorld, order, outcome, refused, run, uid, USERS, type Who } from './fixtures.ts';

/** a facility order created by the researcher and walked to `status` */
function facilityOrderIn(world: World, status: FacilityStatus): Order {
  const o = createFacilityOrder(world, 'researcher');
  if (status !== 'draft') accepted(run(world, 'researcher', { type: 'order.transition', orderId: o.id, to: 'submitted' }));
  if (status === 'completed') accepted(run(world, 'facility_admin', { type: 'order.transition', orderId: o.id, to: 'completed' }));
  return order(world, o.id);
}

const notesOf = (world: World, orderId: string) => world.notes.filter((n) => n.orderId === orderId);

// DESIGN.md §1 "Facility workflow": DRAFT → SUBMITTED → COMPLETED
const ALLOWED: Record<FacilityStatus, readonly FacilityStatus[]> = { draft: ['submitted'], submitted: ['completed'], completed: [] };

describe('facility workflow, every (status, target) pair', () => {
  for (const from of FACILITY_STATUSES) {
    for (const to of FACILITY_STATUSES) {
      const allowed = ALLOWED[from].includes(to);
      it(`${from} → ${to} is ${allowed ? 'accepted and noted' : 'refused'}`, () => {
        const world = makeWorld();
        const before = facilityOrderIn(world, from);
        const notesBefore = notesOf(world, before.id).length;
        const r = run(world, 'facility_admin', { type: 'order.transition', orderId: before.id, to, reason: 'desk check' });
        if (!allowed) {
          expect(refused(r, 'invalid_transition')).toContain(`${from} → ${to}`);
          expect(notesOf(world, before.id)).toHaveLength(notesBefore);
          return;
        }
        accepted(r);
        expect(order(world, before.id)).toMatchObject({ status: to, version: before.version + 1 });
        const added = notesOf(world, before.id).slice(notesBefore);
        expect(added).toEqual([
          expect.objectContaining({ kind: 'STATUS_CHANGE', fromStatus: from, toStatus: to, text: 'desk check', authorId: USERS.facility_admin.id }),
        ]);
      });
    }
  }

  it('every status change of an order leaves one STATUS_CHANGE note, in order', () => {
    const world = makeWorld();
    const o = facilityOrderIn(world, 'completed');
    expect(notesOf(world, o.id).map((n) => [n.kind, n.fromStatus, n.toStatus])).toEqual([
      ['STATUS_CHANGE', 'draft', 'submitted'],
      ['STATUS_CHANGE', 'submitted', 'completed'],
    ]);
  });

  it('the creator or a facility admin submits; only a facility admin completes', () => {
    const world = makeWorld();
    const a = createFacilityOrder(world, 'researcher');
    const b = createFacilityOrder(world, 'researcher');
    accepted(run(world, 'researcher', { type: 'order.transition', orderId: a.id, to: 'submitted' }));
    accepted(run(world, 'facility_admin', { type: 'order.transition', orderId: b.id, to: 'submitted' }));
    refused(attempt(world, 'researcher', { type: 'order.transition', orderId: a.id, to: 'completed' }), 'permission_denied');
    accepted(run(world, 'superadmin', { type: 'order.transition', orderId: a.id, to: 'completed' }));
  });

  it('researchers and facility admins create facility orders; clinical roles alone do not', () => {
    const world = makeWorld();
    createFacilityOrder(world, 'researcher');
    createFacilityOrder(world, 'facility_admin');
    const input: CommandInput = { type: 'order.create', orderId: uid(0xfac), workflow: 'facility', fields: { displayId: 'SEQ-X' } };
    refused(attempt(world, 'admin', input), 'permission_denied');
    refused(attempt(world, 'viewer', input), 'permission_denied');
  });
});

describe('SAMPLES_SENT', () => {
  it('is recorded once, and only after submission', () => {
    const world = makeWorld();
    const o = facilityOrderIn(world, 'draft');
    refused(attempt(world, 'researcher', { type: 'note.samplesSent', orderId: o.id }), 'invalid_transition');
    accepted(run(world, 'researcher', { type: 'order.transition', orderId: o.id, to: 'submitted' }));
    accepted(run(world, 'researcher', { type: 'note.samplesSent', orderId: o.id, text: 'courier DHL 1234' }));
    refused(attempt(world, 'facility_admin', { type: 'note.samplesSent', orderId: o.id }), 'conflict');
    accepted(run(world, 'facility_admin', { type: 'order.transition', orderId: o.id, to: 'completed' }));
    refused(attempt(world, 'researcher', { type: 'note.samplesSent', orderId: o.id }), 'conflict');
    const sent = notesOf(world, o.id).filter((n) => n.kind === 'SAMPLES_SENT');
    expect(sent).toEqual([expect.objectContaining({ text: 'courier DHL 1234', fromStatus: null, toStatus: null, authorId: USERS.researcher.id })]);
  });

  it('can still be recorded on a completed order that never had one', () => {
    const world = makeWorld();
    const o = facilityOrderIn(world, 'completed');
    accepted(run(world, 'facility_admin', { type: 'note.samplesSent', orderId: o.id }));
  });

  it('belongs to facility orders only', () => {
    const world = makeWorld();
    accepted(run(world, 'editor', { type: 'order.create', orderId: uid(0xc1), fields: { displayId: 'ORD-C1' } }));
    refused(attempt(world, 'admin', { type: 'note.samplesSent', orderId: uid(0xc1) }), 'invalid_input');
  });

  it('admin notes are a field of the order, not a status note', () => {
    const world = makeWorld();
    const o = facilityOrderIn(world, 'submitted');
    const before = notesOf(world, o.id).length;
    accepted(run(world, 'facility_admin', { type: 'order.update', orderId: o.id, patch: { adminNotes: 'library prep delayed' } }));
    expect(order(world, o.id).adminNotes).toBe('library prep delayed');
    expect(notesOf(world, o.id)).toHaveLength(before);
  });
});

type Edit = 'metadata' | 'admin notes' | 'add sample' | 'sample data' | 'qc result' | 'sample notes';
const EDITS: readonly Edit[] = ['metadata', 'admin notes', 'add sample', 'sample data', 'qc result', 'sample notes'];

const OK = 'ok';
const PD = 'permission_denied';
const CF = 'conflict';
const NF = 'not_found';

// who may edit what, per status; a colleague sees a shared order but does not own it.
// samples are project records, so a colleague may correct one while no submitted order holds it
const EDITABLE: Record<'researcher' | 'facility_admin' | 'colleague', Record<FacilityStatus, Record<Edit, string>>> = {
  researcher: {
    draft: { metadata: OK, 'admin notes': PD, 'add sample': OK, 'sample data': OK, 'qc result': PD, 'sample notes': PD },
    submitted: { metadata: OK, 'admin notes': PD, 'add sample': CF, 'sample data': CF, 'qc result': PD, 'sample notes': PD },
    completed: { metadata: CF, 'admin notes': PD, 'add sample': CF, 'sample data': CF, 'qc result': PD, 'sample notes': PD },
  },
  facility_admin: {
    draft: { metadata: OK, 'admin notes': OK, 'add sample': OK, 'sample data': OK, 'qc result': OK, 'sample notes': OK },
    submitted: { metadata: OK, 'admin notes': OK, 'add sample': CF, 'sample data': CF, 'qc result': OK, 'sample notes': OK },
    completed: { metadata: OK, 'admin notes': OK, 'add sample': CF, 'sample data': CF, 'qc result': OK, 'sample notes': OK },
  },
  colleague: {
    draft: { metadata: NF, 'admin notes': NF, 'add sample': NF, 'sample data': OK, 'qc result': PD, 'sample notes': PD },
    submitted: { metadata: PD, 'admin notes': PD, 'add sample': PD, 'sample data': CF, 'qc result': PD, 'sample notes': PD },
    completed: { metadata: PD, 'admin notes': PD, 'add sample': PD, 'sample data': CF, 'qc result': PD, 'sample notes': PD },
  },
};

function editCommand(edit: Edit, orderId: string, onOrder: string, spare: string): CommandInput {
  switch (edit) {
    case 'metadata':
      return { type: 'order.update', orderId, patch: { description: 'RNA-seq, 40M reads' } };
    case 'admin notes':
      return { type: 'order.update', orderId, patch: { adminNotes: 'flow cell 2' } };
    case 'add sample':
      return { type: 'order.addSample', orderId, sampleId: spare, role: 'other' };
    case 'sample data':
      return { type: 'sample.update', sampleId: onOrder, patch: { specimenType: 'blood' } };
    case 'qc result':
      return { type: 'sample.update', sampleId: onOrder, patch: { qcResult: 'RIN 8.1' } };
    case 'sample notes':
      return { type: 'sample.update', sampleId: onOrder, patch: { sampleNotes: 'tube cracked' } };
  }
}

describe('facility editability: status × role × what', () => {
  for (const who of ['researcher', 'facility_admin', 'colleague'] as const) {
    for (const status of FACILITY_STATUSES) {
      for (const edit of EDITS) {
        const want = EDITABLE[who][status][edit];
        it(`${edit} of a ${status} order by ${who === 'researcher' ? 'its creator' : who} → ${want}`, () => {
          const world = makeWorld({ settings: { departmentSharing: true } });
          const o = createFacilityOrder(world, 'researcher');
          const onOrder = uid(0x5a_0001);
          const spare = uid(0x5a_0002);
          accepted(run(world, 'researcher', { type: 'sample.create', sampleId: onOrder, fields: { displayId: 'S-1' } }));
          accepted(run(world, 'researcher', { type: 'sample.create', sampleId: spare, fields: { displayId: 'S-2' } }));
          accepted(run(world, 'researcher', { type: 'order.addSample', orderId: o.id, sampleId: onOrder, role: 'proband' }));
          if (status !== 'draft') accepted(run(world, 'researcher', { type: 'order.transition', orderId: o.id, to: 'submitted' }));
          if (status === 'completed') accepted(run(world, 'facility_admin', { type: 'order.transition', orderId: o.id, to: 'completed' }));
          const r = run(world, who, editCommand(edit, o.id, onOrder, spare));
          expect(outcome(r), r.success ? 'accepted' : r.error.message).toBe(want);
        });
      }
    }
  }
});

describe('facility deletion', () => {
  const cases: [FacilityStatus, Who, boolean, string][] = [
    ['draft', 'researcher', false, OK],
    ['draft', 'facility_admin', false, OK],
    ['draft', 'colleague', false, NF],
    ['submitted', 'researcher', true, PD],
    ['submitted', 'facility_admin', false, CF],
    ['submitted', 'facility_admin', true, OK],
    ['completed', 'researcher', true, CF],
    ['completed', 'facility_admin', true, CF],
    ['submitted', 'admin', true, NF],
  ];
  for (const [status, who, allow, want] of cases) {
    it(`a ${status} order deleted by ${who} with allow-delete-submitted ${allow ? 'on' : 'off'} → ${want}`, () => {
      const world = makeWorld({ settings: { allowDeleteSubmitted: allow, departmentSharing: true } });
      const o = facilityOrderIn(world, status);
      const r = run(world, who, { type: 'order.delete', orderId: o.id });
      expect(outcome(r)).toBe(want);
      expect(world.orders.has(o.id)).toBe(want !== OK);
      if (want === OK) expect(notesOf(world, o.id)).toEqual([]);
    });
  }

  it('the setting is turned on by a facility admin, not by a researcher', () => {
    const world = makeWorld();
    const o = facilityOrderIn(world, 'submitted');
    refused(attempt(world, 'researcher', { type: 'settings.set', key: 'allowDeleteSubmitted', value: true }), 'permission_denied');
    expect(refused(attempt(world, 'facility_admin', { type: 'order.delete', orderId: o.id }), 'conflict')).toContain('allow-delete-submitted');
    accepted(run(world, 'facility_admin', { type: 'settings.set', key: 'allowDeleteSubmitted', value: true }));
    expect(world.project.settings).toEqual({ allowDeleteSubmitted: true, departmentSharing: false });
    accepted(run(world, 'facility_admin', { type: 'order.delete', orderId: o.id }));
  });
});

describe('facility visibility', () => {
  // who sees the order, per status and department sharing; everyone else gets not_found
  const desk: readonly Who[] = ['researcher', 'facility_admin', 'superadmin'];
  const VISIBLE: Record<FacilityStatus, Record<'off' | 'on', readonly Who[]>> = {
    draft: { off: desk, on: desk },
    submitted: { off: desk, on: [...desk, 'colleague'] },
    completed: { off: desk, on: [...desk, 'colleague'] },
  };
  const viewers: readonly Who[] = ['researcher', 'facility_admin', 'superadmin', 'colleague', 'outsider', 'admin', 'editor'];

  for (const status of FACILITY_STATUSES) {
    for (const sharing of ['off', 'on'] as const) {
      it(`a ${status} order with department sharing ${sharing}`, () => {
        const world = makeWorld({ settings: { departmentSharing: sharing === 'on' } });
        const o = facilityOrderIn(world, status);
        for (const who of viewers) {
          const sees = VISIBLE[status][sharing].includes(who);
          expect(canSeeOrder(actorOf(world, USERS[who].id)!, o, world.project.settings), who).toBe(sees);
          // an order you cannot see does not exist for you
          const r = attempt(world, who, { type: 'note.samplesSent', orderId: o.id });
          if (!sees) expect(outcome(r), who).toBe(NF);
          else expect(outcome(r), who).not.toBe(NF);
        }
      });
    }
  }

  it('a shared order is seen by the department but only its creator and the desk change it', () => {
    const world = makeWorld({ settings: { departmentSharing: true } });
    const o = facilityOrderIn(world, 'submitted');
    refused(attempt(world, 'colleague', { type: 'note.samplesSent', orderId: o.id }), 'permission_denied');
    refused(attempt(world, 'colleague', { type: 'order.transition', orderId: o.id, to: 'completed' }), 'permission_denied');
    refused(attempt(world, 'colleague', { type: 'order.delete', orderId: o.id }), 'permission_denied');
  });
});
