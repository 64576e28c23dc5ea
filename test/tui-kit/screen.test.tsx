import { Box, Text } from 'ink';
import { describe, expect, test } from 'vitest';
import { frameHeight, Screen, StatusBar, WindowedList } from '../../src/tui/kit/index.ts';
import { ListApp } from './fixtures/list-app.tsx';
import { lines, renderAt } from './render.tsx';

// the sequence Ink writes before a full redraw (ansi-escapes clearTerminal)
const CLEAR = '\u001B[2J';

function frameLines(frame: string): number {
  return lines(frame.replace(/\n$/, '')).length;
}

function Filled() {
  return (
    <Screen header="Title" footer={<StatusBar width={80} connection="online" />}>
      {(body) => <WindowedList count={1000} height={body.height + 10} cursor={0} offset={0} width={body.width} rowAt={(i) => `row ${i}`} />}
    </Screen>
  );
}

describe('Screen', () => {
  test('the frame stays below the terminal height, also after resizing', async () => {
    const r = await renderAt(<Filled />, { columns: 80, rows: 24 });
    expect(frameLines(r.lastFrame())).toBe(23);
    await r.resize(100, 40);
    expect(frameLines(r.lastFrame())).toBe(39);
    await r.resize(80, 12);
    expect(frameLines(r.lastFrame())).toBe(11);
    r.unmount();
  });

  test('the app at 80×24 fits: no line wider than 80, no more than 23 lines', async () => {
    const r = await renderAt(<ListApp count={10_000} />);
    for (const key of ['j', 'pgdn', '?', 'esc', ':', 'esc']) {
      await r.press(key);
      const out = lines(r.lastFrame().replace(/\n$/, ''));
      expect(out.length, key).toBeLessThan(24);
      expect(Math.max(...out.map((l) => [...l].length)), key).toBeLessThanOrEqual(80);
    }
    r.unmount();
  });

  test('on a real terminal Ink never falls back to clearing the whole screen', async () => {
    const r = await renderAt(<ListApp count={500} />, { debug: false, isTTY: true });
    for (const key of ['j', 'j', 'pgdn', 'G', '?', 'esc']) await r.press(key);
    expect(r.stdout.writes.join('')).not.toContain(CLEAR);
    r.unmount();
  });

  test('(control) a frame as tall as the terminal does make Ink clear the screen', async () => {
    function Tall() {
      return (
        <Box flexDirection="column" height={24}>
          <Text>full height</Text>
        </Box>
      );
    }
    const r = await renderAt(<Tall />, { debug: false, isTTY: true });
    r.instance.rerender(<Tall />);
    await r.resize(80, 24);
    expect(r.stdout.writes.join('')).toContain(CLEAR);
    r.unmount();
  });

  test('a terminal too small says so instead of drawing a broken screen', async () => {
    const r = await renderAt(<Filled />, { columns: 30, rows: 6 });
    expect(lines(r.lastFrame())[0]).toContain('Terminal too small (30×6)');
    r.unmount();
  });

  test('frameHeight', () => {
    expect([frameHeight(24), frameHeight(1)]).toEqual([23, 1]);
  });
});
