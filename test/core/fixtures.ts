// a small project with one user per role, driven through decideIn like a replica's overlay
import { expect } from 'vitest';
import type { z } from 'zod';
import {
  applyEvents,
  Command,
  decideIn,
  DEFAULT_SETTINGS,
  emptyWorld,
  type OrderCreateFields,
  REJECTION_CODES,
  rejectionPrefix,
  SYSTEM_CLINICAL_LABFLOW,
  type ClinicalStatus,
  type CommandInput,
  type Decision,
  type FacilityRole,
  type Labflow,
  type Order,
  type OrderStage,
  type OrgRole,
  type ProjectRole,
  type ProjectSettings,
  type RejectionCode,
  type Result,
  type World,
} from '../../src/core/index.ts';

/** deterministic v4-shaped uuids */
export function uid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export const PROJECT_ID = uid(0xf00);
export const ORG_ID = 'org-genomics';

export interface Persona {
  id: string;
  name: string;
  projectRole: ProjectRole | null;
  facilityRole: FacilityRole | null;
  orgRole: OrgRole | null;
  superadmin: boolean;
  departmentId: string | null;
}

function persona(n: number, name: string, extra: Partial<Omit<Persona, 'id' | 'name'>> = {}): Persona {
  return { id: uid(n), name, projectRole: null, facilityRole: null, orgRole: null, superadmin: false, departmentId: null, ...extra };
}

export const USERS = {
  none: persona(1, 'nobody'),
  viewer: persona(2, 'vera', { projectRole: 'project_viewer' }),
  editor: persona(3, 'edith', { projectRole: 'project_editor' }),
  editor2: persona(4, 'eddie', { projectRole: 'project_editor' }),
  editor3: persona(5, 'elena', { projectRole: 'project_editor' }),
  admin: persona(6, 'ada', { projectRole: 'project_admin' }),
  superadmin: persona(7, 'root', { superadmin: true }),
  org_member: persona(8, 'olga', { orgRole: 'org_member' }),
  org_admin: persona(9, 'oscar', { orgRole: 'org_admin' }),
  org_owner: persona(10, 'otto', { orgRole: 'org_owner' }),
  researcher: persona(11, 'rita', { facilityRole: 'researcher', departmentId: 'dept-onc' }),
  colleague: persona(12, 'rob', { facilityRole: 'researcher', departmentId: 'dept-onc' }),
  outsider: persona(13, 'ruth', { facilityRole: 'researcher', departmentId: 'dept-neuro' }),
  facility_admin: persona(14, 'fay', { facilityRole: 'facility_admin', departmentId: 'dept-core' }),
  revoked: persona(15, 'gone', { projectRole: 'project_admin' }),
} as const satisfies Record<string, Persona>;
export type Who = keyof typeof USERS;

export function makeWorld(opts: { settings?: Partial<ProjectSettings>; labflows?: Labflow[]; orgId?: string | null } = {}): World {
  const world = emptyWorld(
    {
      id: PROJECT_ID,
      name: 'Hereditary cancer panel',
      orgId: opts.orgId === undefined ? ORG_ID : opts.orgId,
      settings: { ...DEFAULT_SETTINGS, ...opts.settings },
    },
    opts.labflows ?? [SYSTEM_CLINICAL_LABFLOW],
  );
  for (const [key, p] of Object.entries(USERS)) {
    world.users.set(p.id, {
      id: p.id,
      name: p.name,
      displayName: p.name,
      superadmin: p.superadmin,
      orgRole: p.orgRole,
      departmentId: p.departmentId,
      revokedAt: key === 'revoked' ? '2026-01-01T00:00:00.000Z' : null,
    });
    if (p.projectRole || p.facilityRole)
      world.memberships.set(p.id, { projectId: PROJECT_ID, userId: p.id, role: p.projectRole, facilityRole: p.facilityRole });
  }
  return world;
}

let tick = 0;
/** server time, strictly increasing */
export function now(): string {
  tick++;
  return new Date(Date.UTC(2026, 2, 1, 9, 0, 0) + tick * 1000).toISOString();
}

/** decide only; the world is left as it is */
export function attempt(world: World, who: Who | string, input: CommandInput): Result<Decision> {
  const userId = who in USERS ? USERS[who as Who].id : who;
  return decideIn(world, userId, Command.parse(input), now());
}

/** decide and, when accepted, apply the events */
export function run(world: World, who: Who | string, input: CommandInput): Result<Decision> {
  const r = attempt(world, who, input);
  if (r.success) applyEvents(world, r.data.events);
  return r;
}

export function accepted(r: Result<Decision>): Decision {
  if (!r.success) expect.fail(`expected acceptance, got ${r.error.code}: ${r.error.message}`);
  return r.data;
}

/** a refusal with this code, whose message starts with the prefix users recognise */
export function refused(r: Result<Decision>, code: RejectionCode): string {
  if (r.success) return expect.fail(`expected ${code}, but the command was accepted`);
  expect(r.error.code, r.error.message).toBe(code);
  expect(REJECTION_CODES).toContain(r.error.code);
  expect(r.error.message.startsWith(rejectionPrefix(code))).toBe(true);
  return r.error.message;
}

/** the outcome as one word: 'ok' or the rejection code */
export function outcome(r: Result<unknown>): 'ok' | RejectionCode {
  return r.success ? 'ok' : r.error.code;
}

let orderSeq = 0;
export function createOrder(world: World, who: Who = 'editor', fields: Partial<z.input<typeof OrderCreateFields>> = {}): Order {
  orderSeq++;
  const orderId = uid(0x10_000 + orderSeq);
  accepted(run(world, who, { type: 'order.create', orderId, fields: { displayId: `ORD-2026-${String(orderSeq).padStart(4, '0')}`, ...fields } }));
  return order(world, orderId);
}

export function createFacilityOrder(world: World, who: Who = 'researcher'): Order {
  orderSeq++;
  const orderId = uid(0x10_000 + orderSeq);
  accepted(
    run(world, who, { type: 'order.create', orderId, workflow: 'facility', fields: { displayId: `SEQ-${String(orderSeq).padStart(4, '0')}` } }),
  );
  return order(world, orderId);
}

export function order(world: World, orderId: string): Order {
  const o = world.orders.get(orderId);
  if (!o) return expect.fail(`order ${orderId} is gone`);
  return o;
}

export function stage(world: World, orderId: string, code: string): OrderStage {
  const s = world.stages.get(orderId)?.find((x) => x.stageCode === code);
  if (!s) return expect.fail(`order ${orderId} has no stage ${code}`);
  return s;
}

/** puts a stage into a state directly, as a test set-up (bypasses the history) */
export function setStage(world: World, orderId: string, code: string, patch: Partial<Pick<OrderStage, 'state' | 'assigneeId'>>): void {
  applyEvents(world, [{ type: 'stage.updated', stage: { ...stage(world, orderId, code), ...patch } }]);
}

/** an old record read back with a status the app no longer writes */
export function setStatus(world: World, orderId: string, status: string): void {
  const o = order(world, orderId);
  applyEvents(world, [{ type: 'order.updated', orderId, patch: { status }, version: o.version, updatedAt: o.updatedAt }]);
}

/**
 * a clinical order walked to `status` by its users: the creator moves it on, editors
 * self-assign; `completed` is what approve-and-sign leaves (it lives outside the command set)
 */
export function clinicalOrderIn(world: World, status: ClinicalStatus): Order {
  const o = createOrder(world, 'editor');
  const path: Record<ClinicalStatus, readonly ClinicalStatus[]> = {
    created: [],
    analyzing: ['analyzing'],
    review: ['analyzing', 'review'],
    sign_off: ['analyzing', 'review', 'sign_off'],
    completed: ['analyzing', 'review', 'sign_off'],
    cancelled: [],
  };
  for (const to of path[status]) {
    const cur = order(world, o.id).status;
    if (stage(world, o.id, cur).assigneeId !== USERS.editor.id)
      accepted(run(world, 'editor', { type: 'stage.assign', orderId: o.id, userId: USERS.editor.id }));
    accepted(run(world, 'editor', { type: 'order.transition', orderId: o.id, to }));
  }
  if (status === 'cancelled') accepted(run(world, 'admin', { type: 'order.transition', orderId: o.id, to: 'cancelled' }));
  if (status === 'completed') {
    const cur = order(world, o.id);
    const t = now();
    applyEvents(world, [
      { type: 'stage.updated', stage: { ...stage(world, o.id, 'sign_off'), state: 'completed', updatedAt: t } },
      { type: 'stage.updated', stage: { ...stage(world, o.id, 'completed'), state: 'completed', updatedAt: t } },
      { type: 'order.updated', orderId: o.id, patch: { status: 'completed' }, version: cur.version + 1, updatedAt: t },
    ]);
    world.signedReportOrders.add(o.id);
  }
  expect(order(world, o.id).status).toBe(status);
  return order(world, o.id);
}
