import { vi } from 'vitest';

// chalk decides its colour level once, at import, from FORCE_COLOR and the
// stream; force it on so the NO_COLOR test shows the theme, not chalk, at work
vi.hoisted(() => {
  process.env['FORCE_COLOR'] = '1';
});

import { describe, expect, test } from 'vitest';
import { ConfirmDialog, createTheme, StatusBar, themeFromEnv } from '../../src/tui/kit/index.ts';
import { ListApp } from './fixtures/list-app.tsx';
import { renderAt } from './render.tsx';

// eslint-disable-next-line no-control-regex
const ESCAPE = /\u001B\[/;

describe('theme', () => {
  test('NO_COLOR set and non-empty turns colour off; empty does not', () => {
    expect(themeFromEnv({ NO_COLOR: '1' }).color).toBe(false);
    expect(themeFromEnv({ NO_COLOR: '' }).color).toBe(true);
    expect(themeFromEnv({}).color).toBe(true);
    expect(createTheme({ color: false }).style('cursor')).toEqual({});
  });

  async function screens(env: Record<string, string>): Promise<string[]> {
    const frames: string[] = [];
    const app = await renderAt(<ListApp count={30} />, { env });
    await app.press('j', 'space', '/');
    frames.push(app.lastFrame());
    await app.type('TP53');
    frames.push(app.lastFrame());
    await app.press('enter', '?');
    frames.push(app.lastFrame());
    app.unmount();
    for (const connection of ['online', 'offline', 'reconnecting'] as const) {
      const bar = await renderAt(<StatusBar width={80} user="ana" project="onc" role="editor" connection={connection} queued={2} rejected={1} />, { env });
      frames.push(bar.lastFrame());
      bar.unmount();
    }
    const confirm = await renderAt(<ConfirmDialog title="Delete?" destructive width={40} onConfirm={() => {}} onCancel={() => {}} />, { env });
    frames.push(confirm.lastFrame());
    confirm.unmount();
    return frames;
  }

  test('with colour the same screens do carry escapes (the check below can fail)', async () => {
    const frames = await screens({});
    expect(frames.every((f) => ESCAPE.test(f))).toBe(true);
  });

  test('NO_COLOR output has no ANSI escapes at all, and meaning survives as glyphs and words', async () => {
    const frames = await screens({ NO_COLOR: '1' });
    for (const frame of frames) expect(frame).not.toMatch(ESCAPE);
    const all = frames.join('\n');
    expect(all).toMatch(/^ \* row 00002/m);
    expect(all).toMatch(/^› {2}row 00003/m);
    expect(all).toContain('○ offline');
    expect(all).toContain('◌ reconnecting');
    expect(all).toContain('✗ 1 rejected');
    expect(all).toContain('›[ No ]');
    expect(all).toContain('/TP53▏');
  });
});
