import { describe, expect, it } from 'vitest';
import {
  isStageTransitionAllowed,
  STAGE_ACTIONS,
  STAGE_STATES,
  STAGE_TRANSITIONS,
  type StageAction,
  type StageState,
} from '../../src/core/index.ts';
import { accepted, attempt, clinicalOrderIn, makeWorld, order, refused, run, setStage, stage, USERS } from './fixtures.ts';

const ACTIONS = Object.keys(STAGE_ACTIONS) as StageAction[];
const NO: Record<StageAction, 'refused'> = { start: 'refused', hold: 'refused', resume: 'refused', complete: 'refused', skip: 'refused' };

// the state each action leaves the stage in, or 'refused' (DESIGN.md §1 "Labflows")
const ON_CURRENT_STAGE: Record<StageState, Record<StageAction, StageState | 'refused'>> = {
  unassigned: { start: 'refused', hold: 'on_hold', resume: 'refused', complete: 'refused', skip: 'skipped' },
  pending: { start: 'in_progress', hold: 'on_hold', resume: 'refused', complete: 'refused', skip: 'skipped' },
  in_progress: { start: 'refused', hold: 'on_hold', resume: 'refused', complete: 'completed', skip: 'skipped' },
  on_hold: { start: 'in_progress', hold: 'refused', resume: 'in_progress', complete: 'refused', skip: 'skipped' },
  completed: NO,
  skipped: NO,
};

// a stage the order has not reached yet: it can be held, resumed or skipped ahead, not started or completed
const ON_LATER_STAGE: Record<StageState, Record<StageAction, StageState | 'refused'>> = {
  unassigned: { start: 'refused', hold: 'on_hold', resume: 'refused', complete: 'refused', skip: 'skipped' },
  pending: { start: 'refused', hold: 'on_hold', resume: 'refused', complete: 'refused', skip: 'skipped' },
  in_progress: { start: 'refused', hold: 'on_hold', resume: 'refused', complete: 'refused', skip: 'skipped' },
  on_hold: { start: 'refused', hold: 'refused', resume: 'in_progress', complete: 'refused', skip: 'skipped' },
  completed: NO,
  skipped: NO,
};

describe('stage machine table', () => {
  it('matches DESIGN.md, with completed and skipped terminal', () => {
    expect(STAGE_TRANSITIONS).toEqual({
      unassigned: ['pending', 'on_hold', 'skipped'],
      pending: ['in_progress', 'on_hold', 'skipped'],
      in_progress: ['completed', 'on_hold', 'skipped'],
      on_hold: ['pending', 'in_progress', 'skipped'],
      completed: [],
      skipped: [],
    });
    for (const from of STAGE_STATES)
      for (const to of STAGE_STATES) expect(isStageTransitionAllowed(from, to)).toBe(STAGE_TRANSITIONS[from].includes(to));
  });
});

for (const [where, table] of [
  ['the current stage', ON_CURRENT_STAGE],
  ['a later stage', ON_LATER_STAGE],
] as const) {
  describe(`stage.transition on ${where}, every (state, action) pair`, () => {
    for (const from of STAGE_STATES) {
      for (const action of ACTIONS) {
        const expected = table[from][action];
        it(`${from} + ${action} → ${expected}`, () => {
          const world = makeWorld();
          const o = clinicalOrderIn(world, 'analyzing');
          const code = where === 'the current stage' ? 'analyzing' : 'review';
          setStage(world, o.id, code, { state: from, assigneeId: from === 'unassigned' ? null : USERS.editor.id });
          const before = order(world, o.id);
          const r = run(world, 'admin', { type: 'stage.transition', orderId: o.id, stageCode: code, action });
          if (expected === 'refused') {
            refused(r, 'invalid_transition');
            expect(stage(world, o.id, code).state).toBe(from);
            expect(order(world, o.id)).toEqual(before);
            return;
          }
          accepted(r);
          expect(stage(world, o.id, code).state).toBe(expected);
          expect(order(world, o.id).version).toBe(before.version + 1);
          // completing or skipping the current stage takes the order along its default-forward move
          const moves = code === 'analyzing' && (expected === 'completed' || expected === 'skipped');
          expect(order(world, o.id).status).toBe(moves ? 'review' : 'analyzing');
          const last = world.history.filter((h) => h.orderId === o.id && h.toStage === code).at(-1);
          expect(last).toMatchObject({ fromState: from, toState: expected, transitionedBy: USERS.admin.id });
        });
      }
    }
  });
}

describe('stage rules a user meets', () => {
  it('skip is for project admins only, even for the assignee', () => {
    const world = makeWorld();
    const o = clinicalOrderIn(world, 'analyzing');
    accepted(run(world, 'editor', { type: 'stage.assign', orderId: o.id, userId: USERS.editor.id }));
    refused(attempt(world, 'editor', { type: 'stage.transition', orderId: o.id, action: 'skip' }), 'permission_denied');
    accepted(run(world, 'superadmin', { type: 'stage.transition', orderId: o.id, action: 'skip' }));
    expect(stage(world, o.id, 'analyzing').state).toBe('skipped');
  });

  it('a stage is read-only until someone is assigned; self-assigning opens it', () => {
    const world = makeWorld();
    const o = clinicalOrderIn(world, 'analyzing');
    expect(stage(world, o.id, 'analyzing')).toMatchObject({ state: 'unassigned', assigneeId: null });
    refused(attempt(world, 'editor', { type: 'order.update', orderId: o.id, patch: { priority: 'high' } }), 'not_assigned');
    accepted(run(world, 'editor', { type: 'stage.assign', orderId: o.id, userId: USERS.editor.id }));
    expect(stage(world, o.id, 'analyzing')).toMatchObject({ state: 'pending', assigneeId: USERS.editor.id });
    expect(world.history.at(-1)).toMatchObject({ toStage: 'analyzing', fromState: 'unassigned', toState: 'pending', notes: 'assigned to edith' });
    accepted(run(world, 'editor', { type: 'order.update', orderId: o.id, patch: { priority: 'high' } }));
  });

  it('the normal path: assign, start, complete moves the order on', () => {
    const world = makeWorld();
    const o = clinicalOrderIn(world, 'analyzing');
    accepted(run(world, 'editor', { type: 'stage.assign', orderId: o.id, userId: USERS.editor.id }));
    accepted(run(world, 'editor', { type: 'stage.transition', orderId: o.id, action: 'start' }));
    accepted(run(world, 'editor', { type: 'stage.transition', orderId: o.id, action: 'hold', note: 'waiting for coverage report' }));
    refused(attempt(world, 'editor', { type: 'order.transition', orderId: o.id, to: 'review' }), 'invalid_transition');
    accepted(run(world, 'editor', { type: 'stage.transition', orderId: o.id, action: 'resume' }));
    accepted(run(world, 'editor', { type: 'stage.transition', orderId: o.id, action: 'complete' }));
    expect(order(world, o.id).status).toBe('review');
    expect(stage(world, o.id, 'analyzing').state).toBe('completed');
    expect(stage(world, o.id, 'review')).toMatchObject({ state: 'unassigned', assigneeId: null });
  });

  it('a held stage stops forward moves but not cancelling', () => {
    const world = makeWorld();
    const o = clinicalOrderIn(world, 'analyzing');
    setStage(world, o.id, 'analyzing', { state: 'on_hold', assigneeId: USERS.editor.id });
    expect(refused(attempt(world, 'admin', { type: 'order.transition', orderId: o.id, to: 'review' }), 'invalid_transition')).toContain(
      'resume it first',
    );
    accepted(run(world, 'admin', { type: 'order.transition', orderId: o.id, to: 'cancelled' }));
    expect(stage(world, o.id, 'analyzing').state).toBe('skipped');
  });

  it('resuming a stage held before anyone was assigned asks for an assignee first', () => {
    const world = makeWorld();
    const o = clinicalOrderIn(world, 'analyzing');
    accepted(run(world, 'admin', { type: 'stage.transition', orderId: o.id, action: 'hold' }));
    expect(refused(attempt(world, 'admin', { type: 'stage.transition', orderId: o.id, action: 'resume' }), 'invalid_transition')).toContain(
      'assign it first',
    );
    accepted(run(world, 'admin', { type: 'stage.assign', orderId: o.id, userId: USERS.editor.id }));
    expect(stage(world, o.id, 'analyzing').state).toBe('on_hold');
    accepted(run(world, 'editor', { type: 'stage.transition', orderId: o.id, action: 'resume' }));
    expect(stage(world, o.id, 'analyzing').state).toBe('in_progress');
  });

  it('skipping the sign-off stage cannot complete an order; only signing does', () => {
    const world = makeWorld();
    const o = clinicalOrderIn(world, 'sign_off');
    expect(refused(attempt(world, 'admin', { type: 'stage.transition', orderId: o.id, action: 'skip' }), 'invalid_transition')).toMatch(
      /approving and signing/,
    );
    setStage(world, o.id, 'sign_off', { state: 'in_progress', assigneeId: USERS.admin.id });
    refused(attempt(world, 'admin', { type: 'stage.transition', orderId: o.id, action: 'complete' }), 'invalid_transition');
  });

  it('completed and skipped stages cannot be assigned', () => {
    const world = makeWorld();
    const o = clinicalOrderIn(world, 'review');
    refused(attempt(world, 'admin', { type: 'stage.assign', orderId: o.id, stageCode: 'analyzing', userId: USERS.editor.id }), 'invalid_transition');
    accepted(run(world, 'admin', { type: 'stage.transition', orderId: o.id, stageCode: 'sign_off', action: 'skip' }));
    refused(attempt(world, 'admin', { type: 'stage.assign', orderId: o.id, stageCode: 'sign_off', userId: USERS.editor.id }), 'invalid_transition');
  });

  it('the end stages (completed, cancelled) take no stage actions and no assignee', () => {
    const world = makeWorld();
    const o = clinicalOrderIn(world, 'analyzing');
    for (const code of ['completed', 'cancelled'])
      for (const action of ACTIONS) {
        refused(attempt(world, 'admin', { type: 'stage.transition', orderId: o.id, stageCode: code, action }), 'invalid_transition');
        refused(attempt(world, 'admin', { type: 'stage.assign', orderId: o.id, stageCode: code, userId: USERS.editor.id }), 'invalid_transition');
      }
    // so cancelling and signing still find their end stage open
    accepted(run(world, 'admin', { type: 'order.transition', orderId: o.id, to: 'cancelled' }));
    expect(stage(world, o.id, 'cancelled').state).toBe('completed');
  });

  it('a stage skipped ahead of time stays skipped: the order cannot move into it', () => {
    const world = makeWorld();
    const o = clinicalOrderIn(world, 'analyzing');
    accepted(run(world, 'admin', { type: 'stage.transition', orderId: o.id, stageCode: 'review', action: 'skip' }));
    accepted(run(world, 'editor', { type: 'stage.assign', orderId: o.id, userId: USERS.editor.id }));
    expect(refused(attempt(world, 'editor', { type: 'order.transition', orderId: o.id, to: 'review' }), 'invalid_transition')).toContain(
      'review is skipped',
    );
    refused(attempt(world, 'editor', { type: 'stage.transition', orderId: o.id, action: 'complete' }), 'invalid_transition');
    // the labflow's "skip review" move goes round it
    accepted(run(world, 'editor', { type: 'order.transition', orderId: o.id, to: 'sign_off' }));
    expect(stage(world, o.id, 'review').state).toBe('skipped');
    expect(order(world, o.id).status).toBe('sign_off');
  });

  it('a stage assigned ahead of time keeps its assignee when the order reaches it', () => {
    const world = makeWorld();
    const o = clinicalOrderIn(world, 'analyzing');
    accepted(run(world, 'admin', { type: 'stage.assign', orderId: o.id, stageCode: 'review', userId: USERS.editor2.id }));
    expect(stage(world, o.id, 'review')).toMatchObject({ state: 'pending', assigneeId: USERS.editor2.id });
    accepted(run(world, 'admin', { type: 'order.transition', orderId: o.id, to: 'review' }));
    expect(stage(world, o.id, 'review')).toMatchObject({ state: 'pending', assigneeId: USERS.editor2.id });
    accepted(run(world, 'editor2', { type: 'stage.transition', orderId: o.id, action: 'start' }));
  });
});
