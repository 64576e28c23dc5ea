import { canManage, type Result } from '../core/index.ts';
import {
  addUser,
  authenticate,
  findProject,
  initStore,
  listProjects,
  migrate,
  openPglite,
  openPostgres,
  parseRole,
  removeUserRole,
  revokeUser,
  setUserRole,
  verifyChain,
  type SqlDatabase,
} from '../db/index.ts';
import { parseArgs, type CommandSpec, type Parsed, stringFlag } from './args.ts';
import { EXIT, newClientId, openSession, openStore, report, type Session, type Store } from './context.ts';
import { acquireLock, writeConfig } from './home.ts';
import { fields, type Output } from './output.ts';
import { submit } from './session-helpers.ts';

/** an admin target: the CURIO_HOME store, a relay's data directory, or PostgreSQL */
export interface AdminTarget {
  db: SqlDatabase;
  /** acting user when the target is the logged-in standalone store */
  session: Session | null;
  close(): Promise<void>;
}

export async function openAdminTarget(dataDir: string | undefined, env: NodeJS.ProcessEnv): Promise<AdminTarget> {
  if (env.DATABASE_URL && !dataDir) {
    const db = await openPostgres(env.DATABASE_URL);
    await migrate(db);
    return { db, session: null, close: () => db.close() };
  }
  if (dataDir) {
    const release = acquireLock(dataDir);
    try {
      const db = await openPglite(dataDir + '/store');
      await migrate(db);
      return { db, session: null, close: async () => { await db.close(); release(); } };
    } catch (err) {
      release();
      throw err;
    }
  }
  throw new Error('openAdminTarget needs --data DIR or DATABASE_URL');
}

export const USER_ADD: CommandSpec = {
  usage: 'curio admin user add NAME --role ROLE [--project P] [--department D] [--display-name N]',
  flags: { role: { type: 'string' }, project: { type: 'string' }, department: { type: 'string' }, 'display-name': { type: 'string' } },
  positionals: ['NAME'],
};
export const USER_ROLE: CommandSpec = {
  usage: 'curio admin user role NAME (--role ROLE | --remove) [--project P]',
  flags: { role: { type: 'string' }, remove: { type: 'boolean' }, project: { type: 'string' } },
  positionals: ['NAME'],
};
export const USER_REVOKE: CommandSpec = { usage: 'curio admin user revoke NAME', positionals: ['NAME'] };
export const INIT: CommandSpec = { usage: 'curio init --project NAME [--admin NAME]', flags: { project: { type: 'string' }, admin: { type: 'string' } }, positionals: [] };

async function projectFor(db: SqlDatabase, out: Output, flag: string | undefined, session: Session | null) {
  if (flag) {
    const p = await findProject(db, flag);
    if (!p) return { ok: false as const, exit: report(out, { code: 'not_found', message: `Not found: project ${flag}` }) };
    return { ok: true as const, value: p };
  }
  if (session) return { ok: true as const, value: session.project };
  const all = await listProjects(db);
  if (all.length === 1) return { ok: true as const, value: all[0]! };
  return { ok: false as const, exit: report(out, { code: 'invalid_input', message: `--project is required (projects: ${all.map((p) => p.name).join(', ') || 'none'})` }) };
}

function printResult<T>(out: Output, r: Result<T>, text: (d: T) => string, data: (d: T) => unknown): number {
  if (!r.success) return report(out, r.error);
  if (out.json) out.data(data(r.data));
  else out.out(text(r.data));
  return EXIT.ok;
}

/** user management verbs shared by standalone and relay stores */
export async function runUserVerb(target: AdminTarget, out: Output, verb: string, argv: string[]): Promise<number> {
  const s = target.session;
  if (s && !canManage(s.actor)) return report(out, { code: 'permission_denied', message: `Permission denied: managing users requires project_admin or org_admin (you are ${s.actor.projectRole ?? 'no role'})` });
  const actorId = s?.user.id ?? null;
  switch (verb) {
    case 'add': {
      const a = parseArgs(argv, USER_ADD);
      if (!a.success) return report(out, a.error);
      const roleFlag = stringFlag(a.data.flags.role);
      if (!roleFlag) return report(out, { code: 'invalid_input', message: `--role is required\nusage: ${USER_ADD.usage}` });
      const role = parseRole(roleFlag);
      if (!role.success) return report(out, role.error);
      const p = await projectFor(target.db, out, stringFlag(a.data.flags.project), s);
      if (!p.ok) return p.exit;
      const name = a.data.positionals[0]!;
      const r = await addUser(target.db, {
        projectId: p.value.id,
        name,
        role: role.data,
        department: stringFlag(a.data.flags.department) ?? null,
        ...(stringFlag(a.data.flags['display-name']) ? { displayName: stringFlag(a.data.flags['display-name'])! } : {}),
        actorId,
      });
      return printResult(out, r, (d) => `added ${name} as ${role.data} in ${p.value.name}\ntoken: ${d.token}\n(shown once: store it now)`, (d) => ({ user: name, user_id: d.userId, role: role.data, project: p.value.name, token: d.token }));
    }
    case 'role': {
      const a = parseArgs(argv, USER_ROLE);
      if (!a.success) return report(out, a.error);
      const p = await projectFor(target.db, out, stringFlag(a.data.flags.project), s);
      if (!p.ok) return p.exit;
      const name = a.data.positionals[0]!;
      if (a.data.flags.remove) {
        const r = await removeUserRole(target.db, { projectId: p.value.id, name, actorId });
        return printResult(out, r, () => `removed ${name} from ${p.value.name}`, (d) => ({ user: name, user_id: d.userId, project: p.value.name, role: null }));
      }
      const roleFlag = stringFlag(a.data.flags.role);
      if (!roleFlag) return report(out, { code: 'invalid_input', message: `--role or --remove is required\nusage: ${USER_ROLE.usage}` });
      const role = parseRole(roleFlag);
      if (!role.success) return report(out, role.error);
      const r = await setUserRole(target.db, { projectId: p.value.id, name, role: role.data, actorId });
      return printResult(out, r, () => `${name} is now ${role.data} in ${p.value.name}`, (d) => ({ user: name, user_id: d.userId, project: p.value.name, role: role.data }));
    }
    case 'revoke': {
      const a = parseArgs(argv, USER_REVOKE);
      if (!a.success) return report(out, a.error);
      const name = a.data.positionals[0]!;
      if (s && name === s.user.name) return report(out, { code: 'invalid_input', message: 'you cannot revoke yourself' });
      const r = await revokeUser(target.db, { name, projectId: s?.project.id ?? null, actorId });
      return printResult(out, r, () => `revoked ${name}: their tokens no longer work`, (d) => ({ user: name, user_id: d.userId, revoked: true }));
    }
    default:
      return report(out, { code: 'invalid_input', message: `unknown verb 'admin user ${verb}' (add, role, revoke)` });
  }
}

export async function runInit(db: SqlDatabase, out: Output, argv: string[]) {
  const a = parseArgs(argv, INIT);
  if (!a.success) return { exit: report(out, a.error) };
  const project = stringFlag(a.data.flags.project);
  if (!project) return { exit: report(out, { code: 'invalid_input', message: `--project NAME is required\nusage: ${INIT.usage}` }) };
  const r = await initStore(db, { projectName: project, ...(stringFlag(a.data.flags.admin) ? { adminName: stringFlag(a.data.flags.admin)! } : {}) });
  if (!r.success) return { exit: report(out, r.error) };
  if (out.json) out.data({ project: r.data.projectName, project_id: r.data.projectId, user: r.data.userName, user_id: r.data.userId, role: 'project_admin', token: r.data.token });
  else out.out(`created project ${r.data.projectName} with project_admin ${r.data.userName}\ntoken: ${r.data.token}\n(shown once: store it now)`);
  return { exit: EXIT.ok, init: r.data };
}

export async function runStandaloneInit(store: Store, out: Output, argv: string[]): Promise<number> {
  const r = await runInit(store.db, out, argv);
  if (r.init) writeConfig(store.home, { ...(store.config ?? {}), mode: 'standalone', token: r.init.token, projectId: r.init.projectId, userName: r.init.userName, clientId: newClientId() });
  if (r.init && !out.json) out.err(`logged in as ${r.init.userName} in ${store.home}`);
  return r.exit;
}

export async function runLogin(store: Store, out: Output, a: Parsed): Promise<number> {
  const token = stringFlag(a.flags.token);
  if (!token) return report(out, { code: 'invalid_input', message: '--token TOKEN is required' });
  const user = await authenticate(store.db, token);
  if (!user) return report(out, { code: 'permission_denied', message: 'Permission denied: unknown or revoked token' });
  writeConfig(store.home, { ...(store.config ?? {}), mode: 'standalone', token, userName: user.name, clientId: newClientId() });
  if (out.json) out.data({ user: user.name, user_id: user.id, home: store.home });
  else out.out(`logged in as ${user.name} (${store.home})`);
  return EXIT.ok;
}

export async function runWhoami(s: Session, out: Output): Promise<number> {
  const info = {
    user: s.user.name,
    user_id: s.user.id,
    project: s.project.name,
    project_id: s.project.id,
    role: s.actor.projectRole,
    facility_role: s.actor.facilityRole,
    org_role: s.actor.orgRole,
    superadmin: s.actor.superadmin,
    department: s.actor.departmentId,
    mode: s.config.mode,
    server: s.config.server ?? null,
    home: s.home,
  };
  if (out.json) out.data(info);
  else out.out(fields(Object.entries(info)));
  return EXIT.ok;
}

export async function runSelectProject(store: Store, out: Output, name: string): Promise<number> {
  const p = await findProject(store.db, name);
  if (!p) return report(out, { code: 'not_found', message: `Not found: project ${name}` });
  writeConfig(store.home, { ...(store.config ?? { mode: 'standalone' }), projectId: p.id });
  if (out.json) out.data({ project: p.name, project_id: p.id });
  else out.out(`selected project ${p.name}`);
  return EXIT.ok;
}

export const SETTINGS_KEYS = { 'allow-delete-submitted': 'allowDeleteSubmitted', 'department-sharing': 'departmentSharing' } as const;

export async function runSettingsSet(s: Session, out: Output, argv: string[]): Promise<number> {
  const a = parseArgs(argv, { usage: 'curio admin settings set allow-delete-submitted|department-sharing on|off', positionals: ['KEY', 'VALUE'] });
  if (!a.success) return report(out, a.error);
  const [key, value] = a.data.positionals as [string, string];
  const k = SETTINGS_KEYS[key as keyof typeof SETTINGS_KEYS];
  if (!k) return report(out, { code: 'invalid_input', message: `unknown setting ${key} (allow-delete-submitted, department-sharing)` });
  if (value !== 'on' && value !== 'off') return report(out, { code: 'invalid_input', message: `${key}: value must be on or off (got ${JSON.stringify(value)})` });
  return submit(s, out, { type: 'settings.set', key: k, value: value === 'on' }, {
    wait: !a.data.flags['no-wait'],
    done: async () => ({ text: `${key} is ${value}`, data: { [key]: value === 'on' } }),
  });
}

export async function runAuditVerifyOn(db: SqlDatabase, out: Output): Promise<number> {
  const reports = [await verifyChain(db, 'transitions'), await verifyChain(db, 'audit')];
  if (out.json) out.data(reports.map((r) => ({ chain: r.chain, rows: r.rows, ok: !r.problem, problem: r.problem })));
  else for (const r of reports) out.out(r.problem ? `${r.chain}: FAILED at row ${r.problem.seq}: ${r.problem.reason}` : `${r.chain}: ok (${r.rows} rows verified)`);
  return reports.some((r) => r.problem) ? 5 : EXIT.ok;
}

export { openSession, openStore };
