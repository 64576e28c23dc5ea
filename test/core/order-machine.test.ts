import { describe, expect, it } from 'vitest';
import {
  CLINICAL_STATUSES,
  CLINICAL_TRANSITIONS,
  isClinicalTransitionAllowed,
  normalizeStatus,
  SYSTEM_CLINICAL_LABFLOW,
  type ClinicalStatus,
} from '../../src/core/index.ts';
import { accepted, attempt, clinicalOrderIn, createOrder, makeWorld, order, refused, run, setStatus, stage, USERS } from './fixtures.ts';

// DESIGN.md §1 "Order state machine"; sign_off → completed only through approve-and-sign,
// and "any non-terminal → cancelled" (RBAC rules) covers sign_off as well
const ALLOWED: Record<ClinicalStatus, readonly ClinicalStatus[]> = {
  created: ['analyzing', 'cancelled'],
  analyzing: ['review', 'sign_off', 'cancelled'],
  review: ['sign_off', 'cancelled'],
  sign_off: ['cancelled'],
  completed: [],
  cancelled: [],
};

describe('clinical order machine, every (state, target) pair through order.transition', () => {
  for (const from of CLINICAL_STATUSES) {
    for (const to of CLINICAL_STATUSES) {
      const allowed = ALLOWED[from].includes(to);
      // the admin holds every permission, so a refusal here is the machine's
      it(`${from} → ${to} is ${allowed ? 'accepted' : 'refused'}`, () => {
        const world = makeWorld();
        const before = clinicalOrderIn(world, from);
        const historyBefore = world.history.length;
        const r = run(world, 'admin', { type: 'order.transition', orderId: before.id, to });
        if (!allowed) {
          const message = refused(r, 'invalid_transition');
          expect(message).toContain(`${from} → ${to}`);
          if (from === 'sign_off' && to === 'completed') expect(message).toMatch(/approving and signing its report/);
          if (from === 'completed' || from === 'cancelled') expect(message).toContain(`${from} is terminal`);
          expect(order(world, before.id)).toEqual(before);
          return;
        }
        const d = accepted(r);
        const after = order(world, before.id);
        expect(after.status).toBe(to);
        expect(after.version).toBe(before.version + 1);
        expect(d.entityVersion).toBe(before.version + 1);
        // the stage left is closed (skipped on cancel), the stage entered is open (or final)
        expect(stage(world, before.id, from).state).toBe(to === 'cancelled' ? 'skipped' : 'completed');
        expect(stage(world, before.id, to).state).toBe(to === 'cancelled' ? 'completed' : 'unassigned');
        expect(stage(world, before.id, to).assigneeId).toBeNull();
        const added = world.history.slice(historyBefore);
        expect(added.map((h) => [h.fromStage, h.toStage, h.toState])).toEqual([
          [from, from, to === 'cancelled' ? 'skipped' : 'completed'],
          [from, to, to === 'cancelled' ? 'completed' : 'unassigned'],
        ]);
        expect(added.every((h) => h.transitionedBy === USERS.admin.id && h.transitionId === `${from}->${to}`)).toBe(true);
      });
    }
  }

  it('the system labflow and the order machine agree on every pair', () => {
    for (const from of CLINICAL_STATUSES) {
      const viaLabflow = SYSTEM_CLINICAL_LABFLOW.transitions.filter((t) => t.from === from).map((t) => t.to);
      expect(viaLabflow.sort()).toEqual([...CLINICAL_TRANSITIONS[from]].sort());
      for (const to of CLINICAL_STATUSES) expect(isClinicalTransitionAllowed(from, to)).toBe(CLINICAL_TRANSITIONS[from].includes(to));
    }
  });

  it('an unknown target status is refused and lists the moves that exist', () => {
    const world = makeWorld();
    const o = createOrder(world);
    const message = refused(attempt(world, 'admin', { type: 'order.transition', orderId: o.id, to: 'shipped' }), 'invalid_transition');
    expect(message).toContain('allowed from created: analyzing, cancelled');
  });

  it('the reason given for a move is kept on the transition history', () => {
    const world = makeWorld();
    const o = createOrder(world);
    accepted(run(world, 'admin', { type: 'order.transition', orderId: o.id, to: 'cancelled', reason: 'duplicate request' }));
    expect(world.history.filter((h) => h.orderId === o.id).at(-1)?.notes).toBe('duplicate request');
  });
});

describe('legacy status aliases', () => {
  it('normalise for reading and filtering', () => {
    expect(normalizeStatus('reviewed')).toBe('review');
    expect(normalizeStatus('signed_off')).toBe('sign_off');
    expect(normalizeStatus('amended')).toBe('completed');
    for (const s of CLINICAL_STATUSES) expect(normalizeStatus(s)).toBe(s);
    const stored = ['review', 'reviewed', 'sign_off', 'signed_off', 'amended', 'completed', 'created'];
    expect(stored.filter((s) => normalizeStatus(s) === normalizeStatus('reviewed'))).toEqual(['review', 'reviewed']);
    expect(stored.filter((s) => normalizeStatus(s) === 'completed')).toEqual(['amended', 'completed']);
    expect(isClinicalTransitionAllowed('reviewed', 'sign_off')).toBe(true);
    expect(isClinicalTransitionAllowed('amended', 'cancelled')).toBe(false);
  });

  it('an old "reviewed" order moves on as review and the new status is written in the current vocabulary', () => {
    const world = makeWorld();
    const o = clinicalOrderIn(world, 'review');
    setStatus(world, o.id, 'reviewed');
    accepted(run(world, 'editor', { type: 'stage.assign', orderId: o.id, userId: USERS.editor.id }));
    accepted(run(world, 'editor', { type: 'order.transition', orderId: o.id, to: 'sign_off' }));
    expect(order(world, o.id).status).toBe('sign_off');
    expect(stage(world, o.id, 'review').state).toBe('completed');
  });

  it('aliases are never written', () => {
    const world = makeWorld();
    const o = clinicalOrderIn(world, 'analyzing');
    for (const alias of ['reviewed', 'signed_off', 'amended'])
      refused(attempt(world, 'admin', { type: 'order.transition', orderId: o.id, to: alias }), 'invalid_transition');
  });

  it('an old "signed_off" order is completed only by signing, and can be cancelled', () => {
    const world = makeWorld();
    const o = clinicalOrderIn(world, 'sign_off');
    setStatus(world, o.id, 'signed_off');
    expect(refused(attempt(world, 'admin', { type: 'order.transition', orderId: o.id, to: 'completed' }), 'invalid_transition')).toMatch(
      /report sign/,
    );
    accepted(run(world, 'admin', { type: 'order.transition', orderId: o.id, to: 'cancelled' }));
    expect(order(world, o.id).status).toBe('cancelled');
  });

  it('an old "amended" order is terminal and read-only', () => {
    const world = makeWorld();
    const o = clinicalOrderIn(world, 'completed');
    setStatus(world, o.id, 'amended');
    refused(attempt(world, 'admin', { type: 'order.transition', orderId: o.id, to: 'cancelled' }), 'invalid_transition');
    refused(attempt(world, 'admin', { type: 'order.update', orderId: o.id, patch: { description: 'late edit' } }), 'conflict');
  });
});

describe('order fields and versions', () => {
  it('a completed or cancelled order is read-only, even for an admin', () => {
    for (const status of ['completed', 'cancelled'] as const) {
      const world = makeWorld();
      const o = clinicalOrderIn(world, status);
      expect(refused(attempt(world, 'admin', { type: 'order.update', orderId: o.id, patch: { priority: 'high' } }), 'conflict')).toContain(
        'read-only',
      );
    }
  });

  it('a command based on an old version is refused as stale and shows the current state', () => {
    const world = makeWorld();
    const o = createOrder(world);
    accepted(run(world, 'editor', { type: 'order.update', orderId: o.id, baseVersion: 1, patch: { priority: 'high' } }));
    const r = attempt(world, 'editor', { type: 'order.update', orderId: o.id, baseVersion: 1, patch: { priority: 'low' } });
    refused(r, 'stale_version');
    expect(!r.success && r.error.current).toMatchObject({ version: 2, status: 'created' });
  });

  it('a rule refusal wins over a stale version', () => {
    const world = makeWorld();
    const o = createOrder(world);
    refused(attempt(world, 'editor', { type: 'order.transition', orderId: o.id, to: 'review', baseVersion: 99 }), 'invalid_transition');
  });

  it('the slug follows the display id until a file freezes it', () => {
    const world = makeWorld();
    const o = createOrder(world, 'editor', { displayId: 'ORD  2026..0042' });
    expect(o.slug).toBe('ord-2026-0042');
    accepted(run(world, 'editor', { type: 'order.update', orderId: o.id, patch: { displayId: 'ORD-2026-0043' } }));
    expect(order(world, o.id).slug).toBe('ord-2026-0043');
    world.orders.set(o.id, { ...order(world, o.id), slugFrozen: true });
    expect(refused(attempt(world, 'editor', { type: 'order.update', orderId: o.id, patch: { displayId: 'ORD-2026-0044' } }), 'conflict')).toContain(
      'cannot be renamed',
    );
    // other fields stay editable
    accepted(run(world, 'editor', { type: 'order.update', orderId: o.id, patch: { priority: 'high' } }));
  });

  it('display ids are unique in the project across create and rename', () => {
    const world = makeWorld();
    const a = createOrder(world, 'editor', { displayId: 'ORD-A' });
    createOrder(world, 'editor', { displayId: 'ORD-B' });
    refused(attempt(world, 'editor', { type: 'order.create', orderId: '00000000-0000-4000-8000-00000000abcd', fields: { displayId: 'ORD-A' } }), 'conflict');
    refused(attempt(world, 'editor', { type: 'order.update', orderId: a.id, patch: { displayId: 'ORD-B' } }), 'conflict');
    // renaming to its own id is not a clash
    accepted(attempt(world, 'editor', { type: 'order.update', orderId: a.id, patch: { displayId: 'ORD-A' } }));
  });

  it('a new order starts in its first stage, assigned to its creator', () => {
    const world = makeWorld();
    const o = createOrder(world, 'editor2');
    expect(o.status).toBe('created');
    expect(o.labflowId).toBe(SYSTEM_CLINICAL_LABFLOW.id);
    expect(stage(world, o.id, 'created')).toMatchObject({ state: 'pending', assigneeId: USERS.editor2.id });
    for (const code of ['analyzing', 'review', 'sign_off', 'completed', 'cancelled']) expect(stage(world, o.id, code).state).toBe('unassigned');
  });
});
