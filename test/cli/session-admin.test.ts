import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliFixture, jsonOf, looksLikeCrash, PROJECT, runCli, type CliFixture, type CliHome } from '../helpers/cli.ts';

// curio init / login / whoami / config and curio admin user / settings

let fx: CliFixture;
beforeAll(async () => {
  fx = await createCliFixture();
});
afterAll(() => fx?.cleanup());

interface Whoami {
  user: string;
  role: string | null;
  facility_role: string | null;
  project: string;
  project_id: string;
  department: string | null;
  mode: string;
  home: string;
}

describe('curio init, login, whoami and config', () => {
  // one store for the login tests: each test says who is logged in first
  let h: CliHome;
  beforeAll(() => {
    h = fx.fresh('admin');
  });

  it('initialises an empty CURIO_HOME, prints the first token once and logs in with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'curio-init-'));
    try {
      const r = await runCli(dir, ['init', '--project', 'Rare Disease', '--admin', 'alice']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^created project Rare Disease with project_admin alice\ntoken: curio_[A-Za-z0-9_-]{40,}\n\(shown once: store it now\)\n$/);
      expect(r.stderr).toBe(`logged in as alice in ${dir}\n`);
      // the login holds a token: only its owner may read it
      expect(statSync(join(dir, 'config.json')).mode & 0o777).toBe(0o600);
      const token = /token: (\S+)/.exec(r.stdout)![1]!;
      expect(readFileSync(join(dir, 'config.json'), 'utf8')).toContain(token);
      const me = jsonOf<Whoami>(await runCli(dir, ['whoami', '--json']));
      expect(me).toMatchObject({ user: 'alice', role: 'project_admin', facility_role: 'facility_admin', project: 'Rare Disease', mode: 'standalone', home: dir });
      const again = await runCli(dir, ['init', '--project', 'Rare Disease']);
      expect(again.code).toBe(3);
      expect(again.stderr).toBe('Conflict: project Rare Disease already exists in this store\n');
      const badAdmin = await runCli(dir, ['init', '--project', 'Other', '--admin', 'Not Valid']);
      expect(badAdmin.code).toBe(2);
      expect(badAdmin.stderr).toMatch(/^Invalid input: user name Not Valid/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('logs in with a token, stores it 0600 and answers whoami', async () => {
    h.as('admin');
    const r = await h.run('login', '--token', fx.tokens.researcher);
    expect(r).toMatchObject({ code: 0, stdout: `logged in as researcher (${h.dir})\n` });
    expect(statSync(join(h.dir, 'config.json')).mode & 0o777).toBe(0o600);
    const text = await h.run('whoami');
    expect(text.stdout).toMatch(/^user:\s+researcher$/m);
    expect(text.stdout).toMatch(/^facility_role:\s+researcher$/m);
    expect(text.stdout).toMatch(/^department:\s+genomics$/m);
    const me = await h.json<Whoami>('whoami');
    expect(me).toMatchObject({ user: 'researcher', role: null, facility_role: 'researcher', project: PROJECT, project_id: fx.projectId, department: 'genomics' });
    const json = await h.json('login', '--token', fx.tokens.editor);
    expect(json).toMatchObject({ user: 'editor', home: h.dir });
    expect((await h.json<Whoami>('whoami')).role).toBe('project_editor');
  });

  it('refuses unknown tokens and says how to log in when nobody is', async () => {
    h.as('admin');
    const bad = await h.run('login', '--token', 'curio_not-a-real-token-at-all-xxxxxxxxxx');
    expect(bad.code).toBe(3);
    expect(bad.stderr).toBe('Permission denied: unknown or revoked token\n');
    unlinkSync(join(h.dir, 'config.json'));
    for (const args of [['whoami'], ['orders', 'list']]) {
      const r = await h.run(...args);
      expect(r.code).toBe(3);
      expect(r.stderr).toBe("Permission denied: not logged in (run 'curio init --project NAME' or 'curio login --token TOKEN')\n");
    }
    expect(existsSync(join(h.dir, 'config.json'))).toBe(false);
  });

  it('refuses a stale token: the user was revoked after logging in', async () => {
    h.as('admin');
    expect((await h.run('admin', 'user', 'revoke', 'researcher3')).code).toBe(0);
    h.as('researcher3');
    for (const args of [['whoami'], ['orders', 'list', '--json']]) {
      const r = await h.run(...args);
      expect(r.code).toBe(3);
      expect(r.stdout + r.stderr).toContain("Permission denied: the stored token is unknown or revoked (run 'curio login --token TOKEN')");
    }
    const relogin = await h.run('login', '--token', fx.tokens.researcher3);
    expect(relogin.code).toBe(3);
  });

  it('selects a project among several', async () => {
    h.as('admin');
    expect((await h.run('init', '--project', 'second')).code).toBe(0);
    expect((await h.json<Whoami>('whoami')).project).toBe('second');
    const r = await h.run('config', 'select-project', PROJECT);
    expect(r).toMatchObject({ code: 0, stdout: `selected project ${PROJECT}\n` });
    expect((await h.json<Whoami>('whoami')).project).toBe(PROJECT);
    expect(await h.json('config', 'select-project', 'second')).toMatchObject({ project: 'second' });
    const missing = await h.run('config', 'select-project', 'nope');
    expect(missing).toMatchObject({ code: 4, stderr: 'Not found: project nope\n' });
  });
});

describe('curio admin user and settings', () => {
  let h: CliHome;
  beforeAll(() => {
    h = fx.fresh('admin');
  });

  it('adds a user and prints a token that logs in', async () => {
    const r = await h.run('admin', 'user', 'add', 'vera', '--role', 'project_viewer', '--department', 'genomics');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^added vera as project_viewer in oncology\ntoken: curio_\S+\n/);
    const added = await h.json<{ user: string; user_id: string; role: string; project: string; token: string }>('admin', 'user', 'add', 'ed3', '--role', 'project_editor');
    expect(added).toMatchObject({ user: 'ed3', role: 'project_editor', project: PROJECT });
    expect(added.token).toMatch(/^curio_/);
    const other = fx.copyOf(h);
    expect((await other.run('login', '--token', added.token)).code).toBe(0);
    expect((await other.json<Whoami>('whoami')).role).toBe('project_editor');
  });

  it('changes a role, and the new role counts on the next command', async () => {
    h.as('viewer');
    expect((await h.run('orders', 'create', '-n', 'V-1')).code).toBe(3);
    h.as('admin');
    const r = await h.run('admin', 'user', 'role', 'viewer', '--role', 'project_editor');
    expect(r).toMatchObject({ code: 0, stdout: 'viewer is now project_editor in oncology\n' });
    h.as('viewer');
    expect((await h.run('orders', 'create', '-n', 'V-1')).code).toBe(0);
    h.as('admin');
    expect(await h.json('admin', 'user', 'role', 'viewer', '--role', 'project_viewer')).toMatchObject({ user: 'viewer', role: 'project_viewer' });
    h.as('viewer');
    const denied = await h.run('orders', 'create', '-n', 'V-2');
    expect(denied.code).toBe(3);
    expect(denied.stderr).toMatch(/^Permission denied: creating an order requires project_editor \(you are project_viewer\)/);
  });

  it('lets only a project admin manage users', async () => {
    h.as('editor');
    const add = await h.run('admin', 'user', 'add', 'mallory', '--role', 'project_admin');
    expect(add.code).toBe(3);
    expect(add.stderr).toMatch(/^Permission denied: managing users requires project_admin or org_admin \(you are project_editor\)/);
    const role = await h.run('admin', 'user', 'role', 'editor', '--role', 'project_admin');
    expect(role.code).toBe(3);
    expect(role.stderr).toMatch(/^Permission denied:/);
  });

  it('turns settings on and off, as project admin only', async () => {
    h.as('admin');
    expect(await h.run('admin', 'settings', 'set', 'department-sharing', 'on')).toMatchObject({ code: 0, stdout: 'department-sharing is on\n' });
    expect(await h.json('admin', 'settings', 'set', 'department-sharing', 'off')).toEqual({ 'department-sharing': false });
    expect(await h.json('admin', 'settings', 'set', 'allow-delete-submitted', 'on')).toEqual({ 'allow-delete-submitted': true });
    expect(await h.run('admin', 'settings', 'set', 'allow-delete-submitted', 'off')).toMatchObject({ code: 0, stdout: 'allow-delete-submitted is off\n' });
    h.as('editor');
    const denied = await h.run('admin', 'settings', 'set', 'department-sharing', 'on');
    expect(denied.code).toBe(3);
    expect(denied.stderr).toMatch(/^Permission denied: settings are changed by project_admin or facility_admin/);
    // every change is audited
    h.as('admin');
    const verify = await h.run('audit', 'verify');
    expect(verify.code).toBe(0);
  });

  const cases: [string[], number, RegExp][] = [
    [['frobnicate'], 2, /unknown command 'frobnicate'/],
    [['init', '--frob'], 2, /unknown option --frob/],
    [['init'], 2, /--project NAME is required/],
    [['init', '--project'], 2, /--project needs a value/],
    [['login'], 2, /--token TOKEN is required/],
    [['login', '--token'], 2, /--token needs a value/],
    [['login', '--token', 'x', '--frob'], 2, /unknown option --frob/],
    [['whoami', '--frob'], 2, /unknown option --frob/],
    [['whoami', 'extra'], 2, /unexpected argument "extra"/],
    [['config'], 2, /usage: curio config select-project P/],
    [['config', 'frob'], 2, /usage: curio config select-project P/],
    [['config', 'select-project'], 2, /missing P/],
    [['config', 'select-project', PROJECT, 'extra'], 2, /unexpected argument "extra"/],
    [['config', 'select-project', PROJECT, '--frob'], 2, /unknown option --frob/],
    [['admin'], 2, /usage: curio admin user/],
    [['admin', 'user'], 2, /unknown verb 'admin user '/],
    [['admin', 'user', 'add'], 2, /missing NAME/],
    [['admin', 'user', 'add', 'xavier'], 2, /--role is required/],
    [['admin', 'user', 'add', 'xavier', '--role', 'wizard'], 2, /--role wizard: must be one of project_viewer, project_editor, project_admin/],
    [['admin', 'user', 'add', 'xavier', '--role', 'project_viewer', '--frob'], 2, /unknown option --frob/],
    [['admin', 'user', 'add', 'Xavier Q', '--role', 'project_viewer'], 2, /user name "Xavier Q"/],
    [['admin', 'user', 'add', 'editor', '--role', 'project_viewer'], 3, /^Conflict: user editor already exists/],
    [['admin', 'user', 'add', 'xavier', '--role', 'project_viewer', '--project', 'nope'], 4, /^Not found: project nope$/],
    [['admin', 'user', 'role'], 2, /missing NAME/],
    [['admin', 'user', 'role', 'editor'], 2, /--role or --remove is required/],
    [['admin', 'user', 'role', 'editor', '--role', 'king'], 2, /--role king: must be one of/],
    [['admin', 'user', 'role', 'editor', '--role', 'project_admin', '--frob'], 2, /unknown option --frob/],
    [['admin', 'user', 'role', 'ghost', '--role', 'project_viewer'], 4, /^Not found: user ghost$/],
    [['admin', 'user', 'role', 'editor', '--role', 'project_viewer', '--project', 'nope'], 4, /^Not found: project nope$/],
    [['admin', 'settings', 'set'], 2, /missing KEY VALUE/],
    [['admin', 'settings', 'set', 'department-sharing'], 2, /missing VALUE/],
    [['admin', 'settings', 'set', 'department-sharing', 'yes'], 2, /department-sharing: value must be on or off \(got "yes"\)/],
    [['admin', 'settings', 'set', 'colour-scheme', 'on'], 2, /unknown setting colour-scheme/],
    [['admin', 'settings', 'set', 'department-sharing', 'on', '--frob'], 2, /unknown option --frob/],
    [['admin', 'settings', 'get', 'department-sharing'], 2, /usage: curio admin/],
  ];

  it.each(cases)('curio %j exits %i', async (args, code, message) => {
    h.as('admin');
    const r = await h.run(...args);
    expect(r.code).toBe(code);
    expect(r.stderr.split('\n')[0]).toMatch(message);
    expect(looksLikeCrash(r)).toBe(false);
  });
});
