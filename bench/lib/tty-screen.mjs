// bin/curio under a fake terminal (fake-tty.mjs), its output replayed into a terminal
// model as it arrives, so a benchmark can ask "when did the screen first show X?" of the
// screen a person would see, not of the escape codes that drew it

import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import { BIN } from './curio.mjs';

register();
// the terminal model the TUI tests replay Ink's output into (test/tui/vt.ts)
const { VirtualTerminal } = await import('../../test/tui/vt.ts');

const here = dirname(fileURLToPath(import.meta.url));
const FAKE_TTY = join(here, 'fake-tty.mjs');

/** named keys as a terminal sends them */
export const KEYS = { enter: '\r', esc: '\u001B', pgdn: '\u001B[6~', pgup: '\u001B[5~', up: '\u001B[A', down: '\u001B[B' };

/** an escape sequence cut off at the end of a chunk: kept for the next one */
// eslint-disable-next-line no-control-regex
const PARTIAL_ESCAPE = /\u001B(?:\[[?0-9;]*)?$/;

/**
 * spawns bin/curio with `env` on a fake columns × rows terminal. `frames` holds, for
 * every chunk written, when it arrived and the whole screen after it
 */
export function launchTui(env, { columns = 80, rows = 24 } = {}) {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', FAKE_TTY, BIN], {
    env: { ...env, CURIO_BENCH_COLUMNS: String(columns), CURIO_BENCH_ROWS: String(rows) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const vt = new VirtualTerminal(columns, rows);
  const frames = [];
  let carry = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (data) => {
    const at = performance.now();
    let text = carry + data;
    const cut = PARTIAL_ESCAPE.exec(text);
    carry = cut ? cut[0] : '';
    if (cut) text = text.slice(0, cut.index);
    vt.write(text);
    frames.push({ at, bytes: Buffer.byteLength(data), screen: vt.text() });
  });
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));

  /** the time the screen first satisfied `test` in a frame from index `from` on */
  const until = (test, from = 0, timeoutMs = 30_000, what = String(test)) =>
    new Promise((resolve, reject) => {
      const deadline = performance.now() + timeoutMs;
      let i = from;
      const check = () => {
        for (; i < frames.length; i++) {
          if (test(frames[i].screen)) return resolve(frames[i].at);
        }
        if (performance.now() > deadline) {
          return reject(new Error(`the screen never showed ${what} within ${timeoutMs} ms; last screen:\n${frames.at(-1)?.screen ?? ''}\n${stderr}`));
        }
        setTimeout(check, 1);
      };
      check();
    });

  /** waits until nothing has been written for `quietMs` */
  const settle = async (quietMs = 50) => {
    for (;;) {
      const last = frames.at(-1)?.at ?? started;
      if (performance.now() - last >= quietMs) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  const screen = () => frames.at(-1)?.screen ?? '';
  const write = (data) => child.stdin.write(data);

  /** sends `keys` and answers the milliseconds until the screen satisfies `done` */
  const press = async (keys, done, opts = {}) => {
    const from = frames.length;
    const sent = performance.now();
    write(keys);
    const at = await until(done, from, opts.timeoutMs ?? 30_000, opts.what);
    return { ms: at - sent, from, sent };
  };

  const quit = async () => {
    write('q');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 10_000))]);
    if (code !== 0) {
      child.kill('SIGKILL');
      throw new Error(`curio did not quit cleanly (${code})\n${stderr}`);
    }
  };

  return { child, frames, started, until, settle, screen, write, press, quit, stderr: () => stderr };
}
