import { EventEmitter } from 'node:events';
import { render, type Instance } from 'ink';
import type { ReactNode } from 'react';
import { KeyRouter, ThemeProvider, themeFromEnv } from '../../src/tui/kit/index.ts';

// ink-testing-library's stdout is fixed at 100 columns and has no rows; these
// tests need a terminal of a given size that can be resized

class FakeStdout extends EventEmitter {
  readonly writes: string[] = [];
  frames: string[] = [];
  constructor(
    public columns: number,
    public rows: number,
    public isTTY: boolean,
  ) {
    super();
  }
  write = (chunk: string): boolean => {
    this.writes.push(chunk);
    this.frames.push(chunk);
    return true;
  };
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write(data: string): void {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  }
  read(): string | null {
    const data = this.data;
    this.data = null;
    return data;
  }
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

export const KEYS: Record<string, string> = {
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  home: '\u001B[H',
  end: '\u001B[F',
  pgup: '\u001B[5~',
  pgdn: '\u001B[6~',
  enter: '\r',
  esc: '\u001B',
  tab: '\t',
  'shift-tab': '\u001B[Z',
  space: ' ',
  backspace: '\u007F',
  'ctrl-a': '\u0001',
  'ctrl-c': '\u0003',
  'ctrl-d': '\u0004',
  'ctrl-e': '\u0005',
  'ctrl-k': '\u000B',
  'ctrl-u': '\u0015',
  'ctrl-w': '\u0017',
};

export const tick = async (turns = 3): Promise<void> => {
  // Ink flushes a lone Esc on setImmediate; effects settle within a turn
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
};

export interface Rendered {
  lastFrame(): string;
  stdout: FakeStdout;
  /** raw text, written in one chunk */
  write(data: string): Promise<void>;
  /** raw text, written without waiting for anything to render */
  send(data: string): void;
  /** named keys (see KEYS) or literal characters, one chunk each */
  press(...keys: string[]): Promise<void>;
  type(text: string): Promise<void>;
  resize(columns: number, rows: number): Promise<void>;
  unmount(): void;
  instance: Instance;
}

export interface RenderOptions {
  columns?: number;
  rows?: number;
  env?: Record<string, string>;
  /** false renders like a real terminal (log-update), true captures whole frames */
  debug?: boolean;
  isTTY?: boolean;
  /** wrap in a KeyRouter, as renderFullScreen does (default true) */
  router?: boolean;
}

export async function renderAt(node: ReactNode, options: RenderOptions = {}): Promise<Rendered> {
  const stdout = new FakeStdout(options.columns ?? 80, options.rows ?? 24, options.isTTY ?? false);
  const stdin = new FakeStdin();
  const tree = <ThemeProvider theme={themeFromEnv(options.env ?? {})}>{options.router === false ? node : <KeyRouter>{node}</KeyRouter>}</ThemeProvider>;
  const instance = render(tree, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stderr: new FakeStdout(80, 24, false) as unknown as NodeJS.WriteStream,
    debug: options.debug ?? true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  await tick();
  const write = async (data: string) => {
    stdin.write(data);
    await tick();
  };
  return {
    lastFrame: () => stdout.frames[stdout.frames.length - 1] ?? '',
    stdout,
    write,
    send: (data) => stdin.write(data),
    async press(...keys) {
      for (const key of keys) await write(KEYS[key] ?? key);
    },
    async type(text) {
      for (const char of text) await write(char);
    },
    async resize(columns, rows) {
      stdout.columns = columns;
      stdout.rows = rows;
      stdout.emit('resize');
      await tick();
    },
    unmount: () => instance.unmount(),
    instance,
  };
}

// eslint-disable-next-line no-control-regex
export const ANSI = /\u001B\[[0-9;?]*[A-Za-z]/g;

export function plain(frame: string): string {
  return frame.replace(ANSI, '');
}

export function lines(frame: string): string[] {
  return plain(frame).split('\n');
}
