// runs the curio CLI the way users do: in-process through main() for speed, or as the
// real bin/curio executable for whole-process checks. PGlite's first open of a data
// directory costs ~2 s, so each test file initialises one CURIO_HOME and copies it.

import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { writeConfig } from '../../src/cli/home.ts';
import { main } from '../../src/cli/main.ts';
import { openPglite, type SqlDatabase } from '../../src/db/index.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(REPO_ROOT, 'bin', 'curio');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** extra environment (CURIO_HOME is set by the caller) */
  env?: Record<string, string>;
  /** what the user types; a stream stays open until the test ends it */
  stdin?: string | Readable;
  /** pretend stdin and stdout are a terminal */
  tty?: boolean;
}

function collector(tty: boolean): { stream: Writable & { isTTY?: boolean }; text(): string } {
  const chunks: string[] = [];
  const stream: Writable & { isTTY?: boolean } = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  if (tty) stream.isTTY = true;
  return { stream, text: () => chunks.join('') };
}

/** one curio command through main(), in this process; main() always closes the store */
export async function runCli(home: string, args: readonly string[], opts: RunOptions = {}): Promise<CliRun> {
  const stdout = collector(opts.tty ?? false);
  const stderr = collector(false);
  const stdin: Readable & { isTTY?: boolean } = opts.stdin instanceof Readable ? opts.stdin : Readable.from(opts.stdin === undefined ? [] : [opts.stdin]);
  if (opts.tty) stdin.isTTY = true;
  const code = await main([...args], { CURIO_HOME: home, ...(opts.env ?? {}) }, { stdin, stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** the environment a child process gets: this one's, minus anything that would redirect the store */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env };
  delete out.DATABASE_URL;
  delete out.CURIO_DEBUG;
  delete out.NODE_OPTIONS;
  return { ...out, ...env };
}

/** the real executable in its own process */
export function runBin(args: readonly string[], env: Record<string, string>, opts: { stdin?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((done, failed) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: childEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      failed(new Error(`curio ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 30_000} ms\n${stderr}`));
    }, opts.timeoutMs ?? 30_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      failed(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(opts.stdin ?? '');
  });
}

/** parses a --json answer, naming the command output when it is not JSON */
export function jsonOf<T = unknown>(r: CliRun): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
}

/** a user error never shows a stack trace or an internal error */
export function looksLikeCrash(r: CliRun): boolean {
  const all = r.stdout + r.stderr;
  return /\n\s+at .+[:(]\d+/.test(all) || /internal error/i.test(all);
}

// users of the shared store: name → role (and department)
export const FIXTURE_USERS = {
  viewer: { role: 'project_viewer' },
  editor: { role: 'project_editor' },
  editor2: { role: 'project_editor' },
  researcher: { role: 'researcher', department: 'genomics' },
  researcher2: { role: 'researcher', department: 'genomics' },
  researcher3: { role: 'researcher', department: 'proteomics' },
  'facility-admin': { role: 'facility_admin' },
} as const;

/** admin is the project_admin (and facility_admin) created by curio init */
export type FixtureUser = 'admin' | keyof typeof FIXTURE_USERS;

export const PROJECT = 'oncology';

export interface CliHome {
  dir: string;
  /** logs in as this user from now on (the stored login, as curio login writes it) */
  as(user: FixtureUser): CliHome;
  run(...args: string[]): Promise<CliRun>;
  runWith(opts: RunOptions, ...args: string[]): Promise<CliRun>;
  /** runs with --json, expects exit 0 and returns the parsed answer */
  json<T = Record<string, unknown>>(...args: string[]): Promise<T>;
  /** opens the store directly (no curio process may be running on it) */
  withStore<T>(fn: (db: SqlDatabase) => Promise<T>): Promise<T>;
}

export interface CliFixture {
  root: string;
  projectId: string;
  tokens: Record<FixtureUser, string>;
  /** a copy of the initialised store, logged in as admin unless told otherwise */
  fresh(user?: FixtureUser): CliHome;
  /** a copy of another home as it is now */
  copyOf(source: CliHome, user?: FixtureUser): CliHome;
  cleanup(): void;
}

function home(dir: string, fixture: { projectId: string; tokens: Record<FixtureUser, string> }): CliHome {
  const h: CliHome = {
    dir,
    as(user) {
      writeConfig(dir, { mode: 'standalone', token: fixture.tokens[user], projectId: fixture.projectId, userName: user, clientId: `test-${user}` });
      return h;
    },
    run: (...args) => runCli(dir, args),
    runWith: (opts, ...args) => runCli(dir, args, opts),
    async json<T>(...args: string[]) {
      const r = await runCli(dir, [...args, '--json']);
      if (r.code !== 0) throw new Error(`curio ${args.join(' ')} --json exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      return jsonOf<T>(r);
    },
    async withStore(fn) {
      const db = await openPglite(join(dir, 'store'));
      try {
        return await fn(db);
      } finally {
        await db.close();
      }
    },
  };
  return h;
}

/** one initialised CURIO_HOME (curio init + the fixture users), copied for each test that needs it */
export async function createCliFixture(): Promise<CliFixture> {
  const root = mkdtempSync(join(tmpdir(), 'curio-cli-'));
  const template = join(root, 'template');
  const init = await runCli(template, ['init', '--project', PROJECT, '--json']);
  if (init.code !== 0) throw new Error(`curio init failed: ${init.stderr}${init.stdout}`);
  const created = jsonOf<{ token: string; project_id: string }>(init);
  const tokens = { admin: created.token } as Record<FixtureUser, string>;
  for (const [name, u] of Object.entries(FIXTURE_USERS)) {
    const args = ['admin', 'user', 'add', name, '--role', u.role, '--json'];
    if ('department' in u) args.push('--department', u.department);
    const r = await runCli(template, args);
    if (r.code !== 0) throw new Error(`curio ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
    tokens[name as FixtureUser] = jsonOf<{ token: string }>(r).token;
  }
  const fixture = { projectId: created.project_id, tokens };
  let copies = 0;
  return {
    root,
    ...fixture,
    fresh(user = 'admin') {
      const dir = join(root, `home-${++copies}`);
      cpSync(template, dir, { recursive: true });
      return home(dir, fixture).as(user);
    },
    copyOf(source, user = 'admin') {
      const dir = join(root, `home-${++copies}`);
      cpSync(source.dir, dir, { recursive: true });
      return home(dir, fixture).as(user);
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
