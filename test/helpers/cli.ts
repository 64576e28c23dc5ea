// runs the curio CLI the way users do: in-process through main() for speed, or as the
// real bin/curio executable for whole-process checks. PGlite's first open of a data
// directory costs ~2 s, so each test file initialises one CURIO_HOME and copies it.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { writeConfig } from '../../src/cli/home.ts';
import { main } from '../../src/cli/main.ts';
import { addUser, openPglite, type SqlDatabase } from '../../src/db/index.ts';

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
    ...homeAccess(dir),
  };
  return h;
}

/** `json(...args)` runs a command with --json in `home` and parses it; `withStore` opens its store directly */
export function homeAccess(home: string): {
  json<T>(...args: string[]): Promise<T>;
  withStore<T>(fn: (db: SqlDatabase) => Promise<T>): Promise<T>;
} {
  return {
    async json<T>(...args: string[]) {
      const r = await runCli(home, [...args, '--json']);
      if (r.code !== 0) throw new Error(`curio ${args.join(' ')} --json exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      return jsonOf<T>(r);
    },
    async withStore<T>(fn: (db: SqlDatabase) => Promise<T>) {
      const db = await openPglite(join(home, 'store'));
      try {
        return await fn(db);
      } finally {
        await db.close();
      }
    },
  };
}

interface TemplateInfo {
  projectId: string;
  tokens: Record<FixtureUser, string>;
}

/** curio init + the fixture users in dir; returns the logins */
async function buildTemplate(dir: string): Promise<TemplateInfo> {
  const init = await runCli(dir, ['init', '--project', PROJECT, '--json']);
  if (init.code !== 0) throw new Error(`curio init failed: ${init.stderr}${init.stdout}`);
  const created = jsonOf<{ token: string; project_id: string; user_id: string }>(init);
  const tokens = { admin: created.token } as Record<FixtureUser, string>;
  // the users go in through one store open (curio admin user add is tested on its own)
  const db = await openPglite(join(dir, 'store'));
  try {
    for (const [name, u] of Object.entries(FIXTURE_USERS)) {
      const r = await addUser(db, { projectId: created.project_id, name, role: u.role, department: 'department' in u ? u.department : null, actorId: created.user_id });
      if (!r.success) throw new Error(`adding ${name}: ${r.error.message}`);
      tokens[name as FixtureUser] = r.data.token;
    }
  } finally {
    await db.close();
  }
  return { projectId: created.project_id, tokens };
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

/** what the template's content depends on: the store, the domain, init, this helper, PGlite */
function templateKey(): string {
  const files = [
    ...sourcesUnder(join(REPO_ROOT, 'src', 'core')),
    ...sourcesUnder(join(REPO_ROOT, 'src', 'db')),
    join(REPO_ROOT, 'src', 'cli', 'cmd-admin.ts'),
    fileURLToPath(import.meta.url),
    join(REPO_ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json'),
  ].sort();
  const hash = createHash('sha256');
  for (const f of files) hash.update(f).update('\0').update(readFileSync(f));
  return hash.digest('hex').slice(0, 16);
}

const TEMPLATE_PREFIX = 'curio-cli-template-';

/**
 * the initialised template, built once per source version and shared by the test files
 * (PGlite's first init of a data directory costs seconds); built aside and renamed into
 * place, so a file running alongside sees it whole or not at all
 */
async function sharedTemplate(): Promise<{ dir: string; info: TemplateInfo }> {
  const cache = join(tmpdir(), TEMPLATE_PREFIX + templateKey());
  const infoFile = join(cache, 'fixture.json');
  if (!existsSync(infoFile)) {
    const build = mkdtempSync(join(tmpdir(), 'curio-cli-build-'));
    try {
      const info = await buildTemplate(join(build, 'home'));
      writeFileSync(join(build, 'fixture.json'), JSON.stringify(info));
      renameSync(build, cache);
    } catch (err) {
      rmSync(build, { recursive: true, force: true });
      // another test file finished first: use its template
      if (!existsSync(infoFile)) throw err;
    }
    // templates of older sources are only clutter
    for (const old of readdirSync(tmpdir()).filter((n) => n.startsWith(TEMPLATE_PREFIX) && join(tmpdir(), n) !== cache)) {
      const path = join(tmpdir(), old);
      try {
        if (Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
      } catch {
        // removed meanwhile by another run
      }
    }
  }
  return { dir: join(cache, 'home'), info: JSON.parse(readFileSync(infoFile, 'utf8')) as TemplateInfo };
}

/** one initialised CURIO_HOME (curio init + the fixture users), copied for each test that needs it */
export async function createCliFixture(): Promise<CliFixture> {
  // as src/cli/bin.ts runs one-shot commands: PGlite on V8's baseline wasm compiler, which
  // halves the CPU of the hundreds of short store opens a CLI test file makes
  setFlagsFromString('--liftoff-only');
  const root = mkdtempSync(join(tmpdir(), 'curio-cli-'));
  const { dir: template, info } = await sharedTemplate();
  const fixture = { projectId: info.projectId, tokens: info.tokens };
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
