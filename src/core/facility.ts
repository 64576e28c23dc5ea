import { fail, ok, type Result } from './result.ts';
import type { Actor } from './rbac.ts';
import type { FacilityStatus, Order, ProjectSettings } from './schemas.ts';

// sequencing-facility workflow, DESIGN.md §1 "Facility workflow"
export const FACILITY_TRANSITIONS: Readonly<Record<FacilityStatus, readonly FacilityStatus[]>> = {
  draft: ['submitted'],
  submitted: ['completed'],
  completed: [],
};

export function isFacilityAdmin(actor: Actor): boolean {
  return actor.superadmin || actor.facilityRole === 'facility_admin';
}

function isCreator(actor: Actor, order: Pick<Order, 'createdBy'>): boolean {
  return order.createdBy === actor.userId;
}

export function canSeeFacilityOrder(
  actor: Actor,
  order: Pick<Order, 'createdBy' | 'status' | 'departmentId'>,
  settings: ProjectSettings,
): boolean {
  if (isFacilityAdmin(actor) || isCreator(actor, order)) return true;
  if (actor.facilityRole !== 'researcher') return false;
  // drafts stay with their creator; department sharing covers the rest
  return (
    settings.departmentSharing &&
    order.status !== 'draft' &&
    actor.departmentId !== null &&
    order.departmentId === actor.departmentId
  );
}

export function requireFacilityTransition(actor: Actor, order: Order, to: string): Result<void> {
  const from = order.status as FacilityStatus;
  if (!(FACILITY_TRANSITIONS[from] ?? []).includes(to as FacilityStatus))
    return fail('invalid_transition', `Invalid transition: ${from} → ${to}`);
  if (to === 'submitted' && !(isCreator(actor, order) || isFacilityAdmin(actor)))
    return fail('permission_denied', 'Permission denied: only the order creator or a facility_admin may submit it');
  if (to === 'completed' && !isFacilityAdmin(actor))
    return fail('permission_denied', 'Permission denied: completing a facility order requires facility_admin');
  return ok(undefined);
}

export type FacilityEdit = 'metadata' | 'samples' | 'sample_admin_fields' | 'admin_notes';

export function requireFacilityEdit(actor: Actor, order: Order, what: FacilityEdit): Result<void> {
  const admin = isFacilityAdmin(actor);
  if (!admin && !isCreator(actor, order))
    return fail('permission_denied', 'Permission denied: only the creator or a facility_admin may edit this order');
  if ((what === 'sample_admin_fields' || what === 'admin_notes') && !admin)
    return fail('permission_denied', `Permission denied: ${what.replace(/_/g, ' ')} are edited by a facility_admin`);
  switch (order.status) {
    case 'draft':
      return ok(undefined);
    case 'submitted':
      if (what === 'samples') return fail('conflict', 'Conflict: sample data is read-only once the order is submitted');
      return ok(undefined);
    case 'completed':
      if (!admin) return fail('conflict', 'Conflict: a completed order is read-only for researchers');
      if (what === 'samples') return fail('conflict', 'Conflict: sample data is read-only once the order is submitted');
      return ok(undefined);
    default:
      return fail('invalid_input', `unknown facility status ${order.status}`);
  }
}

export function requireFacilityDelete(actor: Actor, order: Order, settings: ProjectSettings): Result<void> {
  if (order.status === 'draft') {
    if (isCreator(actor, order) || isFacilityAdmin(actor)) return ok(undefined);
    return fail('permission_denied', 'Permission denied: only the creator or a facility_admin may delete a draft');
  }
  if (order.status === 'submitted') {
    if (!isFacilityAdmin(actor))
      return fail('permission_denied', 'Permission denied: deleting a submitted order requires facility_admin');
    if (!settings.allowDeleteSubmitted)
      return fail('conflict', 'Conflict: deletion of submitted orders is off (admin settings allow-delete-submitted)');
    return ok(undefined);
  }
  return fail('conflict', `Conflict: a ${order.status} order cannot be deleted`);
}

export function requireSamplesSent(actor: Actor, order: Order, alreadyRecorded: boolean): Result<void> {
  if (order.status === 'draft') return fail('invalid_transition', 'Invalid transition: samples can be recorded as sent only after submission');
  if (alreadyRecorded) return fail('conflict', 'Conflict: SAMPLES_SENT is already recorded for this order');
  if (!(isCreator(actor, order) || isFacilityAdmin(actor)))
    return fail('permission_denied', 'Permission denied: only the creator or a facility_admin may record samples sent');
  return ok(undefined);
}
