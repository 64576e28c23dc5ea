import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync, fsyncSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

// CURIO_HOME: the store (or replica), the login, and the lock that keeps one process per directory

export function curioHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CURIO_HOME) return env.CURIO_HOME;
  const xdg = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(xdg, 'curio');
}

export interface HomeConfig {
  /** standalone: the store lives here; replica: a replica of a relay's store */
  mode: 'standalone' | 'replica';
  token?: string;
  server?: string;
  projectId?: string;
  userName?: string;
  clientId?: string;
  userId?: string;
  /** the project document's epoch (replica) */
  epoch?: number;
}

export function configPath(home: string): string {
  return join(home, 'config.json');
}

export function readConfig(home: string): HomeConfig | null {
  const p = configPath(home);
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as HomeConfig;
  } catch {
    return null;
  }
}

/** written atomically, readable only by its owner: it holds a token */
export function writeConfig(home: string, config: HomeConfig): void {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const tmp = configPath(home) + '.tmp';
  const fd = openSync(tmp, 'w', 0o600);
  writeSync(fd, JSON.stringify(config, null, 2) + '\n');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, configPath(home));
}

export class LockedError extends Error {
  constructor(
    readonly path: string,
    readonly pid: number,
  ) {
    super(`${path} is in use by another Curio process (pid ${pid}); close it first`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** takes the data directory's lock file; a stale lock (dead pid) is taken over */
export function acquireLock(dir: string): () => void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, 'curio.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          if (readFileSync(path, 'utf8') === String(process.pid)) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(path, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new LockedError(dir, pid);
      try {
        unlinkSync(path);
      } catch {
        // raced with another process taking over
      }
    }
  }
  throw new LockedError(dir, 0);
}
