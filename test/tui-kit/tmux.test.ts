import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { startTmux, type TmuxSession } from '../helpers/tmux.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/list-app-main.tsx', import.meta.url));

let session: TmuxSession | undefined;
afterEach(async () => {
  await session?.kill();
  session = undefined;
});

const screenLines = (screen: string) => screen.replace(/\n$/, '').split('\n');
const lastUsedLine = (screen: string) => screenLines(screen).findLastIndex((l) => l.trim() !== '') + 1;

describe('a kit app in a real terminal (tmux, 80×24)', () => {
  test('navigate, help, resize, quit: the terminal comes back as it was', async () => {
    session = await startTmux({ cmd: process.execPath, args: ['--import', 'tsx', fixture, '200'], cwd: root, cols: 80, rows: 24 });
    const first = await session.waitFor(/^› +row 00001/m, 15_000);
    expect(await session.alternateScreen()).toBe(true);
    // the frame leaves the last row free: no full-screen redraws
    expect(lastUsedLine(first)).toBeLessThanOrEqual(23);
    expect(first).toContain('● online');

    await session.sendKeys('j', 'j');
    await session.waitFor(/^› +row 00003/m);
    await session.sendKeys('k');
    await session.waitFor(/^› +row 00002/m);
    // several keys in one write, as a held key over SSH arrives
    await session.type('jjjj');
    await session.waitFor(/^› +row 00006/m);
    await session.sendKeys('G');
    await session.waitFor(/^› +row 00200/m);
    await session.sendKeys('g');
    await session.waitFor(/^› +row 00001/m);

    await session.sendKeys('?');
    const help = await session.waitFor('Half page down');
    expect(help).toContain('Move to the next row');
    await session.sendKeys('Escape');
    await session.waitFor(/^› +row 00001/m);

    // ':' and the keys after it in one write go to the palette, not the list
    await session.type(':qu');
    await session.waitFor(/^:qu/m);
    await session.sendKeys('Escape');
    await session.waitFor(/^› +row 00001/m);

    // a taller terminal shows more rows and the frame follows it
    await session.resize(100, 30);
    const tall = await session.waitFor(/row 00026/);
    expect(tall).not.toContain('row 00027');
    expect(lastUsedLine(tall)).toBeLessThanOrEqual(29);

    await session.sendKeys('q');
    expect(await session.waitForExit()).toBe(0);
    const after = await session.screen();
    expect(await session.alternateScreen()).toBe(false);
    expect(await session.cursorVisible()).toBe(true);
    expect(after.trim()).toBe('list app exited');
    expect(after).not.toMatch(/row 000\d\d/);
    expect(after).not.toContain('● online');
  }, 60_000);

  test('exit status of the program itself', async () => {
    session = await startTmux({ cmd: '/bin/sh', args: ['-c', 'exit 3'], cols: 40, rows: 5 });
    expect(await session.waitForExit()).toBe(3);
    expect(await session.isRunning()).toBe(false);
  });

  test('waitFor gives up with the screen it last saw', async () => {
    session = await startTmux({ cmd: '/bin/sh', args: ['-c', 'echo ready; sleep 30'], cols: 40, rows: 5 });
    await session.waitFor('ready');
    await expect(session.waitFor('never shown', 200)).rejects.toThrow(/waiting for never shown; last screen:\nready/);
    expect(await session.isRunning()).toBe(true);
    expect(await session.exitCode()).toBeNull();
  });
});
