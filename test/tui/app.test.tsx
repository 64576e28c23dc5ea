import { Box, render, Text } from 'ink';
import { useState } from 'react';
import chalk from 'chalk';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import type { SqlDatabase } from '../../src/db/index.ts';
import { App, Loading } from '../../src/tui/app.tsx';
import { sessionBackend } from '../../src/tui/backend.ts';
import { keymap } from '../../src/tui/keymap.ts';
import { KeyRouter, renderFullScreen, useKeyInput } from '../../src/tui/kit/index.ts';
import { loadingLines, splashFrame } from '../../src/tui/splash.ts';
import { ListApp } from '../tui-kit/fixtures/list-app.tsx';
import { demoDb, fakeTerminal, lines, plain, renderApp, renderBackend, sessionAs } from './helpers.tsx';
import { VirtualTerminal } from './vt.ts';

let db: SqlDatabase;
beforeAll(async () => {
  db = await demoDb();
});
afterAll(async () => {
  await db?.close();
});

const sizeOf = (frame: string) => {
  const shown = lines(frame.replace(/\n$/, ''));
  return { lines: shown.length, widest: Math.max(...shown.map((l) => [...l].length)) };
};

describe('the app around the screens', () => {
  test('? shows help generated from the key table, marks what is unavailable here, and Esc closes it', async () => {
    const app = await renderApp(await sessionAs(db, 'cora'));
    await app.waitFor(/assigned to you/);
    const help = await app.keys(['?'], 'Keys (unavailable ones are marked)');
    expect(help).toMatch(/j\/↓ +Down +Move to the next row/);
    const all: string[] = [];
    // scroll through every line of it
    for (let i = 0; i < 12; i++) {
      all.push(...lines(app.text()));
      await app.keys(['pgdn']);
    }
    const text = all.join('\n');
    // every command of the table is there, with the start of its help line
    for (const command of keymap.commands) expect(text, command.id).toContain(`${command.label}`);
    for (const command of keymap.commands) expect(text, command.id).toContain(command.help.slice(0, 24));
    expect(text).toMatch(/C-d +Half page down/);
    await app.keys(['esc'], /assigned to you/);
    // wide enough for the whole line: what cannot run on this screen says so
    await app.resize(160, 60);
    await app.keys(['?', 'G'], 'Keys (unavailable ones are marked)');
    expect(app.text()).toMatch(/Re-issue +Send a rejected change again against the current state \(unavailable here\)/);
    await app.keys(['g']);
    expect(app.text()).toMatch(/Assign to me +Take the current stage .*:assign \[user\]/);
    app.unmount();
  });

  test(': opens the palette with completion: :order opens an order, :assign me takes its stage, :status filters', async () => {
    const app = await renderApp(await sessionAs(db, 'cora'));
    await app.waitFor(/assigned to you/);
    await app.keys([':']);
    await app.type('ord');
    const completion = await app.keys(['tab']);
    expect(completion).toMatch(/^:order ?$/m);
    await app.type(' ORD-2026-0003');
    await app.keys(['enter'], '› ORD-2026-0003');
    await app.keys([':']);
    await app.type('assign ');
    const users = await app.keys(['tab']);
    expect(users).toMatch(/^:assign me/m);
    await app.keys(['enter'], /ORD-2026-0003: (Assign \w+ to me|.*already assigned)/);
    await app.keys([':']);
    await app.type('status revi');
    await app.keys(['tab']);
    expect(app.text()).toMatch(/^:status review ?$/m);
    await app.keys(['enter'], 'filter: status review');
    await app.waitFor('[2 Orders]');
    await app.keys([':']);
    await app.type('ordres');
    await app.keys(['enter'], 'did you mean "orders"?');
    await app.keys(['esc']);
    await app.keys([':']);
    await app.type('order ORD-9999-9999');
    await app.keys(['enter'], 'Not found: order ORD-9999-9999');
    app.unmount();
  });

  test('every screen fits 80×24 (23 lines, 80 columns) and follows a resize', async () => {
    const app = await renderApp(await sessionAs(db, 'ada'));
    await app.waitFor(/assigned to you/);
    for (const [keys, match] of [
      [[], /assigned to you/],
      [['2'], /Orders \d+ │/],
      [['enter'], '▸Labflow'],
      [['tab'], '▸Details'],
      [['tab'], '▸History'],
      [['e'], /Edit (ORD|SEQ)-/],
      [['esc', '3'], 'standalone store'],
      [['2', 'f'], 'Filter orders'],
      [['esc', '?'], 'Keys'],
      [['esc', ':'], 'Tab completes'],
    ] as const) {
      const frame = await app.keys([...keys], match);
      expect(sizeOf(frame).lines, String(match)).toBeLessThanOrEqual(23);
      expect(sizeOf(frame).widest, String(match)).toBeLessThanOrEqual(80);
    }
    await app.keys(['esc']);
    await app.resize(120, 40);
    const wide = await app.waitFor(/ INDICATION/);
    expect(sizeOf(wide).lines).toBe(39);
    await app.resize(80, 24);
    await app.waitFor(/assigned to you|Orders \d+/);
    expect(sizeOf(app.text()).lines).toBe(23);
    await app.resize(30, 6);
    await app.waitFor('Terminal too small (30×6)');
    app.unmount();
  });

  test('NO_COLOR: no colour is ever asked for, and meaning stays in glyphs and words', async () => {
    // the test process has no terminal, so chalk would print no colour either way: ask it to
    const level = chalk.level;
    chalk.level = 1;
    onTestFinished(() => {
      chalk.level = level;
    });
    const app = await renderApp(await sessionAs(db, 'cora'), { env: { NO_COLOR: '1' } });
    await app.waitFor(/assigned to you/);
    const raw = app.lastFrame();
    // eslint-disable-next-line no-control-regex
    expect(raw).not.toMatch(/\u001B\[(3\d|9\d|4\d|1|2|7)(;\d+)*m/);
    expect(plain(raw)).toMatch(/○ pending|· unassigned/);
    expect(plain(raw)).toContain('◆ local store');
    app.unmount();
    // control: the same screen without NO_COLOR does ask for colour and bold
    const colour = await renderApp(await sessionAs(db, 'cora'));
    await colour.waitFor(/assigned to you/);
    // eslint-disable-next-line no-control-regex
    expect(colour.lastFrame()).toMatch(/\u001B\[(3\d|9\d|1|7)m/);
    colour.unmount();
  });

  test('q quits', async () => {
    const app = await renderApp(await sessionAs(db, 'cora'));
    await app.waitFor(/assigned to you/);
    const exited = app.instance.waitUntilExit();
    await app.keys(['q']);
    await expect(exited).resolves.toBeUndefined();
  });

  test('the loading frame is what the splash drew before Ink loaded, line for line', async () => {
    const hint = { user: 'cora', project: 'demo-lab', what: '/home/cora/.local/share/curio' };
    const app = await renderBackend(sessionBackend(await sessionAs(db, 'cora')), {}, <Loading hint={hint} />);
    const vt = new VirtualTerminal(80, 24);
    vt.write(splashFrame(80, 24, hint));
    expect(app.text().replace(/\n$/, '').split('\n').map((l) => l.trimEnd())).toEqual(vt.text().split('\n').slice(0, 23));
    expect(loadingLines(80, 24, hint)).toHaveLength(23);
    app.unmount();
  });

  test('the app draws while the store opens, then the queue; a failure to open ends it with the error', async () => {
    let open!: (v: ReturnType<typeof sessionBackend>) => void;
    const backend = new Promise<ReturnType<typeof sessionBackend>>((resolve) => (open = resolve));
    const app = await renderBackend(sessionBackend(await sessionAs(db, 'cora')), {}, <App open={() => backend} hint={{ what: 'the store' }} />);
    expect(app.text()).toContain('Opening the store …');
    open(sessionBackend(await sessionAs(db, 'cora')));
    await app.waitFor(/assigned to you/);
    app.unmount();
    const refuse = () => new Promise<never>((_, reject) => setTimeout(() => reject(new Error('Permission denied: not logged in')), 100));
    const failing = await renderBackend(sessionBackend(await sessionAs(db, 'cora')), {}, <App open={refuse} hint={{ what: 'x' }} />);
    await expect(failing.instance.waitUntilExit()).rejects.toThrow('Permission denied: not logged in');
  });
});

describe('a real terminal: what reaches the screen (vadimdemedes/ink incremental writer)', () => {
  function Counter() {
    const [n, setN] = useState(0);
    useKeyInput((input) => {
      if (input === '+') setN((x) => x + 1);
    });
    return (
      <Box flexDirection="column">
        {Array.from({ length: 23 }, (_, i) => (
          <Text key={i}>{i === 0 ? `count ${n}` : i === 22 ? 'status line' : `row ${i}`}</Text>
        ))}
      </Box>
    );
  }

  test('frames stay where they are drawn, whatever lines change (bottom line unchanged)', async () => {
    const term = fakeTerminal(80, 24);
    const instance = renderFullScreen(<Counter />, { stdout: term.stdout, stdin: term.stdin, env: {}, exitOnCtrlC: false, patchConsole: false });
    await term.press('+', '+', '+');
    const screen = term.vt.text().split('\n');
    expect(screen[0]).toBe('count 3');
    expect(screen[1]).toBe('row 1');
    expect(screen[22]).toBe('status line');
    expect(screen.filter((l) => l.startsWith('count'))).toHaveLength(1);
    instance.unmount();
  });

  test('(control) Ink alone, without the parked cursor, leaves stale rows on screen', async () => {
    const term = fakeTerminal(80, 24);
    term.stdout.write('\u001B[?1049h\u001B[H');
    const instance = render(<KeyRouter><Counter /></KeyRouter>, { stdout: term.stdout, stdin: term.stdin, incrementalRendering: true, patchConsole: false, exitOnCtrlC: false });
    await term.press('+', '+', '+');
    const screen = term.vt.text().split('\n');
    // if this starts to fail, Ink fixed its writer and ink-stdout.ts can go
    expect(screen[0]).not.toBe('count 3');
    instance.unmount();
  });

  test('the kit list app: the screen after moves and a resize is the frame Ink meant', async () => {
    const term = fakeTerminal(80, 24);
    const instance = renderFullScreen(<ListApp count={300} />, { stdout: term.stdout, stdin: term.stdin, env: {}, exitOnCtrlC: false, patchConsole: false });
    // one page is 20 rows (23 lines less a header and two footer lines)
    await term.press('j', 'j', 'pgdn', 'k');
    let screen = term.vt.text().split('\n');
    expect(screen[0]).toMatch(/^Rows \(22\/300\)/);
    expect(screen.filter((l) => l.startsWith('›'))).toEqual([expect.stringMatching(/^› +row 00022/)]);
    // PgDn moves the view with the cursor, as less and vim do
    expect(screen[1]).toMatch(/row 00021/);
    expect(screen[22]).toMatch(/tester │ demo/);
    // fewer rows: the terminal scrolls to keep the cursor, and the app repaints whole
    await term.resize(70, 16);
    await term.press('j');
    screen = term.vt.text().split('\n');
    expect(screen[0]).toMatch(/^Rows \(23\/300\)/);
    expect(screen.filter((l) => l.startsWith('›'))).toEqual([expect.stringMatching(/^› +row 00023/)]);
    expect(screen[14]).toMatch(/tester │ demo/);
    await term.resize(90, 30);
    await term.press('G');
    screen = term.vt.text().split('\n');
    expect(screen[0]).toMatch(/^Rows \(300\/300\)/);
    expect(screen[28]).toMatch(/tester │ demo/);
    instance.unmount();
  });
});
