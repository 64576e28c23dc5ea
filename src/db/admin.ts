import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  DEFAULT_SETTINGS,
  FACILITY_ROLES,
  ORG_ROLES,
  PROJECT_ROLES,
  SYSTEM_CLINICAL_LABFLOW,
  User,
  fail,
  ok,
  type FacilityRole,
  type OrgRole,
  type ProjectRole,
  type Result,
} from '../core/index.ts';
import { appendAudit } from './chain.ts';
import { toProject, toUser } from './rows.ts';
import { migrate } from './schema.ts';
import type { Sql } from './sql.ts';
import { saveLabflow } from './state.ts';

// user and project management: direct store operations, audited like commands

export const ALL_ROLES = [...PROJECT_ROLES, ...FACILITY_ROLES, ...ORG_ROLES, 'superadmin'] as const;
export type AnyRole = (typeof ALL_ROLES)[number];

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(): string {
  return `curio_${randomBytes(32).toString('base64url')}`;
}

type Row = Record<string, unknown>;

export interface InitResult {
  projectId: string;
  projectName: string;
  userId: string;
  userName: string;
  token: string;
}

/** a new store: schema, system labflows, the project and its first project_admin */
export async function initStore(db: Sql, opts: { projectName: string; adminName?: string; now?: string }): Promise<Result<InitResult>> {
  await migrate(db);
  const now = opts.now ?? new Date().toISOString();
  const adminName = opts.adminName ?? 'admin';
  const nameOk = User.shape.name.safeParse(adminName);
  if (!nameOk.success) return fail('invalid_input', `Invalid input: user name ${adminName}: ${nameOk.error.issues[0]!.message}`);
  if (!opts.projectName.trim() || opts.projectName.length > 100)
    return fail('invalid_input', 'Invalid input: --project must be 1-100 characters');
  return db.transaction(async (tx) => {
    const existing = await tx.query<Row>('SELECT 1 FROM projects WHERE name = $1', [opts.projectName]);
    if (existing.length) return fail('conflict', `Conflict: project ${opts.projectName} already exists in this store`);
    await saveLabflow(tx, SYSTEM_CLINICAL_LABFLOW, now);
    const projectId = randomUUID();
    await tx.query('INSERT INTO projects (id, name, org_id, settings, created_at) VALUES ($1, $2, NULL, $3::jsonb, $4)', [
      projectId,
      opts.projectName,
      JSON.stringify(DEFAULT_SETTINGS),
      now,
    ]);
    let user = (await tx.query<Row>('SELECT * FROM users WHERE name = $1', [adminName]))[0];
    if (!user) {
      user = (await tx.query<Row>(
        'INSERT INTO users (id, name, display_name, superadmin, created_at) VALUES ($1, $2, $2, false, $3) RETURNING *',
        [randomUUID(), adminName, now],
      ))[0]!;
    }
    const userId = String(user.id);
    await tx.query(`INSERT INTO memberships (project_id, user_id, role, facility_role) VALUES ($1, $2, 'project_admin', 'facility_admin')`, [
      projectId,
      userId,
    ]);
    const token = newToken();
    await tx.query('INSERT INTO tokens (hash, user_id, created_at) VALUES ($1, $2, $3)', [hashToken(token), userId, now]);
    await appendAudit(tx, [
      { action: 'project.create', entityType: 'project', entityId: projectId, before: null, after: { name: opts.projectName }, reason: null, projectId, actorId: null, at: now, mid: null },
      { action: 'user.add', entityType: 'user', entityId: userId, before: null, after: { name: adminName, role: 'project_admin', facilityRole: 'facility_admin' }, reason: null, projectId, actorId: null, at: now, mid: null },
    ]);
    return ok({ projectId, projectName: opts.projectName, userId, userName: adminName, token });
  });
}

export async function findProject(db: Sql, nameOrId: string) {
  const r = (await db.query<Row>('SELECT * FROM projects WHERE name = $1 OR id::text = $1', [nameOrId]))[0];
  return r ? toProject(r) : null;
}

export async function listProjects(db: Sql) {
  return (await db.query<Row>('SELECT * FROM projects ORDER BY created_at, name')).map(toProject);
}

export async function findUser(db: Sql, nameOrId: string): Promise<User | null> {
  const r = (await db.query<Row>('SELECT * FROM users WHERE name = $1 OR id::text = $1', [nameOrId]))[0];
  return r ? toUser(r) : null;
}

/** the user a token belongs to, or null for unknown, revoked or malformed tokens */
export async function authenticate(db: Sql, token: string): Promise<User | null> {
  if (!/^curio_[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const r = (await db.query<Row>(
    `SELECT u.* FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = $1 AND t.revoked_at IS NULL AND u.revoked_at IS NULL`,
    [hashToken(token)],
  ))[0];
  return r ? toUser(r) : null;
}

function roleColumns(role: AnyRole): { role?: ProjectRole; facilityRole?: FacilityRole; orgRole?: OrgRole; superadmin?: boolean } {
  if ((PROJECT_ROLES as readonly string[]).includes(role)) return { role: role as ProjectRole };
  if ((FACILITY_ROLES as readonly string[]).includes(role)) return { facilityRole: role as FacilityRole };
  if ((ORG_ROLES as readonly string[]).includes(role)) return { orgRole: role as OrgRole };
  return { superadmin: true };
}

export function parseRole(s: string): Result<AnyRole> {
  if ((ALL_ROLES as readonly string[]).includes(s)) return ok(s as AnyRole);
  return fail('invalid_input', `Invalid input: --role ${s}: must be one of ${ALL_ROLES.join(', ')}`, { path: ['role'] });
}

async function applyRole(tx: Sql, projectId: string, userId: string, role: AnyRole): Promise<void> {
  const c = roleColumns(role);
  if (c.orgRole) await tx.query('UPDATE users SET org_role = $2 WHERE id = $1', [userId, c.orgRole]);
  if (c.superadmin) await tx.query('UPDATE users SET superadmin = true WHERE id = $1', [userId]);
  await tx.query('INSERT INTO memberships (project_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [projectId, userId]);
  if (c.role) await tx.query('UPDATE memberships SET role = $3 WHERE project_id = $1 AND user_id = $2', [projectId, userId, c.role]);
  if (c.facilityRole)
    await tx.query('UPDATE memberships SET facility_role = $3 WHERE project_id = $1 AND user_id = $2', [projectId, userId, c.facilityRole]);
}

export async function addUser(
  db: Sql,
  opts: { projectId: string; name: string; role: AnyRole; department?: string | null; displayName?: string; actorId: string | null; now?: string },
): Promise<Result<{ userId: string; token: string }>> {
  const now = opts.now ?? new Date().toISOString();
  const nameOk = User.shape.name.safeParse(opts.name);
  if (!nameOk.success) return fail('invalid_input', `Invalid input: user name ${JSON.stringify(opts.name)}: ${nameOk.error.issues[0]!.message}`, { path: ['name'] });
  return db.transaction(async (tx) => {
    if ((await tx.query<Row>('SELECT 1 FROM users WHERE name = $1', [opts.name])).length)
      return fail('conflict', `Conflict: user ${opts.name} already exists (use 'admin user role' to change the role)`);
    const userId = randomUUID();
    if (opts.department) await tx.query('INSERT INTO departments (id, name) VALUES ($1, $1) ON CONFLICT DO NOTHING', [opts.department]);
    await tx.query('INSERT INTO users (id, name, display_name, department_id, created_at) VALUES ($1, $2, $3, $4, $5)', [
      userId,
      opts.name,
      opts.displayName ?? opts.name,
      opts.department ?? null,
      now,
    ]);
    await applyRole(tx, opts.projectId, userId, opts.role);
    const token = newToken();
    await tx.query('INSERT INTO tokens (hash, user_id, created_at) VALUES ($1, $2, $3)', [hashToken(token), userId, now]);
    await appendAudit(tx, [
      { action: 'user.add', entityType: 'user', entityId: userId, before: null, after: { name: opts.name, role: opts.role, department: opts.department ?? null }, reason: null, projectId: opts.projectId, actorId: opts.actorId, at: now, mid: null },
    ]);
    return ok({ userId, token });
  });
}

export async function setUserRole(
  db: Sql,
  opts: { projectId: string; name: string; role: AnyRole; actorId: string | null; now?: string },
): Promise<Result<{ userId: string }>> {
  const now = opts.now ?? new Date().toISOString();
  return db.transaction(async (tx) => {
    const u = (await tx.query<Row>('SELECT * FROM users WHERE name = $1', [opts.name]))[0];
    if (!u) return fail('not_found', `Not found: user ${opts.name}`);
    const before = (await tx.query<Row>('SELECT role, facility_role FROM memberships WHERE project_id = $1 AND user_id = $2', [opts.projectId, String(u.id)]))[0] ?? null;
    await applyRole(tx, opts.projectId, String(u.id), opts.role);
    await appendAudit(tx, [
      { action: 'user.role', entityType: 'user', entityId: String(u.id), before, after: { role: opts.role }, reason: null, projectId: opts.projectId, actorId: opts.actorId, at: now, mid: null },
    ]);
    return ok({ userId: String(u.id) });
  });
}

/** takes away a user's project roles (the account and its tokens stay) */
export async function removeUserRole(
  db: Sql,
  opts: { projectId: string; name: string; actorId: string | null; now?: string },
): Promise<Result<{ userId: string }>> {
  const now = opts.now ?? new Date().toISOString();
  return db.transaction(async (tx) => {
    const u = (await tx.query<Row>('SELECT * FROM users WHERE name = $1', [opts.name]))[0];
    if (!u) return fail('not_found', `Not found: user ${opts.name}`);
    await tx.query('DELETE FROM memberships WHERE project_id = $1 AND user_id = $2', [opts.projectId, String(u.id)]);
    await appendAudit(tx, [
      { action: 'user.role', entityType: 'user', entityId: String(u.id), before: null, after: { role: null }, reason: 'removed from project', projectId: opts.projectId, actorId: opts.actorId, at: now, mid: null },
    ]);
    return ok({ userId: String(u.id) });
  });
}

export async function revokeUser(db: Sql, opts: { name: string; projectId: string | null; actorId: string | null; now?: string }): Promise<Result<{ userId: string }>> {
  const now = opts.now ?? new Date().toISOString();
  return db.transaction(async (tx) => {
    const u = (await tx.query<Row>('SELECT * FROM users WHERE name = $1', [opts.name]))[0];
    if (!u) return fail('not_found', `Not found: user ${opts.name}`);
    if (u.revoked_at) return fail('conflict', `Conflict: user ${opts.name} is already revoked`);
    await tx.query('UPDATE users SET revoked_at = $2 WHERE id = $1', [String(u.id), now]);
    await tx.query('UPDATE tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL', [String(u.id), now]);
    await appendAudit(tx, [
      { action: 'user.revoke', entityType: 'user', entityId: String(u.id), before: null, after: { revokedAt: now }, reason: null, projectId: opts.projectId, actorId: opts.actorId, at: now, mid: null },
    ]);
    return ok({ userId: String(u.id) });
  });
}

export async function getLocal<T>(db: Sql, key: string): Promise<T | undefined> {
  const r = (await db.query<{ value: T }>('SELECT value FROM local_meta WHERE key = $1', [key]))[0];
  return r?.value;
}

export async function setLocal(db: Sql, key: string, value: unknown): Promise<void> {
  await db.query('INSERT INTO local_meta (key, value) VALUES ($1, $2::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [
    key,
    JSON.stringify(value),
  ]);
}
