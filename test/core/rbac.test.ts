import { describe, expect, it } from 'vitest';
import {
  actorOf,
  can,
  cloneLabflow,
  PERMISSIONS,
  requireCapability,
  stageCapabilities,
  SYSTEM_CLINICAL_LABFLOW,
  type CapabilityFlag,
  type CommandInput,
  type OrderStage,
  type RejectionCode,
  type StageState,
} from '../../src/core/index.ts';
import { attempt, clinicalOrderIn, makeWorld, order, outcome, PROJECT_ID, run, setStage, uid, USERS, type Who } from './fixtures.ts';

const ROLES = ['none', 'viewer', 'editor', 'admin', 'superadmin', 'org_member', 'org_admin', 'org_owner'] as const satisfies readonly Who[];
type Role = (typeof ROLES)[number];
const ASSIGNMENTS = ['mine', 'other', 'nobody'] as const;
type Assignment = (typeof ASSIGNMENTS)[number];

type Outcome = 'ok' | RejectionCode;
/** one outcome for every assignment, or [assigned to me, to someone else, to nobody] */
type Cell = Outcome | readonly [Outcome, Outcome, Outcome];
type Row = Record<Role, Cell>;

const OK = 'ok';
const PD = 'permission_denied';
const NA = 'not_assigned';
const NF = 'not_found'; // an order you may not read does not exist for you
const IT = 'invalid_transition';
const CF = 'conflict';

// DESIGN.md §1 "Roles and permissions"; org roles manage, they do not read or write orders
const MATRIX = {
  'create order': { none: PD, viewer: PD, editor: OK, admin: OK, superadmin: OK, org_member: PD, org_admin: PD, org_owner: PD },
  update: { none: NF, viewer: PD, editor: [OK, NA, NA], admin: OK, superadmin: OK, org_member: NF, org_admin: NF, org_owner: NF },
  'transition forward': { none: NF, viewer: PD, editor: [OK, NA, NA], admin: OK, superadmin: OK, org_member: NF, org_admin: NF, org_owner: NF },
  cancel: { none: NF, viewer: PD, editor: PD, admin: OK, superadmin: OK, org_member: NF, org_admin: NF, org_owner: NF },
  delete: { none: NF, viewer: PD, editor: PD, admin: OK, superadmin: OK, org_member: NF, org_admin: NF, org_owner: NF },
  // a viewer lacks the role to take a stage; an editor takes only a free stage
  'assign self': {
    none: NF,
    viewer: PD,
    editor: [CF, PD, OK],
    admin: [CF, OK, OK],
    superadmin: [CF, OK, OK],
    org_member: NF,
    org_admin: NF,
    org_owner: NF,
  },
  'assign other': { none: NF, viewer: PD, editor: PD, admin: OK, superadmin: OK, org_member: NF, org_admin: NF, org_owner: NF },
  // a free stage is unassigned, where start, resume and complete are not moves of the stage machine
  'stage start': { none: NF, viewer: [PD, PD, IT], editor: [OK, NA, IT], admin: [OK, OK, IT], superadmin: [OK, OK, IT], org_member: NF, org_admin: NF, org_owner: NF },
  'stage hold': { none: NF, viewer: PD, editor: [OK, NA, NA], admin: OK, superadmin: OK, org_member: NF, org_admin: NF, org_owner: NF },
  'stage resume': { none: NF, viewer: [PD, PD, IT], editor: [OK, NA, IT], admin: [OK, OK, IT], superadmin: [OK, OK, IT], org_member: NF, org_admin: NF, org_owner: NF },
  'stage complete': { none: NF, viewer: [PD, PD, IT], editor: [OK, NA, IT], admin: [OK, OK, IT], superadmin: [OK, OK, IT], org_member: NF, org_admin: NF, org_owner: NF },
  'stage skip': { none: NF, viewer: PD, editor: PD, admin: OK, superadmin: OK, org_member: NF, org_admin: NF, org_owner: NF },
  'labflow clone': { none: PD, viewer: PD, editor: PD, admin: OK, superadmin: OK, org_member: PD, org_admin: PD, org_owner: PD },
  'labflow publish': { none: PD, viewer: PD, editor: PD, admin: OK, superadmin: OK, org_member: PD, org_admin: PD, org_owner: PD },
  // project settings are management: org admins may change them
  settings: { none: PD, viewer: PD, editor: PD, admin: OK, superadmin: OK, org_member: PD, org_admin: OK, org_owner: OK },
} as const satisfies Record<string, Row>;
type Action = keyof typeof MATRIX;

/** the current stage's state when someone holds it: one where the action is a legal stage move */
const HELD_STATE: Partial<Record<Action, StageState>> = {
  'stage hold': 'in_progress',
  'stage resume': 'on_hold',
  'stage complete': 'in_progress',
};

function commandFor(action: Action, orderId: string, actorId: string): CommandInput {
  switch (action) {
    case 'create order':
      return { type: 'order.create', orderId: uid(0xbeef), fields: { displayId: 'ORD-NEW-1' } };
    case 'update':
      return { type: 'order.update', orderId, patch: { clinicalIndication: 'suspected Lynch syndrome' } };
    case 'transition forward':
      return { type: 'order.transition', orderId, to: 'review' };
    case 'cancel':
      return { type: 'order.transition', orderId, to: 'cancelled' };
    case 'delete':
      return { type: 'order.delete', orderId };
    case 'assign self':
      return { type: 'stage.assign', orderId, userId: actorId };
    case 'assign other':
      return { type: 'stage.assign', orderId, userId: USERS.editor3.id };
    case 'stage start':
      return { type: 'stage.transition', orderId, action: 'start' };
    case 'stage hold':
      return { type: 'stage.transition', orderId, action: 'hold' };
    case 'stage resume':
      return { type: 'stage.transition', orderId, action: 'resume' };
    case 'stage complete':
      return { type: 'stage.transition', orderId, action: 'complete' };
    case 'stage skip':
      return { type: 'stage.transition', orderId, action: 'skip' };
    case 'labflow clone':
      return { type: 'labflow.clone', labflowId: SYSTEM_CLINICAL_LABFLOW.id, newId: 'clinical-v2' };
    case 'labflow publish':
      return { type: 'labflow.publish', labflowId: 'clinical-draft' };
    case 'settings':
      return { type: 'settings.set', key: 'departmentSharing', value: true };
  }
}

function expected(cell: Cell, a: Assignment): Outcome {
  return typeof cell === 'string' ? cell : cell[ASSIGNMENTS.indexOf(a)]!;
}

describe('RBAC matrix: role × action × assignment of the current stage', () => {
  for (const action of Object.keys(MATRIX) as Action[]) {
    for (const role of ROLES) {
      for (const assignment of ASSIGNMENTS) {
        const want = expected(MATRIX[action][role], assignment);
        it(`${action} by ${role}, stage assigned to ${assignment === 'mine' ? 'them' : assignment === 'other' ? 'someone else' : 'nobody'} → ${want}`, () => {
          const draft = cloneLabflow(SYSTEM_CLINICAL_LABFLOW, { id: 'clinical-draft', version: 2, scope: 'project', scopeRef: PROJECT_ID });
          const world = makeWorld({ labflows: [SYSTEM_CLINICAL_LABFLOW, draft] });
          const o = clinicalOrderIn(world, 'analyzing');
          const actor = USERS[role];
          if (assignment === 'nobody') setStage(world, o.id, 'analyzing', { state: 'unassigned', assigneeId: null });
          else
            setStage(world, o.id, 'analyzing', {
              state: HELD_STATE[action] ?? 'pending',
              assigneeId: assignment === 'mine' ? actor.id : USERS.editor2.id,
            });
          const before = order(world, o.id);
          const r = run(world, role, commandFor(action, o.id, actor.id));
          expect(outcome(r), r.success ? 'accepted' : r.error.message).toBe(want);
          if (!r.success) expect(world.orders.get(o.id)).toEqual(before);
        });
      }
    }
  }
});

describe('who holds which permission', () => {
  it('project roles include the ones below; org roles grant no data access; superadmin is platform-wide', () => {
    const world = makeWorld();
    const held = (who: Who) => PERMISSIONS.filter((p) => can(actorOf(world, USERS[who].id)!, p));
    expect(held('none')).toEqual([]);
    expect(held('viewer')).toEqual(['orders:read']);
    expect(held('editor')).toEqual(['orders:read', 'orders:write']);
    expect(held('admin')).toEqual(['orders:read', 'orders:write', 'orders:write_any']);
    expect(held('superadmin')).toEqual(['orders:read', 'orders:write', 'orders:write_any']);
    for (const who of ['org_member', 'org_admin', 'org_owner', 'researcher', 'facility_admin'] as const) expect(held(who)).toEqual([]);
  });

  it('a revoked user is refused everything, whatever role they had', () => {
    const world = makeWorld();
    const o = clinicalOrderIn(world, 'analyzing');
    expect(actorOf(world, USERS.revoked.id)).toBeUndefined();
    for (const input of [
      { type: 'order.transition', orderId: o.id, to: 'cancelled' },
      { type: 'settings.set', key: 'departmentSharing', value: true },
    ] as const)
      expect(outcome(attempt(world, 'revoked', input))).toBe(PD);
  });

  it('the rejection says which rule failed', () => {
    const world = makeWorld();
    const o = clinicalOrderIn(world, 'analyzing');
    setStage(world, o.id, 'analyzing', { state: 'pending', assigneeId: USERS.editor2.id });
    const r = attempt(world, 'editor', { type: 'order.transition', orderId: o.id, to: 'review' });
    expect(!r.success && r.error.message).toBe(
      `Permission denied: moving order ${o.displayId} from analyzing requires being assigned to stage analyzing (someone else is assigned) or orders:write_any`,
    );
    const v = attempt(world, 'viewer', { type: 'order.transition', orderId: o.id, to: 'cancelled' });
    expect(!v.success && v.error.message).toBe('Permission denied: cancelling an order requires project_admin (you are project_viewer)');
  });
});

// DESIGN.md §1: analyzing = browser_viewable only; review = all four; sign_off = report_viewable only
const CAPS: Record<string, readonly CapabilityFlag[]> = {
  created: [],
  analyzing: ['browser_viewable'],
  review: ['browser_viewable', 'browser_editable', 'report_viewable', 'report_editable'],
  sign_off: ['report_viewable'],
  completed: [],
  cancelled: [],
};
const FLAGS: readonly CapabilityFlag[] = ['browser_viewable', 'browser_editable', 'report_viewable', 'report_editable'];

const CAPABILITY_ACTORS = [
  ['none', 'nobody'],
  ['org_owner', 'nobody'],
  ['viewer', 'mine'],
  ['viewer', 'nobody'],
  ['editor', 'mine'],
  ['editor', 'other'],
  ['editor', 'nobody'],
  ['admin', 'other'],
  ['admin', 'nobody'],
  ['superadmin', 'nobody'],
] as const satisfies readonly (readonly [Who, Assignment])[];

/** the effective right: role ∩ assignment ∩ stage capability; write_any skips assignment and capability */
function expectedCapability(who: Who, a: Assignment, flag: CapabilityFlag, has: boolean): Outcome {
  if (who === 'admin' || who === 'superadmin') return OK;
  if (who === 'none' || who === 'org_owner') return PD;
  const viewing = flag === 'browser_viewable' || flag === 'report_viewable';
  if (viewing) return has ? OK : 'capability_denied';
  if (who === 'viewer') return PD;
  if (a !== 'mine') return NA;
  return has ? OK : 'capability_denied';
}

describe('requireCapability: flag × default stage × role and assignment', () => {
  it('the default labflow carries the capability defaults', () => {
    for (const [code, flags] of Object.entries(CAPS))
      for (const flag of FLAGS) expect(stageCapabilities(SYSTEM_CLINICAL_LABFLOW, code)[flag], `${code}.${flag}`).toBe(flags.includes(flag));
  });

  for (const [code, flags] of Object.entries(CAPS)) {
    for (const flag of FLAGS) {
      const has = flags.includes(flag);
      it(`${flag} on ${code} (${has ? 'granted' : 'not granted'} by the stage)`, () => {
        const world = makeWorld();
        for (const [who, a] of CAPABILITY_ACTORS) {
          const actor = actorOf(world, USERS[who].id)!;
          const stage: OrderStage = {
            orderId: uid(1),
            stageCode: code,
            position: 0,
            state: a === 'nobody' ? 'unassigned' : 'pending',
            assigneeId: a === 'mine' ? actor.userId : a === 'other' ? USERS.editor2.id : null,
            updatedAt: '2026-03-01T00:00:00.000Z',
          };
          const r = requireCapability(actor, stage, stageCapabilities(SYSTEM_CLINICAL_LABFLOW, code), flag, 'editing a variant');
          expect(outcome(r), `${who} (${a})`).toBe(expectedCapability(who, a, flag, has));
        }
      });
    }
  }
});
