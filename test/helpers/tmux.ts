import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Drives a real program in a real terminal: a private tmux server per session
// (its own -L socket name under its own TMUX_TMPDIR), so parallel tests never
// share a server, and nothing is left behind.
//
// The program runs under a small shell that records its exit status and then
// waits, so after the program exits the pane shows the terminal exactly as
// the program handed it back (a dead tmux pane would add a "Pane is dead"
// line, scroll, and hide the cursor).

export interface TmuxOptions {
  cmd: string;
  args?: readonly string[];
  /** added to a minimal environment (PATH, HOME, LANG), not to the test's own */
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  cols?: number;
  rows?: number;
}

export interface TmuxSession {
  readonly socket: string;
  /** tmux key names: 'j', 'Enter', 'Escape', 'Tab', 'BTab', 'Up', 'PageDown', 'C-d', 'Space' */
  sendKeys(...keys: string[]): Promise<void>;
  /** literal text, sent as one write */
  type(text: string): Promise<void>;
  /** the visible screen as text (capture-pane -p) */
  screen(): Promise<string>;
  /** polls the screen until it matches; on timeout throws with the last screen */
  waitFor(match: string | RegExp, timeoutMs?: number): Promise<string>;
  /** polls until the program has exited; its exit status */
  waitForExit(timeoutMs?: number): Promise<number>;
  resize(cols: number, rows: number): Promise<void>;
  isRunning(): Promise<boolean>;
  /** null while running */
  exitCode(): Promise<number | null>;
  /** the program has the terminal's alternate screen switched on */
  alternateScreen(): Promise<boolean>;
  cursorVisible(): Promise<boolean>;
  kill(): Promise<void>;
}

const live = new Set<{ socket: string; dir: string; env: NodeJS.ProcessEnv }>();
let counter = 0;

function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

const CONFIG = [
  // the whole window is the program's: no status line taking a row
  'set -g status off',
  // keep the pane after exit so its status and final screen can be read
  'set -g remain-on-exit on',
  // a lone Esc must reach the program at once, not 500 ms later as Meta
  'set -g escape-time 0',
  'set -g history-limit 1000',
].join('\n');

export async function startTmux(options: TmuxOptions): Promise<TmuxSession> {
  const dir = mkdtempSync(join(tmpdir(), 'curio-tmux-'));
  const socket = `curio-${process.pid}-${++counter}-${randomBytes(3).toString('hex')}`;
  const config = join(dir, 'tmux.conf');
  writeFileSync(config, `${CONFIG}\n`);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: process.env['HOME'] ?? dir,
    LANG: 'C.UTF-8',
    TMUX_TMPDIR: dir,
  };
  const entry = { socket, dir, env };
  live.add(entry);

  const tmux = (...args: string[]) =>
    new Promise<string>((resolve, reject) => {
      execFile('tmux', ['-u', '-L', socket, '-f', config, ...args], { env, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error) reject(new Error(`tmux ${args[0] ?? ''} failed: ${stderr || error.message}`));
        else resolve(stdout);
      });
    });
  const format = async (f: string) => (await tmux('display-message', '-p', '-t', 'curio', f)).trim();

  const cols = options.cols ?? 80;
  const rows = options.rows ?? 24;
  // tmux's own pane_dead_status comes back empty now and then for a program
  // that exits at once, so the shell records the status; `trap :` keeps the
  // shell alive through a SIGINT meant for the program without making the
  // program inherit an ignored SIGINT
  const statusFile = join(dir, 'status');
  const words = [options.cmd, ...(options.args ?? [])].map(quote).join(' ');
  // written aside and renamed, so a reader never sees a half-written file
  const command = `trap : INT; ${words}; echo $? > ${quote(`${statusFile}.new`)}; mv ${quote(`${statusFile}.new`)} ${quote(statusFile)}; exec sleep 86400`;
  const recorded = (): number | null => {
    try {
      const text = readFileSync(statusFile, 'utf8').trim();
      return /^\d+$/.test(text) ? Number(text) : null;
    } catch {
      return null;
    }
  };
  const envArgs = Object.entries(options.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  try {
    await tmux(
      'new-session', '-d', '-s', 'curio', '-x', String(cols), '-y', String(rows),
      '-c', options.cwd ?? process.cwd(), ...envArgs, command,
    );
  } catch (error) {
    live.delete(entry);
    await tmux('kill-server').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const session: TmuxSession = {
    socket,
    async sendKeys(...keys) {
      await tmux('send-keys', '-t', 'curio', ...keys);
    },
    async type(text) {
      await tmux('send-keys', '-t', 'curio', '-l', text);
    },
    screen: () => tmux('capture-pane', '-p', '-t', 'curio'),
    async waitFor(match, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      for (;;) {
        last = await session.screen();
        if (typeof match === 'string' ? last.includes(match) : match.test(last)) return last;
        if (Date.now() > deadline) {
          throw new Error(`timed out after ${timeoutMs} ms waiting for ${String(match)}; last screen:\n${last}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async waitForExit(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const code = await session.exitCode();
        if (code !== null) return code;
        if (Date.now() > deadline) {
          throw new Error(`program still running after ${timeoutMs} ms; last screen:\n${await session.screen()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async resize(c, r) {
      await tmux('resize-window', '-t', 'curio', '-x', String(c), '-y', String(r));
    },
    isRunning: async () => (await session.exitCode()) === null,
    async exitCode() {
      const status = recorded();
      if (status !== null) return status;
      // the recording shell itself is gone (killed from outside)
      if ((await format('#{pane_dead}')) === '1') return recorded() ?? -1;
      return null;
    },
    alternateScreen: async () => (await format('#{alternate_on}')) === '1',
    cursorVisible: async () => (await format('#{cursor_flag}')) === '1',
    async kill() {
      if (!live.delete(entry)) return;
      await tmux('kill-server').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return session;
}

/** kills every server this process started; for afterAll and for crashes */
export function killAllTmux(): void {
  for (const entry of live) {
    try {
      execFileSync('tmux', ['-L', entry.socket, 'kill-server'], { env: entry.env, stdio: 'ignore' });
    } catch {
      // already gone
    }
    rmSync(entry.dir, { recursive: true, force: true });
  }
  live.clear();
}

process.once('exit', killAllTmux);
