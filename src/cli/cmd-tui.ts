import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Rejection } from '../core/index.ts';
import { LEAVE_ALTERNATE_SCREEN, runApp, splashFrame, type LoadingHint, type TuiSession } from '../tui/index.ts';
import type { Io } from './main.ts';
import type { Output } from './output.ts';
import type { Session, Store } from './context.ts';
import { curioHome, LockedError, readConfig } from './home.ts';

// `curio` (the terminal UI on CURIO_HOME) and `curio demo` (a seeded project
// behind an embedded relay). Together with src/tui/app.tsx the only code that
// hands the process's terminal to the UI.

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const EXIT_REFUSED = 3;

const SHOW_CURSOR = '\u001B[?25h';

export const NOT_LOGGED_IN =
  "Permission denied: not logged in here. Run 'curio init --project NAME' for a new local store, " +
  "'curio login --token TOKEN' to log in to this one, 'curio login --server ws://HOST:PORT --token TOKEN' " +
  "to work on a relay's project, or 'curio demo' to look around.";

/** an expected failure while opening: printed as is, with its exit code */
class OpenRefused extends Error {
  constructor(
    readonly rejection: Rejection,
    readonly exitCode: number,
  ) {
    super(rejection.message);
  }
}

type Tty = { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream };

function terminalOf(io: Io): Tty | null {
  const { stdin, stdout } = io as unknown as Tty;
  if (!stdin.isTTY || !stdout.isTTY) return null;
  return io as unknown as Tty;
}

interface Opened {
  session: Session;
  store: Store;
}

/** runs the app over a session opened by `open`; closes everything afterwards */
async function runOver(tty: Tty, env: NodeJS.ProcessEnv, out: Output, hint: LoadingHint, open: () => Promise<Opened>): Promise<number> {
  // React's development build costs several times more per keypress; it is read when React loads
  process.env.NODE_ENV ??= 'production';
  const columns = tty.stdout.columns || 80;
  const rows = tty.stdout.rows || 24;
  // the first frame goes out before Ink or the store have loaded
  tty.stdout.write(splashFrame(columns, rows, hint));
  let opened: Opened | null = null;
  const opening = open().then((o) => {
    opened = o;
    return o;
  });
  // a failure to open is reported once the app has it; until then it is not unhandled
  opening.catch(() => undefined);
  let failure: unknown = null;
  try {
    await runApp({
      stdin: tty.stdin,
      stdout: tty.stdout,
      stderr: tty.stderr,
      env,
      hint,
      splashDrawn: true,
      open: async () => {
        const o = await opening;
        o.session.replica?.connect();
        return o.session as TuiSession;
      },
    });
  } catch (err) {
    failure = err;
    // Ink never took over when it failed to load: the splash's screen is still up
    tty.stdout.write(LEAVE_ALTERNATE_SCREEN + SHOW_CURSOR);
  } finally {
    const o = opened as Opened | null;
    await o?.session.gateway.close?.().catch(() => undefined);
    await o?.store.close().catch(() => undefined);
  }
  if (failure === null) return EXIT_OK;
  if (failure instanceof OpenRefused) {
    out.err(failure.rejection.message);
    return failure.exitCode;
  }
  if (failure instanceof LockedError) {
    out.err(failure.message);
    return EXIT_FAILURE;
  }
  const error = failure instanceof Error ? failure : new Error(String(failure));
  out.err(`internal error: ${error.message}${env.CURIO_DEBUG ? `\n${error.stack}` : ' (set CURIO_DEBUG=1 for details)'}`);
  return EXIT_FAILURE;
}

async function openLoggedIn(env: NodeJS.ProcessEnv): Promise<Opened> {
  const { exitFor, openSession, openStore } = await import('./context.ts');
  const store = await openStore(env);
  try {
    const s = await openSession(store);
    if (!s.success) throw new OpenRefused(s.error, exitFor(s.error.code));
    return { session: s.data, store };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** `curio` with no arguments: the terminal UI on CURIO_HOME, standalone or replica */
export async function runHomeTui(env: NodeJS.ProcessEnv, io: Io, out: Output): Promise<number> {
  const tty = terminalOf(io);
  if (!tty) {
    out.err('the terminal UI needs a terminal: run curio in an interactive shell (see curio --help)');
    return EXIT_USAGE;
  }
  const home = curioHome(env);
  const config = readConfig(home);
  // a missing login is known without opening the store: say so before drawing anything
  if (!config?.token) {
    out.err(NOT_LOGGED_IN);
    return EXIT_REFUSED;
  }
  const hint: LoadingHint = { user: config.userName ?? null, project: null, what: home };
  return runOver(tty, env, out, hint, () => openLoggedIn(env));
}

export const DEMO_USAGE = 'curio demo   a seeded demo project behind an embedded relay, opened as cora (project_editor)';

/** `curio demo`: seed once, start a relay in this process, log cora's replica in, open the UI */
export async function runDemo(argv: readonly string[], env: NodeJS.ProcessEnv, io: Io, out: Output): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    out.out(`usage: ${DEMO_USAGE}`);
    return EXIT_OK;
  }
  if (argv.length > 0) {
    out.err(`unknown argument '${argv[0]}'\nusage: ${DEMO_USAGE}`);
    return EXIT_USAGE;
  }
  const tty = terminalOf(io);
  if (!tty) {
    out.err('the demo opens the terminal UI, which needs a terminal: run curio demo in an interactive shell');
    return EXIT_USAGE;
  }
  const home = curioHome(env);
  const [{ demoPaths, ensureDemoStore, ingestDemoVariants }, { acquireLock }, { startRelay }, { parseArgs }] = await Promise.all([
    import('./demo.ts'),
    import('./home.ts'),
    import('../sync-server/index.ts'),
    import('./args.ts'),
  ]);
  const paths = demoPaths(home);
  out.out(`curio demo: ${paths.root}`);
  const tokens = await ensureDemoStore(home, (msg) => out.out(`curio demo: ${msg}`));
  const release = acquireLock(paths.relay);
  const logFile = join(paths.root, 'relay.log');
  try {
    const relay = await startRelay({
      host: '127.0.0.1',
      port: 0,
      dataDir: paths.relay,
      // the terminal belongs to the UI: the relay's complaints go to a file
      log: (level, event, fields) => {
        if (level === 'error' || level === 'warn') appendFileSync(logFile, `${new Date().toISOString()} ${level} ${event} ${fields ? JSON.stringify(fields) : ''}\n`);
      },
    });
    try {
      out.out(`curio demo: relay listening on ${relay.url}`);
      const cora = tokens.users['cora'];
      if (!cora) throw new Error(`${paths.tokens} has no user cora: remove ${paths.root} and run again`);
      const clientEnv = { ...env, CURIO_HOME: paths.client };
      const { openStore, openSession, exitFor } = await import('./context.ts');
      const { runReplicaLogin } = await import('./cmd-sync.ts');
      const store = await openStore(clientEnv);
      let handedOver = false;
      try {
        const login = parseArgs(['--server', relay.url, '--token', cora.token], { usage: 'curio login', flags: { server: { type: 'string' }, token: { type: 'string' } }, positionals: [] });
        if (!login.success) throw new Error(login.error.message);
        const code = await runReplicaLogin(store, { ...out, out: (t) => out.out(`curio demo: ${t}`) }, login.data);
        if (code !== EXIT_OK) return code;
        // the login wrote a new config: the session reads it, not the one the store opened with
        const s = await openSession({ ...store, config: readConfig(store.home) });
        if (!s.success) {
          out.err(s.error.message);
          return exitFor(s.error.code);
        }
        // the variant cache is per store: the replica ingests the demo files the relay has
        out.out('curio demo: loading the demo variant files');
        await ingestDemoVariants(store.db, s.data.project.id);
        handedOver = true;
        const hint: LoadingHint = { user: 'cora', project: s.data.project.name, what: paths.client };
        const session = s.data;
        return await runOver(tty, clientEnv, out, hint, async () => ({ session, store }));
      } finally {
        if (!handedOver) await store.close();
      }
    } finally {
      await relay.close();
      out.out('curio demo: relay stopped');
    }
  } finally {
    release();
  }
}
