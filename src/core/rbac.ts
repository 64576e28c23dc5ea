import { fail, ok, type Result } from './result.ts';
import type { FacilityRole, Membership, OrderStage, OrgRole, ProjectRole, StageCapabilities, User } from './schemas.ts';

/** who is acting, with roles read from the database at processing time */
export interface Actor {
  userId: string;
  name: string;
  projectRole: ProjectRole | null;
  facilityRole: FacilityRole | null;
  orgRole: OrgRole | null;
  superadmin: boolean;
  departmentId: string | null;
}

/** the actor a user is in a project, from the user row and their membership there */
export function actorFrom(user: User, membership: Membership | null): Actor {
  return {
    userId: user.id,
    name: user.name,
    projectRole: membership?.role ?? null,
    facilityRole: membership?.facilityRole ?? null,
    orgRole: user.orgRole,
    superadmin: user.superadmin,
    departmentId: user.departmentId,
  };
}

export const PERMISSIONS = ['orders:read', 'orders:write', 'orders:write_any'] as const;
export type Permission = (typeof PERMISSIONS)[number];

const PROJECT_RANK: Record<ProjectRole, number> = { project_viewer: 1, project_editor: 2, project_admin: 3 };
const ORG_RANK: Record<OrgRole, number> = { org_member: 1, org_admin: 2, org_owner: 3 };

export function projectRank(role: ProjectRole | null): number {
  return role ? PROJECT_RANK[role] : 0;
}

export function orgRank(role: OrgRole | null): number {
  return role ? ORG_RANK[role] : 0;
}

/** roles include the ones below them; superadmin is platform-wide */
export function hasProjectRole(actor: Actor, atLeast: ProjectRole): boolean {
  return actor.superadmin || projectRank(actor.projectRole) >= PROJECT_RANK[atLeast];
}

// org roles grant management, not data access
export function permissionsOf(actor: Actor): Set<Permission> {
  const out = new Set<Permission>();
  if (hasProjectRole(actor, 'project_viewer')) out.add('orders:read');
  if (hasProjectRole(actor, 'project_editor')) out.add('orders:write');
  if (hasProjectRole(actor, 'project_admin')) out.add('orders:write_any');
  return out;
}

export function can(actor: Actor, permission: Permission): boolean {
  return permissionsOf(actor).has(permission);
}

/** user and project management: project_admin, org_admin or above, superadmin */
export function canManage(actor: Actor): boolean {
  return hasProjectRole(actor, 'project_admin') || orgRank(actor.orgRole) >= ORG_RANK.org_admin;
}

function roleLabel(actor: Actor): string {
  return actor.projectRole ?? 'no project role';
}

export function requireRole(actor: Actor, atLeast: ProjectRole, doing: string): Result<void> {
  if (hasProjectRole(actor, atLeast)) return ok(undefined);
  return fail('permission_denied', `Permission denied: ${doing} requires ${atLeast} (you are ${roleLabel(actor)})`);
}

/**
 * the assignment rule: project_editor or higher AND assigned to the stage,
 * or orders:write_any
 */
export function requireAssigned(actor: Actor, stage: OrderStage | undefined, doing: string): Result<void> {
  if (can(actor, 'orders:write_any')) return ok(undefined);
  const role = requireRole(actor, 'project_editor', doing);
  if (!role.success) return role;
  if (!stage || stage.assigneeId !== actor.userId) {
    const where = stage ? `stage ${stage.stageCode}` : 'the current stage';
    const who = stage?.assigneeId ? 'someone else is assigned' : 'nobody is assigned';
    return fail('not_assigned', `Permission denied: ${doing} requires being assigned to ${where} (${who}) or orders:write_any`);
  }
  return ok(undefined);
}

export type CapabilityFlag = keyof StageCapabilities;

/** effective right = role ∩ assignment ∩ stage capability (write_any skips assignment and capability) */
export function requireCapability(
  actor: Actor,
  stage: OrderStage | undefined,
  caps: StageCapabilities,
  flag: CapabilityFlag,
  doing: string,
): Result<void> {
  // write_any edits any stage, so it must see what it edits too
  if (can(actor, 'orders:write_any')) return ok(undefined);
  if (flag === 'browser_viewable' || flag === 'report_viewable') {
    const role = requireRole(actor, 'project_viewer', doing);
    if (!role.success) return role;
    if (!caps[flag]) return fail('capability_denied', `Capability denied: ${doing} needs ${flag} on stage ${stage?.stageCode ?? '?'}`);
    return ok(undefined);
  }
  const assigned = requireAssigned(actor, stage, doing);
  if (!assigned.success) return assigned;
  if (!caps[flag]) return fail('capability_denied', `Capability denied: ${doing} needs ${flag} on stage ${stage?.stageCode ?? '?'}`);
  return ok(undefined);
}
